"""ADMM-MM baseline for Paper A's detection problem (21) (after Liu et al., IEEE JSTSP 2022, ref. [25]).

Our derivation (the paper only cites it). Alternating over ``X`` and ``phi``, each
block is one majorisation-minimisation (here: minorisation-maximisation) step
of the SINR with the constraints handled by ADMM:

1. **Minoriser.** For a block ``z`` (X or phi) with conjugate gradient ``g`` of the
   SINR at ``z_t`` and a curvature constant ``Lc``,
   ``SINR(z) >= SINR(z_t) + 2 Re{g^H (z - z_t)} - Lc ||z - z_t||^2``.
   On the modulus set ``||z||^2`` is constant, so maximising the minoriser is
   ``max Re{b^H z}`` with ``b = g + Lc z_t`` (a linear objective).
   ``Lc`` is found by backtracking (doubled until the SINR does not decrease),
   which makes every accepted step a valid MM ascent step; a step is also
   rejected if it increases the worst CI violation (ADMM is inexact).
2. **ADMM for the constraints.** ``max Re{b^H z}`` s.t. ``Re{V z} <= d`` (the CI
   constraints (19), real-linear in X per slot and in phi, :func:`risisac.paper_a.model.ci_linear_x`,
   :func:`~risisac.paper_a.model.ci_linear_phi`) and ``|z_i| = r``: split ``z = w``,
   ``z``-step = projection of ``w - lam + b/rho`` on the polyhedron
   (:func:`proj_polyhedron`, dual FISTA), ``w``-step = modulus projection of
   ``z + lam``, ``lam += z - w``. The modulus-feasible ``w`` is returned.

3. **Stopping rule of ref. [25]'s public code**: relative change of the SINR in dB below
   ``5e-4`` (with a 20-iteration average once the change is below ``1e-3``), per
   instance (:func:`liu_residual`); converged instances are frozen.

What is *not* Liu et al.'s: their surrogates (a quadratic MM surrogate of the MVDR SINR
for x; an eigenvalue-bounded quartic-to-quadratic surrogate for phi) are solved as convex
programs over the relaxed modulus sets ``|x_i| <= r``, ``|phi_n| <= 1`` inside an ADMM whose
splitting enforces the exact moduli. This module keeps our linearised minoriser on the modulus
set (step 1) with backtracking; it is the same problem and the same constraints, solved by a
different (first-order) MM. Liu et al.'s algorithm itself (both surrogates, a convex-solver and
an exact batched version of each step, the assembled ADMM-MM) is
:mod:`risisac.paper_a.admm_mm_liu` (:func:`~risisac.paper_a.admm_mm_liu.liu_admm_mm`).

API: ``proj_polyhedron(c, V, d, iters)``, ``admm_linear(b, z0, V, d, radius, ...)``,
``feasible_start(batch, X, phi)``, ``admm_mm(batch, X0, phi0, iters, qos=True, tol=...)`` -> dict
(X, phi, sinr, trace, iters, converged, seconds), ``liu_residual``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from . import model as sm


class PolyProjector:
    """Projection on ``{z : Re{V z} <= d}`` (V (..., m, n), d (..., m)), warm-started.

    Dual projected gradient with Nesterov momentum (FISTA) on
    ``max_{lam >= 0} lam^T (Re{V c} - d) - lam^T K lam / 2``, ``K = Re{V V^H}``;
    ``z = c - V^H lam`` (``V^H lam = sum_i lam_i conj(v_i)``); step ``1/||K||_2``
    (power iteration). ``K`` and the step are computed once; the multipliers of
    the previous call start the next one (ADMM calls it repeatedly).
    """

    def __init__(self, V, d):
        self.V, self.d = V, d
        self.K = (V @ V.conj().mT).real
        x = torch.ones(self.K.shape[:-1], dtype=self.K.dtype, device=self.K.device)
        for _ in range(20):
            x = (self.K @ x[..., None])[..., 0]
            x = x / x.norm(dim=-1, keepdim=True).clamp_min(1e-300)
        self.Lk = ((self.K @ x[..., None])[..., 0] * x).sum(-1).clamp_min(1e-300)[..., None] * 1.05
        self.lam = None

    def __call__(self, c, iters: int = 25):
        r0 = (self.V @ c[..., None])[..., 0].real - self.d
        lam = torch.zeros_like(r0) if self.lam is None else self.lam
        mom, tk = lam, 1.0
        for _ in range(iters):
            grad = r0 - (self.K @ mom[..., None])[..., 0]
            lam_new = torch.clamp_min(mom + grad / self.Lk, 0.0)
            tk1 = (1 + np.sqrt(1 + 4 * tk * tk)) / 2
            mom = lam_new + ((tk - 1) / tk1) * (lam_new - lam)
            lam, tk = lam_new, tk1
        self.lam = lam
        return c - (self.V.conj().mT @ lam.to(self.V.dtype)[..., None])[..., 0]


def proj_polyhedron(c, V, d, iters: int = 60):
    """Projection of ``c`` (..., n) on ``{z : Re{V z} <= d}`` (one-shot :class:`PolyProjector`)."""
    return PolyProjector(V, d)(c, iters)


def _proj_mod(z, radius):
    return radius * sm.project_phi(z)


def admm_linear(bvec, z0, V, d, radius: float, rho: float = 1.0, iters: int = 30, proj_iters: int = 60):
    """``max Re{b^H z}`` s.t. ``Re{V z} <= d``, ``|z_i| = radius`` by ADMM (``V=None``: no linear constraints).

    Shapes: ``z`` (..., n) and ``V`` (..., m, n) share leading axes (``V`` may be a
    :class:`PolyProjector`, reused across calls). ``b`` is
    normalised internally (the maximiser is scale invariant). Returns the
    modulus-feasible iterate.
    """
    if V is None:
        return _proj_mod(bvec, radius)
    bn = bvec / bvec.abs().pow(2).mean(-1, keepdim=True).sqrt().clamp_min(1e-300) * radius
    w = z0
    lam = torch.zeros_like(z0)
    proj = V if isinstance(V, PolyProjector) else PolyProjector(V, d)
    proj.lam = None
    for _ in range(iters):
        z = proj(w - lam + bn / rho, proj_iters)
        w = _proj_mod(z + lam, radius)
        lam = lam + z - w
    return w


def _x_block(b, X, bX, radius, qos, iters, proj_iters, V=None, d=None):
    if not qos:
        return _proj_mod(bX, radius)
    xs = X.mT                                                  # (B, L, M)
    w = admm_linear(bX.mT, xs, V, d, radius, iters=iters, proj_iters=proj_iters)
    return w.mT


def feasible_start(b: sm.SLPBatch, X, phi, slack: float = 2.0, iters: int = 40, proj_iters: int = 60,
                   retries: Sequence[float] = (3.0, 4.0)):
    """A constant-modulus waveform near ``X`` meeting the CI constraints (ADMM with ``b = X``).

    The CI threshold is raised to ``slack * gamma`` for the search so that the
    final modulus projection keeps the true constraints; instances still
    infeasible are retried from the result with the larger slacks ``retries``
    (a retry replaces an instance's result only if that was infeasible and the
    retry violates less). Used as the common
    starting point of every scheme and as the repair step of the network output.
    """
    radius = np.sqrt(b.P / b.M)
    best = None
    bestv = None
    cur = X
    for sl in (slack, *retries):
        bb = _with_gamma(b, sl * b.gamma)
        V, d = sm.ci_linear_x(bb, phi)
        cur = _x_block(bb, cur, cur, radius, True, iters, proj_iters, PolyProjector(V, d), d)
        v = sm.ci_values(b, cur, phi).amax((-1, -2))
        if best is None:
            best, bestv = cur, v
        else:
            better = (bestv > 0) & (v < bestv)          # only instances still infeasible
            best = torch.where(better[:, None, None], cur, best)
            bestv = torch.where(better, v, bestv)
        if bool((bestv <= 0).all()):
            break
    return best


def _with_gamma(b, gamma):
    from dataclasses import replace
    return replace(b, gamma=float(gamma))


def _backtrack(z, Lk, scale, s, vcur, max_backtrack, propose, evaluate):
    """Per-instance search over the MM curvature constant ``Lk`` (shared by the x and phi blocks).

    ``propose(Lc)`` returns the candidate for curvature ``Lc = Lk * scale`` (shaped to
    broadcast against ``z``); ``evaluate(cand)`` returns ``(sinr, ci_violation)``. An
    instance accepts the first candidate that neither lowers its SINR nor raises its
    CI violation; ``Lk`` then shrinks (x0.7), otherwise grows (x4); an instance that has
    accepted keeps its ``Lk`` while the others search. Returns
    ``(z, Lk, sinr, violation)``.
    """
    shape = (-1,) + (1,) * (z.ndim - 1)
    done = torch.zeros_like(s, dtype=torch.bool)
    zn = z
    for _ in range(max_backtrack):
        cand = propose((Lk * scale).reshape(shape))
        sc, vc = evaluate(cand)
        ok = (sc >= s) & (vc <= vcur) & ~done
        vcur = torch.where(ok, vc.clamp_min(0.0), vcur)
        zn = torch.where(ok.reshape(shape), cand, zn)
        s = torch.where(ok, sc, s)
        # accepted now -> shrink; still searching -> grow; accepted earlier -> keep (so that an
        # instance's result does not depend on the other instances of the batch)
        Lk = torch.where(ok, Lk * 0.7, torch.where(done, Lk, Lk * 4))
        done = done | ok
        if bool(done.all()):
            break
    return zn, Lk, s, vcur


def liu_residual(trace_db: list, it: int) -> torch.Tensor:
    """Stopping residual of Liu et al.'s code (ref. [25]) after iteration ``it`` (>= 1).

    ``res = |1 - SINR_dB(it) / SINR_dB(it-1)|``; once ``it > 20`` and ``res < 1e-3`` it is
    replaced by ``|1 - mean(SINR_dB(it-20..it-1)) / SINR_dB(it)|`` (a 20-iteration average,
    so a slow creep does not stop the run early). SINRs in dB, per instance.
    """
    cur, prev = trace_db[it], trace_db[it - 1]
    res = (1 - cur / prev).abs()
    if it > 20:
        avg = torch.stack(trace_db[it - 20:it], -1).mean(-1)
        res = torch.where(res < 1e-3, (1 - avg / cur).abs(), res)
    return res


def admm_mm(b: sm.SLPBatch, X0, phi0, iters: int = 20, qos: bool = True, optimize_phi: bool = True,
            admm_iters: int = 30, proj_iters: int = 50, phi_admm_iters: int = 10, phi_proj_iters: int = 25,
            max_backtrack: int = 4, slack: float = 1.5, tol: float = 0.0, trace: bool = False,
            clock: bool = False):
    """ADMM-MM (see module doc). Batched over instances; returns dict(X, phi, sinr, trace, iters).

    ``qos=False`` gives the radar-only design (modulus constraints only). The
    ADMM searches use the CI threshold ``slack * gamma`` so that the modulus
    projection of the last ADMM iterate still meets the true threshold.
    ``tol > 0``: each instance stops on its own when the stopping residual of Liu et al.
    (:func:`liu_residual`, their tolerance is ``5e-4``) falls to ``tol`` or below; stopped
    instances are frozen and no longer computed. ``iters`` caps the iterations.
    ``out['iters']`` (B,) counts the iterations each instance ran; ``out['converged']`` marks
    the instances that met the tolerance; with ``clock`` ``out['seconds']`` holds the
    cumulative wall time after each iteration (the whole batch).
    """
    import time
    bt = _with_gamma(b, slack * b.gamma)
    radius = np.sqrt(b.P / b.M)
    X, phi = X0.clone(), phi0.clone()
    s = sm.fast_sinr(b, X, phi)
    vfun = lambda bb, X_, p_: (sm.ci_values(bb, X_, p_).amax((-1, -2)) if qos else torch.zeros(X_.shape[0]))
    vcur = vfun(b, X, phi).clamp_min(0.0)
    tr = [s.clone()]
    tr_db = [10 * torch.log10(s)]
    LX = torch.full_like(s, 1.0)
    LP = torch.full_like(s, 1.0)
    optimize_phi = optimize_phi and b.ris
    active = torch.ones_like(s, dtype=torch.bool)
    n_it = torch.zeros(s.shape, dtype=torch.long)
    secs, t0 = [0.0], time.perf_counter()
    for it in range(iters):
        idx = active.nonzero()[:, 0]
        full = bool(active.all())
        sub = (lambda t: t) if full else (lambda t: t[idx])
        bb = b if full else b.subset(idx)
        bbt = bt if full else bt.subset(idx)
        Xa, pa, sa, va, LXa, LPa = sub(X), sub(phi), sub(s), sub(vcur), sub(LX), sub(LP)
        Xa, pa, sa, va, LXa, LPa = _mm_iteration(bb, bbt, Xa, pa, sa, va, LXa, LPa, radius, qos, optimize_phi,
                                                 admm_iters, proj_iters, phi_admm_iters, phi_proj_iters,
                                                 max_backtrack, vfun)
        if full:
            X, phi, s, vcur, LX, LP = Xa, pa, sa, va, LXa, LPa
        else:
            X, phi, s, vcur, LX, LP = (t.index_copy(0, idx, a) for t, a in
                                       ((X, Xa), (phi, pa), (s, sa), (vcur, va), (LX, LXa), (LP, LPa)))
        n_it = n_it + active.long()
        tr.append(s.clone())
        tr_db.append(10 * torch.log10(s))
        secs.append(time.perf_counter() - t0)
        if tol > 0:
            active = active & (liu_residual(tr_db, it + 1) > tol)
            if not bool(active.any()):
                break
    return dict(X=X, phi=phi, sinr=s, trace=torch.stack(tr, -1) if trace else None, iters=n_it,
                converged=~active if tol > 0 else torch.zeros_like(active),
                seconds=secs if clock else None)


def _mm_iteration(b, bt, X, phi, s, vcur, LX, LP, radius, qos, optimize_phi, admm_iters, proj_iters,
                  phi_admm_iters, phi_proj_iters, max_backtrack, vfun):
    """One ADMM-MM iteration (X block, then phi block) on the instances of ``b``."""
    # ---- X block
    _, gX, _ = sm.sinr_and_grads(b, X, phi, True, False)
    V, d = sm.ci_linear_x(bt, phi) if qos else (None, None)
    V = PolyProjector(V, d) if qos else None
    scale = (gX.abs().pow(2).mean((-1, -2)).sqrt() / radius)          # gradient scale per instance
    X, LX, s, vcur = _backtrack(
        X, LX, scale, s, vcur, max_backtrack,
        propose=lambda Lc: _x_block(b, X, gX + Lc * X, radius, qos, admm_iters, proj_iters, V, d),
        evaluate=lambda c: (sm.fast_sinr(b, c, phi), vfun(b, c, phi)))
    # ---- phi block
    if optimize_phi:
        _, _, gp = sm.sinr_and_grads(b, X, phi, False, True)
        V, d = sm.ci_linear_phi(bt, X) if qos else (None, None)
        V = PolyProjector(V, d) if qos else None
        scale = gp.abs().pow(2).mean(-1).sqrt()
        phi, LP, s, vcur = _backtrack(
            phi, LP, scale, s, vcur, max_backtrack,
            propose=lambda Lc: admm_linear(gp + Lc * phi, phi, V, d, 1.0, iters=phi_admm_iters,
                                           proj_iters=phi_proj_iters),
            evaluate=lambda c: (sm.fast_sinr(b, X, c), vfun(b, X, c)))
    return X, phi, s, vcur, LX, LP
