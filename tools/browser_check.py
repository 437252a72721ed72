"""make browser-check: every page of the book in headless Chromium, screenshots, failures.

Usage: python tools/browser_check.py [--html-dir DIR] [--no-build] [--screens DIR]
Builds the book (``make html`` steps) unless ``--no-build``, installs the pinned
``playwright-core`` (npm; it drives Debian's ``chromium`` and downloads no browser) into
``tools/browser/node_modules`` on first use, then runs ``tools/browser/check.js``: one
full-page screenshot per page (1400 px wide) in ``_build/screens/``; fails on console
errors, page errors, failed requests, unrendered maths, MathJax errors, or a results table
wider than the text column.
"""
import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSER = ROOT / "tools" / "browser"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--html-dir", default=str(ROOT / "_build" / "html"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--screens", default=str(ROOT / "_build" / "screens"), help="screenshot folder")
    a = ap.parse_args()
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("browser-check needs Debian's chromium: apt-get update && apt-get install -y chromium",
              file=sys.stderr)
        return 2
    if not shutil.which("node"):
        print("browser-check needs node and npm (apt-get install -y nodejs npm)", file=sys.stderr)
        return 2
    if not (BROWSER / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=BROWSER, check=True)
    if not a.no_build:
        subprocess.run([sys.executable, "tools/gather.py"], cwd=ROOT, check=True)
        subprocess.run([sys.executable, "tools/local_mathjax.py"], cwd=ROOT, check=True)
        subprocess.run(["jupyter-book", "build", ".", "--all", "-q"], cwd=ROOT, check=True)
    screens = Path(a.screens)
    shutil.rmtree(screens, ignore_errors=True)
    r = subprocess.run(["node", str(BROWSER / "check.js"), a.html_dir, str(screens), exe], cwd=ROOT)
    print(f"screenshots: {screens}")
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
