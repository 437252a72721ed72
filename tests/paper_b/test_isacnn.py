"""risisac.paper_b.isacnn: features (29), Lambda layer, networks at every size, loss (30),
training (early stopping, best weights), prediction."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from risisac.book.rng import make_rng  # noqa: E402
from risisac.paper_b import isacnn as N  # noqa: E402
from risisac.paper_b import model as U  # noqa: E402


def test_features_layout(small):
    b, _ = small
    f = N.features(b)
    assert f.shape == (b.B, 2 * b.Nr * b.K + b.Nt)
    nk = b.Nr * b.K
    assert np.allclose(f[:, :b.Nr], b.Gn[:, :, 0].real)                 # Re h_1^T first
    assert np.allclose(f[:, b.Nr:2 * b.Nr], b.Gn[:, :, 1].real)
    assert np.allclose(f[:, nk:nk + b.Nr], b.Gn[:, :, 0].imag)           # then Im h_1^T
    assert np.allclose(f[:, 2 * nk:], b.a)                               # then the sigma_t (scaled)


def test_lambda_layer():
    th = torch.rand(50, 6, dtype=torch.float64) + 0.01
    eta = torch.rand(50, 1, dtype=torch.float64)
    x1 = N.lambda_layer(th, eta, "l1")
    assert torch.allclose(x1.sum(1), eta[:, 0])                          # ||x||_1 = eta <= 1
    assert bool((x1[:, 1:] <= x1[:, :-1]).all())                         # sorted descending
    assert torch.allclose(torch.sort(x1 / eta, 1).values, torch.sort(th / th.sum(1, keepdim=True), 1).values)
    x2 = N.lambda_layer(th, torch.ones(50, 1, dtype=torch.float64), "l2")
    assert torch.allclose(x2.norm(dim=1), torch.ones(50, dtype=torch.float64))
    assert float(x2.sum(1).max()) > 1.0                                  # the paper's 2-norm violates (15)
    with pytest.raises(ValueError, match="norm"):
        N.lambda_layer(th, eta, "l3")


@pytest.mark.parametrize("Nt, Nr, K", [(2, 2, 1), (3, 2, 1), (2, 3, 1), (16, 16, 5), (4, 2, 2)])
def test_networks_at_every_size(Nt, Nr, K):
    b = U.draw_batch(make_rng(0, "sz", Nt, Nr, K), 12, Nt=Nt, Nr=Nr, K=K, L=Nt + 1)
    torch.manual_seed(0)
    for kind in ("isacnn", "fcnn"):
        m = N.make(kind, 2 * Nr * K + Nt, Nt)
        x = N.predict(m, N.features(b))
        assert x.shape == (12, Nt) and np.all(x >= 0) and np.all(x.sum(1) <= 1 + 1e-12)
        assert np.all(np.diff(x, axis=1) <= 1e-7)
    net, h = N.fit("isacnn", b, b, 0.5, seed=0, name="tiny", epochs=2)
    assert h["epochs"] == 2 and np.all(np.isfinite(h["val"]))


def test_make_and_forward_errors():
    with pytest.raises(ValueError, match="kind"):
        N.make("cnn", 10, 4)
    with pytest.raises(ValueError, match="n_in"):
        N.make("isacnn", 0, 4)
    with pytest.raises(ValueError, match="Nt"):
        N.make("fcnn", 10, 0)
    m = N.make("isacnn", 20, 4)
    with pytest.raises(ValueError, match="20"):
        m(torch.zeros(3, 19))


def test_torch_rates_loss_and_gradient(small):
    b, pr = small
    d = N.LossData.from_problem(pr, dtype=torch.float64)
    x0 = np.abs(make_rng(1, "x").standard_normal((b.B, b.Nt))) * 0.05
    xx = torch.tensor(x0, requires_grad=True)
    sr, cr = N.rates_torch(xx, d)
    assert np.allclose(sr.detach().numpy(), pr.sr(x0))
    assert np.allclose(cr.detach().numpy(), pr.cr(x0))
    for alpha in (0.0, 0.4, 1.0):
        assert np.isclose(float(N.loss_fn(xx, d, alpha).detach()), -pr.wsnr(x0, alpha).mean())
    loss = N.loss_fn(xx, d, 0.4)
    loss.backward()
    h = 1e-6
    for j in (0, 2, b.Nt - 1):
        dd = np.zeros_like(x0)
        dd[:, j] = h
        fd = -(pr.wsnr(x0 + dd, 0.4) - pr.wsnr(x0 - dd, 0.4)) / (2 * h) / b.B
        assert np.allclose(xx.grad[:, j].numpy(), fd, rtol=1e-5, atol=1e-12)
    sub = d.take(torch.arange(3))
    assert sub.a.shape[0] == 3
    assert np.isclose(float(N.loss_fn(xx[:3], sub, 0.4).detach()), -pr.wsnr(x0, 0.4)[:3].mean())


def _early_stop_epoch(val, patience):
    """Epochs run under EarlyStopping(patience) on the validation losses ``val`` (independent
    re-statement of the rule: stop once ``patience`` epochs in a row do not improve the best)."""
    best, wait = np.inf, 0
    for ep, v in enumerate(val, 1):
        if v < best - 1e-9:
            best, wait = v, 0
        else:
            wait += 1
            if wait >= patience:
                return ep
    return None  # the rule never stops on these losses


def test_training_improves_and_restores_best():
    tr = U.draw_batch(make_rng(2, "tr"), 600, Nt=4, Nr=4, K=2, L=6)
    va = U.draw_batch(make_rng(2, "va"), 100, Nt=4, Nr=4, K=2, L=6)
    pv = U.Problem.from_batch(va)
    net, h = N.fit("isacnn", tr, va, 0.5, seed=0, name="t", epochs=60)
    after = pv.wsnr(N.predict(net, N.features(va)), 0.5).mean()
    assert -min(h["val"]) > -h["val"][0] + 0.03                           # training raises (28)
    assert np.isclose(-after, min(h["val"]), atol=1e-5)                   # best weights restored
    assert after > pv.wsnr(np.full((100, 4), 0.25), 0.5).mean()           # beats the Average scheme
    assert h["epochs"] == len(h["train"]) == len(h["val"])
    assert h["train"][-1] < h["train"][0]
    # early stopping: with patience 1 training stops once the validation loss fails to improve
    _, h1 = N.fit("isacnn", tr, va, 0.5, seed=0, name="t", epochs=30, es_patience=1, lr=0.5)
    assert h1["epochs"] < 30
    # ... and exactly es_patience epochs after the last improvement (counter reset on improvement)
    for p in (2, 3):
        netp, hp = N.fit("isacnn", tr, va, 0.5, seed=0, name="t", epochs=40, es_patience=p, lr=0.5)
        assert _early_stop_epoch(hp["val"], p) == hp["epochs"] < 40
        # the best weights (not the last epoch's) are restored after the stop
        vp = -pv.wsnr(N.predict(netp, N.features(va)), 0.5).mean()
        assert np.isclose(vp, min(hp["val"]), atol=1e-5) and not np.isclose(vp, hp["val"][-1], atol=1e-5)
    # the loss uses the true channel when given (imperfect CSI): a different objective
    tt, te = U.imperfect_csi(make_rng(3, "c"), tr, 0.3)
    vt, ve = U.imperfect_csi(make_rng(3, "v"), va, 0.3)
    _, hc = N.fit("isacnn", te, ve, 0.5, seed=0, name="c", epochs=2, train_true=tt, val_true=vt)
    _, hn = N.fit("isacnn", te, ve, 0.5, seed=0, name="c", epochs=2)
    assert not np.isclose(hc["val"][0], hn["val"][0])


def test_predict_batches_and_keeps_budget(small):
    b, _ = small
    torch.manual_seed(1)
    m = N.make("fcnn", 2 * b.Nr * b.K + b.Nt, b.Nt)
    f = N.features(b)
    assert np.allclose(N.predict(m, f), N.predict(m, f, batch_size=5), atol=1e-6)
    assert not m.training
    # more samples than features: every row is predicted in batches
    f2 = np.concatenate([f] * 3)                          # 72 samples, 36 features
    assert np.allclose(N.predict(m, f2), N.predict(m, f2, batch_size=5), atol=1e-6)


def test_isacnn_layers_follow_fig5():
    net = N.make("isacnn", 40, 6)
    names = [type(m).__name__ for m in net.body]
    assert names == [
        "BatchNorm1d", "Conv1d", "ReLU", "BatchNorm1d", "Conv1d", "ReLU",
        "BatchNorm1d", "Conv1d", "ReLU", "Flatten"]
    convs = [m for m in net.body if type(m).__name__ == "Conv1d"]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0]) for c in convs] == [(1, 2, 5), (2, 4, 3), (4, 8, 3)]
    assert net.theta.out_features == 6 and net.eta.out_features == 1 and net.theta.in_features == 8 * (40 - 8)


def test_training_loss_is_the_mean_over_all_minibatches():
    tr = U.draw_batch(make_rng(2, "tr"), 600, Nt=4, Nr=4, K=2, L=6)
    va = U.draw_batch(make_rng(2, "va"), 100, Nt=4, Nr=4, K=2, L=6)
    net, h = N.fit("isacnn", tr, va, 0.5, seed=0, name="m", epochs=1, lr=1e-9)   # weights stay put
    net.train()                                           # train-mode loss over the whole set
    with torch.no_grad():
        full = float(N.loss_fn(net(torch.as_tensor(N.features(tr), dtype=torch.float32)),
                               N.LossData.from_problem(U.Problem.from_batch(tr)), 0.5))
    assert abs(h["train"][0] - full) < 0.02 * abs(full)   # 3 mini-batches (256, 256, 88) averaged


def test_training_does_not_depend_on_the_default_dtype():
    import torch
    tr = U.draw_batch(make_rng(2, "tr"), 64, Nt=4, Nr=4, K=2, L=6)
    va = U.draw_batch(make_rng(2, "va"), 32, Nt=4, Nr=4, K=2, L=6)
    prev = torch.get_default_dtype()
    out = []
    try:
        for dt in (torch.float32, torch.float64):
            torch.set_default_dtype(dt)
            net, _ = N.fit("fcnn", tr, va, 0.5, seed=0, name="dt", epochs=3)
            out.append(net.state_dict())
            assert torch.get_default_dtype() == dt            # restored
    finally:
        torch.set_default_dtype(prev)
    assert all(torch.equal(out[0][k], out[1][k]) for k in out[0])
