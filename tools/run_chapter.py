"""Re-run one chapter from its current ``.md`` source with your own parameters.

Usage: python tools/run_chapter.py CHAPTER [--html] [--out DIR] -- [-p NAME VALUE]...
       python tools/run_chapter.py --from-env [--html]   (CHAPTER and ARGS from $RUN_CHAPTER, $RUN_ARGS)
(``make run CHAPTER=<name> ARGS='-p N 128 -p seed 3' [HTML=1]`` calls the second form: the
values never pass through a shell command line.)

The ``.md`` (the source of truth, with your edits) is converted by jupytext into
``runs/<chapter>-<stamp>/<chapter>.input.ipynb`` and executed by papermill (in
``notebooks/``, as the book does) into ``runs/<chapter>-<stamp>/<chapter>.ipynb``;
the ledger goes to ``runs/<chapter>-<stamp>/results/<chapter>.json``. The committed
pair and ``results/`` are never touched. Every run gets its own folder (two runs started
in the same second do not share one). Progress: one line per executed cell with the elapsed
time. A failing run ends with a short message (the error and where to look), not a traceback.
``--html`` renders the run.
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import time
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from chapters import chapters  # noqa: E402


def parse_value(text: str):
    """A ``-p`` value as papermill reads it: int, float, bool, None, else the string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_params(args: list[str]) -> dict:
    out, i = {}, 0
    while i < len(args):
        flag = args[i]
        if flag in ("-p", "--parameters", "-r", "--parameters_raw") and i + 2 < len(args):
            name, value = args[i + 1], args[i + 2]
            out[name] = value if flag in ("-r", "--parameters_raw") else parse_value(value)
            i += 3
        else:
            raise SystemExit(f"run: cannot read {' '.join(args[i:])!r}: use -p NAME VALUE (or -r NAME TEXT)")
    return out


def new_run_folder(chapter: str) -> Path:
    """``runs/<chapter>-<date-time>[-k]``: created here, so never shared by two runs."""
    base = ROOT / "runs" / f"{chapter}-{datetime.now():%Y%m%d-%H%M%S}"
    base.parent.mkdir(parents=True, exist_ok=True)
    for k in range(1000):
        run = base if k == 0 else base.with_name(f"{base.name}-{k}")
        try:
            run.mkdir()
            return run
        except FileExistsError:
            continue
    raise SystemExit(f"run: cannot create a run folder next to {base}")


class CellLog:
    """One terminal line per executed code cell, with the elapsed time (wraps papermill's
    per-cell completion hook)."""

    def __init__(self, n: int):
        self.n, self.k = n, 0

    def __enter__(self):
        from papermill.engines import NotebookExecutionManager as M
        self._orig = orig = M.cell_complete
        log, t0 = self, time.perf_counter()

        def cell_complete(man, cell, cell_index=None, **kw):
            out = orig(man, cell, cell_index=cell_index, **kw)
            if cell.cell_type == "code":
                log.k += 1
                first = next((ln for ln in cell.source.splitlines()
                              if ln.strip() and not ln.lstrip().startswith("#")), "")[:60]
                print(f"  [{log.k:>3}/{log.n}] {time.perf_counter() - t0:7.1f} s  {first}", flush=True)
            return out
        M.cell_complete = cell_complete
        return self

    def __exit__(self, *exc):
        from papermill.engines import NotebookExecutionManager as M
        M.cell_complete = self._orig
        return False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    rest = []
    if "--" in argv:
        k = argv.index("--")
        argv, rest = argv[:k], argv[k + 1:]
    ap = argparse.ArgumentParser(description="re-run a chapter from its .md source")
    ap.add_argument("chapter", nargs="?")
    ap.add_argument("--from-env", action="store_true",
                    help="take CHAPTER and ARGS from $RUN_CHAPTER and $RUN_ARGS (make run)")
    ap.add_argument("--html", action="store_true", help="also render the run as HTML")
    ap.add_argument("--out", default=None, help="run folder (default runs/<chapter>-<stamp>)")
    a = ap.parse_args(argv)
    if a.from_env:
        a.chapter = os.environ.get("RUN_CHAPTER", "").strip()
        try:
            rest = shlex.split(os.environ.get("RUN_ARGS", ""))
        except ValueError as e:
            print(f"run: cannot read ARGS ({e}); quote values like -p name 'a b'", file=sys.stderr)
            return 2
    if a.chapter not in chapters():
        print(f"run: unknown chapter {a.chapter!r}; chapters: {', '.join(chapters())}", file=sys.stderr)
        return 2
    params = parse_params(rest)
    run = Path(a.out) if a.out else new_run_folder(a.chapter)
    (run / "results").mkdir(parents=True, exist_ok=True)
    print(f"run folder: {run}")
    import jupytext
    import papermill as pm
    src = run / f"{a.chapter}.input.ipynb"
    jupytext.write(jupytext.read(ROOT / "notebooks" / f"{a.chapter}.md"), src)
    out = run / f"{a.chapter}.ipynb"
    os.environ["RISISAC_RESULTS_DIR"] = str(run / "results")
    os.environ["RISISAC_PROGRESS_LEAVE"] = "1"     # each bar's final state stays (rendered once)
    nb_cells = [c for c in jupytext.read(src).cells if c.cell_type == "code"]
    print(f"executing {len(nb_cells)} code cells of {a.chapter} with {params or 'the book profile'}")
    try:
        with CellLog(len(nb_cells) + bool(params)):          # papermill adds a parameters cell
            pm.execute_notebook(str(src), str(out), parameters=params, cwd=str(ROOT / "notebooks"),
                                progress_bar=False, log_output=False, kernel_name="python3")
    except pm.PapermillExecutionError as e:
        lines = [ln for ln in str(e.evalue).splitlines() if ln.strip()] or [""]
        print(f"run stopped at cell {e.exec_count}: {e.ename}: {lines[0]}", file=sys.stderr)
        for ln in lines[1:3]:
            print(f"  {ln}", file=sys.stderr)
        print(f"notebook with the error: {out}", file=sys.stderr)
        return 1
    if a.html:
        subprocess.run([sys.executable, str(ROOT / "tools" / "render_run.py"), str(run)], check=True)
    print(f"done: {out}, {run / 'results' / (a.chapter + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
