"""make mutate: mutation testing of the algorithm modules (mutmut 3), one module at a time.

Usage: python tools/mutate.py [MODULE ...] [--max-children N] [--sample K]
(``make mutate [MODULE=lib/risisac/paper_b/model.py] [SAMPLE=K]``; runs under ``nice -n 15``)

Each module in ``MODULES`` is mutated in a private copy of the project under
``_build/mutate/<module>/`` (the working tree is never touched): ``lib/risisac`` is copied
to ``src/risisac`` (mutmut 3 puts ``mutants/src`` first on ``sys.path``), with only the
tests of that module's paper (``tests/paper_x``), so a module's mutants run only against
its own paper's tests and the run stays affordable. mutmut is installed on demand from
``requirements-dev.txt``. Prints, per module, the mutants killed / total (the kill rate),
the survivors, and the wall time; writes ``_build/mutate/summary.json``.

``--sample K`` tests a simple random sample of K of a module's mutants (drawn with a fixed
seed, 0, from the sorted mutant names, before any result is seen) and reports the kill rate
with its 95 % Wilson interval: a module with hundreds of mutants then costs minutes, not
hours (each mutant re-runs the paper tests that cover the mutated function).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "_build" / "mutate"

# algorithm module -> the tests that guard it (its paper's test folder)
MODULES = {
    "lib/risisac/optim.py": "tests/test_optim.py",             # shared projections (a quick self-test)
    "lib/risisac/book/ledger.py": "tests/book",                # declarations, verdicts, amendments
    "lib/risisac/book/stats.py": "tests/book",                 # intervals, band-resolving digits
    "lib/risisac/book/artefacts.py": "tests/book",             # damaged-artefact stops
    "lib/risisac/paper_a/unfolding.py": "tests/paper_a",
    "lib/risisac/paper_a/detection_net.py": "tests/paper_a",
    "lib/risisac/paper_a/admm_mm.py": "tests/paper_a",
    "lib/risisac/paper_a/admm_mm_liu.py": "tests/paper_a",
    "lib/risisac/paper_a/doa_net.py": "tests/paper_a",
    "lib/risisac/paper_b/model.py": "tests/paper_b",       # the exact solver of (28)
    "lib/risisac/paper_b/isacnn.py": "tests/paper_b",      # the ISACNN loss
    "lib/risisac/paper_c/bcd.py": "tests/paper_c",
}

PYPROJECT = """[tool.pytest.ini_options]
addopts = "-p no:randomly -p no:cacheprovider -q"
testpaths = ["{tests}"]

[tool.mutmut]
source_paths = ["src"]
only_mutate = ["{target}"]
pytest_add_cli_args_test_selection = ["{tests}"]
pytest_add_cli_args = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
use_git_change_detection = false
"""


def ensure_mutmut() -> None:
    try:
        import mutmut  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r",
                        str(ROOT / "requirements-dev.txt")], check=True)


def prepare(module: str, tests: str) -> Path:
    name = Path(module).with_suffix("").as_posix().replace("lib/risisac/", "").replace("/", ".")
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    (work / "tests").mkdir(parents=True)
    shutil.copytree(ROOT / "lib" / "risisac", work / "src" / "risisac",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for f in ("__init__.py", "conftest.py"):
        if (ROOT / "tests" / f).exists():
            shutil.copy(ROOT / "tests" / f, work / "tests" / f)
    if (ROOT / tests).is_dir():
        shutil.copytree(ROOT / tests, work / tests, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy(ROOT / tests, work / tests)
    for extra in ("models",):                        # artefacts some tests load
        if (ROOT / extra).exists():
            os.symlink(ROOT / extra, work / extra)
    target = module.replace("lib/", "src/")
    (work / "pyproject.toml").write_text(PYPROJECT.format(target=target, tests=tests))
    return work


NOT_KILLED = {0: "survived", None: "not checked", 5: "no tests", 33: "no tests", 34: "skipped",
              2: "interrupted"}


def results(work: Path, module: str) -> dict:
    """Kill rate from mutmut's per-file record (exit code per mutant: 0 = the tests passed)."""
    meta = work / "mutants" / (module.replace("lib/", "src/") + ".meta")
    data = json.loads(meta.read_text()) if meta.exists() else {}
    status = {k: NOT_KILLED.get(c, "killed") for k, c in data.get("exit_code_by_key", {}).items()}
    killed = sum(s == "killed" for s in status.values())
    return {"module": module, "mutants": len(status), "killed": killed,
            "survived": sorted(k for k, s in status.items() if s == "survived"),
            "not_checked": sorted(k for k, s in status.items() if s not in ("killed", "survived")),
            "kill_rate": (killed / len(status)) if status else None}


