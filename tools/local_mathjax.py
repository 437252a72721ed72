"""Copy MathJax 3 (from the pinned django-static-mathjax wheel) into _build/mathjax.

The book then loads MathJax locally (``mathjax_path`` in _config.yml), so the HTML
shows its equations when opened without an internet connection. The copy lives
outside the root ``_static`` folder on purpose: Jupyter Book adds a script tag for
every ``*.js`` under ``_static`` to every page (75 MathJax files, ~19.6 MB, with
console errors); from ``_build/mathjax`` (listed in ``html_static_path``) only the
one bundle named by ``mathjax_path`` is loaded, and MathJax fetches its fonts and
any extension it autoloads itself.
"""
import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "_build" / "mathjax"
OLD = ROOT / "_static" / "mathjax"   # where earlier versions put it (auto-included: remove)


def main() -> None:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("MathJax package missing: run `make venv` (django-static-mathjax in requirements.txt)")
    src = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    if not (src / "tex-chtml.js").exists():
        sys.exit(f"no tex-chtml.js under {src}")
    if OLD.exists():
        shutil.rmtree(OLD)
        if OLD.parent.exists() and not any(OLD.parent.iterdir()):
            OLD.parent.rmdir()
    if not (DEST / "tex-chtml.js").exists():
        DEST.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, DEST, dirs_exist_ok=True)
    print(f"MathJax: {DEST / 'tex-chtml.js'}")


if __name__ == "__main__":
    main()
