"""risisac.paper_b.model: scenario draws, sensing MI (4)/(11)/(14), MMSE beams (25), SINR (7),
normalisers (35)-(40), the recover module (31)-(32) and the exact solver of (28)."""

import numpy as np
import pytest

from risisac import comms
from risisac.book.rng import make_rng
from risisac.paper_b import model as U


def _one(pr, i):
    return U.Problem(pr.a[i:i + 1], pr.e[i:i + 1], pr.L,
                     U.CommModel(pr.cm.D[i:i + 1], pr.cm.W[i:i + 1], pr.cm.zf[i:i + 1], pr.L),
                     pr.Ms[i:i + 1], pr.Mc[i:i + 1], pr.Nr)


def test_draw_batch_definitions():
    b = U.draw_batch(make_rng(1, "d"), 50, Nt=4, Nr=3, K=2, L=6, snr_s_db=7, snr_c_db=-3, with_UT=True)
    assert b.a.shape == (50, 4) and b.Gn.shape == (50, 3, 2) and b.U_T.shape == (50, 4, 4)
    assert np.all(np.diff(b.a, axis=1) <= 0)                                  # sorted descending
    assert np.isclose(b.Ps * U.xi0(200.0) / b.noise, 10 ** 0.7)                # SNR_s definition
    assert np.allclose(b.p * b.xi / b.noise, 10 ** -0.3)                       # SNR_c definition
    assert np.allclose(b.a, b.sigma_t * b.Ps / b.noise)
    assert np.allclose(b.Gn, np.sqrt(b.p / b.noise)[:, None, :] * b.H)
    assert np.all((b.dist >= 200) & (b.dist <= 400))
    assert np.all(b.sigma_t <= U.xi0(200.0)) and np.all(b.sigma_t > 0)
    assert np.allclose(b.U_T.conj().transpose(0, 2, 1) @ b.U_T, np.eye(4))
    assert np.isclose(U.xi0(1000.0), 10 ** -12.81)                             # 128.1 dB at 1 km


@pytest.mark.parametrize("kw, name", [(dict(Nt=16, L=10), "L"), (dict(K=0), "K"), (dict(Nt=0), "Nt"),
                                      (dict(d0=500.0), "d0")])
def test_draw_batch_bad_inputs_name_the_parameter(kw, name):
    with pytest.raises(ValueError, match=name):
        U.draw_batch(make_rng(0, "bad"), 2, **kw)


def test_other_bad_inputs():
    rng = make_rng(0, "bad")
    b = U.draw_batch(rng, 2, Nt=4, Nr=4, K=2, L=8)
    with pytest.raises(ValueError, match="beta"):
        U.imperfect_csi(rng, b, 1.5)
    with pytest.raises(ValueError, match="U_T"):
        U.recover(b, np.ones((2, 4)))
    with pytest.raises(ValueError, match="factor"):
        U.scale_sigma_t(b, 0.0)
    with pytest.raises(ValueError, match="k = 3"):
        U.subset_users(b, 3)


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
        assert full < bound - 1e-6                      # random S is strictly below the bound
        Sa, _ = U.recover(b.subset([i]), (sig * b.Ps)[None])
        assert np.isclose(U.sensing_mi_full(Sa[0], RT[i], b.H[i], b.p[i], b.noise), bound, rtol=1e-9)


def test_sensing_eigs_and_rate_against_dense(small):
    b, pr = small
    for i in range(4):
        G = b.Gn[i]
        e = np.sort(np.linalg.eigvalsh(np.linalg.inv(G @ G.conj().T + np.eye(b.Nr))))[::-1]
        assert np.allclose(pr.e[i], e)
    x = np.abs(make_rng(2, "x").standard_normal((b.B, b.Nt)))
    x /= 2 * x.sum(1, keepdims=True)
    direct = np.array([np.log2(1 + np.outer(b.a[i] * x[i], pr.e[i])).sum() / b.L for i in range(b.B)])
    assert np.allclose(pr.sr(x), direct)
    assert np.allclose(U.sensing_rate(x[:, None, :].repeat(3, 1), pr.a, pr.e, pr.L), direct[:, None])


