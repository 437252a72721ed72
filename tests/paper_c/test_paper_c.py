"""Unit tests of the Paper C chapter (Rydberg receivers, Algorithm 1, benchmarks)."""

import numpy as np
import pytest

from risisac.paper_c import model as ry
from risisac.paper_c import baselines as bl
from risisac.paper_c import bcd as rb
from risisac.estimation import crb_two_angles
from risisac.book.rng import make_rng

ry.limit_blas_threads(1)


@pytest.fixture(scope="module")
def small():
    cfg = ry.ScenarioConfig(K=2, M=6, N=12, Nt=4)
    sc = ry.make_scenario(cfg, make_rng(3, "test"))
    rng = make_rng(3, "test-point")
    phi = np.exp(1j * rng.uniform(0, 2 * np.pi, sc.N))
    W = rng.standard_normal((sc.Nt, sc.K)) + 1j * rng.standard_normal((sc.Nt, sc.K))
    W *= np.sqrt(sc.P) / np.linalg.norm(W)
    return sc, W, phi, rng


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


def test_F_and_crb_against_library_with_explicit_snapshots(small):
    """tr(R A_i) of (66)-(68) against vec(H_t X) with L explicit snapshots (Paper C (52)-(58))."""
    sc, W, phi, rng = small
    L = 64
    S = (rng.standard_normal((sc.K, L)) + 1j * rng.standard_normal((sc.K, L))) / np.sqrt(2)
    X = W @ S
    Rx = X @ X.conj().T / L
    Wr = np.linalg.cholesky(Rx + 1e-14 * np.eye(sc.Nt))       # R_x = Wr Wr^H
    v, vB, vR, _, _ = rb.sensing_parts(sc, phi)
    Ht, HB, HR = np.outer(v, v), np.outer(vB, v) + np.outer(v, vB), np.outer(vR, v) + np.outer(v, vR)
    # normalised units: F = (2 L / sigma_r^2) * (1/L) * ..., here the scenario already carries
    # the (2L/sigma_r^2)^(1/4) scaling in v, so Gram/2 with C = I and the 1/L of R_x
    B = np.stack([(Ht @ X).ravel(order="F"), (HB @ X).ravel(order="F"), (HR @ X).ravel(order="F")], 1) / np.sqrt(L)
    Gram = B.conj().T @ B / 2
    crb_lib = np.trace(crb_two_angles(Gram, abs(sc.alpha) ** 2))
    assert np.isclose(rb.crb_trace(sc, Wr, phi), crb_lib, rtol=1e-8)
    A = rb.A_matrices(sc, phi)
    F = rb.F_values(sc, Wr, phi)
    assert np.allclose(F, np.einsum("iab,ba->i", A, Rx), rtol=1e-9, atol=1e-12 * np.abs(F).max())


def test_appendix_A_gradient_finite_differences(small):
    sc, W, phi, rng = small
    gam, bet = rb.F_gradients(sc, W, phi)
    F0 = rb.F_values(sc, W, phi)
    for _ in range(3):
        d = (rng.standard_normal(sc.N) + 1j * rng.standard_normal(sc.N)) * 1e-6
        lin = gam @ d + bet @ np.conj(d)
        fd = rb.F_values(sc, W, phi + d) - F0
        assert np.max(np.abs(fd - lin)) < 1e-4 * np.max(np.abs(fd))
    # real-part gradients: f(phi+d) ~ f + Re{g^H d}
    G, idx = rb.real_parts_gradients(gam, bet)
    d = (rng.standard_normal(sc.N) + 1j * rng.standard_normal(sc.N)) * 1e-6
    fd = rb.F_values(sc, W, phi + d) - F0
    for g, (i, p) in zip(G, idx):
        want = fd[i].real if p == "R" else fd[i].imag
        assert abs(np.real(np.vdot(g, d)) - want) < 1e-4 * np.max(np.abs(fd))


def test_sdp_newton_matches_cvxpy(small):
    sc, W, phi, rng = small
    y = sc.eps * rb.F_values(sc, W, phi)
    # scale y so that the constraint is active / inactive
    c = rb.crb_trace_f(y)
    y_act = y * c / 2.0          # tr(A^-1) = 2 > 1
    f1, J1, info = rb.project_crb_set(y_act, 1.0, 1.0, return_info=True)
    f2, J2 = rb.project_crb_set_cvxpy(y_act, 1.0, 1.0)
    assert info["active"]
    assert rb.crb_trace_f(f1) <= 1 + 1e-8
    assert abs(np.linalg.norm(f1 - y_act) - np.linalg.norm(f2 - y_act)) < 1e-4 * np.linalg.norm(y_act)
    y_in = y * c * 2.0
    f3, _, info3 = rb.project_crb_set(y_in, 1.0, 1.0, return_info=True)
    assert not info3["active"] and np.allclose(f3, y_in)


