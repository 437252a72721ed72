"""REFERENCE ONLY (tests): the engine as of commit 788c765, kept verbatim to check the fast engine against it.

Generic unfolded ADMM-ALM-DFP network (Paper A Sec. III-A..G, Algorithm 1; reused in Sec. IV).

The network is generic in the objective: it drives a *problem* object (duck
typed, see :class:`Problem`) that supplies the objective to minimise, its
conjugate gradients, the inequality constraints ``c(x, phi) <= 0`` and the
projections. Paper A's detection problem is :class:`risisac.paper_a.detection_net.DetectionProblem`;
a CRB objective plugs in the same way.

Pieces
------
``HyperMLP(S, n_in)``      ``S`` independent tiny MLPs ``n_in -> 10 -> 1`` (one hidden layer of
                           10 neurons, Xavier initialisation, Sec. III-G), positive output
                           ``base * softplus(.)``; evaluated batched.
``dfp_update(Bm, y, d, variant)``  DFP inverse-Hessian update (29) on a dense matrix ('standard' DFP
                           or the paper's literal (29b) 'paper'); ``LowRankDFP`` the same in low-rank form.
``dfp_solve(z, grad_fn, step_fn, proj, R, ...)``  R unfolded quasi-Newton steps (27)/(34) with the
                           modified (cautious) update rule (28) and the projection (30)/(35).
``alm_update(beta, eta, c)`` ``max(beta + eta c, 0)`` (26a)/(33a).
``ADMMLayer``              the learnable parameters of one ADMM layer t: eta^{(t,j)}, tau^{(t,j,r)},
                           kappa^{(t,j)}, zeta^{(t,j,r)} as HyperMLPs.
``UnfoldedADMM(T, J, R, alm=)``  the network (``alm='plain'``: Lagrangian (25)/(32) of Sec. III;
                           ``'phr'``: the PHR augmented Lagrangian (46)/(51) of Sec. IV); ``forward(problem, state, layers=...)``,
                           ``layer_forward(t, problem, state)``; ``init_state(problem)``.
``train_layerwise(net, make_problem, ...)``  layer-by-layer training (Sec. III-G).

Conventions: complex variables, conjugate gradients ``g = df/dz^*`` (real gradient
``2[Re g, Im g]``), quasi-Newton matrices in the real coordinates ``[Re z, Im z]``.

Learnable step sizes (our choice; the paper does not give the MLP inputs):
``tau = s / rms(B G)`` where ``s = softplus(MLP(features))`` and the features are
``[log10 rms(G), log10 rms(B G), objective value]`` of each instance, so ``s`` is
the length of the step per real coordinate and the same trained network works
for any problem scale and size. The ALM steps ``eta_c`` (one per constraint
``c = (k, l)``) come from one MLP applied to every constraint with features
``[c value, beta_c]`` (size-agnostic in K and L).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import torch
from torch import nn

from risisac.paper_a.model import c2r, r2c


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
        h = torch.tanh(feats @ self.W1[s].mT + self.b1[s])
        o = (h @ self.W2[s].mT)[..., 0] + self.b2[s, 0]
        return self.base * nn.functional.softplus(o)


def _rms(v):
    return v.pow(2).mean(-1).sqrt()


# --------------------------------------------------------------------------- DFP
def dfp_update(Bm, y, d, variant: str = "standard"):
    """Quasi-Newton inverse-Hessian update (29) for real vectors ``y`` (gradient change), ``d`` (step).

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
        raise ValueError("variant must be 'standard' or 'paper'")
    return Bm - first + coef[..., None, None] * d[..., :, None] * d[..., None, :]


class LowRankDFP:
    """The DFP matrix ``B_r = I + sum_i c_i v_i v_i^T`` kept as rank-one terms (exact, no n x n).

    With ``R`` steps ``B`` has at most ``2R`` terms, so ``B G`` costs ``O(R n)``
    instead of ``O(n^2)``. ``masked_update`` applies (29) only where ``mask``.
    """

    def __init__(self, variant: str = "standard"):
        self.V, self.C = [], []
        self.variant = variant

    def apply(self, g):
        out = g
        for v, c in zip(self.V, self.C):
            out = out + (c * (v * g).sum(-1))[:, None] * v
        return out

    def masked_update(self, y, d, mask):
        By = self.apply(y)
        yBy = (y * By).sum(-1)
        yd = (y * d).sum(-1)
        safe = lambda t: torch.where(mask, t, torch.ones_like(t))
        c1 = torch.where(mask, -1.0 / safe(yBy), torch.zeros_like(yBy))
        if self.variant == "standard":
            c2 = torch.where(mask, 1.0 / safe(yd), torch.zeros_like(yd))
        elif self.variant == "paper":
            c2 = torch.where(mask, yBy / safe(yd) ** 2, torch.zeros_like(yd))
        else:
            raise ValueError("variant must be 'standard' or 'paper'")
        self.V += [By, d]
        self.C += [c1, c2]


