import json

import pytest

from risisac.book import ledger
from risisac.book.ledger import Amendment, Claim, declare
from risisac.book.params import Params
from risisac.book.stats import Estimate, exact

QUOTE = "achieving a reduction of approximately 70% for $N = 128$"

CLAIMS = declare(
    Claim("a", "Fig. 1", "x is about 6", "about 6 dB", "gain [dB]", band=(4, 8), unit="dB",
          book_band="+-2 dB around the paper's words", n="10 channels"),
    Claim("b", "Table I", "70 % reduction", 0.3, "time ratio", band=(0.15, 0.45), quote=QUOTE,
          paper="A", book_band="+-0.15 around 0.3"),
    Claim("q", "Fig. 2", "y rises", "rises", "slope", quote=QUOTE, paper="A"),
    Claim("t", "Table I", "ratio", 0.3, "CPU-time ratio", band=(0.1, 0.5), quote=QUOTE, paper="A",
          timing=True),
    Claim("m", "Fig. 3", "z", "about 1", "z", band=(0.5, 1.5), book_band="why",
          earlier=(Amendment(band=(0.9, 1.1), reason="too narrow for n = 5"),)),
)


def test_declarations_need_words_or_a_book_band():
    with pytest.raises(ValueError, match="quote"):
        Claim("z", "Fig. 1", "s", 1.0, "stat", band=(0, 2))
    with pytest.raises(ValueError, match="paper must be"):
        Claim("z", "Fig. 1", "s", 1.0, "stat", quote="x", paper="D")
    with pytest.raises(ValueError, match="empty band"):
        Claim("z", "Fig. 1", "s", 1.0, "stat", band=(2, 1), book_band="r")
    with pytest.raises(ValueError, match="twice"):
        declare(CLAIMS["a"], CLAIMS["a"])


def test_digest_follows_what_is_declared():
    a = CLAIMS["a"]
    assert a.digest == Claim(**{**a.__dict__}).digest
    for change in (dict(band=(4, 9)), dict(statistic="other"), dict(n="11 channels"),
                   dict(artefact="models/x.json"), dict(value="about 7 dB")):
        assert Claim(**{**a.__dict__, **change}).digest != a.digest, change
    m = CLAIMS["m"]
    assert m.earlier_digests() == [Claim(**{**m.__dict__, "band": (0.9, 1.1), "earlier": ()}).digest]


def test_ledger_records_declared_claims(tmp_path, monkeypatch):
    monkeypatch.setenv("RISISAC_RESULTS_DIR", str(tmp_path))
    L = ledger.Ledger("demo", Params(profile="book", N=4), CLAIMS)
    with pytest.raises(KeyError, match="not declared"):
        L.interval("nope", exact(1.0))
    v = L.interval("a", Estimate(5.5, 5.0, 6.0, 10))
    assert v.rows[0]["verdict"] == "reproduced" and "book's band" in repr(v)
    assert L.interval("b", Estimate(0.5, 0.46, 0.6, 10)).rows[0]["verdict"] == "not reproduced"
    with pytest.raises(ValueError, match="duplicate"):
        L.interval("a", Estimate(5.5, 5.0, 6.0, 10))
    assert L.holds("q", False, "slope -0.1").rows[0]["verdict"] == "not reproduced"
    t = L.compare("t", 0.2)
    assert "(timing)" in repr(t) and "0.2" not in repr(t).split("ours:")[1]
    with pytest.raises(ValueError, match="never recorded"):
        L.write()
    mv = L.interval("m", Estimate(1.2, 1.0, 1.4, 5))
    assert "amended after data; earlier band [0.9, 1.1]" in repr(mv)
    data = json.loads(L.write().read_text())
    assert [c["verdict"] for c in data["claims"]] == ["reproduced", "not reproduced", "not reproduced",
                                                      "reproduced", "reproduced"]
    for c in data["claims"]:
        assert list(c)[:len(ledger.KEYS)] == list(ledger.KEYS)
        assert c["declaration"] == CLAIMS[c["id"]].digest
    by = {c["id"]: c for c in data["claims"]}
    assert by["a"]["band_by"] == "book" and by["q"]["band_by"] == "paper" and by["q"]["quote"] == QUOTE
    assert by["m"]["amended"][0]["band"] == "[0.9, 1.1]" and by["t"]["timing"] is True
    assert "1 timing claim" in L.summary() and "4 reproduced" not in L.summary()


