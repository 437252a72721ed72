"""risisac.paper_a.unfolding: the fast engine against the reference engine (commit 788c765), DFP
algebra, ALM steps, layer-wise training and parameter files."""

import numpy as np
import pytest
import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac.book.rng import make_rng  # noqa: E402
from risisac.paper_a import detection_net as pu  # noqa: E402
from risisac.paper_a import model as sm  # noqa: E402
from risisac.paper_a import unfolding as uf  # noqa: E402

from . import reference_engine as ref  # noqa: E402


@pytest.fixture(scope="module")
def prob():
    b = sm.sample_batch(sm.SLPConfig(N=12, L=6), 3, make_rng(0, "unf"))
    X0, phi0 = pu.start_point(b, "ris")
    return b, X0, phi0


class Plain:
    """The detection problem without the fast block interface (engine uses GenericBlock)."""

    def __init__(self, pr):
        self.pr = pr

    def __getattr__(self, k):
        if k == "block":
            raise AttributeError(k)
        return getattr(self.pr, k)


def _pair(T, J, R, seed=0, **kw):
    torch.manual_seed(seed)
    new = uf.UnfoldedADMM(T, J, R, **kw)
    old = ref.UnfoldedADMM(T, J, R, **kw)
    old.load_state_dict(new.state_dict())
    return new, old


def _run_both(new, old, pr, phi0):
    s = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    so = ref.ADMMState(s.x, s.phi, s.v, s.vphi, s.mu1, s.mu2, s.beta_x, s.beta_phi)
    with torch.no_grad():
        return new(pr, s), old(pr, so)


_KEYS = ("x", "phi", "v", "vphi", "mu1", "mu2", "beta_x", "beta_phi")


def _dev(a, o):
    """Largest deviation of two engine states, relative to each field's scale (at least 1)."""
    out = 0.0
    for k in _KEYS:
        A, O = getattr(a, k), getattr(o, k)
        if A is None:
            assert O is None
            continue
        out = max(out, float((A - O).abs().max()) / max(1.0, float(O.abs().max())))
    return out


def _close(a, o, tol):
    assert _dev(a, o) <= tol, (_dev(a, o), tol)


def _roundoff_tolerance(new, old, make_problem, phi0):
    """The tolerance of an engine comparison, derived from the computation itself.

    Two engines doing the same arithmetic in another order differ by round-off amplified
    by the iteration's conditioning. We measure that amplification directly: the reference
    engine's own change when its input is perturbed at machine-epsilon level (relative
    ``eps`` noise on phi0, three draws). The allowed difference is 100x the larger of that
    sensitivity and 64 eps: observed engine differences are 0.7-1.1x the sensitivity
    (1e-15 to 1.7e-10 relative, on two x86-64 CPUs), so 100x is the headroom."""
    eps = torch.finfo(torch.float64).eps
    _, o = _run_both(new, old, make_problem(phi0), phi0)
    g = torch.Generator().manual_seed(1)
    sens = 0.0
    for _ in range(3):
        ph = phi0 * (1 + eps * (torch.rand(phi0.shape, generator=g, dtype=torch.float64) - 0.5))
        _, o2 = _run_both(new, old, make_problem(ph), ph)
        sens = max(sens, _dev(o2, o))
    return 100 * max(sens, 64 * eps)


@pytest.mark.parametrize("kw, T", [
    (dict(), 3),
    (dict(alm="phr"), 1),
    (dict(variant="paper"), 2),
    (dict(cautious=0.0, tau0=0.3), 2),
])
def test_fast_engine_equals_reference_engine(prob, kw, T):
    """Same weights, same problem: the fast engine reproduces the old engine to round-off
    (the round-off amplification of this iteration, measured, with 100x headroom)."""
    b, X0, phi0 = prob
    new, old = _pair(T, 2, 3, **kw)
    tol = _roundoff_tolerance(new, old, lambda ph: pu.DetectionProblem(b, X0, ph), phi0)
    assert tol < 1e-6                                    # the comparison still means something
    pr = pu.DetectionProblem(b, X0, phi0)
    a, o = _run_both(new, old, pr, phi0)
    _close(a, o, tol)
    a2, _ = _run_both(new, old, Plain(pr), phi0)         # generic (un-cached) block path
    _close(a2, o, tol)


