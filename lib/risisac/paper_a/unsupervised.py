"""Paper A, DoA task: the "Unsuper., w/ RIS" baseline of Sec. V-B (Figs. 8-10, Table II).

The paper names the scheme only: "a traditional unsupervised deep learning approach,
which jointly optimizes x and phi by employing the objective function loss and
constraint-based regular terms". A plain MLP from the CSI to the waveform phases
(an earlier version of this baseline) never produced a CI-feasible design (0 % feasible
at any training length), so the baseline here follows the structure of the paper's ref. [34] (Mohammad,
Masouros, Andreopoulos, unsupervised learning for symbol-level precoding): a network
whose output layers map into the constraint set.

Architecture (:class:`UnsupervisedNet`)

1. **Input**: the user CSI and symbols (:func:`csi_features`), zero-padded to the
   ``K`` users the net was built for (transfer test of Fig. 8).
2. **MLP** ``2K(M+N+L) -> hidden -> hidden -> ML + N`` (ReLU), last layer
   initialised to zero: phase offsets ``d_x, d_phi``.
3. **Constant-modulus output layer**: ``xb = x_zf * exp(j d_x)``,
   ``phi = phi_t * exp(j d_phi)`` -- unit modulus by construction, residual to the
   common start point (the ZF symbol-level precoder on (18c) and the RIS co-phased
   with the target, :func:`risisac.paper_a.model.init_x` / ``init_phi``).
4. **CI-feasibility layer**: for the RIS ``phi`` the CI constraints (19) are linear in
   ``x``; the layer maps ``x`` to a constant-modulus waveform in that polyhedron
   near it by the ADMM projection :func:`risisac.paper_a.admm_mm.feasible_start`.
   It is part of the network (the design the network returns), not a repair after
   it; in training it is a straight-through layer (forward: the projection;
   backward: identity), a cheaper projection (``train_layer``) than at inference
   (``eval_layer``).

Loss: the normalised CRB (55) of the layer's output plus ``w_viol`` times the mean
squared CI violation (in units of ``gamma``) *before* the layer -- the "constraint-based
regular term", which teaches the MLP to land where the projection succeeds.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from . import model as sm
from .crb import channels_from_batch, crb


def csi_features(b: sm.SLPBatch, K_in: int):
    """Real input: Re/Im of ``h_k``, ``h_rk`` (each block scaled to unit RMS) and of the
    symbols ``s``; users beyond ``b.K`` are zero-padded up to ``K_in``."""
    if b.K > K_in:
        raise ValueError(f"K = {b.K}: the network was built for at most K_in = {K_in} users")
    parts = []
    for A in (b.h_k, b.h_rk, b.s):
        A = A / A.abs().pow(2).mean().sqrt().clamp_min(1e-300)
        if b.K < K_in:
            A = torch.cat([A, torch.zeros(A.shape[0], K_in - b.K, *A.shape[2:], dtype=A.dtype)], 1)
        parts += [A.real.reshape(A.shape[0], -1), A.imag.reshape(A.shape[0], -1)]
    return torch.cat(parts, -1)


#: projection settings of the CI-feasibility layer (``feasible_start`` keywords)
TRAIN_LAYER = dict(iters=10, proj_iters=20, retries=())
EVAL_LAYER = dict()


class UnsupervisedNet(nn.Module):
    """CSI -> MLP -> constant-modulus layer -> CI-feasibility layer (module docstring)."""

    def __init__(self, K: int, M: int, N: int, L: int, hidden: int = 128):
        super().__init__()
        for name, v in (("K", K), ("M", M), ("N", N), ("L", L), ("hidden", hidden)):
            if int(v) < 1:
                raise ValueError(f"{name} = {v}: must be a positive integer")
        self.K, self.M, self.N, self.L = K, M, N, L
        n_in = 2 * K * (M + N + L)
        self.mlp = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, M * L + N))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def modulus_layer(self, b: sm.SLPBatch):
        """Steps 1-3: unit-modulus ``(xb, phi)`` before the CI layer."""
        if (b.M, b.N, b.L) != (self.M, self.N, self.L):
            raise ValueError(f"batch sizes (M, N, L) = {(b.M, b.N, b.L)} differ from the net's "
                             f"{(self.M, self.N, self.L)}")
        phi_t = sm.init_phi(b, "target")
        x0 = sm.init_x(b, phi_t) / math.sqrt(b.P / b.M)
        d = self.mlp(csi_features(b, self.K))
        ML = self.M * self.L
        xb = sm.project_phi(x0) * torch.exp(1j * d[:, :ML].reshape(-1, self.M, self.L))
        phi = phi_t * torch.exp(1j * d[:, ML:])
        return xb, phi

    def forward(self, b: sm.SLPBatch, layer: dict | None = None):
        """``(xb, phi, xb_pre)``: normalised waveform after the CI layer (straight-through),
        RIS, and the waveform before the layer. ``layer=None`` -> :data:`EVAL_LAYER`."""
        from .admm_mm import feasible_start
        xb_pre, phi = self.modulus_layer(b)
        a = math.sqrt(b.P / b.M)
        with torch.no_grad():
            Xf = feasible_start(b, a * xb_pre.detach(), phi.detach(), **(EVAL_LAYER if layer is None else layer))
        xb = xb_pre + (Xf / a - xb_pre).detach()
        return xb, phi, xb_pre


def loss_unsupervised(b: sm.SLPBatch, f0, xb, phi, xb_pre, w_viol: float = 1.0):
    """Normalised CRB of the output + ``w_viol * mean(relu(g/gamma)^2)`` before the CI layer."""
    a = math.sqrt(b.P / b.M)
    loss = (crb(channels_from_batch(b), a * xb, phi) / f0).mean()
    g = sm.ci_values(b, a * xb_pre, phi) / b.gamma
    return loss + w_viol * torch.relu(g).pow(2).mean()


def train_unsupervised(net: UnsupervisedNet, batch: sm.SLPBatch, f0, steps: int, lr: float = 1e-3,
                       w_viol: float = 1.0, layer: dict | None = None) -> list:
    """Full-batch Adam on :func:`loss_unsupervised`; ``f0`` the CRB of the common start
    point (per instance). Returns the loss per step."""
    if steps < 1:
        raise ValueError(f"steps = {steps}: must be >= 1")
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    hist = []
    for _ in range(steps):
        xb, phi, xb_pre = net(batch, TRAIN_LAYER if layer is None else layer)
        loss = loss_unsupervised(batch, f0, xb, phi, xb_pre, w_viol)
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist.append(float(loss.detach()))
    return hist


@torch.no_grad()
def run_unsupervised(net: UnsupervisedNet, b: sm.SLPBatch, layer: dict | None = None) -> dict:
    """Design of the trained net: dict(X, phi, crb, X_pre) in physical units."""
    xb, phi, xb_pre = net(b, layer)
    a = math.sqrt(b.P / b.M)
    X = a * xb
    return dict(X=X, phi=phi, crb=crb(channels_from_batch(b), X, phi), X_pre=a * xb_pre)
