"""risisac.paper_a.admm_mm_liu: Liu et al.'s ADMM-MM (ref. [25]) - surrogates, sub-problem solvers, algorithm."""

import numpy as np
import pytest
import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac.book.rng import make_rng  # noqa: E402
from risisac.paper_a import admm_mm_liu as lm  # noqa: E402
from risisac.paper_a import detection_net as pu  # noqa: E402
from risisac.paper_a import model as sm  # noqa: E402


@pytest.fixture(scope="module")
def small():
    b = sm.sample_batch(sm.SLPConfig(N=8, L=4), 2, make_rng(0, "liu"))
    X0, phi0 = pu.start_point(b, "ris")
    rho = sm.fast_sinr(b, X0, phi0) / (b.P * b.L + b.N * b.L)
    return b, X0, phi0, rho


@pytest.fixture(scope="module")
def runs():
    """Both versions of the algorithm on two tiny instances (cvx at a tolerance its solver reaches)."""
    b = sm.sample_batch(sm.SLPConfig(N=4, L=3), 2, make_rng(0, "liu-test"))
    X0, phi0 = pu.start_point(b, "ris")
    ex = lm.liu_admm_mm(b, X0, phi0, max_iter=60)
    cv = lm.liu_admm_mm(b, X0, phi0, max_iter=25, solver="cvx", tol_primal=1e-6)
    return b, X0, phi0, ex, cv


