"""risisac.paper_b.baselines: Average, ZFBF, Traditional (AO + SCA) and the projection."""

import numpy as np
import pytest

from risisac.book.rng import make_rng
from risisac.paper_b import baselines as UB
from risisac.paper_b import model as U


def test_projection_onto_budget():
    rng = make_rng(0, "proj")
    y = rng.normal(0, 1, (200, 5))
    p = UB.proj_capped_simplex(y)
    assert np.all(p >= 0) and np.all(p.sum(1) <= 1 + 1e-12)
    for i in range(20):                                  # optimality: no feasible point is closer
        z = rng.dirichlet(np.ones(5), 50) * rng.uniform(0, 1, (50, 1))
        assert np.all(((z - y[i]) ** 2).sum(1) >= ((p[i] - y[i]) ** 2).sum() - 1e-12)
    inside = np.full((3, 5), 0.1)
    assert np.allclose(UB.proj_capped_simplex(inside), inside)


def test_baselines_feasible_and_below_optimum(small):
    b, pr = small
    fr = U.Frontier(pr, n_grid=24)
    for alpha in (0.0, 0.5, 1.0):
        opt = fr.solve(alpha, tol=1e-7)
        xt = UB.traditional_scheme(pr, alpha, ao_iters=3, inner_iters=10)
        xa = UB.average_scheme(pr)
        xz = UB.zfbf_scheme(pr, alpha, fr)
        assert np.allclose(xa, 1 / b.Nt)
        for xx in (xt, xa, xz):
            assert np.all(xx >= 0) and np.all(xx.sum(1) <= 1 + 1e-9)
            assert np.all(pr.wsnr(xx, alpha) <= opt["value"] + opt["gap"] + 1e-9)
        assert np.all(pr.wsnr(xz, alpha, zf=False) >= alpha * pr.sr(xz) / pr.Ms
                      + (1 - alpha) * pr.cr(xz, zf=True) / pr.Mc - 1e-12)  # ZF <= MMSE
        zopt = fr.solve(alpha, zf=True, tol=1e-7)
        assert np.allclose(pr.wsnr(xz, alpha, zf=True), zopt["value"], atol=1e-4)
    assert np.allclose(fr.solve(0.0)["value"], 1.0)  # WSNR = 1 at alpha = 0


def test_traditional_converges_to_optimum_with_tolerance(small):
    b, pr = small
    fr = U.Frontier(pr)
    for alpha in (0.3, 0.5, 0.8):
        opt = fr.solve(alpha, tol=1e-8)
        x, hist, info = UB.traditional_scheme(pr, alpha, ao_iters=50, inner_iters=100, tol=1e-6,
                                              history=True, info=True)
        gap = opt["value"] - pr.wsnr(x, alpha)
        assert np.median(gap) < 1e-5 and np.mean(gap) < 2e-3   # local method: a few samples stall
        assert np.all(np.diff(hist, axis=0) >= -1e-9)     # AO never decreases the objective
        assert info["ao"].max() < 50 and info["ao"].min() >= 1
        assert hist.shape[0] == info["ao"].max() + 1
    x0 = UB.average_scheme(pr)
    start = pr.wsnr(x0, 0.5)
    assert np.all(pr.wsnr(UB.traditional_scheme(pr, 0.5, ao_iters=1, inner_iters=5), 0.5) >= start - 1e-12)
    assert np.mean(pr.wsnr(UB.traditional_scheme(pr, 0.5, ao_iters=1, inner_iters=5), 0.5) - start) > 1e-4


def test_traditional_step_is_bounded_and_quiet():
    b = U.draw_batch(make_rng(11, "step"), 30, Nt=3, Nr=2, K=2, L=4, snr_s_db=30, snr_c_db=20)
    pr = U.Problem.from_batch(b)
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        x = UB.traditional_scheme(pr, 0.5, ao_iters=10, inner_iters=30, tol=1e-6)
    assert np.all(np.isfinite(x)) and np.all(x.sum(1) <= 1 + 1e-12)
    with pytest.raises(ValueError, match="x0"):
        UB.traditional_scheme(pr, 0.5, x0=np.zeros((2, 3)))


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


def test_beam_stats_match_dense(small):
    b, pr = small
    tau = np.full(b.B, 5.0)
    s, I, n = UB._beams_stats(pr, tau)
    c = 1 + tau / b.L
    for i in range(3):
        G = b.Gn[i]
        for k in range(b.K):
            others = [j for j in range(b.K) if j != k]
            A = sum(np.outer(G[:, j].conj(), G[:, j]) for j in others)
            wv = np.linalg.solve(A + c[i] * np.eye(b.Nr), G[:, k].conj())
            assert np.isclose(s[i, k], abs(G[:, k] @ wv) ** 2)
            assert np.isclose(n[i, k], np.linalg.norm(wv) ** 2)
            assert np.isclose(I[i, k], sum(abs(G[:, j] @ wv) ** 2 for j in others))
