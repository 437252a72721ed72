"""Paper A detection problem (21) as a :class:`risisac.paper_a.unfolding.Problem`, and the scheme runner.

The unfolded ADMM-ALM-DFP network minimises, in normalised units,

``f(xb, phi) = -SINR(X, phi) / S_0``   with ``X = sqrt(P/M) xb`` (so ``|xb_i| = 1``),

(the paper's (21a)/(23) says ``min`` of the SINR; the SINR is maximised), under
the CI constraints (19) normalised as ``c_kl = g_kl / gamma`` (a violation of one CI
threshold weighs 1 in the multiplier steps and in the loss; ``cons_scale='amplitude'``
gives the earlier scale, a typical received amplitude of hundreds of gamma). ``S_0`` is
the SINR of the initial point (detached), so every instance has an objective of order one.

API
---
``DetectionProblem(batch, x0, phi0, rho=..., qos=True, optimize_phi=True, cons_scale='gamma')``
    the plain :class:`risisac.paper_a.unfolding.Problem` methods, ``block(which, state)`` (the
    engine's fast interface: radar vectors / effective channels cached per block) and
    ``subset(idx)`` (mini-batches).
``loss_sinr(problem, state)``   training loss: ``-mean(SINR/S_0) + w * mean(relu(c)^2)``.
``design(problem, state)``      ``(X, phi)`` in physical units.
``start_point(batch, mode)``    common initial point of every scheme.
``run_proposed(net, batch, mode)``  modes ``'ris'`` (w/ RIS), ``'rand'`` (random fixed RIS),
    ``'noris'`` (w/o RIS); returns the design, the raw network output's SINR and feasibility,
    and where the repair fired.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ..comms import ci_margin

from . import model as sm
from .unfolding import ADMMState, UnfoldedADMM


class DetectionProblem:
    """Problem (21) in the normalised variables used by the unfolded network.

    ``cons_scale``: the CI constraints enter the network as ``c = g / g_s``. ``'gamma'``
    (default) takes ``g_s = gamma`` (a violation of one CI threshold weighs 1 in the
    multiplier updates and the loss); ``'amplitude'`` takes the earlier typical received
    amplitude ``sqrt(P/M) mean_k ||h_eff,k||`` (hundreds of gamma: a violation of
    100 gamma then looks like 0.3).
    """

    def __init__(self, batch: sm.SLPBatch, x0, phi0, rho: float = 0.05, qos: bool = True,
                 optimize_phi: bool = True, cons_scale: str = "gamma"):
        if cons_scale not in ("gamma", "amplitude"):
            raise ValueError(f"cons_scale must be 'gamma' or 'amplitude', got {cons_scale!r}")
        self.b = batch
        self.rho = rho
        self.qos = qos
        self.optimize_phi = optimize_phi and batch.ris
        self.a = np.sqrt(batch.P / batch.M)
        with torch.no_grad():
            self.S0 = sm.fast_sinr(batch, x0, phi0).clamp_min(1e-30)
            if cons_scale == "gamma":
                self.gs = torch.full_like(self.S0, float(batch.gamma))
            else:
                heff = sm.effective_channels(batch, phi0)
                self.gs = self.a * heff.norm(dim=-1).mean(-1)            # (B,)
        self.xb0 = x0 / self.a

    def subset(self, idx):
        """The problem restricted to instances ``idx`` (mini-batch training)."""
        out = copy.copy(self)
        for k, v in vars(self).items():
            if isinstance(v, torch.Tensor) and v.dim() > 0 and v.shape[0] == self.b.B:
                setattr(out, k, v[idx])
            elif hasattr(v, "subset") and k != "b":
                setattr(out, k, v.subset(idx))
        out.b = self.b.subset(idx)
        return out

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

    # fast block interface of the engine ----------------------------------
    def block(self, which: str, s: ADMMState):
        """Block of the engine (:mod:`risisac.paper_a.unfolding`) with everything fixed cached."""
        return _DetBlock(self, which, s)


class _DetBlock:
    """x or phi block of :class:`DetectionProblem`: caches what the other variable fixes.

    x block: the radar vectors ``u_0, u_q`` and ``h_eff``; phi block: ``h_k^H X`` and
    ``G X`` (the received signal is affine in phi). A subclass that overrides ``fx``/``fphi``
    (e.g. the CRB problem) keeps its own objective; only the constraints are cached.
    """

    def __init__(self, pr: DetectionProblem, which: str, s: ADMMState):
        self.pr, self.which = pr, which
        b = pr.b
        self.w_scale = (1.0 / pr.gs)[:, None, None]
        own_obj = type(pr).fx is DetectionProblem.fx and type(pr).fphi is DetectionProblem.fphi
        if which == "x":
            phi = s.phi
            self.proj = pr.proj_x
            u = sm.radar_cache(b, phi)
            if own_obj:
                def vg(xb):
                    sn, gX, _ = sm.sinr_and_grads(b, pr.a * xb, phi, True, False, u=u)
                    return -sn / pr.S0, -(pr.a / pr.S0)[:, None, None] * gX
                self.value_grad = vg
            else:
                self.value_grad = lambda xb: pr.fx(xb, phi)
            if pr.qos:
                self.Heff = pr.a * sm.effective_channels(b, phi)     # acts on the normalised x
        else:
            X = pr.a * s.x
            self.proj = pr.proj_phi
            if own_obj:
                def vg(ph):
                    sn, _, gp = sm.sinr_and_grads(b, X, ph, False, True)
                    return -sn / pr.S0, -gp / pr.S0[:, None]
                self.value_grad = vg
            else:
                self.value_grad = lambda ph: pr.fphi(s.x, ph)
            if pr.qos:
                self.y0 = b.h_k.conj() @ X
                self.GX = b.G @ X
                self.hr = b.h_rk.conj()

    def _y(self, z):
        if self.which == "x":
            return self.Heff @ z
        return self.y0 + (self.hr * z[:, None, :]) @ self.GX

    def cons(self, z):
        if not self.pr.qos:
            return None
        b = self.pr.b
        return (b.gamma - ci_margin(self._y(z), b.s, b.order)) * self.w_scale

    def cons_grad(self, z, w):
        c, sh = sm._ci_coef(self.pr.b, self._y(z))
        wgt = (w * self.w_scale) * c * sh                     # (B, K, L)
        if self.which == "x":
            return 0.5 * (self.Heff.conj().mT @ wgt)
        v = (self.hr * (wgt.conj() @ self.GX.mT)).sum(1)     # (B, N)
        return 0.5 * v.conj()


def design(problem: DetectionProblem, s: ADMMState):
    """Physical ``(X, phi)`` of a state."""
    return problem.a * s.x, s.phi


def loss_sinr(problem: DetectionProblem, s: ADMMState, w_viol: float = 10.0):
    """Training loss (38): the negative normalised SINR, plus a feasibility penalty.

    (38) is the SINR alone; the penalty ``w_viol * mean(relu(c)^2)`` (``c = g / gamma``
    with the default constraint scaling) keeps training from trading CI feasibility
    for SINR (our addition).
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