def restrict(res: dict, names: list[str], population: int) -> dict:
    """The result of a sampled run: counts over the sampled mutants, with a 95 % interval."""
    from risisac.book.stats import proportion_ci
    sampled = set(names)
    survived = [k for k in res["survived"] if k in sampled]
    not_checked = [k for k in res["not_checked"] if k in sampled]
    killed = len(sampled) - len(survived) - len(not_checked)
    ci = proportion_ci(killed, len(sampled)) if sampled else None
    return dict(res, mutants=len(sampled), killed=killed, survived=survived, not_checked=not_checked,
                kill_rate=(killed / len(sampled)) if sampled else None, population=population,
                ci95=[round(ci.lo, 3), round(ci.hi, 3)] if ci else None)


def diffs(work: Path, names: list[str], env: dict) -> str:
    """``mutmut show`` of each survivor (what the tests let through)."""
    out = []
    for n in names:
        r = subprocess.run([sys.executable, "-m", "mutmut", "show", n], cwd=work, env=env,
                           capture_output=True, text=True)
        out.append(r.stdout.strip())
    return "\n\n".join(out) + "\n"


def all_mutants(work: Path, module: str, env: dict) -> list[str]:
    """Generate the mutants (and mutmut's test statistics) without running any."""
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", "1", "no-such-mutant"],
                   cwd=work, env=env, capture_output=True, text=True)
    meta = work / "mutants" / (module.replace("lib/", "src/") + ".meta")
    return sorted(json.loads(meta.read_text())["exit_code_by_key"]) if meta.exists() else []


def locked(work: Path) -> bool:
    lock = work / ".lock"
    if lock.exists():
        try:
            os.kill(int(lock.read_text()), 0)
            return True
        except (OSError, ValueError):
            pass
    return False


def run(module: str, tests: str, max_children: int, sample: int | None = None) -> dict:
    name = Path(module).with_suffix("").as_posix().replace("lib/risisac/", "").replace("/", ".")
    if locked(WORK / name):
        raise SystemExit(f"mutate: {module} is being mutated by another run ({WORK / name}/.lock)")
    work = prepare(module, tests)
    (work / ".lock").write_text(str(os.getpid()))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               RISISAC_PROGRESS="0", PYTHONPATH="")
    t0 = time.perf_counter()
    names: list[str] = []
    if sample:
        import random
        everything = all_mutants(work, module, env)
        names = sorted(random.Random(0).sample(everything, min(sample, len(everything))))
    r = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names],
                       cwd=work, env=env, capture_output=True, text=True)
    (work / "mutmut.log").write_text(r.stdout + r.stderr)
    res = results(work, module)
    if sample:
        res = restrict(res, names, len(everything))
    res["seconds"] = round(time.perf_counter() - t0)
    res["returncode"] = r.returncode
    (work / "survivors.diff").write_text(diffs(work, res["survived"], env))
    (work / ".lock").unlink(missing_ok=True)
    res["survivors_diff"] = str((work / "survivors.diff").relative_to(ROOT))
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("modules", nargs="*", help="modules to mutate (default: all of MODULES)")
    ap.add_argument("--max-children", type=int, default=1)
    ap.add_argument("--sample", type=int, default=None, help="test a random sample of K mutants per module")
    a = ap.parse_args()
    mods = a.modules or list(MODULES)
    unknown = [m for m in mods if m not in MODULES]
    if unknown:
        print(f"mutate: module(s) {unknown} not in the mutation scope; allowed: {', '.join(MODULES)}",
              file=sys.stderr)
        return 2
    ensure_mutmut()
    WORK.mkdir(parents=True, exist_ok=True)
    summary_path = WORK / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for m in mods:
        print(f"mutate: {m} against {MODULES[m]} ...", flush=True)
        res = run(m, MODULES[m], a.max_children, a.sample)
        summary[m] = res
        summary_path.write_text(json.dumps(summary, indent=1) + "\n")
        rate = "n/a" if res["kill_rate"] is None else f"{100 * res['kill_rate']:.0f} %"
        if res.get("ci95"):
            rate += (f", 95 % interval [{100 * res['ci95'][0]:.0f}, {100 * res['ci95'][1]:.0f}] %, "
                     f"a sample of {res['mutants']} of {res['population']} mutants")
        print(f"  {res['killed']}/{res['mutants']} killed ({rate}) in {res['seconds']} s; "
              f"{len(res['survived'])} survived (diffs: {res['survivors_diff']})"
              + (f"; mutmut exit {res['returncode']}, see mutmut.log" if res["returncode"] else ""))
        for s in res["survived"][:40]:
            print(f"    survived: {s}")
    tot = sum(r["mutants"] for r in summary.values())
    kil = sum(r["killed"] for r in summary.values())
    if tot:
        print(f"mutate: overall {kil}/{tot} killed ({100 * kil / tot:.0f} %) over {len(summary)} module(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
