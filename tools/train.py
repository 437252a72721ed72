"""Run a chapter's heavy training job: ``make train CHAPTER=<name> PROFILE=<p>``.

Usage: python tools/train.py <chapter> [--profile book|smoke|paper] [--out DIR]

Calls ``main(profile: str, out: pathlib.Path)`` of the chapter's training module
(``TRAINERS`` below). The module writes its small artefacts and a JSON training
record (commit, seed, sizes, losses, time) under ``out`` (default
``models/<chapter>/``), which the chapter's ``book`` profile loads.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TRAINERS = {
    "paperA_detection": "risisac.paper_a.train_detection",
    "paperA_doa": "risisac.paper_a.train_doa",
    "paperB_uplink": "risisac.paper_b.train",
    "paperC_rydberg": "risisac.paper_c.train",
}
PROFILES = ("book", "smoke", "paper", "mid")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapter")
    ap.add_argument("--profile", default="book")
    ap.add_argument("--out", default=None, help="output folder (default models/<chapter>/)")
    a = ap.parse_args(argv)
    if a.profile not in PROFILES:
        print(f"train: profile = {a.profile!r} is invalid: allowed values are "
              + ", ".join(map(repr, PROFILES)), file=sys.stderr)
        return 2
    module = TRAINERS.get(a.chapter)
    if module is None:
        print(f"train: chapter {a.chapter!r} has no training module; chapters with one: "
              + ", ".join(TRAINERS), file=sys.stderr)
        return 2
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and module.startswith(e.name):
            print(f"train: chapter {a.chapter!r} maps to {module}, which does not exist yet "
                  f"(write it with a main(profile, out) function)", file=sys.stderr)
            return 2
        raise
    if not hasattr(mod, "main"):
        print(f"train: {module} has no main(profile, out) function", file=sys.stderr)
        return 2
    out = Path(a.out) if a.out else ROOT / "models" / a.chapter
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    t0 = time.perf_counter()
    mod.main(a.profile, out)
    print(f"train: {a.chapter} ({a.profile}) done in {time.perf_counter() - t0:.0f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
