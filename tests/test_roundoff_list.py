"""The list of round-off-sensitive chapters (Makefile ROUNDOFF_SENSITIVE) may only shrink.

Those chapters' interval estimates and verdict words are masked in strict nbval by
tests/sanitize_roundoff.cfg because the perturbed run showed that they move when the
inputs move by 1e-12 (see that file). A new chapter must pass the perturbed run unmasked.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"paperB_uplink"}


def test_roundoff_sensitive_list_only_shrinks():
    text = (ROOT / "Makefile").read_text()
    m = re.search(r"^ROUNDOFF_SENSITIVE := (.*)$", text, re.M)
    assert m, "Makefile must define ROUNDOFF_SENSITIVE"
    listed = set(m.group(1).split())
    assert listed <= ALLOWED, f"new round-off-sensitive chapter(s): {sorted(listed - ALLOWED)}"


def test_roundoff_sanitizer_keeps_the_base_rules():
    base = (ROOT / "tests" / "sanitize.cfg").read_text()
    extra = (ROOT / "tests" / "sanitize_roundoff.cfg").read_text()
    assert extra.startswith(base), "sanitize_roundoff.cfg must start with every rule of sanitize.cfg"