def test_comm_model_against_dense_sinr(small):
    b, pr = small
    tau = np.linspace(0.0, 40.0, b.B)
    g = pr.cm.sinr(tau)
    zf = pr.cm.sinr(tau, zf=True)
    for i in range(b.B):
        G = b.Gn[i]
        c = 1 + tau[i] / b.L
        for k in range(b.K):
            others = [j for j in range(b.K) if j != k]
            R = sum(np.outer(G[:, j].conj(), G[:, j]) for j in others) + c * np.eye(b.Nr)
            hk = G[:, k]
            assert np.isclose(g[i, k], np.real(hk @ np.linalg.solve(R, hk.conj())))
            zk = 1 / np.real(np.linalg.inv(G.conj().T @ G)[k, k])
            assert np.isclose(zf[i, k], zk / c)
    assert np.allclose(pr.cm.rate(tau), np.log2(1 + g).mean(1))
    assert np.allclose(pr.Mc, pr.cm.rate(np.zeros(b.B)))
    assert np.all(zf <= g * (1 + 1e-12))


def test_mmse_sinr_and_recover(small):
    b, pr = small
    x = np.abs(make_rng(2, "x").standard_normal((b.B, b.Nt)))
    x /= x.sum(1, keepdims=True) * 1.3
    S, W = U.recover(b, x * b.Ps)
    assert S.shape == (b.B, b.L, b.Nt)
    assert np.allclose(np.einsum("bij,bij->b", S, S.conj()).real, x.sum(1) * b.Ps)
    sv = np.linalg.svd(S, compute_uv=False)
    assert np.allclose(np.sort(sv ** 2, 1), np.sort(x * b.Ps, 1))
    gain = np.sqrt(b.p) * np.einsum("bnk,bnk->bk", b.H, W)
    assert np.allclose(gain, 1.0)                                      # (20b): sqrt(p_k) h_k^T w_k = 1
    g = U.sinr_of_beams(b, W, S=S, R_T=U.R_T_of(b))
    assert np.allclose(g, pr.cm.sinr(pr.tau(x)), rtol=1e-8)
    assert np.allclose(U.sinr_of_beams(b, W, sigma_s=x * b.Ps), g)
    assert np.allclose(np.log2(1 + g).mean(1), pr.cr(x), rtol=1e-10)
    Wr = U.rayleigh(make_rng(3, "w"), W.shape)
    assert np.all(U.sinr_of_beams(b, Wr, sigma_s=x * b.Ps) < g)
    # the interference term is the trace tr(S R_T S^H) / L: more sensing power, lower SINR
    assert np.all(U.sinr_of_beams(b, W, sigma_s=2 * x * b.Ps) < g)


def test_sinr_of_beams_channel_override(small):
    b, pr = small
    x = np.full((b.B, b.Nt), 0.1)
    W = U.mmse_beams(b, x * b.Ps)
    rng = make_rng(7, "csi")
    tr, est = U.imperfect_csi(rng, b, 0.5)
    Wm = U.mmse_beams(est, x * b.Ps)
    on_true = U.sinr_of_beams(tr, Wm, sigma_s=x * b.Ps)
    best = U.sinr_of_beams(tr, U.mmse_beams(tr, x * b.Ps), sigma_s=x * b.Ps)
    assert np.all(on_true <= best * (1 + 1e-12)) and np.mean(on_true) < np.mean(best)
    assert np.allclose(U.sinr_of_beams(b, W, sigma_s=x * b.Ps, H=b.H), U.sinr_of_beams(b, W, sigma_s=x * b.Ps))


