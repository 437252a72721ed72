"""Tests of Algorithm 1 (risisac.paper_c.bcd): blocks, schedule, multiplier, stopping rule,
raw feasibility and the reduction to Comm-only."""

import numpy as np
import pytest
import scipy.linalg as sla

from risisac.paper_c import bcd as rb
from risisac.paper_c import model as ry
from risisac.paper_c.crb import A_matrices, F_values, crb_trace
from risisac.paper_c.fp import fp_update, fp_W_terms

TOL = rb.BCDOptions().tol_feas


def test_defaults_are_the_algorithm():
    o = rb.BCDOptions()
    assert o.sensing and o.update_phi
    assert o.rho_decay == 0.8 and o.rho1 == 10.0 and o.iters == 60
    assert 0 < o.tol_feas <= 1e-3 and 0 < o.tol_obj <= 1e-3


def test_sensing_quad_matches_dense(small):
    sc, W, phi, rng = small
    sq = rb.SensingQuad(sc, phi)
    P = sq.V.T @ W
    F = F_values(sc, W, phi)
    assert np.allclose(sq.F(P), F, rtol=1e-12, atol=1e-14 * np.abs(F).max())
    A = A_matrices(sc, phi)
    kap = rng.standard_normal(6) + 1j * rng.standard_normal(6)
    want = 0.5 * sum(np.conj(kap[i]) * A[i] @ W + kap[i] * A[i].conj().T @ W for i in range(6))
    assert np.allclose(sq.grad(kap, P), want, rtol=1e-11, atol=1e-13 * np.abs(want).max())


def test_penalty_is_phr():
    val, d = rb.penalty(0.3, 0.0, 2.0)
    assert np.isclose(val, 0.3 ** 2 / 4) and np.isclose(d, 0.15)
    val, d = rb.penalty(-0.3, 0.0, 2.0)
    assert val == 0.0 and d == 0.0
    val, d = rb.penalty(-0.3, 0.5, 2.0)          # g + rho zeta = 0.7 > 0
    assert np.isclose(val, (0.7 ** 2 - 1.0) / 4) and np.isclose(d, 0.35)


def _wobj(sc, W, phi, zeta, rho1):
    r, C, E = fp_update(sc, W, phi)
    T, a = fp_W_terms(sc, E, r, C)
    return T, a, rb.SensingQuad(sc, phi)


@pytest.mark.parametrize("zeta", [0.0, 3.0])
def test_w_objective_gradient_finite_differences(small, zeta):
    sc, W, phi, rng = small
    sc = sc.with_eps(0.2 * crb_trace(sc, W, phi))            # active penalty
    T, a, sq = _wobj(sc, W, phi, zeta, 0.5)
    v0, G = rb._w_obj_grad(W, T, a, sq, zeta, 0.5)
    for _ in range(3):
        D = rng.standard_normal(W.shape) + 1j * rng.standard_normal(W.shape)
        h = 1e-6
        vp, _ = rb._w_obj_grad(W + h * D, T, a, sq, zeta, 0.5)
        vm, _ = rb._w_obj_grad(W - h * D, T, a, sq, zeta, 0.5)
        fd = (vp - vm) / (2 * h)
        assert abs(fd - 2 * np.real(np.vdot(G, D))) < 1e-5 * max(abs(fd), 1.0)


def test_w_step_monotone_and_in_ball(small):
    sc, W, phi, rng = small
    sc = sc.with_eps(0.3 * crb_trace(sc, W, phi))
    r, C, E = fp_update(sc, W, phi)
    T, a, sq = _wobj(sc, W, phi, 1.0, 0.5)
    before = rb._w_obj_grad(W, T, a, sq, 1.0, 0.5)[0]
    W1, _ = rb.w_step(sc, W, phi, r, C, E, 1.0, 0.5, True, n_steps=10)
    after = rb._w_obj_grad(W1, T, a, sq, 1.0, 0.5)[0]
    assert np.linalg.norm(W1) ** 2 <= sc.P * (1 + 1e-12)
    assert after < before


def _admm_reference(Dh, gh, phi0, iters, tol):
    """The slow version (scipy cho_solve + library projection) the fast ADMM must equal."""
    from risisac.optim import proj_unit_modulus
    N = len(gh)
    rho = max(2.0 * float(np.max(np.sum(np.abs(Dh), 1))), 1e-12)
    cf = sla.cho_factor(2 * Dh + rho * np.eye(N))
    z, lam = phi0.copy(), np.zeros(N, complex)
    for k in range(1, iters + 1):
        phi = sla.cho_solve(cf, 2 * gh - lam + rho * z)
        z_old = z
        z = proj_unit_modulus(phi + lam / rho)
        lam = lam + rho * (phi - z)
        if np.linalg.norm(phi - z) <= tol * np.sqrt(N) and np.linalg.norm(z - z_old) <= tol * np.sqrt(N):
            break
    return z, k


