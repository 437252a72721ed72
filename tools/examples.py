"""Run every example command of README.md and book/intro.md as written (smoke profile).

Usage: python tools/examples.py [--list | --run]

Each line of a ```bash block is an example. It is either
* **run** (``--run``), in one shell per block so that ``cd`` carries over, with one change:
  the profile is ``smoke`` (``-p profile <x>`` becomes ``-p profile smoke``; a ``make run``
  without a profile gets ``-p profile smoke`` added to its ARGS), so that ``make test`` can
  afford it; outputs go where the example says (``runs/``, ``/tmp``);
* or **covered elsewhere**: the whole-pipeline targets that ``make test`` itself is made of
  or that need the network (``COVERED`` below says where each is exercised).
A line that is neither fails ``--list`` (and ``tests/test_repository.py``), so a new example
cannot go untested.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("README.md", "book/intro.md")

# command prefix -> where it is exercised instead of being run here
COVERED = {
    "make venv TORCH_INDEX=": "installation (needs the network)",
    "make html REPO_URL=": "tests/test_repository.py::test_repo_url_config and make test's build-check",
    "make book": "make test (nbval re-executes every chapter; build-check renders the book)",
    "make test": "it is the command that runs these examples",
    "make html": "make test's build-check (same gather + jupyter-book build, -W)",
    "make venv": "make test's first step",
    "make browser-check": "its own target (needs Debian's chromium)",
    "make mutate": "its own target (minutes per module)",
    "make execute": "make test's nbval (same execution, compared to the record)",
    "make train": "make test's workflow-check (tools/train.py, a smoke target into a temporary folder) "
                  "and tests/test_workflow.py",
    "make artefacts": "make test's workflow-check (the whole workflow, dry run; a fresh clone has nothing to do)",
    "snakemake -n": "make test's workflow-check and tests/test_workflow.py (dry runs)",
    "snakemake --profile workflow/profiles/slurm": "make test's workflow-check (a dry run with this profile; "
                                                   "needs a SLURM cluster to run)",
    "snakemake --cores 2": "tests/test_workflow.py (the same target deleted: exactly its rebuild, dry run)",
    "pip install": "installation (needs the network)",
    "python3 -m venv": "installation",
    "conda env create": "installation (needs the network)",
    "git clone": "installation (needs the network)",
}


def examples() -> list[tuple[str, int, list[str]]]:
    """(source, block number, lines) for every ```bash block."""
    out = []
    for src in SOURCES:
        text = (ROOT / src).read_text()
        for i, m in enumerate(re.finditer(r"^```bash\s*\n(.*?)^```", text, re.M | re.S)):
            lines = []
            for ln in m.group(1).splitlines():
                cmd = strip_comment(ln).strip()
                if cmd:
                    lines.append(cmd)
            out.append((src, i, lines))
    return out


def strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if ch in "'\"" and quote in (None, ch):
            quote = None if quote == ch else ch
        elif ch == "#" and quote is None and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def covered(cmd: str) -> str | None:
    for prefix, why in COVERED.items():
        if cmd == prefix or cmd.startswith(prefix if prefix.endswith("=") else prefix + " "):
            return why
    return None


def runnable(cmd: str) -> bool:
    c = re.sub(r"^(?:[A-Z_]+=\S+\s+)*", "", cmd)   # leading VAR=value assignments
    return c.startswith(("make run ", "papermill ", "cd ", "python tools/run_chapter.py ")) or \
        bool(re.match(r"cd \S+ && papermill ", c))


def smoke(cmd: str) -> str:
    """The command in the smoke profile."""
    cmd = re.sub(r"-p profile \w+", "-p profile smoke", cmd)
    if cmd.startswith("make run") and "profile" not in cmd:
        m = re.search(r"ARGS='([^']*)'", cmd)
        if m:
            cmd = cmd.replace(m.group(0), f"ARGS='{m.group(1)} -p profile smoke'")
        else:
            cmd += " ARGS='-p profile smoke'"
    return cmd


def plan() -> tuple[list[tuple[str, list[str]]], list[str], list[str]]:
    """Blocks to run (as smoke scripts), covered lines, and lines that are neither."""
    blocks, cov, bad, seen = [], [], [], set()
    for src, i, lines in examples():
        script = []
        for cmd in lines:
            why = covered(cmd)
            if why:
                cov.append(f"{src}: {cmd}  -> covered by {why}")
            elif runnable(cmd):
                s = smoke(cmd)
                if re.fullmatch(r"cd \S+", s) or s not in seen:   # each distinct example runs once
                    seen.add(s)
                    script.append(s)
            else:
                bad.append(f"{src}: {cmd}")
        if any(not re.fullmatch(r"cd \S+", s) for s in script):
            blocks.append((f"{src} block {i + 1}", script))
    return blocks, cov, bad


def main() -> int:
    blocks, cov, bad = plan()
    if "--run" not in sys.argv:
        for name, script in blocks:
            print(f"run   {name}: " + " ; ".join(script))
        for c in cov:
            print(f"cover {c}")
        for b in bad:
            print(f"NEITHER run nor covered: {b}")
        return 1 if bad else 0
    if bad:
        print("examples neither run nor covered:\n  " + "\n  ".join(bad), file=sys.stderr)
        return 1
    failed = []
    for name, script in blocks:
        t0 = time.perf_counter()
        print(f"example ({name}): {' ; '.join(script)}", flush=True)
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(script)], cwd=ROOT,
                           capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if r.returncode:
            failed.append(name)
            print(f"  FAILED ({dt:.0f} s):\n" + (r.stdout + r.stderr)[-3000:], flush=True)
        else:
            print(f"  ok ({dt:.0f} s)", flush=True)
    if failed:
        print(f"{len(failed)} example(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"examples: {len(blocks)} run, {len(cov)} covered elsewhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