def test_imperfect_csi_model():
    b = U.draw_batch(make_rng(3, "c"), 4000, Nt=2, Nr=2, K=1, L=3)
    tr, est = U.imperfect_csi(make_rng(4, "c"), b, 0.3)
    amp = np.sqrt(b.p * b.xi / b.noise)[:, None, :]
    ht, he = tr.Gn / amp, est.Gn / amp
    assert np.isclose(np.mean(np.abs(ht) ** 2), 1.0, atol=0.05)
    assert np.isclose(np.mean(np.abs(he) ** 2), 1.0, atol=0.05)
    assert np.isclose(np.real(np.mean(ht * he.conj())), np.sqrt(0.3), atol=0.05)
    assert np.allclose(tr.a, b.a) and np.allclose(est.p, b.p)
    t1, e1 = U.imperfect_csi(make_rng(4, "c"), b, 1.0)
    assert np.allclose(t1.Gn, e1.Gn)
    # H (path loss kept) and the normalised Gn describe the same channel in both batches
    for x in (tr, est):
        assert np.allclose(x.H * np.sqrt(x.p / x.noise)[:, None, :], x.Gn)
        assert np.allclose(np.abs(x.H) ** 2 / b.xi[:, None, :], np.abs(x.Gn / amp) ** 2)


def test_imperfect_csi_true_given():
    b = U.draw_batch(make_rng(3, "c"), 4000, Nt=2, Nr=2, K=1, L=3)
    tr, est = U.imperfect_csi(make_rng(4, "c"), b, 0.3, true_given=True)
    amp = np.sqrt(b.p * b.xi / b.noise)[:, None, :]
    assert np.allclose(tr.Gn, b.Gn) and np.allclose(tr.H, b.H)       # the batch is the true channel
    ht, he = tr.Gn / amp, est.Gn / amp
    assert np.isclose(np.mean(np.abs(he) ** 2), 1.0, atol=0.05)        # same joint law as the default
    assert np.isclose(np.real(np.mean(ht * he.conj())), np.sqrt(0.3), atol=0.05)
    assert np.allclose(est.H * np.sqrt(est.p / est.noise)[:, None, :], est.Gn)
    t1, e1 = U.imperfect_csi(make_rng(4, "c"), b, 1.0, true_given=True)
    assert np.allclose(e1.Gn, b.Gn)


def test_scale_and_subset():
    b = U.draw_batch(make_rng(5, "s"), 6, Nt=4, Nr=4, K=3, L=6)
    s = U.scale_sigma_t(b, 2.0)
    assert np.allclose(s.a, 2 * b.a) and np.allclose(s.sigma_t, 2 * b.sigma_t) and np.allclose(s.Gn, b.Gn)
    u = U.subset_users(b, 2)
    assert u.K == 2 and np.allclose(u.Gn, b.Gn[:, :, :2]) and np.allclose(u.p, b.p[:, :2])
    c = U.concat_batches([b, s])
    assert c.B == 12 and np.allclose(c.a[6:], s.a)
    bu = U.draw_batch(make_rng(5, "s"), 6, Nt=4, Nr=4, K=3, L=6, with_UT=True)
    sb = bu.subset([1, 3])                                # every field selected, scalars kept
    assert sb.B == 2 and sb.Ps == bu.Ps and sb.noise == bu.noise and sb.L == bu.L
    assert np.allclose(sb.U_T, bu.U_T[[1, 3]]) and np.allclose(sb.H, bu.H[[1, 3]])
    assert np.allclose(sb.xi, bu.xi[[1, 3]]) and np.allclose(sb.dist, bu.dist[[1, 3]])


def test_imperfect_csi_keeps_the_target_model():
    b = U.draw_batch(make_rng(5, "s"), 6, Nt=4, Nr=4, K=3, L=6, with_UT=True)
    for tg in (False, True):
        for x in U.imperfect_csi(make_rng(6, "c"), b, 0.5, true_given=tg):
            assert x.U_T is not None and np.allclose(x.U_T, b.U_T) and np.allclose(x.sigma_t, b.sigma_t)
            assert x.Ps == b.Ps and x.noise == b.noise and np.allclose(x.dist, b.dist)


