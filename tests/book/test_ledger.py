import json

import pytest

from risisac.book import ledger
from risisac.book.params import Params


def test_ledger_shape_and_verdicts(tmp_path, monkeypatch):
    monkeypatch.setenv("RISISAC_RESULTS_DIR", str(tmp_path))
    L = ledger.Ledger("demo", Params(profile="smoke", N=4))
    L.claim("a", "Fig. 1", "x is 6", 6.0, 5.5, "dB", 1.0, ledger.within(5.5, 6.0, 1.0))
    with pytest.raises(ValueError):
        L.claim("b", "Fig. 1", "y", 1, 3, "", 1, ledger.within(3, 1, 1))  # needs a note
    L.claim("b", "Fig. 1", "y", 1, 3, "", 1, ledger.within(3, 1, 1, partly_tol=2.5), note="why")
    with pytest.raises(ValueError):
        L.claim("a", "Fig. 1", "dup", 1, 1)
    path = L.write()
    data = json.loads(path.read_text())
    assert list(data) == ["chapter", "profile", "parameters", "commit", "claims", "checks"]
    assert data["profile"] == "smoke"
    assert [c["verdict"] for c in data["claims"]] == ["reproduced", "partly"]
    assert all(list(c) == list(ledger.KEYS) for c in data["claims"])
    assert "verdict" in L.table()


def test_within_and_verdict():
    assert ledger.within(1.05, 1.0, 0.1, relative=True) == "reproduced"
    assert ledger.within(2.0, 1.0, 0.1, partly_tol=0.5, relative=True) == "not reproduced"
    assert ledger.verdict(False, partly=True) == "partly"
    assert ledger._clean(1.23456789) == 1.235


def test_volatile_claims_are_masked_in_printed_table(tmp_path):
    L = ledger.Ledger("demo", {"profile": "book"})
    L.claim("t", "Table I", "ratio", 0.3, 0.123456, "", 0.1, "reproduced", volatile=True)
    assert "0.1235" not in L.table() and "(timing)" in L.table()
    assert "1 timing claim" in L.summary()
    data = L.as_dict()
    assert data["claims"][0]["measured"] == 0.1235


def test_show_joins_views_under_one_header():
    L = ledger.Ledger("demo", Params(profile="smoke"))
    v = ledger.show(L.check("c1", "a", True, "ok"), L.check("c2", "b", False, "no"))
    html = v._repr_html_()
    assert html.count("<thead>") == 1 and 'id="claim-c1"' in html and 'id="claim-c2"' in html
    assert repr(v).splitlines()[1].startswith("[check FAIL] c2")
