"""Tests of risisac.paper_a.unsupervised: the "Unsuper., w/ RIS" baseline (modulus layer, CI layer, loss)."""

import math

import numpy as np
import pytest
import torch

from risisac.paper_a import model as sm
from risisac.paper_a.admm_mm import feasible_start
from risisac.paper_a.crb import channels_from_batch, crb
from risisac.paper_a.doa_net import feasible_mask, start_for
from risisac.paper_a.unsupervised import (UnsupervisedNet, csi_features, loss_unsupervised, run_unsupervised,
                                          train_unsupervised)

torch.set_default_dtype(torch.float64)


@pytest.fixture(scope="module")
def batches():
    b3 = sm.sample_batch(sm.SLPConfig(M=4, N=8, K=3, L=4), 4, np.random.default_rng(3))
    b2 = sm.sample_batch(sm.SLPConfig(M=4, N=8, K=2, L=4), 4, np.random.default_rng(4))
    return b3, b2


def test_features_and_padding(batches):
    b3, b2 = batches
    f3, f2 = csi_features(b3, 3), csi_features(b2, 3)
    assert f3.shape == f2.shape == (4, 2 * 3 * (4 + 8 + 4))
    # the padded users are exactly zero; the present users' blocks are unit-RMS scaled
    h = b2.h_k / b2.h_k.abs().pow(2).mean().sqrt()
    assert torch.allclose(f2[:, :2 * 4], h.real.reshape(4, -1))
    assert torch.count_nonzero(f2[:, 2 * 4:3 * 4]) == 0
    with pytest.raises(ValueError, match="K = 3"):
        csi_features(b3, 2)


def test_modulus_layer_starts_at_the_common_reference(batches):
    b3, _ = batches
    net = UnsupervisedNet(3, 4, 8, 4)
    xb, phi = net.modulus_layer(b3)
    phi_t = sm.init_phi(b3, "target")
    assert torch.allclose(phi, phi_t)                      # zero-initialised last layer
    assert torch.allclose(xb, sm.project_phi(sm.init_x(b3, phi_t)))
    with torch.no_grad():
        net.mlp[-1].bias.fill_(0.3)
    xb, phi = net.modulus_layer(b3)
    assert torch.allclose(xb.abs(), torch.ones_like(xb.abs())) and torch.allclose(phi.abs(), torch.ones(4, 8))
    assert torch.allclose(phi, phi_t * np.exp(0.3j))


def test_ci_layer_is_the_projection_with_straight_through_gradient(batches):
    b3, _ = batches
    net = UnsupervisedNet(3, 4, 8, 4)
    xb, phi, xb_pre = net(b3)
    a = math.sqrt(b3.P / b3.M)
    assert torch.allclose(a * xb, feasible_start(b3, a * xb_pre.detach(), phi.detach()))
    assert feasible_mask(b3, a * xb, phi).double().mean() >= feasible_mask(b3, a * xb_pre, phi).double().mean()
    # backward: identity through the layer (gradient reaches the MLP)
    (xb.real.sum() + phi.imag.sum()).backward()
    assert net.mlp[-1].weight.grad is not None and net.mlp[-1].weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="differ"):
        UnsupervisedNet(3, 4, 16, 4).modulus_layer(b3)
    with pytest.raises(ValueError, match="hidden"):
        UnsupervisedNet(3, 4, 8, 4, hidden=0)


def test_loss_value(batches):
    b3, _ = batches
    net = UnsupervisedNet(3, 4, 8, 4)
    xb, phi, xb_pre = net(b3)
    a = math.sqrt(b3.P / b3.M)
    f0 = crb(channels_from_batch(b3), *start_for(b3))
    ref = (crb(channels_from_batch(b3), a * xb, phi) / f0).mean()
    g = sm.ci_values(b3, a * xb_pre, phi) / b3.gamma
    pen = torch.relu(g).pow(2).mean()
    assert pen > 0
    assert torch.allclose(loss_unsupervised(b3, f0, xb, phi, xb_pre, 0.0), ref)
    assert torch.allclose(loss_unsupervised(b3, f0, xb, phi, xb_pre, 2.0), ref + 2.0 * pen)


def test_training_lowers_the_loss_and_runs(batches):
    b3, b2 = batches
    torch.manual_seed(0)
    net = UnsupervisedNet(3, 4, 8, 4, hidden=16)
    f0 = crb(channels_from_batch(b3), *start_for(b3))
    hist = train_unsupervised(net, b3, f0, 15, lr=1e-2)
    assert len(hist) == 15 and hist[-1] < hist[0]
    out = run_unsupervised(net, b2)                         # transfer: fewer users
    assert out["X"].shape == (4, 4, 4) and torch.isfinite(out["crb"]).all()
    assert torch.allclose(out["crb"], crb(channels_from_batch(b2), out["X"], out["phi"]))
    with pytest.raises(ValueError, match="steps"):
        train_unsupervised(net, b3, f0, 0)
