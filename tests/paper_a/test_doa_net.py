"""Tests of risisac.paper_a.doa_net: problem (42) in normalised units, the PHR network (Alg. 2),
its training loss, the common start point, the runner, raw feasibility and the repair."""

import math

import numpy as np
import pytest
import torch

from risisac.paper_a import model as sm
from risisac.paper_a.admm_mm import feasible_start
from risisac.paper_a.crb import channels_from_batch, crb
from risisac.paper_a.doa_net import (DoaProblem, UnfoldedPHR, feasibility, feasible_mask, loss_crb, make_net,
                                     make_problem, repair, run_doa, start_for, train_doa)
from risisac.paper_a.unfolding import UnfoldedADMM
from risisac.paper_a import train_doa as td

torch.set_default_dtype(torch.float64)


@pytest.fixture(scope="module")
def batch():
    return sm.sample_batch(sm.SLPConfig(M=4, N=8, K=2, L=4), 4, np.random.default_rng(2))


def test_problem_objective_and_gradients(batch):
    pr, s = make_problem(batch, "ris")
    a = math.sqrt(batch.P / batch.M)
    # normalised objective: CRB / CRB(start); 1 at the start
    f, _ = pr.fx(s.x, s.phi)
    assert torch.allclose(f, torch.ones(4), rtol=1e-12)
    assert torch.allclose(pr.f0, crb(channels_from_batch(batch), a * s.x, s.phi), rtol=1e-12)
    rng = np.random.default_rng(3)
    xb = sm.project_phi(torch.as_tensor(rng.standard_normal(s.x.shape) + 1j * rng.standard_normal(s.x.shape)))
    phi = sm.project_phi(torch.as_tensor(rng.standard_normal(s.phi.shape) + 1j * rng.standard_normal(s.phi.shape)))
    xr, pr_ = xb.clone().requires_grad_(True), phi.clone().requires_grad_(True)
    f, g = pr.fx(xr, phi)
    f.sum().backward()
    assert torch.allclose(2 * g, xr.grad, rtol=1e-7)          # conj-gradient convention: autograd = 2 df/dz*
    f2, gp = pr.fphi(xb, pr_)
    f2.sum().backward()
    assert torch.allclose(2 * gp, pr_.grad, rtol=1e-7)
    assert torch.allclose(f, f2.detach(), rtol=1e-12)


def test_constraints_in_units_of_gamma(batch):
    pr, s = make_problem(batch, "ris")
    a = math.sqrt(batch.P / batch.M)
    c = pr.cons(s.x, s.phi)
    assert torch.allclose(c, sm.ci_values(batch, a * s.x, s.phi) / batch.gamma, rtol=1e-12)
    assert make_problem(batch, "ris", qos=False)[0].cons(s.x, s.phi) is None


def test_loss_is_crb_plus_violation_penalty(batch):
    pr, s = make_problem(batch, "ris")
    rng = np.random.default_rng(4)
    x = sm.project_phi(torch.as_tensor(rng.standard_normal(s.x.shape) + 1j * rng.standard_normal(s.x.shape)))
    s2 = type(s)(x, s.phi, s.v, s.vphi, s.mu1, s.mu2, s.beta_x, s.beta_phi)
    a = math.sqrt(batch.P / batch.M)
    g = sm.ci_values(batch, a * x, s.phi) / batch.gamma
    assert bool((g > 0).any())
    crb_part = (crb(pr.ch, a * x, s.phi) / pr.f0).mean()
    pen = torch.relu(g).pow(2).mean()
    assert torch.allclose(loss_crb(pr, s2, 0.0), crb_part, rtol=1e-12)
    assert torch.allclose(loss_crb(pr, s2, 3.0), crb_part + 3.0 * pen, rtol=1e-12)
    # radar-only problem: no penalty
    pr0, _ = make_problem(batch, "ris", qos=False)
    assert torch.allclose(loss_crb(pr0, s2, 3.0), crb_part, rtol=1e-12)


def test_make_net_variants():
    assert isinstance(make_net("phr", 1, 1, 1), UnfoldedPHR) and make_net("phr", 1, 1, 1).alm == "phr"
    alm = make_net("alm", 2, 1, 3)
    assert type(alm) is UnfoldedADMM and alm.alm == "plain" and (alm.T, alm.J, alm.R) == (2, 1, 3)
    with pytest.raises(ValueError, match="method"):
        make_net("sgd", 1, 1, 1)


def test_start_points_are_feasible_for_every_scheme(batch):
    X0, phi0 = start_for(batch)
    assert bool(feasible_mask(batch, X0, phi0).all())
    phi_r = sm.init_phi(batch, "random", np.random.default_rng(5))
    Xr, pr_ = start_for(batch, "rand", phi0=phi_r)
    assert torch.equal(pr_, phi_r)
    # random RIS gets the same start rule: ZF on the modulus set, moved into the CI region
    assert torch.allclose(Xr, feasible_start(batch, sm.init_x(batch, phi_r), phi_r))
    assert feasible_mask(batch, Xr, phi_r).double().mean() >= feasible_mask(batch, sm.init_x(batch, phi_r), phi_r).double().mean()


