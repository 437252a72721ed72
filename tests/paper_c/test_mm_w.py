"""Tests of the paper's MM W step (risisac.paper_c.mm_w), kept as a reference."""

import numpy as np

from risisac.paper_c import crb, fp, sdp
from risisac.paper_c import mm_w as mm


def test_ball_qp_matches_cvxpy():
    rng = np.random.default_rng(5)
    n = 12
    X = rng.standard_normal((n, 4)) + 1j * rng.standard_normal((n, 4))
    Q = X @ X.conj().T + 0.1 * np.eye(n)
    b = rng.standard_normal(n) + 1j * rng.standard_normal(n)

    def obj(w):
        return float(np.real(w.conj() @ Q @ w) - np.real(np.vdot(b, w)))
    for P in (0.05, 100.0):
        w1, w2 = mm.ball_qp(Q, b, P), mm.ball_qp_cvxpy(Q, b, P)
        assert np.linalg.norm(w1) ** 2 <= P * (1 + 1e-9)
        assert obj(w1) <= obj(w2) + 1e-6 * max(1, abs(obj(w2)))


def test_mm_w_step_decreases_subproblem(small):
    sc, W, phi, rng = small
    r, C, E = fp.fp_update(sc, W, phi)
    y = sc.eps * crb.F_values(sc, W, phi)
    f, _ = sdp.project_crb_set(y * crb.crb_trace_f(y) / 2.0, 1.0, 1.0)
    zeta = np.zeros(6, complex)
    rho1 = 5.0
    before = mm.w_objective(sc, W, phi, r, C, f, zeta, rho1, sc.eps, True)
    W1 = mm.w_update(sc, W, phi, r, C, E, f, zeta, rho1, sc.eps, True, n_inner=3)
    after = mm.w_objective(sc, W1, phi, r, C, f, zeta, rho1, sc.eps, True)
    assert np.linalg.norm(W1) ** 2 <= sc.P * (1 + 1e-9)
    assert after <= before + 1e-9 * abs(before)
