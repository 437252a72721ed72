"""CI margin vs its geometric definition; water-filling vs cvxpy; SER helpers."""
import numpy as np
import pytest

from risisac import comms
from risisac.book.rng import make_rng


def test_psk_constellation():
    c = comms.psk(4)
    assert np.allclose(c, np.array([1 + 1j, -1 + 1j, -1 - 1j, 1 - 1j]) / np.sqrt(2))


def wedge_distance(y, s, order):
    """Signed distance from y to the constructive wedge of s, computed geometrically."""
    T = np.pi / order
    z = y * np.exp(-1j * np.angle(s))          # rotate so the symbol lies on the positive real axis
    # the two boundary rays start at 0 with angles +-T; inside: |arg z| <= T
    dists = []
    for sgn in (1, -1):
        ray = np.exp(1j * sgn * T)
        # distance from z to the *line* through 0 along ray (signed, positive towards the axis)
        dists.append((z * np.conj(ray)).imag * (-sgn))
    return min(dists)


@pytest.mark.parametrize("order", [4, 8])
def test_ci_margin_is_distance_to_wedge_boundary(order):
    rng = make_rng(0, "ci", order)
    y = rng.standard_normal(500) + 1j * rng.standard_normal(500)
    s = comms.psk(order)[rng.integers(order, size=500)]
    assert np.allclose(comms.ci_margin(y, s, order), [wedge_distance(a, b, order) for a, b in zip(y, s)])


def test_ci_region_implies_correct_detection():
    rng = make_rng(1, "ci2")
    y = 3 * (rng.standard_normal(2000) + 1j * rng.standard_normal(2000))
    s = comms.psk(4)[rng.integers(4, size=2000)]
    inside = comms.ci_margin(y, s, 4) > 0
    assert inside.any()
    assert np.all(comms.psk_detect(y[inside], 4) == s[inside])


def test_ci_qos_sign():
    s = comms.psk(4)[0]
    y = 10 * s
    assert comms.ci_qos(y, s, sigma=1.0, Gamma_lin=10.0) < 0      # far inside: feasible
    assert comms.ci_qos(0.1 * s, s, sigma=1.0, Gamma_lin=10.0) > 0  # too weak: infeasible


def test_waterfill_matches_cvxpy_and_clips():
    cp = pytest.importorskip("cvxpy")
    g = np.array([5.0, 2.0, 0.9, 0.05, 0.01])
    P = 1.0
    p, mu = comms.waterfill(g, P)
    x = cp.Variable(len(g), nonneg=True)
    prob = cp.Problem(cp.Maximize(cp.sum(cp.log(1 + cp.multiply(g, x)))), [cp.sum(x) <= P])
    prob.solve(solver=cp.CLARABEL)
    assert np.allclose(p, x.value, atol=1e-5)
    assert np.isclose(p.sum(), P)
    assert p[-1] == 0 and p[-2] == 0            # weak channels clipped
    naive_mu = (P + np.sum(1 / g)) / len(g)      # level that ignores clipping (Paper B's mu-hat)
    assert not np.isclose(naive_mu, mu)


def test_ser_monte_carlo_matches_awgn_formula():
    rng = make_rng(2, "ser")
    snr = 10.0
    s = comms.random_symbols(rng, 4, 2000)
    ser = comms.ser_monte_carlo(s * np.sqrt(snr), s, 1.0, 4, 200, rng)
    assert abs(ser - comms.ser_psk_awgn(snr, 4)) < 0.003
    assert np.isclose(comms.ser_psk_awgn(np.array([snr]), 8)[0], comms.ser_psk_awgn(snr, 8), rtol=1e-12)


def test_rate_and_sinr():
    h = np.array([[1.0, 0.0], [0.0, 2.0]])
    w = np.eye(2)
    assert np.isclose(comms.sinr_linear(h, w, 1, 1.0), 4.0)
    assert np.isclose(comms.rate(3.0), 2.0)


def test_waterfill_batched_rows_satisfy_kkt_and_match_single():
    rng = make_rng(3, "wf-batch")
    g = rng.exponential(size=(50, 8))
    P = rng.uniform(0.1, 5.0, 50)
    p, mu = comms.waterfill(g, P)
    assert np.allclose(p.sum(1), P)
    level = mu[:, None] - 1 / g
    assert np.allclose(p[p > 0], level[p > 0])                  # active: p = mu - 1/g
    assert np.all(level[p == 0] <= 1e-12)                       # clipped: 1/g >= mu
    for i in (0, 17, 49):
        pi, mui = comms.waterfill(g[i], P[i])
        assert np.allclose(pi, p[i]) and np.isclose(mui, mu[i])


def test_ser_per_instance_averages_to_the_batch_ser():
    rng = np.random.default_rng(0)
    s = np.exp(1j * np.pi / 4 * (2 * rng.integers(0, 4, (3, 2, 5)) + 1))
    y = 0.8 * s + 0.1 * (rng.standard_normal(s.shape) + 1j * rng.standard_normal(s.shape))
    y[0] = -s[0]                                   # instance 0: every symbol wrong
    per = comms.ser_per_instance(y, s, 0.5, 4, 7, make_rng(1, "t"))
    assert per.shape == (3,) and per[0] > 0.9 and per[1] < 0.5
    assert per.mean() == pytest.approx(comms.ser_monte_carlo(y, s, 0.5, 4, 7, make_rng(1, "t")), abs=1e-15)