def test_run_doa_trace_and_modulus(batch):
    torch.manual_seed(0)
    for m in ("phr", "alm"):
        net = make_net(m, 2, 1, 2)
        out = run_doa(net, batch, trace=True)
        fe = feasibility(batch, out["X"], out["phi"])
        assert fe["mod_x"] < 1e-12 and fe["mod_phi"] < 1e-12
        assert out["trace"].shape == (4, 3)
        assert torch.allclose(out["trace"][:, 0], out["f0"]) and torch.allclose(out["trace"][:, -1], out["crb"])
        st = start_for(batch)
        assert torch.allclose(out["start"][0], st[0]) and torch.allclose(out["start"][1], st[1])
    # zero layers return the start; a given start is used as is
    out0 = run_doa(net, batch, layers=0, start=st)
    assert out0["X"] is st[0] and out0["phi"] is st[1] and torch.allclose(out0["crb"], out0["f0"])
    # random RIS: phi never moves
    phi_r = sm.init_phi(batch, "random", np.random.default_rng(6))
    o = run_doa(make_net("phr", 1, 1, 2), batch, mode="rand", phi0=phi_r)
    assert torch.allclose(o["phi"], phi_r)


def test_training_lowers_the_loss(batch):
    torch.manual_seed(1)
    net = make_net("phr", 2, 1, 2)
    hist = train_doa(net, batch, epochs=3)
    assert len(hist) == 2 * 4 and all(math.isfinite(h[2]) for h in hist)
    # the trained layers are used: outputs differ from an untrained copy
    torch.manual_seed(1)
    assert not torch.allclose(run_doa(net, batch)["X"], run_doa(make_net("phr", 2, 1, 2), batch)["X"])


def test_feasible_mask_and_feasibility(batch):
    X0, phi0 = start_for(batch)
    a = math.sqrt(batch.P / batch.M)
    g = sm.ci_values(batch, X0, phi0) / batch.gamma
    assert torch.equal(feasible_mask(batch, X0, phi0), g.amax((1, 2)) <= 1e-9)
    bad = -X0                                     # sign flip: CI margins reversed
    m = feasible_mask(batch, bad, phi0)
    fe = feasibility(batch, bad, phi0)
    assert fe["feasible"] == pytest.approx(m.double().mean().item())
    assert fe["qos_viol"] == pytest.approx(float(torch.relu(sm.ci_values(batch, bad, phi0) / batch.gamma).max()))
    assert fe["mod_x"] < 1e-12
    fe2 = feasibility(batch, 1.1 * X0, phi0 * 0.9, qos=False)
    assert fe2["mod_x"] == pytest.approx(0.1) and fe2["mod_phi"] == pytest.approx(0.1) and "feasible" not in fe2
    assert abs(X0.abs().mean().item() - a) < 1e-12


def test_repair_policy(batch):
    X0, phi0 = start_for(batch)
    bad = -X0
    was = feasible_mask(batch, bad, phi0)
    X, phi, fired, fallback = repair(batch, bad, phi0, X0, phi0)
    assert torch.equal(fired, ~was)
    assert bool(feasible_mask(batch, X, phi).all())
    # a feasible design is not touched
    X2, phi2, fired2, fb2 = repair(batch, X0, phi0, X0, phi0)
    assert torch.equal(X2, X0) and not bool(fired2.any()) and not bool(fb2.any())


def test_problem_defaults_keep_the_qos_constraints_and_the_start_crb(batch):
    X0, phi0 = start_for(batch)
    pr = DoaProblem(batch, X0, phi0)                       # defaults: the QoS constraints are on
    c = pr.cons(pr.xb0, phi0)
    assert c is not None and c.shape == (batch.B, batch.K, batch.L)
    assert DoaProblem(batch, X0, phi0, qos=False).cons(pr.xb0, phi0) is None
    # the normaliser is the start point's CRB itself (small in rad^2 at high power), not clamped to 1
    bp = batch.with_power(60.0)
    X0, phi0 = start_for(bp)
    f0 = crb(channels_from_batch(bp), X0, phi0)
    assert bool((f0 < 1e-2).all()) and torch.allclose(DoaProblem(bp, X0, phi0).f0, f0, rtol=1e-14)


def test_problem_subset_matches_a_problem_built_on_the_subset():
    """Mini-batch training (train_doa's ``batch``) restricts the problem, its channels included."""
    from risisac.paper_a.crb import crb
    p = td.PROFILES["smoke"]
    b = sm.sample_batch(td.config(p), 10, np.random.default_rng(0))
    pr, s = make_problem(b)
    idx = torch.tensor([3, 1, 7])
    ps = pr.subset(idx)
    X, phi = pr.a * s.x[idx], s.phi[idx]
    pb, _ = make_problem(b.subset(idx), start=(X, phi))
    assert torch.allclose(ps.f0, pb.f0)
    assert torch.allclose(crb(ps.ch, X, phi), crb(pb.ch, X, phi))
    assert torch.allclose(ps.fx(s.x[idx], phi)[1], pb.fx(s.x[idx], phi)[1])
