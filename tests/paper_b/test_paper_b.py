"""Paper B (uplink ISAC): model identities, reduced problem, exact solver, baselines, ISACNN."""

import numpy as np
import pytest

from risisac import comms
from risisac.paper_b import model as U
from risisac.paper_b import baselines as UB
from risisac.book.rng import make_rng


@pytest.fixture(scope="module")
def small():
    rng = make_rng(0, "test-uplink")
    b = U.draw_batch(rng, 24, Nt=6, Nr=5, K=3, L=8, snr_s_db=10, snr_c_db=0, with_UT=True)
    return b, U.Problem.from_batch(b)


def test_lemma1_lemma2():
    rng = make_rng(0, "lemmas")
    A, B_, C = (rng.standard_normal(s) + 1j * rng.standard_normal(s) for s in [(3, 4), (4, 5), (5, 2)])
    vec = lambda M: M.reshape(-1, order="F")
    assert np.allclose(vec(A @ B_ @ C), np.kron(C.T, A) @ vec(B_))
    A, B_ = (rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3)) for _ in range(2))
    C, D = (rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4)) for _ in range(2))
    l = np.linalg.det(np.eye(12) + np.kron(A @ B_, C @ D))
    r = np.linalg.det(np.eye(12) + np.kron(B_ @ A, D @ C))
    assert np.isclose(l, r)


def test_mi_reduction_and_alignment(small):
    b, pr = small
    rng = make_rng(1, "mi")
    RT = U.R_T_of(b)
    for i in range(3):
        S = U.rayleigh(rng, (b.L, b.Nt)) * np.sqrt(b.Ps / (b.L * b.Nt))
        full = U.sensing_mi_full(S, RT[i], b.H[i], b.p[i], b.noise)
        kr = U.sensing_mi_kron(S, RT[i], b.H[i], b.p[i], b.noise)
        assert np.isclose(full, kr, rtol=1e-9)
        sig = np.linalg.svd(S, compute_uv=False) ** 2 / b.Ps
        bound = b.L * U.sensing_rate(sig[None], b.a[i:i + 1], pr.e[i:i + 1], b.L)[0]
        assert full <= bound + 1e-9
        # aligned waveform (31) attains the bound
        Sa, _ = U.recover(b.subset([i]), (sig * b.Ps)[None])
        assert np.isclose(U.sensing_mi_full(Sa[0], RT[i], b.H[i], b.p[i], b.noise), bound, rtol=1e-9)


def test_mmse_sinr_and_recover(small):
    b, pr = small
    x = np.abs(make_rng(2, "x").standard_normal((b.B, b.Nt)))
    x /= x.sum(1, keepdims=True) * 1.3
    S, W = U.recover(b, x * b.Ps)
    assert np.allclose(np.einsum("bij,bij->b", S, S.conj()).real, x.sum(1) * b.Ps)
    g = U.sinr_of_beams(b, W, S=S, R_T=U.R_T_of(b))
    assert np.allclose(g, pr.cm.sinr(pr.tau(x)), rtol=1e-8)
    assert np.allclose(np.log2(1 + g).mean(1), pr.cr(x), rtol=1e-10)
    # MMSE maximises the SINR: random beams do worse
    rng = make_rng(3, "w")
    Wr = U.rayleigh(rng, W.shape)
    assert np.all(U.sinr_of_beams(b, Wr, sigma_s=x * b.Ps) <= g * (1 + 1e-9))


def test_waterfill_matches_core():
    rng = make_rng(4, "wf")
    g = rng.uniform(0.01, 3, (20, 7))
    p, mu = U.waterfill_batch(g, 1.0, 1.0)
    for i in range(20):
        pc, muc = comms.waterfill(g[i], 1.0, 1.0)
        assert np.allclose(p[i], pc) and np.isclose(mu[i], muc)
    pp, _ = U.waterfill_paper(g, 1.0, 1.0)
    assert np.all(pp.sum(1) >= 1 - 1e-12)  # paper level overspends when clipping


def test_exact_solver_vs_slsqp(small):
    from scipy.optimize import minimize
    b, pr = small
    fr = U.Frontier(pr, n_grid=24)
    x, tau, s = fr.solve_kappa(fr.kappa)
    assert fr.kkt_residual(fr.kappa, x) < 1e-8
    assert np.all(x.sum(-1) <= 1 + 1e-12) and np.all(x >= 0)
    for alpha in (0.3, 0.7):
        res = fr.solve(alpha, tol=1e-7)
        assert np.all(res["gap"] <= 1e-7)
        assert np.allclose(pr.wsnr(res["x"], alpha), res["value"])
        rng = make_rng(5, "ms")
        for i in range(4):
            sub = U.Problem(pr.a[i:i + 1], pr.e[i:i + 1], pr.L,
                            U.CommModel(pr.cm.D[i:i + 1], pr.cm.W[i:i + 1], pr.cm.zf[i:i + 1], pr.L),
                            pr.Ms[i:i + 1], pr.Mc[i:i + 1], pr.Nr)
            f = lambda z: -sub.wsnr(np.maximum(z, 0)[None], alpha)[0]
            best = -np.inf
            for _ in range(4):
                z0 = rng.dirichlet(np.ones(b.Nt)) * rng.uniform(0.2, 1)
                r = minimize(f, z0, method="SLSQP", bounds=[(0, 1)] * b.Nt,
                             constraints=[{"type": "ineq", "fun": lambda z: 1 - z.sum()}])
                best = max(best, -r.fun)
            assert best <= res["value"][i] + res["gap"][i] + 1e-7
            assert res["value"][i] >= best - 1e-5