def test_waterfill_and_normalisers():
    rng = make_rng(4, "wf")
    g = rng.uniform(0.01, 3, (20, 7))
    p, mu = U.waterfill_batch(g, 1.0, 1.0)
    for i in range(20):
        pc, muc = comms.waterfill(g[i], 1.0, 1.0)
        assert np.allclose(p[i], pc) and np.isclose(mu[i], muc)
    pp, mup = U.waterfill_paper(g, 1.0, 1.0)
    assert np.allclose(mup, (1 + (1 / g).sum(1)) / 7)                        # level of (38)
    assert np.allclose(pp, np.maximum(mup[:, None] - 1 / g, 0))
    clipped = (pp == 0).any(1)
    assert clipped.any() and np.all(pp.sum(1)[clipped] > 1 + 1e-9)           # overspends when clipping
    assert np.allclose(pp.sum(1)[~clipped], 1.0)
    Ms, x = U.max_sensing_rate(g, 5, 8)
    assert np.allclose(Ms, 5 / 8 * np.log2(1 + g * x).sum(1))
    for _ in range(20):                                                       # water-filling is optimal
        y = rng.dirichlet(np.ones(7), size=20)
        assert np.all(5 / 8 * np.log2(1 + g * y).sum(1) <= Ms + 1e-12)


def test_exact_solver_vs_slsqp(small):
    from scipy.optimize import minimize
    b, pr = small
    fr = U.Frontier(pr, n_grid=24)
    x, tau, s, nu = fr.solve_kappa(fr.kappa, return_nu=True)
    assert fr.kkt_residual(fr.kappa, x, nu) < 1e-8
    assert fr.kkt_residual(fr.kappa, x) < 1e-8
    assert np.all(x.sum(-1) <= 1 + 1e-12) and np.all(x >= 0)
    assert np.allclose(tau, (pr.a[:, None, :] * x).sum(-1))
    assert np.allclose(s, U.sensing_rate(x, pr.a, pr.e, pr.L))
    for alpha in (0.3, 0.7):
        res = fr.solve(alpha, tol=1e-7)
        assert np.all(res["gap"] <= 1e-7)
        assert np.allclose(pr.wsnr(res["x"], alpha), res["value"])
        rng = make_rng(5, "ms")
        for i in range(4):
            sub = _one(pr, i)
            f = lambda z: -sub.wsnr(np.maximum(z, 0)[None], alpha)[0]
            best = -np.inf
            for _ in range(4):
                z0 = rng.dirichlet(np.ones(b.Nt)) * rng.uniform(0.2, 1)
                r = minimize(f, z0, method="SLSQP", bounds=[(0, 1)] * b.Nt,
                             constraints=[{"type": "ineq", "fun": lambda z: 1 - z.sum()}])
                best = max(best, -r.fun)
            assert best <= res["value"][i] + res["gap"][i] + 1e-7
            assert res["value"][i] >= best - 1e-5


def test_exact_solver_against_brute_force_nt2():
    """Nt = 2: the feasible set is a triangle; a fine grid bounds the optimum from below."""
    b = U.draw_batch(make_rng(8, "bf"), 6, Nt=2, Nr=3, K=2, L=4, snr_s_db=15, snr_c_db=5)
    pr = U.Problem.from_batch(b)
    g = np.linspace(0, 1, 201)
    X1, X2 = np.meshgrid(g, g)
    keep = X1 + X2 <= 1 + 1e-12
    pts = np.stack([X1[keep], X2[keep]], -1)
    for alpha in (0.0, 0.2, 0.5, 0.9, 1.0):
        res = U.Frontier(pr).solve(alpha, tol=1e-8)
        vals = pr.wsnr(np.broadcast_to(pts, (b.B,) + pts.shape).copy(), alpha)
        assert np.all(vals.max(1) <= res["value"] + res["gap"] + 1e-9)
        assert np.all(res["value"] >= vals.max(1) - 2e-3)
    assert np.allclose(U.Frontier(pr).solve(0.0)["value"], 1.0)


