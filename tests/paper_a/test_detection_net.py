"""risisac.paper_a.detection_net: the detection problem's fast blocks, constraint scaling, loss,
mini-batch subsets and the scheme runner."""

import numpy as np
import pytest
import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac.book.rng import make_rng, seed_torch  # noqa: E402
from risisac.paper_a import detection_net as pu  # noqa: E402
from risisac.paper_a import model as sm  # noqa: E402
from risisac.paper_a import unfolding as uf  # noqa: E402


@pytest.fixture(scope="module")
def setup():
    b = sm.sample_batch(sm.SLPConfig(N=8, L=6), 3, make_rng(0, "dn"))
    X0, phi0 = pu.start_point(b, "ris")
    rng = make_rng(1, "pt")
    X = sm.project_x(torch.as_tensor(rng.standard_normal((3, 6, 6)) + 1j * rng.standard_normal((3, 6, 6))), b.P)
    phi = sm.init_phi(b, "random", make_rng(2, "phi"))
    return b, X0, phi0, X, phi


@pytest.mark.parametrize("scale", ["gamma", "amplitude"])
def test_blocks_equal_plain_methods(setup, scale):
    b, X0, phi0, X, phi = setup
    pr = pu.DetectionProblem(b, X0, phi0, cons_scale=scale)
    xb = X / pr.a
    s = uf.ADMMState(xb, phi, xb, phi, xb, phi, None, None)
    w = torch.as_tensor(make_rng(3, "w").uniform(size=(b.B, b.K, b.L)))
    for which, z in (("x", xb), ("phi", phi)):
        blk = pr.block(which, s)
        gen = uf.GenericBlock(pr, which, s)
        f1, g1 = blk.value_grad(z)
        f2, g2 = gen.value_grad(z)
        assert torch.allclose(f1, f2, rtol=1e-12) and torch.allclose(g1, g2, rtol=1e-10, atol=1e-14 * float(g2.abs().max()))
        assert torch.allclose(blk.cons(z), gen.cons(z), rtol=1e-10, atol=1e-12)
        c1, c2 = blk.cons_grad(z, w), gen.cons_grad(z, w)
        assert torch.allclose(c1, c2, rtol=1e-10, atol=1e-14 * float(c2.abs().max()))
        # a modulus projection z a/|z| is well conditioned (a few eps relative): 1e-13 is ~500 eps
        pg = gen.proj(2 * z)
        assert torch.allclose(blk.proj(2 * z), pg, rtol=0, atol=1e-13 * float(pg.abs().max()))


def test_gamma_scaling_counts_violations_in_thresholds(setup):
    b, X0, phi0, X, phi = setup
    pr = pu.DetectionProblem(b, X0, phi0)
    assert torch.allclose(pr.cons(X / pr.a, phi), sm.ci_values(b, X, phi) / b.gamma)
    amp = pu.DetectionProblem(b, X0, phi0, cons_scale="amplitude")
    assert (amp.gs > 10 * b.gamma).all()          # the old scale made violations look small
    with pytest.raises(ValueError, match="cons_scale"):
        pu.DetectionProblem(b, X0, phi0, cons_scale="none")


def test_objective_is_negative_normalised_sinr(setup):
    b, X0, phi0, X, phi = setup
    pr = pu.DetectionProblem(b, X0, phi0)
    f, _ = pr.fx(pr.xb0, phi0)
    assert torch.allclose(f, -torch.ones(b.B))
    f, _ = pr.fx(X / pr.a, phi)
    assert torch.allclose(f, -sm.fast_sinr(b, X, phi) / pr.S0)


def test_loss_penalises_violation(setup):
    b, X0, phi0, X, phi = setup
    pr = pu.DetectionProblem(b, X0, phi0)
    s = uf.ADMMState(X / pr.a, phi, X / pr.a, phi, X, phi, None, None)
    c = pr.cons(X / pr.a, phi)
    base = -(sm.fast_sinr(b, X, phi) / pr.S0).mean()
    assert torch.isclose(pu.loss_sinr(pr, s, w_viol=0.0), base)
    assert torch.isclose(pu.loss_sinr(pr, s, w_viol=2.0), base + 2.0 * torch.relu(c).pow(2).mean())


def test_subset(setup):
    b, X0, phi0, X, phi = setup
    pr = pu.DetectionProblem(b, X0, phi0)
    sub = pr.subset(torch.tensor([2, 0]))
    assert sub.b.B == 2 and torch.equal(sub.S0, pr.S0[[2, 0]]) and torch.equal(sub.xb0, pr.xb0[[2, 0]])
    f, _ = sub.fx(sub.xb0, phi0[[2, 0]])
    assert torch.allclose(f, -torch.ones(2))