def test_ball_qp_matches_cvxpy():
    rng = np.random.default_rng(5)
    n = 12
    X = rng.standard_normal((n, 4)) + 1j * rng.standard_normal((n, 4))
    Q = X @ X.conj().T + 0.1 * np.eye(n)
    b = rng.standard_normal(n) + 1j * rng.standard_normal(n)

    def obj(w):
        return float(np.real(w.conj() @ Q @ w) - np.real(np.vdot(b, w)))
    for P in (0.05, 100.0):
        w1, w2 = rb.ball_qp(Q, b, P), rb.ball_qp_cvxpy(Q, b, P)
        assert np.linalg.norm(w1) ** 2 <= P * (1 + 1e-9)
        assert obj(w1) <= obj(w2) + 1e-6 * max(1, abs(obj(w2)))


def test_fp_closed_forms_and_quadratic_forms(small):
    sc, W, phi, rng = small
    r, C, E = rb.fp_update(sc, W, phi)
    assert np.allclose(r, ry.sinr(sc, W, phi))
    # (36)-(42): at the optimal r, c the FP objective equals U_com in nats
    assert np.isclose(rb.fp_objective(sc, W, phi, r, C), ry.sum_rate(sc, W, phi, bits=False))
    # (43)-(45): FP(W) = Re{a^H w} - sum_j w_j^H T w_j + const
    T, a = rb.fp_W_terms(sc, E, r, C)
    W2 = W + 0.3 * (rng.standard_normal(W.shape) + 1j * rng.standard_normal(W.shape))

    def quadW(X):
        return np.real(np.vdot(a, X)) - np.real(np.vdot(X, T @ X))
    lhs = rb.fp_objective(sc, W2, phi, r, C) - rb.fp_objective(sc, W, phi, r, C)
    assert np.isclose(lhs, quadW(W2) - quadW(W))
    # (46)-(47) with ||c_k||^2: FP(phi) = Re{g^H phi} - phi^H D phi + const
    EE = np.einsum("kmn,kml->knl", sc.E_ru.conj(), sc.E_ru)
    D, g = rb.fp_phi_terms(sc, W, r, C, EE)
    p2 = np.exp(1j * rng.uniform(0, 2 * np.pi, sc.N))

    def quadP(p):
        return np.real(np.vdot(g, p)) - np.real(np.vdot(p, D @ p))
    lhs = rb.fp_objective(sc, W, p2, r, C) - rb.fp_objective(sc, W, phi, r, C)
    assert np.isclose(lhs, quadP(p2) - quadP(phi))


def test_mm_w_step_decreases_subproblem(small):
    sc, W, phi, rng = small
    r, C, E = rb.fp_update(sc, W, phi)
    y = sc.eps * rb.F_values(sc, W, phi)
    f, _ = rb.project_crb_set(y * rb.crb_trace_f(y) / 2.0, 1.0, 1.0)
    zeta = np.zeros(6, complex)
    rho1 = 5.0
    before = rb.w_objective(sc, W, phi, r, C, f, zeta, rho1, sc.eps, True)
    W1 = rb.w_update(sc, W, phi, r, C, E, f, zeta, rho1, sc.eps, True, n_inner=3)
    after = rb.w_objective(sc, W1, phi, r, C, f, zeta, rho1, sc.eps, True)
    assert np.linalg.norm(W1) ** 2 <= sc.P * (1 + 1e-9)
    assert after <= before + 1e-9 * abs(before)


def test_bcd_schemes_feasible_designs(small):
    sc = small[0]
    out = bl.run_schemes(sc, iters=4, gd_iters=5)
    for name, d in out.items():
        assert d["power"] <= sc.P * (1 + 1e-8), name
        assert d["um_err"] < 1e-9, name
        if name != "Comm-only" and np.isfinite(d["blend"]):
            assert d["crb"] <= sc.eps * (1 + 1e-9), name
        assert np.isfinite(d["rate"]) and (d["rate"] > 0 or not d["feasible"])


def test_admm_unit_modulus_output():
    rng = np.random.default_rng(2)
    n = 10
    X = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    D = X @ X.conj().T
    g = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    z, _ = rb.admm_unit_modulus(D, g, np.ones(n, complex))
    assert np.allclose(np.abs(z), 1)


def test_exact_receiver_estimator_matches_linear_sinr(small):
    sc, W, phi, rng = small
    est = ry.sinr_exact(sc, W, phi, sc.b, n_samples=20000, rng=np.random.default_rng(0), linear=True)
    assert np.allclose(est, ry.sinr(sc, W, phi), rtol=0.1)
    # a weak reference degrades the exact receiver
    weak = ry.sinr_exact(sc, W, phi, ry.rescale_rsr(sc, -10), n_samples=4000, rng=np.random.default_rng(0))
    strong = ry.sinr_exact(sc, W, phi, ry.rescale_rsr(sc, 30), n_samples=4000, rng=np.random.default_rng(0))
    assert np.sum(np.log1p(weak)) < np.sum(np.log1p(strong))
