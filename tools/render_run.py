"""Render one `make run` folder (runs/<chapter>-<stamp>/) as a small HTML book.

Usage: python tools/render_run.py runs/<chapter>-<stamp>
Writes runs/<...>/site/_build/html/index.html with the same Jupyter Book toolchain and the
local MathJax. Progress bars: a papermill run stores every refresh of a tqdm bar as its own
stream output; here consecutive stream outputs are merged and carriage returns applied, so
the rendered page shows each bar once, in its final state.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def settle(text: str) -> str:
    """Apply terminal carriage returns: keep, per line, what is left after the last ``\\r``
    (a bar that was cleared at its end leaves nothing, as in a terminal)."""
    lines = []
    for line in text.split("\n"):
        kept = line.split("\r")[-1]
        kept = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", kept)
        if kept.strip() or "\r" not in line:
            lines.append(kept)
    return "\n".join(lines)


def merge_streams(nb: dict) -> dict:
    """Merge consecutive stream outputs of one name and settle carriage returns."""
    for cell in nb["cells"]:
        outs, merged = cell.get("outputs", []), []
        for o in outs:
            if (o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == o.get("name")):
                merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(o["text"])
            else:
                merged.append(dict(o))
        for o in merged:
            if o.get("output_type") == "stream":
                o["text"] = settle("".join(o["text"]))
        merged = [o for o in merged if not (o.get("output_type") == "stream" and not o["text"].strip())]
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def main(folder: str) -> None:
    run = Path(folder).resolve()
    nbs = [p for p in run.glob("*.ipynb") if not p.name.endswith(".input.ipynb")]
    if not nbs:
        sys.exit(f"no executed notebook in {run}")
    site = run / "site"
    site.mkdir(exist_ok=True)
    nb = merge_streams(json.loads(nbs[0].read_text()))
    (site / nbs[0].name).write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    subprocess.run([sys.executable, str(ROOT / "tools" / "local_mathjax.py")], check=True,
                   stdout=subprocess.DEVNULL)
    mj = ROOT / "_build" / "mathjax"
    (site / "_config.yml").write_text(
        f'title: "Run {run.name}"\nexecute:\n  execute_notebooks: "off"\n'
        'only_build_toc_files: true\nparse:\n  myst_enable_extensions: [dollarmath, amsmath, colon_fence]\n'
        'sphinx:\n'
        f'  local_extensions:\n    risisac_html: {ROOT / "book" / "_ext"}/\n'
        '  config:\n'
        f'    html_static_path: ["{mj}", "{ROOT / "book" / "static"}"]\n'
        '    html_css_files: ["risisac.css"]\n'
        '    html_context: {default_mode: light}\n'
        '    nb_merge_streams: true\n'
        '    mathjax_path: "tex-chtml.js"\n')
    (site / "_toc.yml").write_text(f"format: jb-book\nroot: {nbs[0].stem}\n")
    shutil.rmtree(site / "_build", ignore_errors=True)
    subprocess.run(["jupyter-book", "build", str(site), "-q"], check=True)
    print(f"HTML: {site / '_build' / 'html' / 'index.html'}")


if __name__ == "__main__":
    main(sys.argv[1])
