"""Every claim of every chapter: declared before it is recorded, with the paper's words or a
declared book band; quotes checked against the paper texts; no project-process wording in
anything a reader sees."""
import json
import re
from pathlib import Path

import pytest

from risisac.book import ledger

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = list(ledger.CHAPTER_SPECS)
PAPERS = ROOT.parent / "shared" / "papers"
TEXTS = {k: ledger.paper_text(k, PAPERS) for k in ledger.PAPER_TEXTS}


def _number_forms(v: float) -> set[str]:
    forms = {f"{v:g}", f"{v}", f"{v:.2f}", f"{v:.1f}", f"{v:.3f}", f"{v:.4f}"}
    if abs(v) < 1.5:
        forms |= {f"{100 * v:g}%", f"{100 * v:g} %", f"{100 * v:.0f}%"}
    return {f.rstrip("0").rstrip(".") if "." in f and not f.endswith("%") else f for f in forms} | forms


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_declarations_are_complete(chapter):
    claims = ledger.chapter_claims(chapter)
    assert claims, f"{chapter}: no declarations"
    for c in claims.values():
        assert c.statistic.strip() and c.source.strip(), c.id
        if c.band is None:
            assert c.timing is False, f"{c.id}: a timing claim needs a band"
        if c.timing:
            assert "cpu" in c.statistic.lower() and "ratio" in c.statistic.lower(), (
                f"{c.id}: a timing claim is a ratio of CPU times")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quotes_are_the_papers_words(chapter):
    """A quote occurs in its paper's text (whitespace-normalised); a numeric paper value
    occurs in its quote: a value read off a figure is not a paper value."""
    claims = ledger.chapter_claims(chapter)
    quoted = [c for c in claims.values() if c.quote]
    if not all(TEXTS[c.paper] for c in quoted):
        pytest.skip(f"the paper texts are not beside this checkout ({PAPERS})")
    for c in quoted:
        assert ledger.quote_found(c, TEXTS[c.paper]), f"{chapter}/{c.id}: quote not in paper {c.paper}"
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
            q = ledger.normalise_text(c.quote)
            assert any(f in q for f in _number_forms(float(c.value))), (
                f"{chapter}/{c.id}: paper value {c.value} not in its quote")
    for c in claims.values():
        if not c.quote:
            assert c.book_band, c.id
            assert not isinstance(c.value, (int, float)) or isinstance(c.value, bool), (
                f"{chapter}/{c.id}: a number without the paper's words is not a paper value")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_ledger_follows_the_declarations(chapter):
    """Each committed claim was recorded under its current declaration or one listed as an
    earlier version; every declared claim is in the committed ledger."""
    claims = ledger.chapter_claims(chapter)
    data = json.loads((ROOT / "results" / f"{chapter}.json").read_text())
    recorded = {c["id"]: c for c in data["claims"]}
    assert set(recorded) == set(claims), (set(recorded) ^ set(claims))
    for cid, c in recorded.items():
        d = claims[cid]
        assert c["declaration"] in [d.digest, *d.earlier_digests()], (
            f"{chapter}/{cid}: declaration changed since the committed ledger; record the earlier "
            "version as an Amendment")
        assert c["band_by"] == d.band_by and c["quote"] == d.quote


PROCESS = re.compile(r"\bissues?\s*#?\d+|\blent\b|\bsession(?:s|'s)?\b(?!\s*=)|\bsubagent|\bCEO\b|"
                     r"\bsandbox|closing note|device machine|as (?:the|this) issue", re.I)
TEXT_SUFFIXES = {".md", ".py", ".json", ".yml", ".yaml", ".txt", ".bib", ".cfg", ".toml"}


def test_no_project_process_wording():
    """Nothing a reader sees speaks of how the project is organised."""
    bad = []
    for folder in ("notebooks", "book", "lib", "results", "models"):
        for p in (ROOT / folder).rglob("*"):
            if p.is_file() and p.suffix in TEXT_SUFFIXES and "_build" not in p.parts:
                for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1):
                    m = PROCESS.search(line)
                    if m and not line.lstrip().startswith("@pytest.fixture"):
                        bad.append(f"{p.relative_to(ROOT)}:{i}: {m.group(0)!r}")
        bad += [f"{p.relative_to(ROOT)} (name)" for p in (ROOT / folder).rglob("*")
                if PROCESS.search(p.name.replace("-", " ").replace("_", " "))]
    assert not bad, "project-process wording:\n" + "\n".join(bad[:40])
