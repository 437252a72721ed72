"""Paper A detection problem (21) as a :class:`risisac.paper_a.unfolding.Problem`, and the scheme runner.

The unfolded ADMM-ALM-DFP network minimises, in normalised units,

``f(xb, phi) = -SINR(X, phi) / S_0``   with ``X = sqrt(P/M) xb`` (so ``|xb_i| = 1``),

(the paper's (21a)/(23) says ``min`` of the SINR; the SINR is maximised), under
the CI constraints normalised as ``c_kl = g_kl / g_s`` where
``g_s = sqrt(P/M) mean_k ||h_eff,k||`` at the initial point (a per-instance
constant: the constraint set is unchanged). ``S_0`` is the SINR of the initial
point (detached), so every instance has an objective of order one.

API
---
``DetectionProblem(batch, x0, phi0, rho=..., qos=True, optimize_phi=True)``
``loss_sinr(problem, state)``   training loss: ``-mean(SINR/S_0) + w * mean(relu(c)^2)``.
``design(problem, state)``      ``(X, phi)`` in physical units.
``run_proposed(net, batch, mode)``  modes ``'ris'`` (w/ RIS), ``'rand'`` (random fixed RIS),
                                ``'noris'`` (w/o RIS); returns dict(X, phi, sinr, trace).
"""

from __future__ import annotations

import numpy as np
import torch

from . import model as sm
from .unfolding import ADMMState, UnfoldedADMM


class DetectionProblem:
    """Problem (21) in the normalised variables used by the unfolded network."""

    def __init__(self, batch: sm.SLPBatch, x0, phi0, rho: float = 0.05, qos: bool = True,
                 optimize_phi: bool = True):
        self.b = batch
        self.rho = rho
        self.qos = qos
        self.optimize_phi = optimize_phi and batch.ris
        self.a = np.sqrt(batch.P / batch.M)
        with torch.no_grad():
            self.S0 = sm.fast_sinr(batch, x0, phi0).clamp_min(1e-30)
            heff = sm.effective_channels(batch, phi0)
            self.gs = self.a * heff.norm(dim=-1).mean(-1)            # (B,)
        self.xb0 = x0 / self.a

    # objective -----------------------------------------------------------
    def fx(self, xb, phi):
        s, gX, _ = sm.sinr_and_grads(self.b, self.a * xb, phi, True, False)
        return -s / self.S0, -(self.a / self.S0)[:, None, None] * gX

    def fphi(self, xb, phi):
        s, _, gp = sm.sinr_and_grads(self.b, self.a * xb, phi, False, True)
        return -s / self.S0, -gp / self.S0[:, None]

    # constraints ---------------------------------------------------------
    def cons(self, xb, phi):
        if not self.qos:
            return None
        return sm.ci_values(self.b, self.a * xb, phi) / self.gs[:, None, None]

    def cons_grad_x(self, xb, phi, beta):
        gX, _ = sm.ci_grads(self.b, self.a * xb, phi, beta / self.gs[:, None, None], True, False)
        return self.a * gX

    def cons_grad_phi(self, xb, phi, beta):
        _, gp = sm.ci_grads(self.b, self.a * xb, phi, beta / self.gs[:, None, None], False, True)
        return gp

    # projections ---------------------------------------------------------
    def proj_x(self, xb):
        return sm.project_phi(xb)           # unit modulus in normalised units == (18c)

    def proj_phi(self, phi):
        return sm.project_phi(phi)


def design(problem: DetectionProblem, s: ADMMState):
    """Physical ``(X, phi)`` of a state."""
    return problem.a * s.x, s.phi


