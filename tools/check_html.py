"""Check the rendered HTML of the book.

Usage: python tools/check_html.py [--html-dir DIR] [--chapter NAME] [--quiet]
(DIR defaults to _build/html; check a private build with
``jupyter-book build . --all -q --path-output /tmp/x`` and ``--html-dir /tmp/x/_build/html``.)

Fails when:

* a page is missing, a chapter page lacks figures, its claims table, its
  "Errata and assumptions" section or rendered equations, or the report page lacks
  a chapter or its links to the claims (``#claim-<id>``);
* **raw maths or raw MyST reaches the reader**: any text node outside a maths
  element, code, or a code/output block that contains a TeX command (``\\mathbf``,
  ``\\tilde``, ...), ``$$``, a lone ``$``, or MyST syntax (a role such as
  ``{cite}`...```, a fence ``````{``, ``:::``, a directive option ``:name:``);
* a page loads MathJax more than once, or any ``_static`` script it should not
  (every page must load exactly one MathJax bundle, and pages with maths need it).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chapters import ROOT, chapters  # noqa: E402

BOOK_PAGES = ("index.html", "book/report.html", "book/errata.html", "book/bibliography.html",
              "book/contributing.html")

# Elements whose text may legitimately hold TeX or MyST: maths, code, outputs, scripts.
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "noscript", "svg",
             "mjx-container", "math", "head", "title"}
SKIP_CLASSES = {"math", "highlight", "cell_input", "output", "literal", "pre", "notranslate",
                "sig", "doctest", "cell_output", "output_area"}

TEX = re.compile(r"\\(?:[A-Za-z]{2,}|[,;:!{}|])")
DOLLARS = re.compile(r"\$")
MYST = re.compile(r"\{(?:cite|cite:[a-z]+|numref|ref|eq|math|doc|glue|glue:[a-z]+|prf:ref|term|"
                  r"download|abbr|sub|sup)\}`|```|^\s*:::|(?<![\w/]):(?:name|label|tags|class|"
                  r"figwidth|align|caption):\s")


def skipped(node) -> bool:
    for parent in node.parents:
        if parent.name in SKIP_TAGS:
            return True
        classes = parent.get("class") or []
        if any(c in SKIP_CLASSES for c in classes):
            return True
    return False


def raw_markup(html: str) -> list[str]:
    """Snippets of text outside maths/code that still contain TeX or MyST markup."""
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup.find("article") or soup
    found = []
    for node in main.find_all(string=True):
        text = str(node)
        if not text.strip() or skipped(node):
            continue
        hit = TEX.search(text) or DOLLARS.search(text) or MYST.search(text)
        if hit:
            a = max(0, hit.start() - 40)
            snippet = " ".join(text[a:hit.end() + 40].split())
            found.append(snippet)
    return found


def scripts(html: str) -> list[str]:
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)


def mathjax_problems(html: str) -> list[str]:
    srcs = scripts(html)
    mj = [s for s in srcs if re.search(r"mathjax|tex-(?:chtml|svg|mml)|/(?:input|output|a11y|ui|sre|adaptors)/",
                                       s, re.I)]
    bundles = [s for s in mj if re.search(r"tex-(?:chtml|svg|mml-chtml|mml-svg)(?:-full)?\.js", s)]
    out = []
    has_maths = 'class="math' in html
    if len(mj) > 1 or len(bundles) > 1 or (has_maths and len(bundles) != 1):
        out.append(f"loads {len(mj)} MathJax script(s) ({len(bundles)} bundle(s)); expected exactly one")
    remote = [s for s in mj if s.startswith(("http:", "https:", "//"))]
    if remote:
        out.append(f"loads MathJax from the network: {remote[0]}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="check the rendered HTML of the book")
    ap.add_argument("--html-dir", default=str(ROOT / "_build" / "html"))
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--chapter", action="append", default=None,
                    help="check only this chapter's page (repeatable); the book pages are skipped")
    a = ap.parse_args(argv)
    html_dir = Path(a.html_dir)
    problems: list[str] = []
    names = a.chapter or chapters()
    unknown = sorted(set(names) - set(chapters()))
    if unknown:
        print(f"unknown chapter(s) {unknown}; chapters: {', '.join(chapters())}", file=sys.stderr)
        return 2
    pages = ([] if a.chapter else list(BOOK_PAGES)) + [f"notebooks/{n}.html" for n in names]
    texts = {}
    for page in pages:
        p = html_dir / page
        if not p.exists():
            problems.append(f"missing page {page}")
            continue
        texts[page] = p.read_text(encoding="utf-8")
    report = texts.get("book/report.html", "")
    for name in names:
        page = f"notebooks/{name}.html"
        if page not in texts:
            continue
        text = texts[page]
        n_img = text.count("<img")
        if n_img < 1:
            problems.append(f"{name}: no figures")
        if "verdict" not in text:
            problems.append(f"{name}: no results (claims) table")
        if "Errata and assumptions" not in text:
            problems.append(f"{name}: no 'Errata and assumptions' section")
        if "math notranslate" not in text:
            problems.append(f"{name}: no rendered equations")
        if not a.chapter and name not in report:
            problems.append(f"report page lacks chapter {name}")
        if not a.chapter and f"{name}.html#claim-" not in report:
            problems.append(f"report page does not link to the claims of {name} ({name}.html#claim-<id>)")
        led = ROOT / "results" / f"{name}.json"
        if led.exists():
            import json
            ids = [c["id"] for c in json.loads(led.read_text())["claims"]]
            missing = [i for i in ids if f'id="claim-{i}"' not in text]
            if missing:
                problems.append(f"{name}: {len(missing)} of {len(ids)} claims have no anchor "
                                f"(claim-<id>) on the chapter page, e.g. {missing[0]!r}: show each "
                                "claim's ledger view in the chapter")
        if not a.quiet:
            print(f"{name}: {n_img} figures")
    for page, text in texts.items():
        for snippet in raw_markup(text):
            problems.append(f"{page}: raw TeX/MyST in the text: ...{snippet}...")
        for m in mathjax_problems(text):
            problems.append(f"{page}: {m}")
    if problems:
        print("HTML check failed:\n- " + "\n- ".join(problems), file=sys.stderr)
        return 1
    print(f"HTML check passed ({len(texts)} pages in {html_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