def test_baselines_feasible_and_below_optimum(small):
    b, pr = small
    fr = U.Frontier(pr, n_grid=24)
    for alpha in (0.0, 0.5, 1.0):
        opt = fr.solve(alpha, tol=1e-7)
        xt = UB.traditional_scheme(pr, alpha, ao_iters=3, inner_iters=10)
        xa = UB.average_scheme(pr)
        xz = UB.zfbf_scheme(pr, alpha, fr)
        for xx in (xt, xa, xz):
            assert np.all(xx >= 0) and np.all(xx.sum(1) <= 1 + 1e-9)
            assert np.all(pr.wsnr(xx, alpha) <= opt["value"] + opt["gap"] + 1e-9)
        assert np.all(pr.wsnr(xz, alpha, zf=False) >= alpha * pr.sr(xz) / pr.Ms
                      + (1 - alpha) * pr.cr(xz, zf=True) / pr.Mc - 1e-12)  # ZF <= MMSE
    assert np.allclose(fr.solve(0.0)["value"], 1.0)  # WSNR = 1 at alpha = 0


def test_sens_gradient_fd(small):
    b, pr = small
    x = np.full((b.B, b.Nt), 0.1)
    g = UB._sens_grad(pr, x)
    h = 1e-6
    for i in range(b.Nt):
        d = np.zeros_like(x)
        d[:, i] = h
        fd = (pr.sr(x + d) - pr.sr(x - d)) / (2 * h)
        assert np.allclose(g[:, i], fd, rtol=1e-5)


def test_isacnn_shapes_constraint_and_torch_rates(small):
    torch = pytest.importorskip("torch")
    from risisac.paper_b import isacnn as N
    b, pr = small
    f = N.features(b)
    assert f.shape == (b.B, 2 * b.Nr * b.K + b.Nt)
    torch.manual_seed(0)
    for kind in ("isacnn", "fcnn"):
        m = N.make(kind, f.shape[1], b.Nt)
        x = N.predict(m, f)
        assert x.shape == (b.B, b.Nt) and np.all(x.sum(1) <= 1 + 1e-12)
        assert np.all(np.diff(x, axis=1) <= 1e-12)  # sorted descending
    th = torch.rand(50, 6, dtype=torch.float64)
    x2 = N.lambda_layer(th, torch.ones(50, 1, dtype=torch.float64), "l2")
    assert float(x2.sum(1).max()) > 1.0  # the paper's 2-norm violates (15)
    d = N.LossData.from_problem(pr, dtype=torch.float64)
    xx = torch.full((b.B, b.Nt), 0.1, dtype=torch.float64, requires_grad=True)
    sr, cr = N.rates_torch(xx, d)
    assert np.allclose(sr.detach().numpy(), pr.sr(np.full((b.B, b.Nt), 0.1)))
    assert np.allclose(cr.detach().numpy(), pr.cr(np.full((b.B, b.Nt), 0.1)))
    # autograd of the loss vs finite differences of the numpy objective
    loss = N.loss_fn(xx, d, 0.4)
    loss.backward()
    x0 = np.full((b.B, b.Nt), 0.1)
    h = 1e-6
    dd = np.zeros_like(x0)
    dd[:, 2] = h
    fd = -(pr.wsnr(x0 + dd, 0.4) - pr.wsnr(x0 - dd, 0.4)) / (2 * h) / b.B
    assert np.allclose(xx.grad[:, 2].numpy(), fd, rtol=1e-5)


def test_bad_inputs():
    rng = make_rng(0, "bad")
    with pytest.raises(ValueError):
        U.draw_batch(rng, 2, Nt=16, L=10)
    b = U.draw_batch(rng, 2, Nt=4, Nr=4, K=2, L=8)
    with pytest.raises(ValueError):
        U.imperfect_csi(rng, b, 1.5)
    with pytest.raises(ValueError):
        U.recover(b, np.ones((2, 4)))


def test_frontier_shape_used_by_certificate(small):
    """S(tau) concave with slope kappa; C(tau) convex and decreasing (the bound's premises)."""
    b, pr = small
    fr = U.Frontier(pr, n_grid=200)
    t, s, k = fr.tau, fr.sens, fr.kappa
    slope = np.diff(s, axis=1) / np.where(np.diff(t, axis=1) != 0, np.diff(t, axis=1), np.nan)
    ok = np.isfinite(slope)
    # secant slopes lie between the end multipliers
    assert np.all(slope[ok] <= k[:, 1:][ok] * (1 + 1e-6) + 1e-9)
    assert np.all(slope[ok] >= k[:, :-1][ok] * (1 - 1e-6) - 1e-9)
    tt = np.linspace(0, 30, 301)[None, :].repeat(b.B, 0)
    for zf in (False, True):
        C = pr.cm.rate(tt, zf)
        assert np.all(np.diff(C, axis=1) < 0)
        assert np.all(np.diff(C, 2, axis=1) >= -1e-12)
