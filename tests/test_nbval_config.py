"""Strict nbval compares every chapter with the same sanitizer, which masks volatile text only
(memory addresses, recorded run times, commits, PNG data): no chapter's numbers are masked."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_one_sanitizer_for_every_chapter():
    make = (ROOT / "Makefile").read_text()
    assert re.findall(r"--nbval-sanitize-with (\S+)", make) == ["tests/sanitize.cfg"]
    assert "ROUNDOFF" not in make


def test_sanitizer_masks_no_numbers_or_verdicts():
    cfg = (ROOT / "tests" / "sanitize.cfg").read_text()
    regexes = re.findall(r"^regex: (.*)$", cfg, re.M)
    for sample in ("0.997 [0.989, 1.004] (n = 5)", "32/80 = 0.40 [0.30, 0.51]", "reproduced", "not reproduced"):
        assert not any(re.search(r, sample) for r in regexes), sample
