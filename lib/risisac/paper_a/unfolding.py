"""Unfolded ADMM-ALM-DFP engine (Paper A Sec. III-A..G, Algorithm 1; PHR variant of Sec. IV).

One engine serves both Paper A chapters: the detection problem (21)
(:mod:`risisac.paper_a.detection_net`) and the CRB problem (42)
(:mod:`risisac.paper_a.doa_net`). It is organised for speed: every DFP step is a
handful of batched tensor operations on all instances at once (no Python loop
over instances or clutter patches), only the block being updated computes its
closed-form gradient, quantities fixed during a block (e.g. the radar vectors
while ``x`` moves) are computed once per block, and the quasi-Newton matrix is
kept as a stack of rank-one terms applied by two batched matrix products.

Layer ``t`` (Algorithm 1)::

    x block:   J ALM iterations:  beta <- max(beta + eta c(x), 0)              (26a)
                                  R DFP steps on L_1(x) = f + rho/2||x - v + mu1/rho||^2 + <beta, c>
                                  x <- proj(x - tau B grad L_1), B by (28)-(29)  (27)-(30)
    v  = proj(rho x + mu1)                                                     (31)
    phi block: the same with kappa, zeta, D                                    (33)-(35)
    varphi = proj(rho phi + mu2)                                               (36)
    mu1 += rho (x - v),  mu2 += rho (phi - varphi)                             (37)

``alm='phr'`` replaces ``<beta, c>`` by the PHR term of (46)/(51), whose gradient
weights the constraint gradients by ``max(beta + eta c, 0)``.

How a problem plugs in
----------------------
A problem supplies ``rho``, ``optimize_phi`` and EITHER the fast block interface

* ``block(which, state) -> Block`` with ``which in {'x', 'phi'}``; the returned
  object has ``value_grad(z) -> (f (B,), conj-grad like z)``, ``cons(z) -> (B, ...)``
  or ``None`` (``<= 0`` feasible), ``cons_grad(z, w)`` (conj-grad of ``sum w*c``) and
  ``proj(z)``; it may cache anything that does not depend on ``z``;

OR the plain methods of :class:`Problem` (``fx, fphi, cons, cons_grad_x,
cons_grad_phi, proj_x, proj_phi``), which :class:`GenericBlock` adapts (slower:
nothing is cached). Gradients are conjugate (Wirtinger) gradients ``df/dz^*``.

Training and parameters
-----------------------
``train_layerwise(net, problem, s0, loss_fn, epochs, lr, batch_size=None)`` trains
layer ``t`` by Adam with layers ``< t`` frozen (Sec. III-G); with ``batch_size``
it takes mini-batches of the instances (``problem.subset(idx)`` and
``state.subset(idx)`` are then needed; :class:`risisac.paper_a.detection_net.DetectionProblem`
has it). Parameters: ``net.state_dict()`` / ``save_params(net, path)`` /
``load_params(path)`` (a small ``.pt`` file with the sizes, loadable without
pickled code).

Learnable step sizes (our choice; the paper does not give the MLP inputs):
``tau = s / rms(B G)`` where ``s = softplus(MLP(features))`` and the features are
``[log10 rms(G), log10 rms(B G), objective value]`` of each instance; the ALM
steps ``eta_c`` (one per constraint) come from one MLP applied to every
constraint with features ``[c value, beta_c]``. ``HyperMLP`` holds ``S``
independent MLPs ``n_in -> 10 -> 1`` (Xavier initialisation, Sec. III-G).

Conventions: real coordinates of a complex ``z`` are interleaved
``[Re z_1, Im z_1, ...]`` (a zero-copy view, :func:`as_real`); real gradient ``2 [Re g, Im g]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import torch
from torch import nn


class Problem(Protocol):  # pragma: no cover - documentation of the duck type
    optimize_phi: bool
    rho: float

    def fx(self, x, phi): """(f (B,), conj-grad wrt x) of the objective to minimise."""
    def fphi(self, x, phi): """(f, conj-grad wrt phi)."""
    def cons(self, x, phi): """(B, C) constraint values (<= 0 feasible), or None."""
    def cons_grad_x(self, x, phi, beta): """conj-grad of sum beta*cons wrt x."""
    def cons_grad_phi(self, x, phi, beta): """conj-grad of sum beta*cons wrt phi."""
    def proj_x(self, x): ...
    def proj_phi(self, phi): ...


class GenericBlock:
    """Adapter: the block interface from the plain :class:`Problem` methods (nothing cached)."""

    def __init__(self, problem, which: str, s: "ADMMState"):
        p, x, phi = problem, s.x, s.phi
        if which == "x":
            self.value_grad = lambda z: p.fx(z, phi)
            self.cons = lambda z: p.cons(z, phi)
            self.cons_grad = lambda z, w: p.cons_grad_x(z, phi, w)
            self.proj = p.proj_x
        else:
            self.value_grad = lambda z: p.fphi(x, z)
            self.cons = lambda z: p.cons(x, z)
            self.cons_grad = lambda z, w: p.cons_grad_phi(x, z, w)
            self.proj = p.proj_phi


def get_block(problem, which: str, s: "ADMMState"):
    """``problem.block(which, s)`` when the problem has the fast interface, else :class:`GenericBlock`."""
    if hasattr(problem, "block"):
        return problem.block(which, s)
    return GenericBlock(problem, which, s)


# --------------------------------------------------------------------------- hyper-networks
class HyperMLP(nn.Module):
    """``S`` independent MLPs ``n_in -> hidden -> 1`` (Xavier init), output ``base * softplus``."""

    def __init__(self, S: int, n_in: int, hidden: int = 10, base: float = 1.0, bias0: float = 0.0):
        super().__init__()
        self.S, self.n_in, self.base = S, n_in, base
        self.W1 = nn.Parameter(torch.empty(S, hidden, n_in))
        self.b1 = nn.Parameter(torch.zeros(S, hidden))
        self.W2 = nn.Parameter(torch.empty(S, 1, hidden))
        self.b2 = nn.Parameter(torch.full((S, 1), float(bias0)))
        for s in range(S):
            nn.init.xavier_uniform_(self.W1.data[s])
            nn.init.xavier_uniform_(self.W2.data[s])

    def forward(self, s: int, feats):
        """MLP number ``s`` on ``feats`` (..., n_in) -> (...,) positive."""
        h = torch.tanh(torch.addmm(self.b1[s], feats.reshape(-1, self.n_in), self.W1[s].mT))
        o = torch.addmm(self.b2[s], h, self.W2[s].mT)
        return self.base * nn.functional.softplus(o.reshape(feats.shape[:-1]))


# --------------------------------------------------------------------------- real views
def as_real(z):
    """Complex (B, ...) -> real (B, 2n), interleaved ``[Re z_1, Im z_1, ...]`` (a view when possible)."""
    return torch.view_as_real(z.resolve_conj().contiguous()).reshape(z.shape[0], -1)


def as_complex(r, shape):
    """Inverse of :func:`as_real`."""
    return torch.view_as_complex(r.reshape(r.shape[0], *shape, 2).contiguous())


# --------------------------------------------------------------------------- DFP
def dfp_update(Bm, y, d, variant: str = "standard"):
    """Quasi-Newton inverse-Hessian update (29) on a dense matrix (reference / tests).

    ``standard``: DFP, ``B - B y y^T B / (y^T B y) + d d^T / (y^T d)`` (satisfies ``B' y = d``).
    ``paper``: (29b) literally, ``... + (y^T B y) / (y^T d)^2 d d^T``.
    """
    By = (Bm @ y[..., None])[..., 0]
    yBy = (y * By).sum(-1).clamp_min(1e-300)
    yd = (y * d).sum(-1)
    first = By[..., :, None] * By[..., None, :] / yBy[..., None, None]
    if variant == "standard":
        coef = 1.0 / yd
    elif variant == "paper":
        coef = yBy / yd ** 2
    else:
        raise ValueError(f"variant must be 'standard' or 'paper', got {variant!r}")
    return Bm - first + coef[..., None, None] * d[..., :, None] * d[..., None, :]


class LowRankDFP:
    """``B = I + sum_i w_i v_i^T`` (``w_i = c_i v_i``) as stacked tensors ``V, W`` (B, k, n).

    ``apply(g) = g + W^T (V g)``: two batched products whatever the rank. With ``R``
    DFP steps ``k <= 2R``; equal to the dense update (29) (:func:`dfp_update`).
    ``masked_update`` applies (29) only where ``mask`` (the others get zero terms).
    """

    def __init__(self, variant: str = "standard"):
        if variant not in ("standard", "paper"):
            raise ValueError(f"variant must be 'standard' or 'paper', got {variant!r}")
        self.V = self.W = None
        self.variant = variant

    def apply(self, g):
        if self.V is None:
            return g
        return g + ((self.V @ g[..., None]).mT @ self.W)[..., 0, :]

    def masked_update(self, y, d, mask):
        By = self.apply(y)
        yBy = (y * By).sum(-1)
        yd = (y * d).sum(-1)
        one = torch.ones_like(yd)
        c1 = torch.where(mask, -1.0 / torch.where(mask, yBy, one), 0.0 * one)
        if self.variant == "standard":
            c2 = torch.where(mask, 1.0 / torch.where(mask, yd, one), 0.0 * one)
        else:
            c2 = torch.where(mask, yBy / torch.where(mask, yd, one) ** 2, 0.0 * one)
        Vn = torch.stack([By, d], 1)
        Wn = torch.stack([c1[:, None] * By, c2[:, None] * d], 1)
        self.V = Vn if self.V is None else torch.cat([self.V, Vn], 1)
        self.W = Wn if self.W is None else torch.cat([self.W, Wn], 1)


def _rms(v):
    return torch.linalg.vector_norm(v, dim=-1) * (v.shape[-1] ** -0.5)


def dfp_solve(z, grad_fn: Callable, step_fn: Callable, proj: Callable, R: int,
              variant: str = "standard", cautious: float = 1.0):
    """``R`` unfolded DFP steps (27)-(30) on a complex variable ``z`` (B, ...).

    ``grad_fn(z) -> (value (B,), conj-grad like z)``; ``step_fn(r, feats) -> s (B,)``
    with ``feats = [log10 rms(G), log10 rms(BG), value]`` (B, 3), and
    ``tau = s / rms(B G)``; ``proj`` maps back to the modulus set (30)/(35).
    The update (28) keeps ``B`` when ``y^T d / ||d||^2 <= cautious * ||G||``
    (the paper's rule with ``cautious = 1``) or when ``y^T d <= 0``.
    Returns ``(z, value)`` at the last iterate.
    """
    shape = z.shape[1:]
    f, g = grad_fn(z)
    G = 2 * as_real(g)
    Bm = LowRankDFP(variant)
    for r in range(R):
        BG = Bm.apply(G)
        nBG = _rms(BG)
        feats = torch.cat([torch.log10(torch.stack([_rms(G), nBG], -1) + 1e-30), f[:, None]], -1)
        tau = step_fn(r, feats.detach()) / (nBG + 1e-30)
        z_new = proj(z - as_complex(tau[:, None] * BG, shape))
        f_new, g_new = grad_fn(z_new)
        G_new = 2 * as_real(g_new)
        if r < R - 1:
            y = G_new - G
            d = as_real(z_new - z)
            yd = (y * d).sum(-1)
            dd = (d * d).sum(-1).clamp_min(1e-300)
            upd = (yd / dd > cautious * torch.linalg.vector_norm(G, dim=-1)) & (yd > 0)
            Bm.masked_update(y, d, upd)
        z, f, G = z_new, f_new, G_new
    return z, f


def alm_update(beta, eta, c):
    """ALM multiplier step ``max(beta + eta c, 0)`` (26a)/(33a)."""
    return torch.clamp_min(beta + eta * c, 0.0)


# --------------------------------------------------------------------------- network
class ADMMLayer(nn.Module):
    """Learnable parameters of ADMM layer ``t``: eta (J MLPs), tau (J*R), kappa (J), zeta (J*R)."""

    def __init__(self, J: int, R: int, tau0: float = 0.1, eta0: float = 0.5):
        super().__init__()
        ln2 = 0.6931471805599453
        self.J, self.R = J, R
        self.eta = HyperMLP(J, 2, base=eta0 / ln2)
        self.kappa = HyperMLP(J, 2, base=eta0 / ln2)
        self.tau = HyperMLP(J * R, 3, base=tau0 / ln2)
        self.zeta = HyperMLP(J * R, 3, base=tau0 / ln2)


@dataclass
class ADMMState:
    """Iterate of the unfolded ADMM: primal ``x, phi``, splits ``v, vphi``, duals ``mu1, mu2``,
    ALM multipliers ``beta_x, beta_phi``."""
    x: torch.Tensor
    phi: torch.Tensor
    v: torch.Tensor
    vphi: torch.Tensor
    mu1: torch.Tensor
    mu2: torch.Tensor
    beta_x: torch.Tensor | None
    beta_phi: torch.Tensor | None

    def _map(self, fn):
        return ADMMState(*[None if t is None else fn(t) for t in
                           (self.x, self.phi, self.v, self.vphi, self.mu1, self.mu2, self.beta_x, self.beta_phi)])

    def detach(self):
        return self._map(lambda t: t.detach())

    def subset(self, idx):
        return self._map(lambda t: t[idx])


class UnfoldedADMM(nn.Module):
    """Algorithm 1 with ``T`` ADMM layers, ``J`` ALM and ``R`` DFP iterations per block."""

    def __init__(self, T: int, J: int, R: int, tau0: float = 0.1, eta0: float = 0.5,
                 variant: str = "standard", cautious: float = 1.0, alm: str = "plain"):
        super().__init__()
        if alm not in ("plain", "phr"):
            raise ValueError(f"alm must be 'plain' (Lagrangian (25)) or 'phr' (PHR (46)), got {alm!r}")
        for name, v in (("T", T), ("J", J), ("R", R)):
            if int(v) < 1:
                raise ValueError(f"{name} must be >= 1, got {v}")
        self.T, self.J, self.R = T, J, R
        self.alm = alm
        self.variant, self.cautious = variant, cautious
        self.tau0, self.eta0 = tau0, eta0
        self.layers = nn.ModuleList([ADMMLayer(J, R, tau0, eta0) for _ in range(T)])

    def config(self) -> dict:
        """Constructor arguments (stored with saved parameters)."""
        return dict(T=self.T, J=self.J, R=self.R, tau0=self.tau0, eta0=self.eta0, variant=self.variant,
                    cautious=self.cautious, alm=self.alm)

    @staticmethod
    def init_state(problem, x0, phi0) -> ADMMState:
        c = problem.cons(x0, phi0)
        beta = None if c is None else torch.zeros_like(c)
        return ADMMState(x0, phi0, x0.clone(), phi0.clone(), torch.zeros_like(x0), torch.zeros_like(phi0),
                         beta, None if beta is None else beta.clone())

    def _block(self, problem, s: ADMMState, which: str, lay: ADMMLayer):
        rho = problem.rho
        blk = get_block(problem, which, s)
        if which == "x":
            z, beta, center = s.x, s.beta_x, s.v - s.mu1 / rho
            mult, stp = lay.eta, lay.tau
        else:
            z, beta, center = s.phi, s.beta_phi, s.vphi - s.mu2 / rho
            mult, stp = lay.kappa, lay.zeta
        phr = self.alm == "phr"
        for j in range(self.J):
            eta = None
            if beta is not None:
                c = blk.cons(z)
                eta = mult(j, torch.stack([c, beta], -1).detach())
                beta = alm_update(beta, eta, c)

            def grad_fn(z_, beta=beta, eta=eta):
                f, g = blk.value_grad(z_)
                g = g + (0.5 * rho) * (z_ - center)
                if beta is not None:
                    # PHR (46)/(51): d/dz sum eta/2 max(c + beta/eta, 0)^2 ; plain (25): d/dz sum beta c
                    w = torch.clamp_min(beta + eta * blk.cons(z_), 0.0) if phr else beta
                    g = g + blk.cons_grad(z_, w)
                return f, g

            z, _ = dfp_solve(z, grad_fn, lambda r, ft, j=j: stp(j * self.R + r, ft), blk.proj, self.R,
                             self.variant, self.cautious)
        return z, beta

    def layer_forward(self, t: int, problem, s: ADMMState) -> ADMMState:
        """One ADMM layer: x block (26)-(30), v (31), phi block (33)-(35), varphi (36), mu (37)."""
        lay = self.layers[t]
        rho = problem.rho
        x, bx = self._block(problem, s, "x", lay)
        v = problem.proj_x(rho * x + s.mu1)
        s = ADMMState(x, s.phi, v, s.vphi, s.mu1, s.mu2, bx, s.beta_phi)
        if problem.optimize_phi:
            phi, bp = self._block(problem, s, "phi", lay)
            vphi = problem.proj_phi(rho * phi + s.mu2)
        else:
            phi, bp, vphi = s.phi, s.beta_phi, s.vphi
        mu1 = s.mu1 + rho * (x - v)
        mu2 = s.mu2 + rho * (phi - vphi)
        return ADMMState(x, phi, v, vphi, mu1, mu2, bx, bp)

    def forward(self, problem, s: ADMMState, layers: int | None = None, trace: Callable | None = None):
        """Run ``layers`` (default T) layers; ``trace(t, state)`` is called after each."""
        for t in range(self.T if layers is None else layers):
            s = self.layer_forward(t, problem, s)
            if trace is not None:
                trace(t, s)
        return s


def train_layerwise(net: UnfoldedADMM, problem, s0: ADMMState, loss_fn: Callable, epochs: int,
                    lr: float = 0.01, progress: Callable | None = None, batch_size: int | None = None,
                    generator: torch.Generator | None = None, layers: range | None = None,
                    on_layer: Callable | None = None, checkpoint=None) -> list:
    """Layer-by-layer training (Sec. III-G): layer ``t`` is trained with layers ``< t`` frozen.

    ``loss_fn(problem, state) -> scalar`` (e.g. the negative normalised SINR of (38)).
    Adam, ``epochs`` steps per layer; full batch, or mini-batches of ``batch_size``
    instances drawn without replacement by ``generator`` (needs ``problem.subset``).
    ``layers`` restricts the trained layers (resuming: ``s0`` must then be the state
    entering the first of them); ``on_layer(t, state, hist)`` is called after each.
    Returns the loss history ``[(t, epoch, loss), ...]``; the entry with ``epoch == epochs``
    is the full-batch loss after layer ``t``.

    ``checkpoint`` (a path or a :class:`risisac.book.checkpoint.Checkpoint`): the job survives
    an interruption. The weights, Adam's state, the random states (global ones and
    ``generator``), the loop position, the state entering the layer and the history are saved
    at each layer boundary and, within a layer, after a step when the checkpoint's interval
    (default 10 minutes) has passed. When the file exists and was made by the same
    configuration (the network's sizes, ``epochs``, ``lr``, ``batch_size``, ``layers``, and the
    hashes of the initial weights, of ``s0`` and of the generator's state), training resumes
    from it and runs the same operations in the same order as an uninterrupted run;
    ``on_layer`` is called only for the layers trained after the resume. The file is deleted
    at the end (unless the checkpoint says ``remove_when_done=False``). Saving changes
    nothing in the computation.
    """
    from ..book import checkpoint as ckm
    ck = ckm.Checkpoint.of(checkpoint)
    hist = []
    s = s0.detach()
    n = s.x.shape[0]
    mini = batch_size is not None and batch_size < n
    ts = list(range(net.T) if layers is None else layers)
    gens = [generator] if generator is not None else []
    start, saved = 0, None
    if ck is not None:
        key = dict(net=net.config(), epochs=int(epochs), lr=float(lr), batch_size=batch_size, n=int(n), layers=ts,
                   weights0=ckm.digest(net.state_dict()), s0=ckm.digest(list(vars(s).values())),
                   generator0=ckm.digest([g.get_state() for g in gens]))
        saved = ck.resume(key)
        if saved is not None:
            net.load_state_dict(saved["weights"])
            s = ADMMState(*saved["s"])
            hist = [tuple(h) for h in saved["hist"]]
            ckm.set_rng_state(saved["rng"], gens)
            start = saved["i"]

    def snapshot(i, e, opt, perm, pos):
        return dict(i=i, e=e, weights={k: v.detach().clone() for k, v in net.state_dict().items()},
                    opt=None if opt is None else opt.state_dict(), perm=perm, pos=pos,
                    s=[None if v is None else v.detach() for v in vars(s).values()],
                    hist=[list(h) for h in hist], rng=ckm.rng_state(gens))

    it = ts if progress is None else progress(ts, desc="train layers")
    for i, t in enumerate(it):
        if i < start:
            continue
        opt = torch.optim.Adam(net.layers[t].parameters(), lr=lr)
        perm, pos, e0 = None, n, 0
        if saved is not None and i == saved["i"] and saved["opt"] is not None:
            opt.load_state_dict(saved["opt"])
            perm, pos, e0 = saved["perm"], saved["pos"], saved["e"]
        for e in range(e0, epochs):
            if mini:
                if pos + batch_size > n:
                    perm, pos = torch.randperm(n, generator=generator), 0
                idx = perm[pos:pos + batch_size]
                pos += batch_size
                pr, st = problem.subset(idx), s.subset(idx)
            else:
                pr, st = problem, s
            out = net.layer_forward(t, pr, st)
            loss = loss_fn(pr, out)
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append((t, e, float(loss.detach())))
            if ck is not None and e + 1 < epochs and ck.due():
                ck.save(snapshot(i, e + 1, opt, perm, pos), dict(layer=t, step=e + 1))
        with torch.no_grad():
            s = net.layer_forward(t, problem, s).detach()
            hist.append((t, epochs, float(loss_fn(problem, s))))
        if on_layer is not None:
            on_layer(t, s, hist)
        if ck is not None:                 # after on_layer: what it keeps in ck.extra is saved with the layer
            ck.save(snapshot(i + 1, 0, None, None, n), dict(layer=ts[i + 1] if i + 1 < len(ts) else None, step=0))
    if ck is not None and ck.remove_when_done:
        ck.remove()
    return hist


# --------------------------------------------------------------------------- parameters on disk
def save_params(net: UnfoldedADMM, path, **meta) -> Path:
    """Write the learned parameters (+ constructor arguments and ``meta``) to ``path`` (.pt)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": net.config(), "state": {k: v.detach().cpu() for k, v in net.state_dict().items()},
                "meta": meta}, path)
    return path


def load_params(path, cls=None) -> UnfoldedADMM:
    """A network rebuilt from :func:`save_params` output (``cls`` defaults to :class:`UnfoldedADMM`)."""
    d = torch.load(Path(path), map_location="cpu", weights_only=True)
    net = (cls or UnfoldedADMM)(**d["config"])
    net.load_state_dict(d["state"])
    return net