def test_admm_same_iterates_as_reference_and_stops_on_residuals():
    rng = np.random.default_rng(2)
    n = 10
    X = rng.standard_normal((n, 3)) + 1j * rng.standard_normal((n, 3))
    D = X @ X.conj().T + 0.1 * np.eye(n)
    g = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    phi0 = np.exp(1j * rng.uniform(0, 2 * np.pi, n))
    for iters, tol in [(5, 0.0), (2000, 1e-4)]:
        z1, k1 = rb.admm_unit_modulus(D, g, phi0, iters=iters, tol=tol)
        z2, k2 = _admm_reference(D, g, phi0, iters, tol)
        assert k1 == k2
        assert np.allclose(z1, z2, rtol=0, atol=1e-12)
        assert np.allclose(np.abs(z1), 1, atol=1e-14)
    assert k1 < 2000                                 # the residual test fires


def test_first_iteration_multiplier_and_schedule(binding):
    sc, phi0, W0, _ = binding[0]
    res = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=10, min_iters=10))
    h = res.history
    rho = 10.0 * 0.8 ** np.arange(1, 11)
    assert np.allclose(h["rho1"], rho)
    g = np.array(h["crb"][1:]) / sc.eps - 1
    z, want = 0.0, []
    for gi, r in zip(g, 10.0 * 0.8 ** np.arange(10)):
        z = max(0.0, z + gi / r)
        want.append(z)
    assert np.allclose(h["zeta"], want)
    assert np.any(g > 0) and max(h["zeta"]) > 0   # the constraint binds: zeta grows


def test_raw_iterates_feasible_on_binding_instances(binding):
    """Raw Algorithm 1 output (no restoration) meets tr(CRB) <= eps (1 + tol_feas), stops by its
    rule, and keeps most of the Comm-only rate."""
    stops = []
    for sc, phi0, W0, rc in binding:
        res = rb.bcd(sc, phi0, W0)
        assert crb_trace(sc, res.W, res.phi) <= sc.eps * (1 + TOL)
        stops.append(res.history["stop"])
        assert np.linalg.norm(res.W) ** 2 <= sc.P * (1 + 1e-12)
        assert np.max(np.abs(np.abs(res.phi) - 1)) < 1e-12
        assert ry.sum_rate(sc, res.W, res.phi) >= 0.8 * ry.sum_rate(sc, rc.W, rc.phi)
    assert stops.count("converged") >= len(stops) - 1


def test_comm_only_reduction_when_inactive(binding):
    """With eps above the Comm-only CRB the penalty never acts: identical iterates."""
    for sc, phi0, W0, rc in binding[:2]:
        loose = sc.with_eps(10 * max(rc.history["crb"]))
        p = rb.bcd(loose, phi0, W0)
        c = rb.bcd(loose, phi0, W0, rb.BCDOptions(sensing=False))
        assert np.array_equal(p.W, c.W) and np.array_equal(p.phi, c.phi)
        assert max(p.history["zeta"]) == 0.0


def test_sensing_off_violates_binding_constraint(binding):
    sc, phi0, W0, rc = binding[0]
    assert crb_trace(sc, rc.W, rc.phi) > sc.eps * (1 + TOL)


def test_stopping_rule_checks_both(binding):
    sc, phi0, W0, _ = binding[0]
    never = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=8, tol_feas=-1.0))
    assert never.history["iters"] == 8 and never.history["stop"] == "max_iters"
    loose = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=8, tol_feas=1e9, tol_obj=1e9, min_iters=3))
    assert loose.history["iters"] == 3 and loose.history["stop"] == "converged"
    obj_only = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=8, tol_feas=1e9, tol_obj=0.0))
    assert obj_only.history["iters"] == 8


def test_bf_only_keeps_phi(binding):
    sc, phi0, W0, _ = binding[0]
    res = rb.bcd(sc, phi0, W0, rb.BCDOptions(update_phi=False, iters=5))
    assert np.array_equal(res.phi, phi0)
    assert res.history["admm_iters"] == 0


