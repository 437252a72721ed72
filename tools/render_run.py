"""Render one `make run` folder (runs/<chapter>-<stamp>/) as a small HTML book.

Usage: python tools/render_run.py runs/<chapter>-<stamp>
Writes runs/<...>/_build/html/index.html. Uses the same Jupyter Book toolchain.
"""
import shutil
import subprocess
import sys
from pathlib import Path

run = Path(sys.argv[1]).resolve()
nbs = [p for p in run.glob("*.ipynb")]
if not nbs:
    sys.exit(f"no notebook in {run}")
site = run / "site"
site.mkdir(exist_ok=True)
shutil.copy(nbs[0], site / nbs[0].name)
ROOT = Path(__file__).resolve().parents[1]
subprocess.run([sys.executable, str(ROOT / "tools" / "local_mathjax.py")], check=True)  # equations offline
(site / "_config.yml").write_text(
    f'title: "Run {run.name}"\nexecute:\n  execute_notebooks: "off"\n'
    'only_build_toc_files: true\nparse:\n  myst_enable_extensions: [dollarmath, amsmath]\n'
    'sphinx:\n  config:\n'
    f'    html_static_path: ["{ROOT / "_static"}"]\n'
    '    mathjax_path: "mathjax/tex-chtml.js"\n')
(site / "_toc.yml").write_text(f"format: jb-book\nroot: {nbs[0].stem}\n")
subprocess.run(["jupyter-book", "build", str(site), "-q"], check=True)
print(f"HTML: {site / '_build' / 'html' / 'index.html'}")
