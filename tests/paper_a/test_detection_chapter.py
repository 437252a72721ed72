"""Unit tests of the Paper A detection chapter: model, analytic gradients, DFP, ADMM-MM pieces."""

import numpy as np
import pytest
import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac.paper_a import admm_mm as am  # noqa: E402
from risisac import detection as det  # noqa: E402
from risisac.paper_a import detection_net as pu  # noqa: E402
from risisac.paper_a import model as sm  # noqa: E402
from risisac.paper_a import unfolding as uf  # noqa: E402
from risisac.book.rng import make_rng, seed_torch  # noqa: E402


@pytest.fixture(scope="module")
def small():
    cfg = sm.SLPConfig(N=8, L=6)
    b = sm.sample_batch(cfg, 3, make_rng(0, "test"))
    phi = sm.init_phi(b, "random", make_rng(1, "phi"))
    X = sm.project_x(torch.as_tensor(make_rng(2, "x").standard_normal((3, 6, 6))
                                     + 1j * make_rng(3, "x").standard_normal((3, 6, 6))), b.P)
    return cfg, b, X, phi


def test_geometry_matches_reference_distances():
    g = sm.geometry(sm.SLPConfig())
    assert np.isclose(g["d_bt"], 30) and np.isclose(g["d_br"], 30) and np.isclose(g["d_rt"], 3)
    assert np.allclose(g["d_ru"], 3)
    assert np.isclose(g["th_bt"], 0.0)


def test_sinr_matches_dense_mvdr(small):
    """Factored SINR == library Woodbury SINR == dense a^H R^{-1} a and the MVDR filter's SINR (17)."""
    cfg, b, X, phi = small
    s_fast = sm.fast_sinr(b, X, phi)
    s_lib = sm.radar_sinr(b, X, phi)
    # dense reference with explicit (I kron H) J matrices (tiny sizes only)
    M, L = b.M, b.L
    u0, uq = sm.radar_vectors(b, phi)
    for i in range(b.B):
        H0 = torch.kron(torch.eye(L, dtype=sm.CDT), u0[i][:, None] * u0[i][None, :])
        R = b.sigma2 * torch.eye(M * L, dtype=sm.CDT)
        for q, d in enumerate(b.bins):
            Jq = torch.diag(torch.ones(M * L - M * d, dtype=sm.CDT), -M * d)
            Hq = torch.kron(torch.eye(L, dtype=sm.CDT), uq[i, q][:, None] * uq[i, q][None, :]) @ Jq
            v = Hq @ sm.vec(X[i])
            R = R + b.xiq_2[q] * v[:, None] * v.conj()[None, :]
        a = H0 @ sm.vec(X[i])
        dense = (a.conj() @ torch.linalg.solve(R, a)).real * b.xi0_2
        assert torch.isclose(dense, s_fast[i], rtol=1e-9)
        assert torch.isclose(dense, s_lib[i], rtol=1e-9)
    w = sm.mvdr(b, X, phi)
    _, _, a, U = sm._a_U(b, X, phi)
    s_w = det.sinr_of_filter(w.numpy(), a.numpy(), U.numpy(), b.sigma2, b.xi0_2)
    assert np.allclose(s_w, s_fast.numpy(), rtol=1e-9)


def test_sinr_gradients_vs_autograd(small):
    cfg, b, X, phi = small
    Xr, pr = X.clone().requires_grad_(True), phi.clone().requires_grad_(True)
    sm.radar_sinr(b, Xr, pr).sum().backward()          # library (Woodbury) path, autograd
    _, gX, gp = sm.sinr_and_grads(b, X, phi)
    assert torch.allclose(Xr.grad, 2 * gX, rtol=1e-8, atol=1e-12 * gX.abs().max())
    assert torch.allclose(pr.grad, 2 * gp, rtol=1e-8, atol=1e-12 * gp.abs().max())


def test_sinr_gradient_finite_difference(small):
    """Real gradient 2[Re g, Im g] against a central finite difference along a random direction."""
    cfg, b, X, phi = small
    _, gX, gp = sm.sinr_and_grads(b, X, phi)
    rng = make_rng(5, "fd")
    dX = torch.as_tensor(rng.standard_normal(X.shape) + 1j * rng.standard_normal(X.shape))
    dp = torch.as_tensor(rng.standard_normal(phi.shape) + 1j * rng.standard_normal(phi.shape))
    h = 1e-6
    fd = (sm.fast_sinr(b, X + h * dX, phi + h * dp) - sm.fast_sinr(b, X - h * dX, phi - h * dp)) / (2 * h)
    lin = 2 * ((gX.conj() * dX).sum((-1, -2)) + (gp.conj() * dp).sum(-1)).real
    assert torch.allclose(fd, lin, rtol=1e-5)


