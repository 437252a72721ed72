"""Record a chapter's execution wall times (book and smoke profile) and the commit.

Usage (called by ``make execute``): python tools/exec_record.py CHAPTER T0 T1 T2
where T0..T1 is the book-profile run and T1..T2 the smoke run (epoch seconds).
Writes ``results/execution/<chapter>.json`` (one file per chapter, so that chapters
executed at the same time do not race); ``tools/gather.py`` shows them on the report page.
"""
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commit(chapter: str) -> str:
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    c = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", f"notebooks/{chapter}.md", "lib")
    return c + ("+edits" if dirty else "")


def main(chapter: str, t0: str, t1: str, t2: str) -> None:
    out = ROOT / "results" / "execution" / f"{chapter}.json"
    smoke = round(float(t2) - float(t1), 1)
    if smoke < 0.5 and out.exists():           # smoke run skipped (EXEC_SMOKE=0): keep the last one
        smoke = json.loads(out.read_text()).get("smoke_s")
    rec = {"chapter": chapter, "book_s": round(float(t1) - float(t0), 1),
           "smoke_s": smoke, "commit": commit(chapter),
           "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
           "machine": f"{os.cpu_count()} cores, {platform.machine()}"}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rec, indent=1) + "\n")
    print(f"{chapter}: book {rec['book_s']} s, smoke {rec['smoke_s']} s (commit {rec['commit']})")


if __name__ == "__main__":
    main(*sys.argv[1:5])