def test_kkt_residual_is_pure_and_detects_errors(small):
    b, pr = small
    fr = U.Frontier(pr, n_grid=12)
    x, _, _, nu = fr.solve_kappa(fr.kappa, return_nu=True)
    r1 = fr.kkt_residual(fr.kappa, x, nu)
    fr.solve(0.4)                                          # a solve in between changes nothing
    fr.solve_kappa(fr.kappa[:, :3])
    assert fr.kkt_residual(fr.kappa, x, nu) == r1
    assert fr.kkt_residual(fr.kappa, x) == fr.kkt_residual(fr.kappa, x)
    bad = x.copy()
    bad[..., 0] *= 1.05
    assert fr.kkt_residual(fr.kappa, bad) > 1e-4


def test_interval_bounds_dominate_objective(small):
    """Every intermediate frontier point lies below the bound of its interval (the certificate),
    and the bound is tight: it exceeds the interval's true maximum only at second order."""
    b, pr = small
    fr = U.Frontier(pr, n_grid=8)
    alpha = 0.5
    wS, wC = (alpha / pr.Ms)[:, None], ((1 - alpha) / pr.Mc)[:, None]
    C = pr.cm.rate(fr.tau)
    ub = fr._interval_bounds(fr.kappa, fr.tau, fr.sens, C, wS, wC)
    best = np.full(ub.shape, -np.inf)
    for t_ in np.linspace(0.0, 1.0, 41):
        km = fr.kappa[:, :-1] + t_ * (fr.kappa[:, 1:] - fr.kappa[:, :-1])
        x, tau, s = fr.solve_kappa(km)
        best = np.maximum(best, wS * s + wC * pr.cm.rate(tau))
    assert np.all(best <= ub + 1e-12)
    assert (ub - best).max() < 5e-3          # measured 8.7e-4; a first-order loose bound gives 4e-2
    F = wS * fr.sens + wC * C
    assert np.all(ub >= np.maximum(F[:, :-1], F[:, 1:]) - 1e-12)


def test_frontier_shape_used_by_certificate(small):
    """S(tau) concave with slope kappa; C(tau) convex and decreasing (the bound's premises)."""
    b, pr = small
    fr = U.Frontier(pr, n_grid=200)
    t, s, k = fr.tau, fr.sens, fr.kappa
    assert np.all(np.diff(t, axis=1) <= 1e-12) and np.all(np.diff(s, axis=1) <= 1e-12)
    slope = np.diff(s, axis=1) / np.where(np.diff(t, axis=1) != 0, np.diff(t, axis=1), np.nan)
    ok = np.isfinite(slope)
    assert np.all(slope[ok] <= k[:, 1:][ok] * (1 + 1e-6) + 1e-9)
    assert np.all(slope[ok] >= k[:, :-1][ok] * (1 - 1e-6) - 1e-9)
    tt = np.linspace(0, 30, 301)[None, :].repeat(b.B, 0)
    for zf in (False, True):
        C = pr.cm.rate(tt, zf)
        assert np.all(np.diff(C, axis=1) < 0)
        assert np.all(np.diff(C, 2, axis=1) >= -1e-12)


@pytest.mark.parametrize("Nt, Nr, K", [(2, 2, 1), (2, 2, 2), (3, 2, 2), (2, 5, 1)])
def test_solver_at_the_smallest_sizes(Nt, Nr, K):
    b = U.draw_batch(make_rng(9, "tiny", Nt, Nr, K), 8, Nt=Nt, Nr=Nr, K=K, L=Nt + 1)
    pr = U.Problem.from_batch(b)
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        res = U.Frontier(pr).solve(0.5)
    assert np.all(res["gap"] <= 1e-6) and np.all(np.isfinite(res["value"]))