def test_ci_values_grads_and_linear_forms(small):
    cfg, b, X, phi = small
    beta = torch.as_tensor(make_rng(4, "beta").uniform(size=(b.B, b.K, b.L)))
    Xr, pr = X.clone().requires_grad_(True), phi.clone().requires_grad_(True)
    (beta * sm.ci_values(b, Xr, pr)).sum().backward()
    gX, gp = sm.ci_grads(b, X, phi, beta)
    assert torch.allclose(Xr.grad, 2 * gX) and torch.allclose(pr.grad, 2 * gp)
    g = sm.ci_values(b, X, phi)
    V, d = sm.ci_linear_x(b, phi)
    lin = ((V @ X.mT[..., None])[..., 0].real - d)             # (B, L, 2K)
    assert torch.allclose(lin.reshape(b.B, b.L, 2, b.K).amax(2).mT, g, atol=1e-15)
    V, d = sm.ci_linear_phi(b, X)
    lin = ((V @ phi[..., None])[..., 0].real - d).reshape(b.B, 2, b.K, b.L).amax(1)
    assert torch.allclose(lin, g, atol=1e-15)


def test_lowrank_dfp_equals_dense():
    rng = make_rng(6, "dfp")
    n, B = 7, 2
    lr = uf.LowRankDFP()
    Bm = torch.eye(n).expand(B, n, n)
    for _ in range(3):
        y = torch.as_tensor(rng.standard_normal((B, n)))
        d = y + 0.1 * torch.as_tensor(rng.standard_normal((B, n)))     # y^T d > 0
        lr.masked_update(y, d, torch.ones(B, dtype=torch.bool))
        Bm = uf.dfp_update(Bm, y, d)
        assert torch.allclose((Bm @ y[..., None])[..., 0], d)          # secant equation
    g = torch.as_tensor(rng.standard_normal((B, n)))
    assert torch.allclose(lr.apply(g), (Bm @ g[..., None])[..., 0])


def test_polyhedron_projection_kkt():
    rng = make_rng(7, "poly")
    V = torch.as_tensor(rng.standard_normal((2, 5, 4)) + 1j * rng.standard_normal((2, 5, 4)))
    d = torch.as_tensor(rng.uniform(-1, 0, (2, 5)))
    c = torch.as_tensor(rng.standard_normal((2, 4)) + 1j * rng.standard_normal((2, 4)))
    z = am.proj_polyhedron(c, V, d, iters=3000)
    assert ((V @ z[..., None])[..., 0].real - d).max() < 1e-6
    # optimality vs a few random feasible points: none closer to c
    import cvxpy as cp
    for i in range(2):
        zr = cp.Variable(8)
        A = np.hstack([V[i].real.numpy(), -V[i].imag.numpy()])
        cc = np.concatenate([c[i].real.numpy(), c[i].imag.numpy()])
        cp.Problem(cp.Minimize(cp.sum_squares(zr - cc)), [A @ zr <= d[i].numpy()]).solve()
        assert np.allclose(np.concatenate([z[i].real, z[i].imag]), zr.value, atol=1e-4)


def test_unfolded_network_runs_and_is_feasible_after_repair(small):
    cfg, b, X, phi = small
    seed_torch(0, "net")
    net = uf.UnfoldedADMM(T=2, J=1, R=2)
    out = pu.run_proposed(net, b, "ris")
    assert torch.allclose(out["X"].abs(), torch.full_like(out["X"].abs(), np.sqrt(b.P / b.M)))
    assert torch.allclose(out["phi"].abs(), torch.ones_like(out["phi"].abs()))
    assert (sm.ci_values(b, out["X"], out["phi"]) <= 1e-12).all()
    assert (out["sinr"] > 0).all()


def test_admm_mm_monotone_and_feasible(small):
    cfg, b, X, phi = small
    X0, phi0 = pu.start_point(b, "ris")
    out = am.admm_mm(b, X0, phi0, iters=3, trace=True)
    tr = out["trace"]
    assert (tr[:, 1:] >= tr[:, :-1] * (1 - 1e-12)).all()
    assert (sm.ci_values(b, out["X"], out["phi"]) <= 1e-12).all()
