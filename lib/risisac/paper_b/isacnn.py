"""Paper B Sec. IV: ISACNN (unsupervised CNN for problem (28)), the FC-NN baseline of Fig. 6,
training with early stopping / reduce-on-plateau, batched prediction.

The networks output ``x = sigma_s / P_s`` (fractions of the sensing budget), which the
recover module :func:`risisac.paper_b.model.recover` turns into ``S`` and ``w_k`` ((31)-(32)).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .model import LN2, Problem, UplinkBatch


def features(batch: UplinkBatch) -> np.ndarray:
    """Feature vector (29): ``[Re h_1^T .. Re h_K^T, Im h_1^T .. Im h_K^T, sigma_t,1 .. sigma_t,Nt]``.

    In normalised units (pre-processing): ``g_k = sqrt(p_k/sigma_n^2) h_k`` and
    ``a_i = sigma_t,i P_s / sigma_n^2`` (descending), so that the raw path-loss scale
    (~1e-11) does not reach the network. Shape (B, 2 Nr K + Nt).
    """
    g = np.swapaxes(batch.Gn, 1, 2).reshape(batch.B, -1)  # rows h_k^T, k = 1..K
    return np.concatenate([g.real, g.imag, batch.a], axis=1)


def lambda_layer(theta, eta, norm: str = "l1"):
    """Lambda layer (Sec. IV-B): normalise ``theta``, sort descending, multiply by ``eta``.

    ``norm="l2"`` is the paper's ``theta/||theta||`` (violates the 1-norm budget (15) by up to
    ``sqrt(Nt)``); ``norm="l1"`` (default) gives ``||x||_1 = eta <= 1`` exactly.
    Output ``x = sigma_s / P_s``.
    """
    import torch
    if norm == "l1":
        t = theta / theta.sum(1, keepdim=True).clamp_min(1e-12)
    elif norm == "l2":
        t = theta / theta.norm(dim=1, keepdim=True).clamp_min(1e-12)
    else:
        raise ValueError("norm must be 'l1' or 'l2'")
    t = torch.sort(t, dim=1, descending=True).values
    return t * eta


def _nn():
    import torch.nn as nn
    return nn


def make(kind: str, n_in: int, Nt: int, norm: str = "l1", dtype=None):
    """Build ``"isacnn"`` or ``"fcnn"`` (float32 by default: float64 convolutions are ~10x slower
    on CPU; the rates are re-evaluated in float64 afterwards). Works for every ``n_in >= 1``
    (ISACNN zero-pads inputs shorter than its receptive field, :data:`MIN_FEATURES`)."""
    import torch
    if kind not in ("isacnn", "fcnn"):
        raise ValueError(f"make: kind = {kind!r} is invalid: allowed values are 'isacnn', 'fcnn'")
    for name, v in (("n_in", n_in), ("Nt", Nt)):
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"make: {name} = {v!r} is invalid: an integer >= 1 is allowed")
    if norm not in ("l1", "l2"):
        raise ValueError(f"make: norm = {norm!r} is invalid: allowed values are 'l1', 'l2'")
    cls = {"isacnn": ISACNN, "fcnn": FCNN}[kind]
    return cls(n_in, Nt, norm).to(dtype or torch.float32)


MIN_FEATURES = 9  # receptive field of the three 'valid' convolutions (5 + 3 + 3 - 2)


class ISACNN(_nn().Module):
    """ISACNN (Fig. 5): 3 conv layers (2, 4, 8 filters, kernels 5, 3, 3 along the feature axis,
    'valid' padding), ReLU, a batch norm before each conv and before the dense heads; heads
    Dense(Nt, sigmoid) -> theta and Dense(1, sigmoid) -> eta; Lambda layer. A feature vector
    shorter than :data:`MIN_FEATURES` (``2 Nr K + Nt < 9``, e.g. Nt = Nr = 2, K = 1) is
    zero-padded to that length."""

    def __init__(self, n_in: int, Nt: int, norm: str = "l1"):
        super().__init__()
        nn = _nn()
        self.norm = norm
        self.n_in = n_in
        self.pad = max(MIN_FEATURES - n_in, 0)
        n_in = n_in + self.pad
        self.body = nn.Sequential(
            nn.BatchNorm1d(1), nn.Conv1d(1, 2, 5), nn.ReLU(),
            nn.BatchNorm1d(2), nn.Conv1d(2, 4, 3), nn.ReLU(),
            nn.BatchNorm1d(4), nn.Conv1d(4, 8, 3), nn.ReLU(), nn.Flatten(),
        )
        flat = 8 * (n_in - 8)
        self.bn_head = nn.BatchNorm1d(flat)
        self.theta = nn.Linear(flat, Nt)
        self.eta = nn.Linear(flat, 1)

    def forward(self, f):
        import torch
        if f.shape[-1] != self.n_in:
            raise ValueError(f"ISACNN: input has {f.shape[-1]} features, the network expects "
                             f"{self.n_in} (= 2 Nr K + Nt)")
        if self.pad:
            f = torch.nn.functional.pad(f, (0, self.pad))
        z = self.bn_head(self.body(f[:, None, :]))
        return lambda_layer(torch.sigmoid(self.theta(z)), torch.sigmoid(self.eta(z)), self.norm)


class FCNN(_nn().Module):
    """FC-NN baseline of Fig. 6 (ref. [25]): dense layers of 8Nt, 4Nt, 2Nt neurons (ReLU) and the
    Nt-neuron output layer (the theta head; a 1-neuron eta head beside it), batch norm before
    each dense layer, same Lambda layer."""

    def __init__(self, n_in: int, Nt: int, norm: str = "l1"):
        super().__init__()
        nn = _nn()
        self.norm = norm
        self.body = nn.Sequential(
            nn.BatchNorm1d(n_in), nn.Linear(n_in, 8 * Nt), nn.ReLU(),
            nn.BatchNorm1d(8 * Nt), nn.Linear(8 * Nt, 4 * Nt), nn.ReLU(),
            nn.BatchNorm1d(4 * Nt), nn.Linear(4 * Nt, 2 * Nt), nn.ReLU(),
            nn.BatchNorm1d(2 * Nt),
        )
        self.theta = nn.Linear(2 * Nt, Nt)
        self.eta = nn.Linear(2 * Nt, 1)

    def forward(self, f):
        import torch
        z = self.body(f)
        return lambda_layer(torch.sigmoid(self.theta(z)), torch.sigmoid(self.eta(z)), self.norm)


@dataclass
class LossData:
    """Per-sample tensors of (28) for the unsupervised loss (30)."""

    a: object
    e: object
    D: object
    W: object
    Ms: object
    Mc: object
    L: int

    @classmethod
    def from_problem(cls, prob: Problem, dtype=None) -> "LossData":
        import torch
        dtype = dtype or torch.float32
        t = lambda z: torch.as_tensor(np.ascontiguousarray(z), dtype=dtype)
        return cls(t(prob.a), t(prob.e), t(prob.cm.D), t(prob.cm.W), t(prob.Ms), t(prob.Mc), prob.L)

    def take(self, idx) -> "LossData":
        return LossData(self.a[idx], self.e[idx], self.D[idx], self.W[idx], self.Ms[idx],
                        self.Mc[idx], self.L)


def rates_torch(x, d: LossData):
    """Reduced sensing rate (14) and communication rate (26) in torch (differentiable)."""
    import torch
    lam = d.a * x
    sr = torch.log2(1.0 + lam[:, :, None] * d.e[:, None, :]).sum((1, 2)) / d.L
    c = 1.0 + lam.sum(1) / d.L
    gam = (d.W / (d.D + c[:, None, None])).sum(-1)
    cr = torch.log2(1.0 + gam).mean(1)
    return sr, cr


def loss_fn(x, d: LossData, alpha: float):
    """Unsupervised loss (30): minus the mean normalised weighted sum (28)."""
    sr, cr = rates_torch(x, d)
    return -(alpha * sr / d.Ms + (1 - alpha) * cr / d.Mc).mean()


def train(model, f_train, d_train: LossData, f_val, d_val: LossData, alpha: float,
          epochs: int = 500, batch_size: int = 256, lr: float = 1e-3, es_patience: int = 20,
          lr_patience: int = 10, lr_factor: float = 0.33, generator=None, progress=None):
    """Adam with ReduceLROnPlateau(patience 10, factor 0.33) and EarlyStopping(patience 20) on
    the validation loss (Sec. V); the best weights are restored. Returns the history dict
    ``train`` (mean mini-batch loss per epoch, train mode) and ``val`` (eval mode), ``epochs``."""
    import torch
    dtype = next(model.parameters()).dtype
    f_train = torch.as_tensor(f_train, dtype=dtype)
    f_val = torch.as_tensor(f_val, dtype=dtype)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=lr_factor,
                                                       patience=lr_patience)
    n = f_train.shape[0]
    hist = {"train": [], "val": []}
    best, best_state, wait = np.inf, None, 0
    it = range(epochs) if progress is None else progress(range(epochs))
    for ep in it:
        model.train()
        perm = torch.randperm(n, generator=generator)
        tot = 0.0
        for s in range(0, n, batch_size):
            idx = perm[s:s + batch_size]
            if idx.numel() < 2:
                continue
            opt.zero_grad()
            loss = loss_fn(model(f_train[idx]), d_train.take(idx), alpha)
            loss.backward()
            opt.step()
            tot += float(loss.detach()) * idx.numel()
        hist["train"].append(tot / n)
        model.eval()
        with torch.no_grad():
            v = float(loss_fn(model(f_val), d_val, alpha))
        hist["val"].append(v)
        sched.step(v)
        if v < best - 1e-9:
            best, best_state, wait = v, copy.deepcopy(model.state_dict()), 0
        else:
            wait += 1
            if wait >= es_patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    hist["epochs"] = len(hist["val"])
    return hist


def predict(model, f, batch_size: int | None = None) -> np.ndarray:
    """Batched inference (eval mode): ``x = sigma_s / P_s`` as numpy (B, Nt)."""
    import torch
    model.eval()
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        f = torch.as_tensor(f, dtype=dtype)
        if batch_size is None:
            out = model(f)
        else:
            out = torch.cat([model(f[i:i + batch_size]) for i in range(0, f.shape[0], batch_size)])
    x = out.double().numpy()
    return x / np.maximum(x.sum(1, keepdims=True), 1.0)  # float32 round-off: keep (15) exact


def fit(kind: str, train_batch: UplinkBatch, val_batch: UplinkBatch, alpha: float, *, seed: int,
        name: str, epochs: int, init_state=None, train_true: UplinkBatch | None = None,
        val_true: UplinkBatch | None = None, norm: str = "l1", **kw):
    """Build (seeded), optionally warm-start, and train a network on (28) with loss (30).

    ``train_true``/``val_true``: the true-CSI batches for the loss when the inputs are estimated
    CSI (Fig. 11). Returns ``(model, history)``.

    Training runs with torch's default dtype set to float32 (restored afterwards): Adam keeps
    its step counters in the default dtype, and float64 there changes the round-off of the bias
    correction and, training being chaotic, the trained weights. So a network trained by the
    job (:mod:`risisac.paper_b.train`) and one trained in a notebook that set float64 as the
    default are the same.
    """
    import torch
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        return _fit(kind, train_batch, val_batch, alpha, seed=seed, name=name, epochs=epochs,
                    init_state=init_state, train_true=train_true, val_true=val_true, norm=norm, **kw)
    finally:
        torch.set_default_dtype(prev)


def _fit(kind, train_batch, val_batch, alpha, *, seed, name, epochs, init_state, train_true, val_true,
         norm, **kw):
    from ..book.rng import seed_torch, torch_generator
    seed_torch(seed, "init", name)
    n_in = 2 * train_batch.Nr * train_batch.K + train_batch.Nt
    model = make(kind, n_in, train_batch.Nt, norm)
    if init_state is not None:
        model.load_state_dict(init_state)
    dtype = next(model.parameters()).dtype
    d_tr = LossData.from_problem(Problem.from_batch(train_true or train_batch), dtype)
    d_va = LossData.from_problem(Problem.from_batch(val_true or val_batch), dtype)
    hist = train(model, features(train_batch), d_tr, features(val_batch), d_va, alpha,
                 epochs=epochs, generator=torch_generator(seed, "shuffle", name), **kw)
    return model, hist