#: a raw output meets the CI constraints when ``max g_kl / gamma <= FEAS_TOL`` (round-off margin)
FEAS_TOL = 1e-9


def run_proposed(net: UnfoldedADMM, batch: sm.SLPBatch, mode: str = "ris", rng=None,
                 qos: bool = True, trace: bool = False, rho: float = 0.05, start=None,
                 repair: bool = True, cons_scale: str = "gamma"):
    """Run the (trained) unfolded network on ``batch`` for one scheme. No gradients kept.

    ``out['raw']`` describes the network's own output: ``sinr``, the worst normalised CI
    violation ``viol = max g_kl / gamma`` and ``feasible = viol <= FEAS_TOL`` (the constant-
    and unit-modulus constraints hold by the projections (30), (35)). ``repair``: a raw
    output that violates the CI constraints is mapped back into the CI region by the
    same CM/CI projection as the start point (:func:`risisac.paper_a.admm_mm.feasible_start`;
    ``out['repaired']`` marks where this fired); if the result is still less feasible
    than the common start point, the start point is returned (``out['fallback']``).
    ``start = (X0, phi0)`` overrides :func:`start_point`.
    """
    b = batch.without_ris() if mode == "noris" else batch
    X0, phi0 = start_point(b, mode, rng) if start is None else start
    pr = DetectionProblem(b, X0, phi0, rho=rho, qos=qos, optimize_phi=(mode == "ris"), cons_scale=cons_scale)
    s = UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    tr = [sm.fast_sinr(b, X0, phi0)]
    with torch.no_grad():
        s = net(pr, s, trace=(lambda t, st: tr.append(sm.fast_sinr(b, *design(pr, st)))) if trace else None)
    X, phi = design(pr, s)
    v_raw = sm.ci_values(b, X, phi).amax((-1, -2))
    raw = dict(sinr=sm.fast_sinr(b, X, phi), viol=v_raw / b.gamma,
               v_start=sm.ci_values(b, X0, phi0).amax((-1, -2)) / b.gamma)
    raw["feasible"] = raw["viol"] <= FEAS_TOL if qos else torch.ones_like(v_raw, dtype=torch.bool)
    repaired = torch.zeros_like(v_raw, dtype=torch.bool)
    fallback = torch.zeros_like(v_raw, dtype=torch.bool)
    if repair and qos and not bool(raw["feasible"].all()):
        from .admm_mm import feasible_start
        repaired = ~raw["feasible"]
        Xr = feasible_start(b, X, phi, slack=1.5)
        vr = sm.ci_values(b, Xr, phi).amax((-1, -2))
        X = torch.where((repaired & (vr <= v_raw))[:, None, None], Xr, X)
        # safeguard: never return a design less feasible than the (common) start point
        v_out = sm.ci_values(b, X, phi).amax((-1, -2))
        v_start = sm.ci_values(b, X0, phi0).amax((-1, -2))
        fallback = repaired & (v_out > torch.clamp_min(v_start, FEAS_TOL * b.gamma))
        X = torch.where(fallback[:, None, None], X0, X)
        phi = torch.where(fallback[:, None], phi0, phi)
    return dict(X=X, phi=phi, sinr=sm.fast_sinr(b, X, phi), batch=b, raw=raw, repaired=repaired,
                fallback=fallback, trace=torch.stack(tr, -1) if trace else None, problem=pr, state=s)