def _rand(rng, shape):
    return torch.as_tensor(rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


def test_x_surrogate_is_a_tight_minoriser(small):
    """-SINR/xi0^2 <= sum xi_q^2 |<f_q,x>|^2 - 2 Re<g_0,x> + sigma^2 |m|^2, with equality at X_t."""
    b, X0, phi0, _ = small
    F, xi2, c = lm.liu_x_surrogate(b, X0, phi0, torch.zeros_like(X0), torch.zeros_like(X0), 0.0)
    _, m2 = lm._mvdr_W(b, X0, phi0)
    bound = lambda X: lm.liu_x_objective(F, xi2, c, 0.0, X) + b.sigma2 * m2
    assert torch.allclose(-sm.fast_sinr(b, X0, phi0) / b.xi0_2, bound(X0), rtol=1e-9)
    rng = make_rng(3, "liu-min")
    for sc in (1e-3, 0.1, 0.5, 3.0):
        X = X0 + sc * _rand(rng, X0.shape)
        assert (-sm.fast_sinr(b, X, phi0) / b.xi0_2 <= bound(X) + 1e-9 * bound(X).abs()).all()


def test_phi_surrogate_is_a_tight_majoriser_on_the_relaxed_set(small):
    """(M2): S(phi) >= -SINR(X, phi)/xi0^2 for |phi_n| <= 1, equality at a unit-modulus phi_t."""
    b, X0, phi0, _ = small
    s = lm.liu_phi_surrogate(b, X0, phi0, phi0, torch.zeros_like(phi0), 0.0)
    S = lambda p: lm.liu_phi_objective(s, p) + s["k"]
    f = lambda p: -sm.fast_sinr(b, X0, p) / b.xi0_2
    assert torch.allclose(S(phi0), f(phi0), rtol=1e-10)
    rng = make_rng(4, "liu-phi-maj")
    gaps = []
    for sc in (1e-4, 1e-3, 1e-2, 0.1, 1.0, 3.0):
        for _ in range(3):
            p = phi0 + sc * _rand(rng, phi0.shape)
            p = torch.where(p.abs() > 1, sm.project_phi(p), p)           # relaxed set
            gaps.append(S(p) - f(p))
            q = sm.project_phi(p)                                        # unit-modulus set
            gaps.append(S(q) - f(q))
    g = torch.stack(gaps)
    assert (g >= -1e-10 * f(phi0).abs()).all()
    # a bound, not the function: it separates from the SINR away from phi_t
    assert (g.amax(0) > 1e-3 * f(phi0).abs()).all()


def test_phi_surrogate_gradient_matches_on_the_circle(small):
    """Touching + bounding implies equal derivatives along the unit circles: checked directly."""
    b, X0, phi0, _ = small
    s = lm.liu_phi_surrogate(b, X0, phi0, phi0, torch.zeros_like(phi0), 0.0)
    S = lambda p: lm.liu_phi_objective(s, p) + s["k"]
    f = lambda p: -sm.fast_sinr(b, X0, p) / b.xi0_2
    rng = make_rng(5, "liu-dir")
    d = torch.as_tensor(rng.standard_normal(phi0.shape))
    h = 1e-6
    move = lambda t: phi0 * torch.exp(1j * t * d)
    dS = (S(move(h)) - S(move(-h))) / (2 * h)
    df = (f(move(h)) - f(move(-h))) / (2 * h)
    assert torch.allclose(dS, df, rtol=1e-5, atol=1e-8 * float(f(phi0).abs().max()))
    assert (df.abs() > 1e-6).all()                                       # a non-trivial direction


def test_x_step_convex_solver_and_exact_batched_solver_agree(small):
    b, X0, phi0, rho = small
    F, xi2, c = lm.liu_x_surrogate(b, X0, phi0, X0, torch.zeros_like(X0), rho)
    Xc = lm.liu_x_step_cvx(b, phi0, F, xi2, c, rho)
    Xp = lm.liu_x_step_pd(b, phi0, F, xi2, c, rho, X0=X0)
    fc, fp = lm.liu_x_objective(F, xi2, c, rho, Xc), lm.liu_x_objective(F, xi2, c, rho, Xp)
    r = np.sqrt(b.P / b.M)
    assert torch.allclose(fp, fc, rtol=1e-6)
    assert float((Xc - Xp).abs().max()) <= 1e-4 * r
    assert (Xp.abs() <= r * (1 + 1e-12)).all() and (sm.ci_values(b, Xp, phi0) <= 1e-4 * b.gamma).all()
    assert (sm.fast_sinr(b, Xp, phi0) > sm.fast_sinr(b, X0, phi0)).all()       # an MM ascent step


def test_phi_step_convex_solver_and_exact_batched_solver_agree(small):
    b, X0, phi0, rho = small
    s = lm.liu_phi_surrogate(b, X0, phi0, phi0, torch.zeros_like(phi0), rho)
    pc = lm.liu_phi_step_cvx(b, X0, s)
    pp = lm.liu_phi_step_pd(b, X0, s, phi0=phi0)
    assert torch.allclose(lm.liu_phi_objective(s, pp), lm.liu_phi_objective(s, pc), rtol=1e-7)
    assert float((pc - pp).abs().max()) <= 1e-4
    assert (pp.abs() <= 1 + 1e-12).all() and (sm.ci_values(b, X0, pp) <= 1e-6 * b.gamma).all()
    # an MM descent step of the surrogate (rho term included) from phi_t
    assert (lm.liu_phi_objective(s, pp) < lm.liu_phi_objective(s, phi0)).all()


def test_primal_dual_solver_meets_the_constraints_it_is_given():
    """A projection on {|z| <= r} cap {Re Vz <= d} (a = 1/2, c = -p) against cvxpy."""
    import cvxpy as cp
    rng = make_rng(6, "pd")
    V = _rand(rng, (2, 5, 4))
    d = torch.as_tensor(rng.uniform(-1, 0, (2, 5)))
    p = 2 * _rand(rng, (2, 4))
    z = lm.primal_dual_box_poly(torch.full((2,), 0.5), -p, 1.0, lm._Rows(V, d, per_slot=False), iters=20000)
    for i in range(2):
        x = cp.Variable(4, complex=True)
        cp.Problem(cp.Minimize(cp.sum_squares(x - p[i].numpy())),
                   [cp.abs(x) <= 1, cp.real(V[i].numpy() @ x) <= d[i].numpy()]).solve(solver=cp.CLARABEL)
        fz, fx = float(((z[i] - p[i]).abs() ** 2).sum()), float(np.sum(np.abs(x.value - p[i].numpy()) ** 2))
        assert fz <= fx * (1 + 1e-9)                                  # at least as good as CLARABEL
        assert np.allclose(z[i].numpy(), x.value, atol=1e-4)          # (CLARABEL's argmin: ~sqrt of its tol)
        assert float(((V[i] @ z[i]).real - d[i]).max()) <= 1e-12 and float(z[i].abs().max()) <= 1 + 1e-12


def test_one_iteration_follows_the_admm_updates(small):
    """y, z are the modulus projections of x + mu1/rho, phi + mu2/rho; mu += rho (primal residual)."""
    b, X0, phi0, rho = small
    rng = make_rng(7, "liu-it")
    st0 = dict(X=X0, phi=phi0, Y=X0, Z=phi0, mu1=1e-3 * _rand(rng, X0.shape), mu2=1e-3 * _rand(rng, phi0.shape))
    st = lm._liu_iteration(b, dict(st0), rho, True, True, "exact", 2000, 1e-10)
    rr = rho[:, None, None]
    r = np.sqrt(b.P / b.M)
    assert torch.allclose(st["Y"], r * sm.project_phi(st["X"] + st0["mu1"] / rr))
    assert torch.allclose(st["Z"], sm.project_phi(st["phi"] + st0["mu2"] / rho[:, None]))
    assert torch.allclose(st["mu1"], st0["mu1"] + rr * (st["X"] - st["Y"]))
    assert torch.allclose(st["mu2"], st0["mu2"] + rho[:, None] * (st["phi"] - st["Z"]))
    assert not torch.allclose(st["mu1"], st0["mu1"]) and not torch.allclose(st["mu2"], st0["mu2"])


def test_exact_version_converges_to_a_feasible_design(runs):
    b, X0, phi0, ex, _ = runs
    r = np.sqrt(b.P / b.M)
    assert ex["converged"].all() and (ex["iters"] < 60).all()
    assert torch.allclose(ex["X"].abs(), torch.full(ex["X"].shape, r), rtol=1e-12)      # moduli exact
    assert torch.allclose(ex["phi"].abs(), torch.ones(ex["phi"].shape), rtol=1e-12)
    assert (sm.ci_values(b, ex["X"], ex["phi"]) <= 1e-6 * b.gamma).all()                 # CI, no repair
    assert torch.allclose(ex["ci_viol"], (sm.ci_values(b, ex["X"], ex["phi"]) / b.gamma).amax((-1, -2)))
    assert torch.allclose(ex["sinr"], sm.fast_sinr(b, ex["X"], ex["phi"]))
    assert (ex["sinr"] > 3 * sm.fast_sinr(b, X0, phi0)).all()
    assert (ex["primal"] <= 1e-10).all()
    rho0 = sm.fast_sinr(b, X0, phi0) / (b.P * b.L + b.N * b.L)
    assert (ex["rho"] >= rho0).all() and (ex["rho"] > 2 * rho0).any()     # grown once the SINR settled
    tr = ex["trace"]                                                  # frozen after each own stop
    for i in range(b.B):
        assert torch.all(tr[i, int(ex["iters"][i]):] == tr[i, int(ex["iters"][i])])


def test_exact_and_convex_solver_versions_reach_the_same_sinr(runs):
    b, _, _, ex, cv = runs
    assert torch.allclose(ex["sinr"], cv["sinr"], rtol=1e-3)
    assert (cv["ci_viol"] <= 1e-3).all()                              # CLARABEL-limited consensus
    n = int(min(ex["iters"].min(), 8))                                # same iterates while both are exact
    assert torch.allclose(ex["trace"][:, :n], cv["trace"][:, :n], rtol=1e-3)


def test_sinr_trace_is_an_ascent_up_to_the_admm_consensus(runs):
    """The SINR of the relaxed iterates rises overall; dips (documented) are bounded by 5 %."""
    _, _, _, ex, _ = runs
    tr = ex["trace_relaxed"]
    assert (tr[:, -1] > tr[:, 0]).all()
    assert (tr[:, 1:] >= 0.95 * tr[:, :-1]).all()


def test_radar_only_and_fixed_phi_variants():
    b = sm.sample_batch(sm.SLPConfig(N=4, L=3), 1, make_rng(1, "liu-var"))
    X0, phi0 = pu.start_point(b, "ris")
    ro = lm.liu_admm_mm(b, X0, phi0, max_iter=40, qos=False)
    fx = lm.liu_admm_mm(b, X0, phi0, max_iter=40, optimize_phi=False)
    assert torch.equal(fx["phi"], phi0)
    assert (ro["sinr"] >= fx["sinr"] * (1 - 1e-6)).all() and (fx["sinr"] > sm.fast_sinr(b, X0, phi0)).all()
    assert torch.allclose(ro["X"].abs(), torch.full(ro["X"].shape, np.sqrt(b.P / b.M)), rtol=1e-12)


def test_bad_input_names_the_parameter(small):
    b, X0, phi0, _ = small
    with pytest.raises(ValueError, match="solver"):
        lm.liu_admm_mm(b, X0, phi0, solver="fista")
    with pytest.raises(ValueError, match="tol"):
        lm.liu_admm_mm(b, X0, phi0, tol=0.0)
    with pytest.raises(ValueError, match="max_iter"):
        lm.liu_admm_mm(b, X0, phi0, max_iter=0)