def test_phi_update_does_not_increase_objective(binding):
    sc, phi0, W0, _ = binding[1]
    r, C, E = fp_update(sc, W0, phi0)
    EE = np.einsum("kmn,kml->knl", sc.E_ru.conj(), sc.E_ru)
    before = rb._al_objective(sc, W0, phi0, r, C, 0.5, 1.0, True)
    phi1, att, its = rb.phi_update(sc, W0, phi0, r, C, 0.5, 1.0, True, EE)
    after = rb._al_objective(sc, W0, phi1, r, C, 0.5, 1.0, True)
    assert after <= before + 1e-12 * abs(before) and att >= 0 and its >= 1
    assert np.allclose(np.abs(phi1), 1, atol=1e-14)


def test_init_point_and_bf_only_phi(small):
    sc, W, phi, rng = small
    p = rb.bf_only_phi(sc)
    gain = lambda ph: float(np.sum(np.abs(sc.E_eff(ph)) ** 2))
    assert gain(p) >= gain(phi)
    assert np.allclose(np.abs(p), 1)
    W0 = rb.init_point(sc, p)
    assert np.isclose(np.linalg.norm(W0) ** 2, sc.P)


def test_al_objective_is_fp_plus_phr_penalty(binding):
    sc, phi0, W0, _ = binding[0]
    r, C, E = fp_update(sc, W0, phi0)
    from risisac.paper_c.fp import fp_objective
    g = crb_trace(sc, W0, phi0) / sc.eps - 1
    for zeta, rho1 in [(0.0, 2.0), (0.7, 0.3)]:
        want = -fp_objective(sc, W0, phi0, r, C) + (max(g + rho1 * zeta, 0) ** 2 - (rho1 * zeta) ** 2) / (2 * rho1)
        assert np.isclose(rb._al_objective(sc, W0, phi0, r, C, zeta, rho1, True), want, rtol=1e-12)
    assert rb._al_objective(sc, W0, phi0, r, C, 0.7, 0.3, False) == -fp_objective(sc, W0, phi0, r, C)


def test_phi_step_moves_towards_feasibility_when_penalty_dominates(binding):
    """With a heavy active penalty the phi step must reduce tr(CRB) and be accepted at once
    (its Gauss-Newton model is then a good one)."""
    sc, phi0, W0, rc = binding[0]
    W, phi = rc.W, rc.phi                                # Comm-only design: violates eps
    r, C, E = fp_update(sc, W, phi)
    EE = np.einsum("kmn,kml->knl", sc.E_ru.conj(), sc.E_ru)
    g0 = crb_trace(sc, W, phi) / sc.eps - 1
    assert g0 > 0
    phi1, att, _ = rb.phi_update(sc, W, phi, r, C, 1.0, 1e-3, True, EE)
    assert att == 0
    assert crb_trace(sc, W, phi1) / sc.eps - 1 < 0.9 * g0
    phi2, att2, _ = rb.phi_update(sc, W, phi, r, C, 0.0, 1e3, False, EE)   # sensing off: rate only
    assert ry.sum_rate(sc, W, phi2) >= ry.sum_rate(sc, W, phi) - 1e-9


def test_bf_only_phi_is_a_stationary_point_of_the_gain(small):
    sc, W, phi, rng = small
    Rm = np.einsum("kmn,kml->nl", sc.E_ru.conj(), sc.E_ru) * np.conj(sc.H_BR @ sc.H_BR.conj().T)
    s = np.conj(np.einsum("nt,kmt,kmn->n", sc.H_BR, sc.E_bu.conj(), sc.E_ru))
    gain = lambda ph: float(np.sum(np.abs(sc.E_eff(ph)) ** 2))
    # the gain is the quadratic phi^H Rm phi + 2 Re{s^H phi} + const (checks Rm, s independently)
    c0 = gain(np.zeros(sc.N))
    for _ in range(2):
        q = np.exp(1j * rng.uniform(0, 2 * np.pi, sc.N))
        assert np.isclose(gain(q), np.real(np.vdot(q, Rm @ q)) + 2 * np.real(np.vdot(s, q)) + c0)
    p = rb.bf_only_phi(sc, iters=2000)
    u = Rm @ p + s                                       # gradient: p must be aligned with it
    assert np.max(np.abs(np.imag(np.conj(p) * u))) <= 1e-6 * np.max(np.abs(u))
    assert np.all(np.real(np.conj(p) * u) > 0)
    assert np.array_equal(rb.bf_only_phi(sc, phi0=phi, iters=0), phi)
    for _ in range(5):
        assert gain(p) >= gain(np.exp(1j * rng.uniform(0, 2 * np.pi, sc.N)))