def loss_sinr(problem: DetectionProblem, s: ADMMState, w_viol: float = 10.0):
    """Training loss (38): the negative normalised SINR, plus a feasibility penalty.

    (38) is the SINR alone; the penalty ``w_viol * mean(relu(c)^2)`` keeps
    training from trading CI feasibility for SINR (our addition).
    """
    X, phi = design(problem, s)
    loss = -(sm.fast_sinr(problem.b, X, phi) / problem.S0).mean()
    c = problem.cons(s.x, phi)
    if c is not None:
        loss = loss + w_viol * torch.relu(c).pow(2).mean()
    return loss


def start_point(batch: sm.SLPBatch, mode: str, rng=None, feasible: bool = True):
    """Initial ``(X, phi)`` shared by all schemes.

    'ris' -> RIS aligned to the target; 'rand' -> random RIS; 'noris' -> no RIS.
    ``X``: the ZF symbol-level precoder projected on (18c), then (``feasible``)
    moved into the CI region by :func:`risisac.paper_a.admm_mm.feasible_start`.
    """
    if mode == "ris":
        phi = sm.init_phi(batch, "target")
    elif mode == "rand":
        phi = sm.init_phi(batch, "random", rng)
    elif mode == "noris":
        phi = sm.init_phi(batch, "ones")
    else:
        raise ValueError("mode must be 'ris', 'rand' or 'noris'")
    X = sm.init_x(batch, phi)
    if feasible:
        from .admm_mm import feasible_start
        X = feasible_start(batch, X, phi)
    return X, phi


def run_proposed(net: UnfoldedADMM, batch: sm.SLPBatch, mode: str = "ris", rng=None,
                 qos: bool = True, trace: bool = False, rho: float = 0.05, start=None,
                 repair: bool = True):
    """Run the (trained) unfolded network on ``batch`` for one scheme. No gradients kept.

    ``repair``: the network output ``X`` is mapped back into the CI region by the
    same CM/CI projection as the start point (:func:`risisac.paper_a.admm_mm.feasible_start`,
    kept only where it lowers the worst violation); ``out['raw']`` has the SINR and
    worst normalised violation before it. If the result is still less feasible
    than the start point, the start point is returned (``out['fallback']`` marks it).
    ``start = (X0, phi0)`` overrides :func:`start_point`.
    """
    b = batch.without_ris() if mode == "noris" else batch
    X0, phi0 = start_point(b, mode, rng) if start is None else start
    pr = DetectionProblem(b, X0, phi0, rho=rho, qos=qos, optimize_phi=(mode == "ris"))
    s = UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    tr = [sm.fast_sinr(b, X0, phi0)]
    with torch.no_grad():
        s = net(pr, s, trace=(lambda t, st: tr.append(sm.fast_sinr(b, *design(pr, st)))) if trace else None)
    X, phi = design(pr, s)
    raw = dict(sinr=sm.fast_sinr(b, X, phi), viol=sm.ci_values(b, X, phi).amax((-1, -2)) / b.gamma,
               v_start=sm.ci_values(b, X0, phi0).amax((-1, -2)) / b.gamma)
    fallback = torch.zeros_like(raw["sinr"], dtype=torch.bool)
    if repair and qos:
        from .admm_mm import feasible_start
        Xr = feasible_start(b, X, phi, slack=1.5)
        vr = sm.ci_values(b, Xr, phi).amax((-1, -2))
        X = torch.where((vr <= sm.ci_values(b, X, phi).amax((-1, -2)))[:, None, None], Xr, X)
        # safeguard: never return a design less feasible than the (common) start point
        v_out = sm.ci_values(b, X, phi).amax((-1, -2))
        v_start = sm.ci_values(b, X0, phi0).amax((-1, -2))
        fallback = v_out > torch.clamp_min(v_start, 0.0)
        X = torch.where(fallback[:, None, None], X0, X)
        phi = torch.where(fallback[:, None], phi0, phi)
    return dict(X=X, phi=phi, sinr=sm.fast_sinr(b, X, phi), batch=b, raw=raw, fallback=fallback,
                trace=torch.stack(tr, -1) if trace else None, problem=pr, state=s)