def test_fast_engine_equals_reference_without_qos_and_without_phi(prob):
    b, X0, phi0 = prob
    new, old = _pair(2, 2, 2)
    for kw in (dict(qos=False), dict(optimize_phi=False)):
        make = lambda ph, kw=kw: pu.DetectionProblem(b, X0, ph, **kw)   # noqa: E731
        a, o = _run_both(new, old, make(phi0), phi0)
        _close(a, o, _roundoff_tolerance(new, old, make, phi0))
    pr = pu.DetectionProblem(b, X0, phi0, optimize_phi=False)
    a, _ = _run_both(new, old, pr, phi0)
    assert torch.equal(a.phi, phi0)


def test_training_gradients_equal_reference(prob):
    b, X0, phi0 = prob
    new, old = _pair(1, 2, 2, alm="phr")
    pr = pu.DetectionProblem(b, X0, phi0)
    s = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    so = ref.ADMMState(s.x, s.phi, s.v, s.vphi, s.mu1, s.mu2, s.beta_x, s.beta_phi)
    pu.loss_sinr(pr, new.layer_forward(0, pr, s)).backward()
    pu.loss_sinr(pr, old.layer_forward(0, pr, so)).backward()
    for (k, p), (_, q) in zip(new.named_parameters(), old.named_parameters()):
        assert float((p.grad - q.grad).abs().max()) <= 1e-8 * float(q.grad.abs().max()), k


def test_real_views_round_trip():
    z = torch.randn(2, 3, 4, dtype=torch.complex128)
    r = uf.as_real(z)
    assert r.shape == (2, 24) and torch.equal(uf.as_complex(r, (3, 4)), z)
    assert torch.equal(uf.as_real(z.conj()), uf.as_real(z.conj().resolve_conj()))
    assert torch.allclose((r * r).sum(-1), z.abs().pow(2).sum((-1, -2)))


def test_lowrank_dfp_equals_dense_and_secant():
    rng = make_rng(6, "dfp")
    n, B = 7, 3
    for variant in ("standard", "paper"):
        lr = uf.LowRankDFP(variant)
        Bm = torch.eye(n).expand(B, n, n)
        mask = torch.tensor([True, False, True])
        for _ in range(3):
            y = torch.as_tensor(rng.standard_normal((B, n)))
            d = y + 0.1 * torch.as_tensor(rng.standard_normal((B, n)))     # y^T d > 0
            lr.masked_update(y, d, mask)
            Bn = uf.dfp_update(Bm, y, d, variant)
            Bm = torch.where(mask[:, None, None], Bn, Bm)
            if variant == "standard":
                assert torch.allclose((Bn @ y[..., None])[..., 0], d)      # secant equation
        g = torch.as_tensor(rng.standard_normal((B, n)))
        assert torch.allclose(lr.apply(g), (Bm @ g[..., None])[..., 0])
        assert torch.equal(lr.apply(g)[1], g[1])                            # masked instance: B = I
    with pytest.raises(ValueError, match="variant"):
        uf.LowRankDFP("bfgs")
    with pytest.raises(ValueError, match="variant"):
        uf.dfp_update(torch.eye(2)[None], torch.ones(1, 2), torch.ones(1, 2), "bfgs")


def test_dfp_update_paper_variant_formula():
    y = torch.tensor([[1.0, 2.0]])
    d = torch.tensor([[0.5, 1.0]])
    B0 = torch.eye(2)[None]
    P = uf.dfp_update(B0, y, d, "paper")
    yBy, yd = 5.0, 2.5
    expect = torch.eye(2) - torch.outer(y[0], y[0]) / yBy + (yBy / yd ** 2) * torch.outer(d[0], d[0])
    assert torch.allclose(P[0], expect)


def test_alm_update_sign_and_clamp():
    beta = torch.tensor([0.5, 0.5, 0.0])
    c = torch.tensor([1.0, -2.0, -1.0])
    out = uf.alm_update(beta, torch.tensor(0.5), c)
    assert torch.equal(out, torch.tensor([1.0, 0.0, 0.0]))   # violated -> grows; satisfied -> shrinks, >= 0


def test_hypermlp_positive_independent_and_scaled():
    torch.manual_seed(1)
    h = uf.HyperMLP(3, 2, base=2.0)
    f = torch.randn(5, 2)
    o0, o1 = h(0, f), h(1, f)
    assert o0.shape == (5,) and (o0 > 0).all() and not torch.allclose(o0, o1)
    manual = 2.0 * torch.nn.functional.softplus(
        torch.tanh(f @ h.W1[0].T + h.b1[0]) @ h.W2[0].T + h.b2[0])[:, 0]
    assert torch.allclose(o0, manual)
    f3 = torch.randn(2, 4, 2)
    assert torch.allclose(h(2, f3).reshape(-1), h(2, f3.reshape(-1, 2)))


