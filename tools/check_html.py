"""Check the rendered HTML: every chapter page exists, shows figures and its results table."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chapters import ROOT, chapters  # noqa: E402

HTML = ROOT / "_build" / "html"


def main() -> None:
    problems = []
    for page in ("index.html", "book/report.html", "book/errata.html", "book/bibliography.html",
                 "book/contributing.html"):
        if not (HTML / page).exists():
            problems.append(f"missing page {page}")
    report = (HTML / "book" / "report.html").read_text() if (HTML / "book" / "report.html").exists() else ""
    for name in chapters():
        page = HTML / "notebooks" / f"{name}.html"
        if not page.exists():
            problems.append(f"missing chapter page notebooks/{name}.html")
            continue
        text = page.read_text()
        n_img = text.count("<img")
        if n_img < 1:
            problems.append(f"{name}: no figures")
        if "verdict" not in text:
            problems.append(f"{name}: no results (claims) table")
        if "Errata and assumptions" not in text:
            problems.append(f"{name}: no 'Errata and assumptions' section")
        if "math notranslate" not in text:
            problems.append(f"{name}: no rendered equations")
        if f"{name}" not in report:
            problems.append(f"report page lacks chapter {name}")
        print(f"{name}: {n_img} figures, results table present")
    if problems:
        sys.exit("HTML check failed:\n- " + "\n- ".join(problems))
    print("HTML check passed")


if __name__ == "__main__":
    main()
