"""Copy MathJax 3 (from the pinned django-static-mathjax wheel) into _static/mathjax.

The book then loads MathJax locally (``mathjax_path`` in _config.yml), so the
HTML shows its equations when opened without an internet connection.
"""
import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "_static" / "mathjax"

spec = importlib.util.find_spec("mathjax")
if spec is None or not spec.submodule_search_locations:
    sys.exit("MathJax package missing: run `make venv` (django-static-mathjax in requirements.txt)")
src = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
if not (src / "tex-chtml.js").exists():
    sys.exit(f"no tex-chtml.js under {src}")
if not (DEST / "tex-chtml.js").exists():
    DEST.parent.mkdir(exist_ok=True)
    shutil.copytree(src, DEST, dirs_exist_ok=True)
print(f"MathJax: {DEST / 'tex-chtml.js'}")