def dfp_solve(z, grad_fn: Callable, step_fn: Callable, proj: Callable, R: int,
              variant: str = "standard", cautious: float = 1.0):
    """``R`` unfolded DFP steps (27)-(30) on a complex variable ``z`` (B, ...).

    ``grad_fn(z) -> (value (B,), conj-grad like z)``; ``step_fn(r, feats) -> s (B,)``
    with ``feats = [log10 rms(G), log10 rms(BG), value]`` (B, 3), and
    ``tau = s / rms(B G)``; ``proj`` maps back to the modulus set (30)/(35).
    The update (28) keeps ``B`` when ``y^T d / ||d||^2 <= cautious * ||G||``
    (the paper's rule with ``cautious = 1``) or when ``y^T d <= 0``.
    ``B`` is held in low-rank form (:class:`LowRankDFP`), equal to (29).
    Returns ``(z, value)`` at the last iterate.
    """
    shape = z.shape[1:]
    f, g = grad_fn(z)
    Gr = 2 * c2r(g)
    Bm = LowRankDFP(variant)
    for r in range(R):
        BG = Bm.apply(Gr)
        feats = torch.stack([torch.log10(_rms(Gr) + 1e-30), torch.log10(_rms(BG) + 1e-30), f], -1)
        tau = step_fn(r, feats.detach()) / (_rms(BG) + 1e-30)
        zr = c2r(z)
        z_new = proj(r2c(zr - tau[:, None] * BG, shape))
        f_new, g_new = grad_fn(z_new)
        G_new = 2 * c2r(g_new)
        if r < R - 1:
            y = G_new - Gr
            d = c2r(z_new) - zr
            yd = (y * d).sum(-1)
            dd = (d * d).sum(-1).clamp_min(1e-300)
            upd = (yd / dd > cautious * Gr.norm(dim=-1)) & (yd > 0)
            Bm.masked_update(y, d, upd)
        z, f, Gr = z_new, f_new, G_new
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

    def detach(self):
        return ADMMState(*[None if t is None else t.detach() for t in
                           (self.x, self.phi, self.v, self.vphi, self.mu1, self.mu2, self.beta_x, self.beta_phi)])


class UnfoldedADMM(nn.Module):
    """Algorithm 1 with ``T`` ADMM layers, ``J`` ALM and ``R`` DFP iterations per block."""

    def __init__(self, T: int, J: int, R: int, tau0: float = 0.1, eta0: float = 0.5,
                 variant: str = "standard", cautious: float = 1.0, alm: str = "plain"):
        super().__init__()
        if alm not in ("plain", "phr"):
            raise ValueError("alm must be 'plain' (Lagrangian (25)) or 'phr' (PHR (46))")
        self.T, self.J, self.R = T, J, R
        self.alm = alm
        self.variant, self.cautious = variant, cautious
        self.layers = nn.ModuleList([ADMMLayer(J, R, tau0, eta0) for _ in range(T)])

    @staticmethod
    def init_state(problem, x0, phi0) -> ADMMState:
        c = problem.cons(x0, phi0)
        beta = None if c is None else torch.zeros_like(c)
        return ADMMState(x0, phi0, x0.clone(), phi0.clone(), torch.zeros_like(x0), torch.zeros_like(phi0),
                         beta, None if beta is None else beta.clone())

    def _block(self, problem, s: ADMMState, which: str, lay: ADMMLayer):
        rho = problem.rho
        if which == "x":
            z, beta, center = s.x, s.beta_x, s.v - s.mu1 / rho
            f_obj = lambda z_: problem.fx(z_, s.phi)
            c_fn = lambda z_: problem.cons(z_, s.phi)
            c_grad = lambda z_, b_: problem.cons_grad_x(z_, s.phi, b_)
            proj, mult, stp = problem.proj_x, lay.eta, lay.tau
        else:
            z, beta, center = s.phi, s.beta_phi, s.vphi - s.mu2 / rho
            f_obj = lambda z_: problem.fphi(s.x, z_)
            c_fn = lambda z_: problem.cons(s.x, z_)
            c_grad = lambda z_, b_: problem.cons_grad_phi(s.x, z_, b_)
            proj, mult, stp = problem.proj_phi, lay.kappa, lay.zeta
        for j in range(self.J):
            eta = None
            if beta is not None:
                c = c_fn(z)
                eta = mult(j, torch.stack([c, beta], -1).detach())
                beta = alm_update(beta, eta, c)

            def grad_fn(z_, beta=beta, eta=eta):
                f, g = f_obj(z_)
                g = g + 0.5 * rho * (z_ - center)
                if beta is not None:
                    if self.alm == "phr":   # d/dz sum eta/2 max(c + beta/eta, 0)^2
                        g = g + c_grad(z_, torch.clamp_min(beta + eta * c_fn(z_), 0.0))
                    else:                   # d/dz sum beta c  (25)
                        g = g + c_grad(z_, beta)
                return f, g

            z, _ = dfp_solve(z, grad_fn, lambda r, ft, j=j: stp(j * self.R + r, ft), proj, self.R,
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
                    lr: float = 0.01, progress: Callable | None = None) -> list:
    """Layer-by-layer training (Sec. III-G): layer ``t`` is trained with layers ``< t`` frozen.

    ``loss_fn(problem, state) -> scalar`` (e.g. the negative normalised SINR of (38)).
    Full-batch Adam, ``epochs`` steps per layer. Returns the loss history
    ``[(t, epoch, loss), ...]``. The frozen layers' output is cached.
    """
    hist = []
    s = s0.detach()
    it = range(net.T) if progress is None else progress(range(net.T), desc="train layers")
    for t in it:
        opt = torch.optim.Adam(net.layers[t].parameters(), lr=lr)
        for e in range(epochs):
            out = net.layer_forward(t, problem, s)
            loss = loss_fn(problem, out)
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append((t, e, float(loss.detach())))
        with torch.no_grad():
            s = net.layer_forward(t, problem, s).detach()
        hist.append((t, epochs, float(loss_fn(problem, s))))
    return hist
