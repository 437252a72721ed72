"""Woodbury radar SINR vs dense computation; the Kronecker/shift echo; Pd closed form vs Monte Carlo."""
import numpy as np
import pytest

from risisac import channels, detection
from risisac.book.rng import make_rng


def dense_setup(seed=0, M=4, L=7, Q=3):
    rng = make_rng(seed, "det")
    H0 = channels.rayleigh(rng, (M, M))
    Hq = channels.rayleigh(rng, (Q, M, M))
    d = [0, 1, 3]
    X = channels.rayleigh(rng, (M, L))
    x = X.T.reshape(-1)                      # x = [x[1]; ...; x[L]]
    J = [np.eye(M * L, k=-M * dq) for dq in d]  # J_q(i, j) = 1 iff i - j = M d_q  (Paper A (9))
    Ht0 = np.kron(np.eye(L), H0)
    Htq = [np.kron(np.eye(L), Hq[q]) @ J[q] for q in range(Q)]
    return rng, H0, Hq, d, X, x, Ht0, Htq


def test_echo_equals_kronecker_shift():
    rng, H0, Hq, d, X, x, Ht0, Htq = dense_setup()
    for q in range(3):
        fast = detection._vec(detection.echo(Hq[q], X, d[q]))
        assert np.allclose(fast, Htq[q] @ x)
    assert np.allclose(detection._vec(detection.echo(H0, X)), Ht0 @ x)


def test_woodbury_sinr_and_mvdr_match_dense():
    rng, H0, Hq, d, X, x, Ht0, Htq = dense_setup(1)
    xi = np.array([1.0, 0.5, 2.0])
    sigma2 = 0.3
    a = Ht0 @ x
    U = np.stack([np.sqrt(xi[q]) * Htq[q] @ x for q in range(3)], -1)
    R = sigma2 * np.eye(len(a)) + U @ U.conj().T
    dense = np.real(a.conj() @ np.linalg.solve(R, a))
    assert np.isclose(detection.radar_sinr(a, U, sigma2), dense, rtol=1e-10)
    w = detection.mvdr_filter(a, U, sigma2)
    w_dense = np.linalg.solve(R, a) / (a.conj() @ np.linalg.solve(R, a))
    assert np.allclose(w, w_dense)
    # the MVDR filter attains the (17) SINR, and any other filter does worse
    assert np.isclose(detection.sinr_of_filter(w, a, U, sigma2), dense, rtol=1e-9)
    w_rand = channels.rayleigh(rng, len(a))
    assert detection.sinr_of_filter(w_rand, a, U, sigma2) < dense


def test_woodbury_torch_batched():
    torch = pytest.importorskip("torch")
    rng = make_rng(2, "wb")
    a = channels.rayleigh(rng, (3, 12))
    U = channels.rayleigh(rng, (3, 12, 2))
    s_np = detection.radar_sinr(a, U, 0.5)
    s_t = detection.radar_sinr(torch.as_tensor(a), torch.as_tensor(U), 0.5)
    assert np.allclose(s_np, s_t.numpy())


def test_pd_closed_form():
    sinr = np.array([0.0, 1.0, 10.0])
    pfa = 1e-3
    assert np.allclose(detection.detection_probability(sinr, pfa), pfa ** (1 / (1 + sinr)))
    assert np.isclose(detection.detection_probability(0.0, 0.1), 0.1)


def test_pd_monte_carlo_agrees():
    rng = make_rng(0, "pdmc")
    sinr = np.array([1.0, 5.0, 20.0])
    mc = detection.detection_probability_mc(sinr, 1e-2, 200_000, rng)
    assert np.allclose(mc, detection.detection_probability(sinr, 1e-2), atol=4e-3)


def test_simulated_detector_matches_the_law_and_the_threshold():
    """The MVDR detector simulated from echoes (not from the law) agrees with Pd = Pfa^(1/(1+SINR))."""
    from risisac import channels, detection
    from risisac.book import stats
    from risisac.book.rng import make_rng
    rng = make_rng(3, "det-sim")
    a = channels.rayleigh(rng, 24)
    U = channels.rayleigh(rng, (24, 2)) * 2.0
    xi2 = np.array([0.02, 0.2])
    pfa = np.array([0.05, 0.01])
    n = 40_000
    k1, k0, sinr = detection.simulate_mvdr_detector(a, U, 0.5, xi2, pfa, n, rng, chunk=7_000)
    assert np.allclose(sinr, xi2 * detection.radar_sinr(a, U, 0.5))
    for f, p in enumerate(pfa):
        e0 = stats.proportion_ci(int(k0[f]), n)
        assert e0.lo - 0.002 <= p <= e0.hi + 0.002
        for g in range(2):
            e1 = stats.proportion_ci(int(k1[g, f]), n)
            law = float(detection.detection_probability(sinr[g], p))
            assert e1.lo - 0.003 <= law <= e1.hi + 0.003
    # a wrong law (the reciprocal ratio of Paper A (16) as printed) is far off
    printed = 1 - (1 - np.exp(-(1 + sinr[1]) * (-np.log(pfa[0]))))
    assert abs(k1[1, 0] / n - printed) > 0.1


def test_detection_bands_reject_wrong_laws_and_a_wrong_threshold():
    """The bands of the chapter's detection claims are not vacuous: on a small simulated detector
    (the chapter's statistic, its declared bands) the law without the +1, (16) as printed and
    the threshold read literally from (14)-(15b) all fail, while the corrected law does not."""
    from risisac import spec
    from risisac.book.stats import band_verdict
    rng = make_rng(5, "det-bands")
    a = channels.rayleigh(rng, 24)
    U = channels.rayleigh(rng, (24, 2)) * 2.0
    sinr_db = np.array([-5.0, 5.0, 15.0])
    xi2 = 10 ** (sinr_db / 10) / detection.radar_sinr(a, U, 0.5)
    pfa = np.array([1e-2, 1e-4])
    n = 40_000   # Wilson half-width at most 0.005: half the band's 0.01
    k1, k0, sinr = detection.simulate_mvdr_detector(a, U, 0.5, xi2, pfa, n, rng)
    band = spec.CLAIMS["pd-formula"].band
    law = detection.detection_probability(sinr[:, None], pfa[None, :])
    assert band_verdict(spec.worst_deviation(k1, n, law), *band) != "not reproduced"
    no_plus_one = pfa[None, :] ** (1 / sinr[:, None])             # Pd = Pfa^(1/SINR)
    assert band_verdict(spec.worst_deviation(k1, n, no_plus_one), *band) == "not reproduced"
    printed = pfa[0] ** (1 + sinr)                                # (16) as printed, Pfa = 0.01
    assert band_verdict(spec.worst_deviation(k1[:, 0], n, printed),
                        *spec.CLAIMS["pd-eq16-as-printed"].band) == "not reproduced"
    tband = spec.CLAIMS["pd-threshold"].band
    assert band_verdict(spec.rate_ratio(k0[0], n, pfa[0]), *tband) != "not reproduced"
    # (14) read with the standard chi^2_2 of (15b): delta = eps0 F^{-1}(1 - Pfa) = -eps0 ln(Pfa^2),
    # the book's threshold for the nominal rate Pfa^2 = 1e-4: its false-alarm rate is ~1 % of 0.01
    assert band_verdict(spec.rate_ratio(k0[1], n, pfa[0]), *tband) == "not reproduced"
