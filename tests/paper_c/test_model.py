"""Tests of the RAR reception model, atomic physics and utilities (risisac.paper_c.model)."""

import numpy as np

from risisac.paper_c import model as ry


def test_arc_dipole_matches_paper():
    t = ry.arc_transition()
    assert abs(t["dipole_qa0"] - ry.PAPER_DIPOLE_QA0) / ry.PAPER_DIPOLE_QA0 < 1e-3
    assert 4.9e9 < t["freq_hz"] < 5.2e9


def test_linearisation_error_falls_with_rsr():
    nmse = ry.linearisation_nmse([0, 10, 20, 30], n=4000, rng=np.random.default_rng(1))
    assert np.all(np.diff(nmse) < 0)
    assert nmse[-1] < 1e-2
    b = 100.0 * np.exp(1j * 0.3)
    s = 0.5 - 0.2j
    assert abs(ry.exact_rar(b, s) - ry.linear_rar(b, s)) < 1e-2


def test_exact_receiver_estimator_matches_linear_sinr(small):
    sc, W, phi, rng = small
    est = ry.sinr_exact(sc, W, phi, sc.b, n_samples=20000, rng=np.random.default_rng(0), linear=True)
    assert np.allclose(est, ry.sinr(sc, W, phi), rtol=0.1)
    # a weak reference degrades the exact receiver
    weak = ry.sinr_exact(sc, W, phi, ry.rescale_rsr(sc, -10), n_samples=4000, rng=np.random.default_rng(0))
    strong = ry.sinr_exact(sc, W, phi, ry.rescale_rsr(sc, 30), n_samples=4000, rng=np.random.default_rng(0))
    assert np.sum(np.log1p(weak)) < np.sum(np.log1p(strong))


def test_utility_24_is_not_a_rate_bound():
    """Rank-1 link (K = M = 1): (24) gives log2(1 + |g|^2) = 4.39 bit at |g|^2 = 20, but the real
    channel z = Re{g s} + eta carries at most 1/2 log2(1 + |g|^2) = 2.20 bit (an upper bound
    broken), while with many cells the Gaussian rate can exceed (24) (a lower bound broken)."""
    E = np.zeros((1, 1, 1), complex)
    E[0, 0, 0] = np.sqrt(20.0)
    sc = ry.Scenario(E_bu=E, E_ru=np.zeros((1, 1, 1), complex), H_BR=np.zeros((1, 1), complex),
                     h_d=np.ones(1), dh_d=np.ones(1), h_r=np.ones(1), dh_r=np.ones(1))
    W, phi = np.ones((1, 1), complex), np.ones(1, complex)
    assert np.isclose(ry.sum_rate(sc, W, phi), np.log2(21.0))
    assert np.isclose(ry.gaussian_rate(sc, W, phi), 0.5 * np.log2(21.0))
    # two users, interference on orthogonal cells: (24) counts it as noise, the receiver separates it
    rng = np.random.default_rng(0)
    K, M = 2, 8
    E = np.zeros((K, M, K), complex)
    E[0, :4, 0] = rng.standard_normal(4)
    E[0, 4:, 1] = 3 * rng.standard_normal(4)
    E[1] = E[0][:, ::-1]
    sc2 = ry.Scenario(E_bu=E, E_ru=np.zeros((K, M, 1), complex), H_BR=np.zeros((1, K), complex),
                      h_d=np.ones(K), dh_d=np.ones(K), h_r=np.ones(1), dh_r=np.ones(1))
    W2, phi2 = np.eye(K, dtype=complex), np.ones(1, complex)
    assert ry.gaussian_rate(sc2, W2, phi2) > ry.sum_rate(sc2, W2, phi2)


def test_gaussian_rate_matches_monte_carlo_free_formula(small):
    sc, W, phi, rng = small
    G = sc.E_eff(phi) @ W
    k = 0
    A = np.concatenate([G[k].real, -G[k].imag], 1)
    S = 0.5 * (np.eye(sc.M) + A @ A.T)
    cov_own = 0.5 * np.outer(A[:, 0], A[:, 0]) + 0.5 * np.outer(A[:, sc.K], A[:, sc.K])
    Si = S - cov_own
    want0 = 0.5 * (np.linalg.slogdet(S)[1] - np.linalg.slogdet(Si)[1]) / np.log(2)
    assert want0 > 0
    assert ry.gaussian_rate(sc, W, phi) > want0
