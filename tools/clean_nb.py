"""Copy an executed notebook over the committed record, stripping volatile run metadata.

Usage: python tools/clean_nb.py EXECUTED.ipynb TARGET.ipynb

Removes papermill's notebook/cell metadata, execution timestamps and any
``injected-parameters`` cell, so that re-executing an unchanged chapter leaves
``git diff`` empty apart from outputs that really changed (timings).
"""
import json
import sys
from pathlib import Path

VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


def clean(nb: dict) -> dict:
    nb["metadata"].pop("papermill", None)
    nb["metadata"].pop("widgets", None)
    cells = []
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        for k in VOLATILE_CELL_KEYS:
            cell.get("metadata", {}).pop(k, None)
        cells.append(cell)
    nb["cells"] = cells
    return nb


def main(src: str, dst: str) -> None:
    nb = json.loads(Path(src).read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        sys.exit(f"{src} has error outputs; not copying")
    Path(dst).write_text(json.dumps(clean(nb), indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
