"""Print the book's chapter notebooks (names, in _toc.yml order). No dependencies."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chapters() -> list[str]:
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"file:\s*notebooks/([A-Za-z0-9_]+)", text)


if __name__ == "__main__":
    print(" ".join(chapters()))
    sys.exit(0)
