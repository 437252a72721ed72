"""Run a chapter's heavy job through the workflow: ``make train CHAPTER=<name> PROFILE=<p>``.

Usage: python tools/train.py <chapter> [--profile P] [--out DIR] [--cores N] [--force] [-n]

The profiles are those the chapter's job module knows (``risisac.book.workflow.profiles``:
e.g. the DoA chapter's book, smoke, mid, midtau, paper, papertau). The targets are the profile's
artefacts under ``models/<chapter>/`` (``risisac.book.workflow.targets``); Snakemake
(``workflow/Snakefile``, default profile ``workflow/profiles/default``) makes those that are
missing or stale, one single-thread job per network, evaluation part or timing cell, ``--cores``
at once. ``--force`` remakes them even if current; ``--out DIR`` makes them under
``DIR/models/<chapter>/`` instead (a profile such as the DoA ``smoke`` that writes the book's
own file names should go there); ``-n`` only says what would run.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))


def command(chapter: str, profile: str, out: str | None = None, cores: int = 2, force: bool = False,
            dry: bool = False) -> list[str]:
    """The snakemake command line of ``make train`` (raises ValueError for a bad chapter/profile)."""
    from risisac.book import workflow as W
    targets = W.targets(chapter, profile)
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe) if exe.exists() else "snakemake", *targets, "-s", str(ROOT / "workflow" / "Snakefile"),
           "--profile", str(ROOT / "workflow" / "profiles" / "default"), "--cores", str(cores)]
    if chapter == "paperA_doa" and profile in ("book", "smoke"):
        cmd += ["--config", f"doa_profile={profile}"]
    if profile in W.NETS_NOT_STORED.get(chapter, ()):
        cmd += ["--config", f"rebuild={profile}"]
    if chapter == "paperC_rydberg":
        cmd += ["--config", f"paperC_profile={profile}"]
    if out:
        cmd += ["--directory", str(Path(out).resolve())]
    if force:
        cmd += ["--forcerun", *targets]
    if dry:
        cmd += ["-n"]
    return cmd


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapter")
    ap.add_argument("--profile", default="book")
    ap.add_argument("--out", default=None, help="make the artefacts under DIR/models/<chapter>/")
    ap.add_argument("--cores", type=int, default=int(os.environ.get("CORES", 2)))
    ap.add_argument("--force", action="store_true", help="remake the targets even if current")
    ap.add_argument("-n", "--dry-run", action="store_true")
    a = ap.parse_args(argv)
    try:
        cmd = command(a.chapter, a.profile, a.out, a.cores, a.force, a.dry_run)
    except ValueError as e:
        print(f"train: {e}", file=sys.stderr)
        return 2
    from risisac.book import workflow as W
    if a.profile in W.SAME_FILES.get(a.chapter, ()) and not a.out:
        print(f"train: note: profile {a.profile!r} writes the file names of the stored book artefacts under "
              f"models/{a.chapter}/ (use --out DIR to keep them)", file=sys.stderr)
    print("train:", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
