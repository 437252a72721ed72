"""Paper A, DoA task: CRB minimisation by the unfolded ADMM-PHR-ALM-DFP network (Sec. IV, Alg. 2).

Problem (42): ``min_{x, phi} f_2(x, phi)`` (the CRB trace of :mod:`risisac.paper_a.crb`)
s.t. the CI QoS constraints ``g_{k,l}(x, phi) <= 0`` (19), ``|x_i| = sqrt(P/M)``,
``|phi_n| = 1``.

This module plugs the CRB objective into the generic unfolded ADMM machinery of
:mod:`risisac.paper_a.unfolding` (hyper-MLPs, unfolded DFP with the cautious update (28),
ALM multiplier step, layer-wise training), written for the detection chapter:

* :class:`DoaProblem` -- the :class:`risisac.paper_a.unfolding.Problem` of (42): it reuses the
  normalisation, CI constraints and projections of
  :class:`risisac.paper_a.detection_net.DetectionProblem` and replaces the objective by the
  normalised CRB ``f_2 / f_2(x^(0), phi^(0))`` with its closed-form gradients.
* :class:`UnfoldedPHR` -- Algorithm 2: the x- and phi-blocks use the PHR augmented
  Lagrangian (46)/(51): after the multiplier step (47a)/(52a)
  ``beta <- max(beta + eta c, 0)`` the DFP steps (48)/(53) descend
  ``f + rho/2 ||z - v + mu/rho||^2 + sum eta/2 max(c + beta/eta, 0)^2``, whose gradient
  in the constraints is ``sum max(eta c + beta, 0) grad c`` (the slack ``p`` of (45)
  eliminated in closed form). :class:`risisac.paper_a.unfolding.UnfoldedADMM` on the same
  problem is the plain-ALM variant (linear term ``sum beta c``, Sec. III).
* :func:`make_problem` / :func:`train_doa` / :func:`run_doa` -- one scheme of Sec. V-B from
  the common start point (:func:`risisac.paper_a.detection_net.start_point`: every scheme,
  random RIS included, starts from a CI-feasible constant-modulus waveform).
* :func:`feasibility` (raw share of designs meeting (18c), (18d), (19)) and
  :func:`repair` (the CI/CM projection applied *after* the network; its designs are
  reported separately and never counted as the network's own).

The "Unsuper., w/ RIS" baseline is :mod:`risisac.paper_a.unsupervised`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import model as sm
from .crb import channels_from_batch, crb, crb_and_grad, crb_matrix, columns, woodbury_apply
from .detection_net import FEAS_TOL, DetectionProblem, start_point
from .unfolding import ADMMState, UnfoldedADMM, train_layerwise


# ============================================================================ problem (42)

class DoaProblem(DetectionProblem):
    """Problem (42) in the normalised variables of the unfolded network.

    Objective ``f(xb, phi) = f_2(sqrt(P/M) xb, phi) / f_2(x^(0), phi^(0))`` (normalised CRB);
    constraints ``g / gamma``, projections and ``rho`` as :class:`DetectionProblem`.
    Gradients are conjugate gradients (``df/dz^*``).
    """

    def __init__(self, batch: sm.SLPBatch, x0, phi0, rho: float = 0.05, qos: bool = True,
                 optimize_phi: bool = True):
        super().__init__(batch, x0, phi0, rho=rho, qos=qos, optimize_phi=optimize_phi)
        self.ch = channels_from_batch(batch)
        # constraints in units of the CI threshold gamma (DetectionProblem divides by a typical
        # received amplitude, which makes a violation of several gamma look negligible next
        # to the normalised CRB); the DFP steps are scale-free (tau = s / rms(B G)).
        self.gs = torch.full_like(self.gs, float(batch.gamma))
        with torch.no_grad():
            self.f0 = crb(self.ch, x0, phi0).clamp_min(1e-300)

    def subset(self, idx):
        """The problem restricted to instances ``idx`` (mini-batch training), channels included."""
        out = super().subset(idx)
        out.ch = channels_from_batch(out.b)
        return out

    def fx(self, xb, phi):
        f, gX, _ = crb_and_grad(self.ch, self.a * xb, phi, want_phi=False)
        return f / self.f0, (0.5 * self.a / self.f0)[:, None, None] * gX

    def fphi(self, xb, phi):
        f, _, gp = crb_and_grad(self.ch, self.a * xb, phi)
        return f / self.f0, (0.5 / self.f0)[:, None] * gp


# ============================================================================ Algorithm 2

class UnfoldedPHR(UnfoldedADMM):
    """Unfolded ADMM-PHR-ALM-DFP (Algorithm 2): :class:`UnfoldedADMM` with the PHR blocks.

    Same learnable set ``{eta, kappa, tau, zeta}`` (:class:`risisac.paper_a.unfolding.ADMMLayer`),
    same v / varphi / mu updates (31), (36), (37); only the sub-problem objective of the
    DFP steps differs: the PHR term of (46)/(51), whose gradient weights the constraint
    gradients by ``max(eta c + beta, 0)`` instead of the plain Lagrangian's ``beta``
    (multipliers (47a)/(52a)). That is :class:`UnfoldedADMM` with ``alm="phr"``.
    """

    def __init__(self, T: int, J: int, R: int, **kw):
        kw.setdefault("alm", "phr")
        super().__init__(T, J, R, **kw)


def make_net(method: str, T: int, J: int, R: int, **kw) -> UnfoldedADMM:
    """``method='phr'`` -> :class:`UnfoldedPHR` (proposed); ``'alm'`` -> :class:`UnfoldedADMM`."""
    if method == "phr":
        return UnfoldedPHR(T, J, R, **kw)
    if method == "alm":
        return UnfoldedADMM(T, J, R, **kw)
    raise ValueError("method must be 'phr' or 'alm'")


# ============================================================================ training / running

def loss_crb(problem: DoaProblem, s: ADMMState, w_viol: float = 1.0):
    """Training loss (55): the mean normalised CRB, plus ``w_viol * mean(relu(g/gamma)^2)``.

    (55) is the CRB alone; the feasibility term (our addition, as in the detection
    chapter but with the violation measured in units of the CI threshold ``gamma``)
    stops training from buying CRB with QoS violations.
    """
    X, phi = problem.a * s.x, s.phi
    loss = (crb(problem.ch, X, phi) / problem.f0).mean()
    c = problem.cons(s.x, phi)
    if c is not None:
        g = c * (problem.gs / problem.b.gamma)[:, None, None]
        loss = loss + w_viol * torch.relu(g).pow(2).mean()
    return loss


def make_problem(batch: sm.SLPBatch, mode: str = "ris", qos: bool = True, rng=None,
                 rho: float = 0.05, phi0=None, start=None):
    """Problem and initial state for a scheme: ``mode='ris'`` (phi optimised from the
    target-aligned start) or ``'rand'`` (phi fixed at a random draw, or at ``phi0``).
    ``start = (X0, phi0)`` reuses a start point computed once (:func:`start_for`)."""
    if start is not None:
        X0, phi0 = start
    elif mode == "rand" and phi0 is not None:      # same start rule as every scheme
        from .admm_mm import feasible_start
        X0 = feasible_start(batch, sm.init_x(batch, phi0), phi0)
    else:
        X0, phi0 = start_point(batch, mode, rng)
    pr = DoaProblem(batch, X0, phi0, rho=rho, qos=qos, optimize_phi=(mode == "ris"))
    return pr, UnfoldedADMM.init_state(pr, pr.xb0, phi0)


def train_doa(net: UnfoldedADMM, batch: sm.SLPBatch, epochs: int, lr: float = 0.02,
              mode: str = "ris", qos: bool = True, rng=None, w_viol: float = 1.0,
              batch_size: int | None = None, generator=None, on_layer=None, checkpoint=None):
    """Layer-wise training (:func:`risisac.paper_a.unfolding.train_layerwise`) with :func:`loss_crb`:
    ``epochs`` Adam steps per layer, full batch or mini-batches of ``batch_size`` drawn by
    ``generator``; ``on_layer(t, state, hist)`` after each layer; ``checkpoint``: see
    :func:`risisac.paper_a.unfolding.train_layerwise`."""
    pr, s0 = make_problem(batch, mode, qos, rng)
    return train_layerwise(net, pr, s0, lambda p, s: loss_crb(p, s, w_viol), epochs, lr=lr,
                           batch_size=batch_size, generator=generator, on_layer=on_layer, checkpoint=checkpoint)


def start_for(batch: sm.SLPBatch, mode: str = "ris", rng=None, phi0=None):
    """The common start point ``(X0, phi0)`` of a scheme (as :func:`make_problem` builds it)."""
    pr, s = make_problem(batch, mode, False, rng, phi0=phi0)
    return pr.a * s.x, s.phi


def run_doa(net: UnfoldedADMM, batch: sm.SLPBatch, mode: str = "ris", qos: bool = True, rng=None,
            trace: bool = False, phi0=None, start=None, layers: int | None = None):
    """Run a (trained) network, no repair: dict(X, phi, crb, f0, start=(X0, phi0), trace)
    (trace = CRB after each layer, column 0 the start; ``layers`` runs only the first ones).
    A given ``start`` is returned as the same tensors; with no layer run, so is the design."""
    pr, s = make_problem(batch, mode, qos, rng, phi0=phi0, start=start)
    start = (pr.a * s.x, s.phi) if start is None else tuple(start)
    tr = [pr.f0.clone()]
    if (net.T if layers is None else min(layers, net.T)) == 0:
        X, phi = start
    else:
        with torch.no_grad():
            s = net(pr, s, layers=layers,
                    trace=(lambda t, st: tr.append(crb(pr.ch, pr.a * st.x, st.phi))) if trace else None)
        X, phi = pr.a * s.x, s.phi
    return dict(X=X, phi=phi, crb=crb(pr.ch, X, phi), f0=pr.f0, start=start,
                trace=torch.stack(tr, -1) if trace else None)


# ============================================================================ checks

@torch.no_grad()
def repair(b: sm.SLPBatch, X, phi, X0, phi0):
    """Feasible designs from network outputs (the feasibility policy of both Paper A chapters,
    as :func:`risisac.paper_a.detection_net.run_proposed` applies it).

    An output violating the CI constraints (``max g / gamma > FEAS_TOL``) is projected into
    the CI region for its ``phi`` by the start-point projection
    (:func:`risisac.paper_a.admm_mm.feasible_start`, slack 1.5), kept where it lowers the
    worst violation; if it is still more violated than the start ``(X0, phi0)``, the start
    is returned. Returns ``(X, phi, fired, fallback)``; ``fired`` marks the repaired
    instances. Repaired designs are reported beside the raw ones, never as the network's own.
    """
    from .admm_mm import feasible_start
    worst = lambda X_, p_: sm.ci_values(b, X_, p_).amax((-1, -2))
    v_raw = worst(X, phi)
    fired = v_raw / b.gamma > FEAS_TOL
    fallback = torch.zeros_like(fired)
    if bool(fired.any()):
        Xr = feasible_start(b, X, phi, slack=1.5)
        X = torch.where((fired & (worst(Xr, phi) <= v_raw))[:, None, None], Xr, X)
        fallback = fired & (worst(X, phi) > torch.clamp_min(worst(X0, phi0), FEAS_TOL * b.gamma))
        X = torch.where(fallback[:, None, None], X0, X)
        phi = torch.where(fallback[:, None], phi0, phi)
    return X, phi, fired, fallback


@torch.no_grad()
def feasible_mask(b: sm.SLPBatch, X, phi, tol: float | None = None):
    """Per instance: every CI constraint (19) met, ``g_{k,l} <= tol * gamma`` (bool (B,));
    ``tol`` defaults to the shared :data:`risisac.paper_a.detection_net.FEAS_TOL`."""
    tol = FEAS_TOL if tol is None else tol
    return (sm.ci_values(b, X, phi) / b.gamma).amax((1, 2)) <= tol


@torch.no_grad()
def feasibility(b: sm.SLPBatch, X, phi, qos: bool = True) -> dict:
    """Constraint check of returned designs: worst CI violation ``max(g, 0)/gamma``, share of
    instances with every ``g_{k,l} <= 0`` (to ``FEAS_TOL`` gamma), worst modulus errors of (18c)/(18d)."""
    a = math.sqrt(b.P / b.M)
    g = sm.ci_values(b, X, phi) / b.gamma
    out = dict(mod_x=float(((X.abs() - a).abs() / a).max()), mod_phi=float((phi.abs() - 1).abs().max()))
    if qos:
        out.update(qos_viol=float(torch.relu(g).max()), feasible=float((g.amax((1, 2)) <= FEAS_TOL).double().mean()))
    return out


# ============================================================================ ML estimator (CRB check)

def steering_for(b: sm.SLPBatch, i: int, th0, thR, spacing: float = 0.5):
    """``h_bt(theta_0)`` and ``h_rt(theta_RIS)`` of instance ``i`` for trial angles (ULA
    responses scaled by the instance's path-loss amplitudes)."""
    from ..arrays import ula
    ab = b.h_bt[i, 0].abs().item()
    ar = b.h_rt[i, 0].abs().item()
    hb = torch.as_tensor(ab * ula(b.M, np.asarray(th0), spacing))
    hr = torch.as_tensor(ar * ula(b.N, np.asarray(thR), spacing))
    return hb, hr


@torch.no_grad()
def ml_doa_monte_carlo(b: sm.SLPBatch, i: int, X, phi, theta_true, n_trials: int, rng,
                       width: float = 6.0, n_grid: int = 41, spacing: float = 0.5, per_trial: bool = False):
    """Monte Carlo RMSE of the (local) ML estimator of ``[theta_0, theta_RIS]`` for instance ``i``.

    Draws ``r = alpha_0 vec(H_0 X) + sum_q alpha_q vec(H_q X J_q) + z`` with
    ``|alpha_0|^2 = xi_0^2`` (random phase), ``alpha_q ~ CN(0, xi_q^2)``,
    ``z ~ CN(0, sigma^2 I)`` and maximises the concentrated likelihood
    ``|b(theta)^H C^{-1} r|^2 / b(theta)^H C^{-1} b(theta)`` (alpha_0 eliminated) on a grid
    of ``n_grid^2`` points within ``+- width`` CRB standard deviations of the truth,
    then on a 4x finer grid around the coarse maximum. Returns (per-angle MSE (2,),
    CRB matrix (2,2)); ``per_trial=True`` returns the squared errors (n_trials, 2) instead of the MSE.
    """
    ch = channels_from_batch(b.subset(slice(i, i + 1)))
    X1, phi1 = X[i:i + 1], phi[i:i + 1]
    Cm = crb_matrix(ch, X1, phi1)[0]
    sd = torch.sqrt(torch.diagonal(Cm)).numpy()
    Bm, U, (u0, eb, er, uq) = columns(ch, X1, phi1)
    M, L = X1.shape[-2:]
    Q = U.shape[1]
    s2 = ch.sigma2
    # observations
    cz = lambda *s: torch.as_tensor((rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2))
    a0 = math.sqrt(b.xi0_2) * torch.exp(1j * torch.as_tensor(rng.uniform(0, 2 * np.pi, n_trials)))
    aq = cz(n_trials, Q)
    R = a0[:, None, None] * Bm[0, 0] + torch.einsum("tq,qml->tml", aq, U[0]) + math.sqrt(s2) * cz(n_trials, M, L)
    # C^{-1} r by Woodbury
    Y, _ = woodbury_apply(R[None], U, s2)
    W = Y[0]                                                              # (t, M, L)
    Uc = U[0]
    S = s2 * torch.eye(Q, dtype=Uc.dtype) + torch.einsum("qml,pml->qp", Uc.conj(), Uc)

    def score(th0, thR):                                                  # th0, thR: (t, g)
        t, g = th0.shape
        hb, hr = steering_for(b, i, th0.reshape(-1), thR.reshape(-1), spacing)
        u = hb + torch.einsum("nm,kn->km", ch.G[0], phi1[0] * hr)        # (t*g, M)
        c = torch.einsum("ml,km->kl", X1[0], u)                           # X^T u
        u, c = u.reshape(t, g, M), c.reshape(t, g, L)
        num = torch.einsum("tgm,tml,tgl->tg", u.conj(), W, c.conj()).abs() ** 2
        Ub = torch.einsum("qml,tgm,tgl->tgq", Uc.conj(), u, c)            # U^H b
        quad = torch.einsum("tgq,tgq->tg", Ub.conj(), torch.linalg.solve(S, Ub.unsqueeze(-1).reshape(-1, Q, 1)).reshape(t, g, Q)).real
        den = (u.abs().pow(2).sum(-1) * c.abs().pow(2).sum(-1) - quad) / s2
        return num / den

    centre = np.tile(np.asarray(theta_true, float), (n_trials, 1))
    half = width * sd
    for stage in range(2):
        g0 = np.linspace(-1, 1, n_grid)
        G0, G1 = np.meshgrid(g0, g0, indexing="ij")
        th0 = torch.as_tensor(centre[:, 0:1] + half[0] * G0.reshape(1, -1))
        thR = torch.as_tensor(centre[:, 1:2] + half[1] * G1.reshape(1, -1))
        k = score(th0, thR).argmax(-1)
        centre = np.stack([th0[torch.arange(n_trials), k].numpy(), thR[torch.arange(n_trials), k].numpy()], -1)
        half = half * 4.0 / (n_grid - 1)
    err = centre - np.asarray(theta_true, float)[None]
    return (err ** 2 if per_trial else (err ** 2).mean(0)), Cm.numpy()
