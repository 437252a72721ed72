"""risisac.paper_b.spec (profiles, cross-checks) and risisac.paper_b.analysis (claim measures)."""

import numpy as np
import pytest

from risisac.book import params as rp
from risisac.book.rng import make_rng
from risisac.paper_b import analysis as AN
from risisac.paper_b import spec


def test_profiles_resolve_and_show():
    for prof in ("book", "smoke", "paper"):
        P = spec.resolve(profile=prof)
        assert P.profile == prof and P.L > P.Nt
        assert all(k in spec.HELP for k in P.as_dict() if k != "profile")
        assert "Nt" in repr(spec.table(P)) and "<table" in spec.table(P)._repr_html_()
    assert spec.resolve(profile="book").n_seeds >= 5


@pytest.mark.parametrize("kw, name", [(dict(L=10), "L"), (dict(K=20), "K"), (dict(alphas=[0.2, 0.5]), "alphas"),
                                      (dict(st_scale_db=[3.0, 5.0]), "st_scale_db"), (dict(Nt="x"), "Nt")])
def test_bad_parameters_are_named(kw, name):
    with pytest.raises(rp.ParameterError, match=name):
        spec.resolve(profile="book", **kw)


def test_oscillation_measure():
    t = np.arange(80)
    trend = -1 - 0.5 * np.exp(-t / 20)
    assert AN.oscillation(trend) < 1e-3                       # a smooth descent is not oscillation
    assert AN.oscillation(-1 - 0.01 * t) < 1e-12              # a linear trend scores 0
    wiggly = trend + 0.05 * (-1) ** t
    assert AN.oscillation(wiggly) > 0.02
    assert np.isnan(AN.oscillation(trend[:6]))


def test_crossings_and_bootstrap():
    x = np.linspace(0, 1, 11)
    assert AN.crossings(x, x - 0.33) == pytest.approx([0.33])
    assert AN.crossings(x, np.ones(11)) == []
    d = (x - 0.4)[None, :] + make_rng(0, "b").normal(0, 0.01, (200, 11))
    c, est = AN.bootstrap_crossing(x, d, make_rng(1, "b"), n_boot=100)
    assert abs(c - 0.4) < 0.02 and est.lo <= c <= est.hi and est.hi - est.lo < 0.05


def test_interval_helpers():
    rng = make_rng(2, "h")
    a, b = rng.normal(1, 1, 400), rng.normal(0, 1, 300)
    e = AN.welch_diff(a, b)
    assert e.lo < 1 < e.hi and e.lo > 0.7
    lc = AN.lin_comb([a, b], [1, -1])
    assert abs(lc.mean - e.mean) < 1e-12 and abs((lc.hi - lc.lo) - (e.hi - e.lo)) < 0.02
    from risisac.book import stats
    s1, s2 = stats.Estimate(1, 0.5, 1.5, 5), stats.Estimate(2, -0.1, 4, 5)
    assert AN.weakest_step([s1, s2], +1) is s2
    assert AN.signed(s1, -1).hi == -0.5
    assert AN.combine(["reproduced"] * 3) == "reproduced"
    assert AN.combine(["reproduced", "not reproduced"]) == "partly"
    assert AN.combine(["not reproduced", "not reproduced"]) == "not reproduced"
    assert AN.combine(["reproduced", "inconclusive"]) == "inconclusive"
    ts = AN.time_runs(lambda: None, repeats=5)
    assert ts.shape == (5,) and AN.spread(ts)[1] <= AN.spread(ts)[0] <= AN.spread(ts)[2]


def test_median_ci_is_robust_to_outliers():
    x = np.array([1.0, 1.1, 0.9, 1.05, 0.95, 10.0, 1.02])
    e = AN.median_ci(x, make_rng(0, "m"))
    assert e.mean == np.median(x) and e.lo >= 0.9 and e.hi <= 1.1
    with pytest.raises(ValueError, match="n >= 3"):
        AN.median_ci([1.0, 2.0], make_rng(0, "m"))
