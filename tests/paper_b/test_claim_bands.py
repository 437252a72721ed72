"""Paper B claims whose band could be vacuous: a plausible broken design must FAIL the declared
band (computed on a small instance: 24 channels, Nt = 6, Nr = 5, K = 3, L = 8). The margins
asserted are far from round-off: each broken design misses its band by at least several times
the band's half-width on this instance."""
import numpy as np
import pytest
import torch

from risisac.book import stats
from risisac.paper_b import analysis as AN, baselines as UB, isacnn as NN, model as U
from risisac.paper_b.spec import CLAIMS


def _inside(v, cid):
    lo, hi = CLAIMS[cid].band
    return (lo is None or v >= lo) and (hi is None or v <= hi)


@pytest.fixture(scope="module")
def untrained(small):
    """An untrained ISACNN (random initialisation) on the small instance: its sigma_s per alpha."""
    b, prob = small
    torch.manual_seed(0)
    net = NN.make("isacnn", 2 * b.Nr * b.K + b.Nt, b.Nt)
    return NN.predict(net, NN.features(b))


def test_wsnr_one_at_alpha0_is_not_met_by_broken_designs(small, untrained):
    """fig7-wsnr-alpha0 [0.99, 1.01]: the Average scheme (full sensing power) and an untrained
    network fall short of WSNR = 1 at alpha = 0; the optimum (no sensing power) meets it."""
    b, prob = small
    assert not _inside(prob.wsnr(UB.average_scheme(prob), 0.0).mean(), "fig7-wsnr-alpha0")
    assert not _inside(prob.wsnr(untrained, 0.0).mean(), "fig7-wsnr-alpha0")
    assert _inside(U.Frontier(prob).solve(0.0)["value"].mean(), "fig7-wsnr-alpha0")


def test_schemes_equal_at_alpha1_is_not_met_by_average(small):
    """fig7-equal-alpha1 (spread <= 0.01): the Average scheme against the optimum at alpha = 1
    spreads far more than 0.01 (the band tells a wrong waveform apart)."""
    b, prob = small
    spread = U.Frontier(prob).solve(1.0)["value"].mean() - prob.wsnr(UB.average_scheme(prob), 1.0).mean()
    assert not _inside(spread, "fig7-equal-alpha1")


def test_optimality_gap_band_fails_for_an_untrained_network_and_average(small, untrained):
    """ours-isacnn-gap (<= 0.01): an untrained network and the Average scheme are further than
    0.01 WSNR from the certified optimum, averaged over the alpha grid of the chapter."""
    b, prob = small
    fr = U.Frontier(prob)
    alphas = (0.0, 0.25, 0.5, 0.75, 1.0)
    opt = {a: fr.solve(a)["value"] for a in alphas}
    for x in (untrained, UB.average_scheme(prob)):
        gap = np.mean([np.mean(opt[a] - prob.wsnr(x, a)) for a in alphas])
        assert not _inside(gap, "ours-isacnn-gap"), gap


def test_proposed_best_band_fails_for_a_scheme_below_a_baseline(small):
    """fig7-proposed-best (>= -0.001): Average in place of the proposed scheme is beaten by ZFBF
    at alpha = 0 by far more than 0.001."""
    b, prob = small
    fr = U.Frontier(prob)
    d = prob.wsnr(UB.average_scheme(prob), 0.0).mean() - prob.wsnr(UB.zfbf_scheme(prob, 0.0, fr), 0.0, True).mean()
    assert not _inside(d, "fig7-proposed-best")


def test_average_zfbf_parts_tell_the_orderings_apart():
    """fig7-average-zfbf-crossing: the two parts hold only for 'worse at low, better at high';
    a scheme better everywhere or worse everywhere fails one part."""
    rng = np.random.default_rng(0)
    af = [0.0, 0.05, 0.1, 0.2]
    noise = lambda *s: 1e-3 * rng.standard_normal(s)
    def parts(low_sign, high_sign):
        d_low = low_sign * 0.05 + noise(200, len(af))
        low, hi = AN.average_zfbf_parts(af, d_low, {0.75: high_sign * 0.05 + noise(200)})
        return stats.band_verdict(low, None, 0.0), stats.band_verdict(hi, 0.0, None)
    assert parts(-1, +1) == ("reproduced", "reproduced")
    assert parts(+1, +1)[0] == "not reproduced"
    assert parts(-1, -1)[1] == "not reproduced"
    low, hi = AN.average_zfbf_parts([0.2, 0.3], np.zeros((5, 2)), {0.5: np.zeros(5)})
    assert low is None and hi is None                      # no grid point in either region