def test_run_proposed_reports_raw_and_repaired(setup):
    b, X0, phi0, X, phi = setup
    seed_torch(0, "net")
    net = uf.UnfoldedADMM(T=2, J=1, R=2)
    out = pu.run_proposed(net, b, "ris")
    assert torch.allclose(out["X"].abs(), torch.full_like(out["X"].abs(), np.sqrt(b.P / b.M)))
    assert torch.allclose(out["phi"].abs(), torch.ones_like(out["phi"].abs()))
    assert (sm.ci_values(b, out["X"], out["phi"]) <= 1e-12).all()
    raw = out["raw"]
    Xr, pr_ = pu.design(out["problem"], out["state"])
    assert torch.allclose(raw["sinr"], sm.fast_sinr(b, Xr, pr_))
    assert torch.allclose(raw["viol"], sm.ci_values(b, Xr, pr_).amax((-1, -2)) / b.gamma)
    assert torch.equal(raw["feasible"], raw["viol"] <= pu.FEAS_TOL)
    assert torch.equal(out["repaired"], ~raw["feasible"])
    out2 = pu.run_proposed(net, b, "ris", repair=False)
    assert torch.equal(out2["X"], Xr) and not out2["repaired"].any()


def test_start_point_modes(setup):
    b = setup[0]
    for mode in ("ris", "rand", "noris"):
        X, phi = pu.start_point(b if mode != "noris" else b.without_ris(), mode, make_rng(0, "m"))
        assert torch.allclose(X.abs(), torch.full(X.shape, np.sqrt(b.P / b.M)))
    with pytest.raises(ValueError, match="mode"):
        pu.start_point(b, "other")


def test_repair_falls_back_to_start_point_when_it_cannot_do_better(setup, monkeypatch):
    """The safeguard of ``run_proposed``: a repair that leaves a design less CI-feasible than the
    common start point returns the start point (and marks it); a good repair is kept."""
    b, X0, phi0, X, phi = setup
    from risisac.paper_a import admm_mm
    seed_torch(0, "net")
    net = uf.UnfoldedADMM(T=2, J=1, R=2, tau0=3.0)          # large steps: raw outputs violate CI
    base = pu.run_proposed(net, b, "ris", repair=False)
    assert not bool(base["raw"]["feasible"].all())
    good = pu.run_proposed(net, b, "ris")
    assert torch.equal(good["repaired"], ~base["raw"]["feasible"])
    assert not good["fallback"].any()
    keep = ~good["repaired"]
    assert torch.equal(good["X"][keep], base["X"][keep])
    # a "repair" that returns its input unchanged cannot beat the start point: fallback
    monkeypatch.setattr(admm_mm, "feasible_start", lambda bb, XX, pp, **kw: XX)
    bad = pu.run_proposed(net, b, "ris", start=(X0, phi0))
    fb = bad["fallback"]
    assert torch.equal(fb, ~base["raw"]["feasible"])
    assert torch.equal(bad["X"][fb], X0[fb]) and torch.equal(bad["phi"][fb], phi0[fb])
    assert torch.equal(bad["X"][~fb], base["X"][~fb])


def test_trace_and_start_violation_are_per_instance(setup):
    """``trace=True`` records the SINR of the start point and of every layer's design; the start
    point's violation is reported per instance."""
    b, X0, phi0, X, phi = setup
    seed_torch(0, "net")
    net = uf.UnfoldedADMM(T=2, J=1, R=2)
    out = pu.run_proposed(net, b, "ris", start=(X0, phi0), trace=True, repair=False)
    tr = out["trace"]
    assert tr.shape == (b.B, 3)
    assert torch.allclose(tr[:, 0], sm.fast_sinr(b, X0, phi0))
    assert torch.allclose(tr[:, -1], out["raw"]["sinr"])
    vs = out["raw"]["v_start"]
    assert vs.shape == (b.B,)
    assert torch.allclose(vs, sm.ci_values(b, X0, phi0).amax((-1, -2)) / b.gamma)


def test_amplitude_scale_is_the_mean_user_channel_norm(setup):
    b, X0, phi0, X, phi = setup
    pr = pu.DetectionProblem(b, X0, phi0, cons_scale="amplitude")
    heff = sm.effective_channels(b, phi0)                       # (B, K, M)
    want = torch.stack([np.sqrt(b.P / b.M) * heff[i].norm(dim=-1).mean() for i in range(b.B)])
    assert pr.gs.shape == (b.B,) and torch.allclose(pr.gs, want)
