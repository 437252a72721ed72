"""Tests of the benchmarks and the driver (risisac.paper_c.baselines, .restoration)."""

import numpy as np

from risisac.paper_c import baselines as bl
from risisac.paper_c import model as ry
from risisac.paper_c.crb import crb_trace
from risisac.paper_c.restoration import restore_feasibility


def test_restoration_reaches_eps_and_is_identity_when_feasible(binding):
    sc, phi0, W0, rc = binding[0]
    W, b = restore_feasibility(sc, rc.W, rc.phi)
    assert crb_trace(sc, rc.W, rc.phi) > sc.eps
    assert 0 < b <= 1 and crb_trace(sc, W, rc.phi) <= sc.eps
    W2, b2 = restore_feasibility(sc, W, rc.phi)
    assert b2 == 0.0 and np.array_equal(W2, W)


def test_run_schemes_restores_baselines_only(binding, monkeypatch):
    sc, phi0, W0, rc = binding[1]
    # a GD that returns the (infeasible) Comm-only design: the safety net must fire for it
    monkeypatch.setattr(bl, "gd", lambda sc_, p0, w0, iters: rc)
    out = bl.run_schemes(sc, gd_iters=2)
    gd = out["GD"]
    assert not gd["feasible"] and gd["restored"]
    assert crb_trace(sc, gd["W_used"], gd["phi"]) <= sc.eps
    assert gd["rate_used"] == ry.sum_rate(sc, gd["W_used"], gd["phi"]) != gd["rate"]
    p = out["Proposed"]
    assert p["feasible"] and not p["restored"] and p["rate_used"] == p["rate"]
    assert np.array_equal(p["W_used"], p["W"])
    c = out["Comm-only"]
    assert not c["feasible"] and not c["restored"]


def test_gd_improves_its_penalised_objective(binding):
    sc, phi0, W0, _ = binding[2]
    res = bl.gd(sc, phi0, W0, iters=15)
    mu = 10.0
    J = [r - mu * max(0.0, c / sc.eps - 1) ** 2 for r, c in zip(res.history["rate"], res.history["crb"])]
    assert J[-1] > J[0]
    assert np.linalg.norm(res.W) ** 2 <= sc.P * (1 + 1e-9)
    assert np.allclose(np.abs(res.phi), 1)


def test_unknown_scheme_is_an_error(small):
    import pytest
    with pytest.raises(ValueError, match="unknown scheme"):
        bl.run_schemes(small[0], ["Nope"])
