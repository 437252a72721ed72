"""Tests of risisac.paper_a.crb: the DoA CRB (39)-(41)/(56)-(58), its closed-form gradients, and the ML check."""

import numpy as np
import pytest
import torch

from risisac.paper_a import model as sm
from risisac.paper_a.crb import (channels_from_batch, columns, crb, crb_and_grad, crb_from_full_fim,
                             crb_matrix, fim_full_dense, gram_matrix)
from risisac.paper_a.doa_net import ml_doa_monte_carlo, steering_for
from risisac.estimation import fim_gaussian_mean, schur

torch.set_default_dtype(torch.float64)


@pytest.fixture(scope="module")
def small():
    cfg = sm.SLPConfig(M=4, N=8, K=2, L=4)
    b = sm.sample_batch(cfg, 3, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    X = sm.project_x(torch.as_tensor(rng.standard_normal((3, 4, 4)) + 1j * rng.standard_normal((3, 4, 4))), b.P)
    phi = sm.init_phi(b, "random", rng)
    return cfg, b, X, phi


def test_crb_matches_dense_fim(small):
    _, b, X, phi = small
    ch = channels_from_batch(b)
    f = crb(ch, X, phi)
    for i in range(3):
        F = fim_full_dense(ch, X, phi, i)
        assert torch.allclose(crb_from_full_fim(F), f[i], rtol=1e-8)
        # the Schur complement of the library agrees with the 4x4 inverse
        J = schur(F.numpy(), [0, 1])
        assert np.allclose(np.linalg.inv(J).trace(), f[i].item(), rtol=1e-8)


def test_fim_with_finite_difference_mean(small):
    """(56a)-(56b) against central differences of the mean in the two angles."""
    cfg, b, X, phi = small
    g = sm.geometry(cfg)
    th = np.array([g["th_bt"], g["th_rt"]], float)
    ch = channels_from_batch(b)
    Bm, U, _ = columns(ch, X, phi)

    def mean(t0, tR):
        hb, hr = steering_for(b, 0, np.array([t0]), np.array([tR]))
        u = hb[0] + b.G[0].T @ (phi[0] * hr[0])
        return (u[:, None] * u[None, :]) @ X[0]

    h = 1e-6
    d0 = (mean(th[0] + h, th[1]) - mean(th[0] - h, th[1])) / (2 * h)
    dR = (mean(th[0], th[1] + h) - mean(th[0], th[1] - h)) / (2 * h)
    assert torch.allclose(mean(*th), Bm[0, 0], rtol=1e-10, atol=1e-18)
    assert torch.allclose(d0, Bm[0, 1], rtol=1e-5, atol=1e-6 * Bm[0, 1].abs().max().item())
    assert torch.allclose(dR, Bm[0, 2], rtol=1e-5, atol=1e-6 * Bm[0, 2].abs().max().item())


def test_crb_gradients_vs_autograd(small):
    _, b, X, phi = small
    ch = channels_from_batch(b)
    Xr = X.clone().requires_grad_(True)
    pr = phi.clone().requires_grad_(True)
    f, gX, gp = crb_and_grad(ch, Xr, pr)
    f.sum().backward()
    assert torch.allclose(gX, Xr.grad, rtol=1e-7, atol=1e-9 * Xr.grad.abs().max().item())
    assert torch.allclose(gp, pr.grad, rtol=1e-7, atol=1e-9 * pr.grad.abs().max().item())


def test_crb_gradient_finite_difference(small):
    _, b, X, phi = small
    ch = channels_from_batch(b)
    f, gX, gp = crb_and_grad(ch, X, phi)
    rng = np.random.default_rng(5)
    dX = torch.as_tensor(rng.standard_normal(X.shape) + 1j * rng.standard_normal(X.shape)) * 1e-6 * X.abs().mean()
    dp = torch.as_tensor(rng.standard_normal(phi.shape) + 1j * rng.standard_normal(phi.shape)) * 1e-6
    fd = (crb(ch, X + dX, phi + dp) - crb(ch, X - dX, phi - dp)) / 2
    lin = (gX.conj() * dX).real.sum((1, 2)) + (gp.conj() * dp).real.sum(-1)
    assert torch.allclose(fd, lin, rtol=1e-5)


def test_crb_scales_with_power(small):
    """Without clutter the CRB is inversely proportional to P (C = sigma^2 I)."""
    _, b, X, phi = small
    ch = channels_from_batch(b)
    ch0 = type(ch)(**{**ch.__dict__, "xi2": torch.zeros(3)})
    assert torch.allclose(crb(ch0, 2 * X, phi), crb(ch0, X, phi) / 4, rtol=1e-10)


def test_ml_estimator_runs_and_is_near_crb():
    """At high SNR the local ML estimator attains the CRB (asymptotic efficiency)."""
    cfg = sm.SLPConfig(M=6, N=8, K=2, L=8, P_dbw=60.0)
    b = sm.sample_batch(cfg, 1, np.random.default_rng(6))
    X0, phi0 = sm.init_x(b, sm.init_phi(b)), sm.init_phi(b)
    g = sm.geometry(cfg)
    mse, C = ml_doa_monte_carlo(b, 0, X0, phi0, [g["th_bt"], g["th_rt"]], 300, np.random.default_rng(7))
    ratio = mse / np.diag(C)
    assert np.all(ratio > 0.6) and np.all(ratio < 1.6)


def test_ml_per_trial_matches_mse():
    cfg = sm.SLPConfig(M=6, N=8, K=2, L=8, P_dbw=60.0)
    b = sm.sample_batch(cfg, 1, np.random.default_rng(6))
    X0, phi0 = sm.init_x(b, sm.init_phi(b)), sm.init_phi(b)
    g = sm.geometry(cfg)
    th = [g["th_bt"], g["th_rt"]]
    mse, _ = ml_doa_monte_carlo(b, 0, X0, phi0, th, 50, np.random.default_rng(8))
    e2, _ = ml_doa_monte_carlo(b, 0, X0, phi0, th, 50, np.random.default_rng(8), per_trial=True)
    assert e2.shape == (50, 2) and np.allclose(e2.mean(0), mse)


def test_steering_for_reproduces_batch_channels(small):
    cfg, b, _, _ = small
    g = sm.geometry(cfg)
    hb, hr = steering_for(b, 0, np.array([g["th_bt"]]), np.array([g["th_rt"]]))
    assert torch.allclose(hb[0], b.h_bt[0]) and torch.allclose(hr[0], b.h_rt[0])