def test_interval_note_prints_digits_that_resolve_the_band():
    L = ledger.Ledger("demo", {"profile": "book"}, declare(
        Claim("r", "T", "s", 0.25, "ms", band=(0.083, 0.75), book_band="r")))
    note = L.interval("r", Estimate(0.865, 0.53, 6.78, 5)).rows[0]["note"]
    assert "1 [1, 7]" not in note and "[0.5, 6.8]" in note and "straddles" in note


def test_produced_under_accepts_current_and_declared_earlier_versions_only():
    L = ledger.Ledger("demo", {"profile": "book"}, CLAIMS)
    L.produced_under({"declarations": ledger.digests(CLAIMS)})
    L.produced_under({"declarations": {"m": CLAIMS["m"].earlier_digests()[0]}})
    L.produced_under({})                                           # a record without digests
    with pytest.raises(ValueError, match="changed after"):
        L.produced_under({"declarations": {"a": "0123456789ab"}}, "eval.json")


def test_within_and_verdict():
    assert ledger.within(1.05, 1.0, 0.1, relative=True) == "reproduced"
    assert ledger.within(2.0, 1.0, 0.1, partly_tol=0.5, relative=True) == "not reproduced"
    assert ledger.verdict(False, partly=True) == "partly"
    assert ledger._clean(1.23456789) == 1.235


def test_show_joins_views_under_one_header():
    L = ledger.Ledger("demo", Params(profile="smoke"))
    v = ledger.show(L.check("c1", "a", True, "ok"), L.check("c2", "b", False, "no"))
    html = v._repr_html_()
    assert html.count("<thead>") == 1 and 'id="claim-c1"' in html and 'id="claim-c2"' in html
    assert repr(v).splitlines()[1].startswith("[check FAIL] c2")


def test_quote_matching_normalises_whitespace_and_dashes():
    c = CLAIMS["q"]
    text = ledger.normalise_text("... achieving a reduction of\n approximately 70%  for $N = 128$, ...")
    assert ledger.quote_found(c, text)
    assert not ledger.quote_found(c, text.replace("70%", "60%"))


def test_verdict_words_follow_the_recorded_verdicts():
    L = ledger.Ledger("demo", {"profile": "book"}, CLAIMS)
    with pytest.raises(KeyError, match="not been recorded"):
        L.verdicts("a")
    L.interval("a", Estimate(9.0, 8.5, 9.5, 10))
    L.compare("t", 0.2)
    w = L.verdicts("a", "t")
    assert repr(w) == "Verdicts: a not reproduced; t (timing, see the reproduction report)."


def test_quotes_render_their_maths():
    assert ledger.tex_html("gap at $N = 100$ <b>") == (
        'gap at <span class="math notranslate nohighlight">\\(N = 100\\)</span> &lt;b&gt;')
    assert ledger.tex_html(r"\propto \frac{a}{b}").startswith('<span class="math')
    assert ledger.tex_html("no maths") == "no maths"
    words = ledger.tex_html(r"the standard CSI set \mathcal{S} mentioned before")
    assert words.startswith("the standard CSI set <span") and words.endswith("</span> mentioned before")


def test_statements_notes_profiles_and_summaries(tmp_path, monkeypatch):
    monkeypatch.setenv("RISISAC_RESULTS_DIR", str(tmp_path))
    L = ledger.Ledger("demo", Params(profile="smoke"), CLAIMS)
    assert L.profile == "smoke"
    r = L.compare("b", 0.3, statement="70 % reduction at N = 128").rows[0]
    assert r["statement"] == "70 % reduction at N = 128" and r["note"].endswith("the band [0.15, 0.45]")
    assert L.interval("a", Estimate(5.5, 5.0, 6.0, 10)).rows[0]["statement"] == "x is about 6"
    assert L.holds("q", True, "slope 0.3", statement="y rises with N").rows[0]["statement"] == "y rises with N"
    v = L.check("c", "by construction", False, detail="tolerance 1e-9")
    assert v.rows[0]["statement"] == "by construction" and "tolerance 1e-9" in v._repr_html_()
    assert "checks: 0 pass, 1 fail" in L.summary()
    assert L.write().exists()                          # smoke: unrecorded claims are allowed
    assert '<td style="color:#000' not in L.view()._repr_html_().split("claim-a")[1].split("</tr>")[0]


def test_quote_matching_maps_the_minus_sign():
    assert ledger.normalise_text("a \u2212 b  \u2013 c") == "a - b - c"
