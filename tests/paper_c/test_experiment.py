"""Tests of the chapter's spec, experiment driver and precompute job."""

import json

import numpy as np
import pytest

from risisac.book.artefacts import ArtefactError
from risisac.book.ledger import digests
from risisac.book.params import ParameterError
from risisac.paper_c import experiment as ex
from risisac.paper_c import spec, train


def test_spec_profiles_and_errors():
    P = spec.rp.resolve(spec.SPEC, None, profile="book")
    assert (P.K, P.M, P.N, P.eps, P.L) == (3, 35, 100, 0.025, 1024)
    assert P.trials >= 20
    with pytest.raises(ParameterError, match="K_sweep"):
        spec.rp.resolve(spec.SPEC, None, profile="smoke", K_sweep=[9])


def test_design_stats_and_lo_at_design(small):
    sc, W, phi, rng = small
    st = ex.design_stats(sc, W, phi)
    assert st["snr_db"].shape == (sc.K,) and 0 <= st["weak_ref"] <= 1
    b = ex.lo_at_design(sc, W, phi, 10.0)
    sig = np.sum(np.abs(sc.E_eff(phi) @ W) ** 2, axis=(1, 2))
    assert np.allclose(np.sum(np.abs(b) ** 2, 1) / (sig + sc.M), 10.0)
    assert np.allclose(np.angle(b), np.angle(sc.b))


def test_train_smoke(tmp_path):
    data = train.main("smoke", tmp_path)
    rec = json.loads((tmp_path / "record.json").read_text())
    assert rec["profile"] == "smoke" and rec["seconds"] > 0
    assert rec["declarations"] == digests(spec.CLAIMS)      # the declarations the data were produced under
    sw = json.loads((tmp_path / "sweeps.json").read_text())
    P = spec.rp.resolve(spec.SPEC, None, profile="smoke")
    assert set(sw) >= {"default", "exact"}
    for s in ("Proposed", "Comm-only", "BF-only", "GD"):
        assert len(sw["default"][s]["rate"]) == P.trials
    assert data["default"]["Proposed"]["restored"] == [False] * P.trials


def test_stored_sweeps_bad_input_stops_naming_the_file(tmp_path):
    """A missing or truncated stored sweep stops with the file and the regenerating command;
    nothing is recomputed because a file is bad."""
    P = spec.resolve(None, profile="book")
    folder = tmp_path / "models" / "paperC_rydberg"
    folder.mkdir(parents=True)
    with pytest.raises(ArtefactError, match="record.json.*make train CHAPTER=paperC_rydberg"):
        train.load_or_compute(P, None, root=tmp_path)
    (folder / "record.json").write_text(json.dumps({"parameters": P.as_dict()}))
    (folder / "sweeps.json").write_text('{"default": {"Proposed": {"rate": [1.0, ')
    with pytest.raises(ArtefactError, match="sweeps.json.*damaged"):
        train.load_or_compute(P, None, root=tmp_path)
    (folder / "record.json").write_text(json.dumps({"parameters": dict(P.as_dict(), trials=3)}))
    with pytest.raises(ArtefactError, match="other parameters"):
        train.load_or_compute(P, None, root=tmp_path)
