"""risisac.paper_a.model: geometry, SINR (21a) and its analytic gradients, CI constraints (19)."""

import numpy as np
import pytest
import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac import detection as det  # noqa: E402
from risisac.book.rng import make_rng  # noqa: E402
from risisac.paper_a import model as sm  # noqa: E402


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


def test_bad_config_is_a_clear_error():
    with pytest.raises(ValueError, match="range bins"):
        sm.SLPConfig(L=2)
    with pytest.raises(ValueError, match="N must be >= 1"):
        sm.SLPConfig(N=0)


def test_shift_gathers_are_the_delays(small):
    cfg, b, X, phi = small
    i_f, m_f, i_a, m_a = sm._shift_index(b.L, b.bins)
    V = X[:, :3, :]                                           # (B, Q=3, L) any complex rows
    fwd = sm._shift(V, i_f, m_f)
    adj = sm._shift(V, i_a, m_a)
    for q, d in enumerate(b.bins):
        assert torch.equal(fwd[:, q], det.delay(V[:, q], d))
        assert torch.equal(adj[:, q], sm.advance(V[:, q], d))


def test_sinr_matches_dense_mvdr(small):
    """Factored SINR == library Woodbury SINR == dense a^H R^{-1} a and the MVDR filter's SINR (17)."""
    cfg, b, X, phi = small
    s_fast = sm.fast_sinr(b, X, phi)
    s_lib = sm.radar_sinr(b, X, phi)
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
    # the cached radar vectors (x block) give the same numbers
    s1, gX1, _ = sm.sinr_and_grads(b, X, phi, True, False, u=sm.radar_cache(b, phi))
    assert torch.allclose(gX1, gX, rtol=1e-12, atol=0) and torch.allclose(s1, sm.fast_sinr(b, X, phi))


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


def test_projections_and_initial_points(small):
    cfg, b, X, phi = small
    assert torch.allclose(sm.project_x(3 * X, b.P).abs(), torch.full(X.shape, np.sqrt(b.P / b.M)))
    assert torch.allclose(sm.project_phi(2 * phi).abs(), torch.ones(phi.shape))
    p0 = sm.init_phi(b, "target")
    u0, _ = sm.radar_vectors(b, p0)
    u_rand, _ = sm.radar_vectors(b, phi)
    assert (u0.norm(dim=-1) > u_rand.norm(dim=-1)).all()     # co-phasing raises the target gain