def test_dfp_solve_descends_a_quadratic_and_respects_projection():
    """R steps on f = ||z - a||^2 over the unit circle: steps move toward a/|a| and stay on the set."""
    a = torch.tensor([[2.0 + 1.0j, -1.0 + 0.5j]])
    fg = lambda z: (((z - a).abs() ** 2).sum(-1), z - a)
    z0 = sm.project_phi(torch.tensor([[-1.0 + 0.1j, 1.0 - 0.1j]]))
    z, f = uf.dfp_solve(z0, fg, lambda r, ft: torch.full(ft.shape[:-1], 0.3), sm.project_phi, 6)
    assert torch.allclose(z.abs(), torch.ones(1, 2))
    assert float(f) < 0.5 * float(fg(z0)[0])
    # a zero step size leaves z unchanged (the step is not bypassed)
    z2, _ = uf.dfp_solve(z0, fg, lambda r, ft: torch.zeros(ft.shape[:-1]), sm.project_phi, 3)
    assert torch.allclose(z2, z0)


def test_engine_bad_arguments():
    with pytest.raises(ValueError, match="alm"):
        uf.UnfoldedADMM(1, 1, 1, alm="x")
    with pytest.raises(ValueError, match="T must be >= 1"):
        uf.UnfoldedADMM(0, 1, 1)


def test_layerwise_training_lowers_loss_and_minibatches(prob):
    b, X0, phi0 = prob
    pr = pu.DetectionProblem(b, X0, phi0)
    torch.manual_seed(0)
    net = uf.UnfoldedADMM(2, 1, 2)
    s0 = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    with torch.no_grad():
        before = float(pu.loss_sinr(pr, net(pr, s0)))
    seen = []
    hist = uf.train_layerwise(net, pr, s0, pu.loss_sinr, epochs=6, lr=0.05, batch_size=2,
                              generator=torch.Generator().manual_seed(0), on_layer=lambda t, s, h: seen.append(t))
    assert seen == [0, 1] and [h[:2] for h in hist if h[1] == 6] == [(0, 6), (1, 6)]
    with torch.no_grad():
        after = float(pu.loss_sinr(pr, net(pr, s0)))
    assert after < before
    assert abs(after - hist[-1][2]) < 1e-9


def test_save_and_load_params(tmp_path, prob):
    b, X0, phi0 = prob
    torch.manual_seed(3)
    net = uf.UnfoldedADMM(2, 1, 2, alm="phr", variant="paper")
    p = uf.save_params(net, tmp_path / "n.pt", seed=3)
    net2 = uf.load_params(p)
    assert net2.config() == net.config()
    for (k, a), (_, c) in zip(net.state_dict().items(), net2.state_dict().items()):
        assert torch.equal(a, c), k
    pr = pu.DetectionProblem(b, X0, phi0)
    s0 = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    with torch.no_grad():
        assert torch.equal(net(pr, s0).x, net2(pr, s0).x)


def test_minibatches_are_full_and_cover_every_instance_once_per_pass(prob):
    """Mini-batches of ``batch_size`` drawn without replacement: every batch is full and one pass
    over ``n // batch_size`` batches visits distinct instances (guards the batch bookkeeping)."""
    b0, _, _ = prob
    b = sm.sample_batch(sm.SLPConfig(N=12, L=6), 6, make_rng(4, "unf-mb"))
    X0, phi0 = pu.start_point(b, "ris")
    pr = pu.DetectionProblem(b, X0, phi0)
    sizes, idxs = [], []
    orig = pr.subset

    def spy(idx):
        sizes.append(len(idx))
        idxs.append(sorted(int(i) for i in idx))
        return orig(idx)

    pr.subset = spy
    torch.manual_seed(0)
    net = uf.UnfoldedADMM(1, 1, 1)
    s0 = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    uf.train_layerwise(net, pr, s0, pu.loss_sinr, epochs=6, lr=0.01, batch_size=2,
                       generator=torch.Generator().manual_seed(1))
    assert sizes == [2] * 6
    for p in range(2):                      # two passes of three batches
        seen = sum(idxs[3 * p:3 * p + 3], [])
        assert sorted(seen) == list(range(6))
    # a batch as large as the set: full batch, no subset taken
    sizes.clear()
    uf.train_layerwise(net, pr, s0, pu.loss_sinr, epochs=2, lr=0.01, batch_size=6)
    assert sizes == []
