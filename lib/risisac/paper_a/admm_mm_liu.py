"""ADMM-MM of Liu et al. (ref. [25], IEEE JSTSP 2022) for Paper A's detection problem (21).

Paper A compares its network with "ADMM-MM" (Table I) and only cites it. This module is that
algorithm in our notation (Paper A (1)-(21); :mod:`risisac.paper_a.model`): the same splitting,
the same majorisation-minimisation (MM) surrogates minimised by a convex solver (cvxpy/CLARABEL,
where Liu et al.'s public MATLAB code calls CVX) or by an exact batched torch solver of the same
convex sub-problems, and the same stopping rule. Our own first-order variant (used by the chapter
until now) is :func:`risisac.paper_a.admm_mm.admm_mm`.

Problem and splitting
---------------------
Maximise ``SINR(x, phi) = xi0^2 a^H R^{-1} a`` (21a) s.t. the CI constraints (19) (real-linear
in ``x`` per slot, :func:`~risisac.paper_a.model.ci_linear_x`, and in ``phi``,
:func:`~risisac.paper_a.model.ci_linear_phi`), ``|x_i| = r = sqrt(P/M)`` (18c), ``|phi_n| = 1``
(18d). Ref. [25] splits the moduli off: ``x = y``, ``phi = z`` with ``|y_i| = r``, ``|z_n| = 1``,
keeps the relaxed moduli ``|x_i| <= r``, ``|phi_n| <= 1`` and the CI constraints on ``(x, phi)``,
and runs ADMM on the augmented Lagrangian of ``f = -SINR / xi0^2``

    L = f(x, phi) + Re<mu1, x - y> + rho/2 ||x - y||^2 + Re<mu2, phi - z> + rho/2 ||phi - z||^2

(``<A, B> = sum conj(A) B``): one MM step on ``L`` in ``x``, one in ``phi`` (each a convex
program), then ``y = r e^{j arg(x + mu1/rho)}``, ``z = e^{j arg(phi + mu2/rho)}`` and the dual
ascent ``mu1 += rho (x - y)``, ``mu2 += rho (phi - z)``. ``rho`` is fixed at
``SINR_0 / xi0^2 / (P L + N L)`` as in their code (``SINR_0`` at the start point).

Common minoriser (both blocks). With ``m = R_t^{-1} a_t`` (the unnormalised MVDR filter (20) at
the current point), ``a^H R^{-1} a >= 2 Re{m^H a} - m^H R m`` for every ``(x, phi)``, with
equality at the current point (``max_m`` of the right side is the left side). With
``R = sigma^2 I + sum_q U_q U_q^H`` (``U_q = xi_q vec(H_q X S_q)``, (8)-(9)):

    -SINR / xi0^2 <= -2 Re{m^H a} + sum_q |m^H U_q|^2 + sigma^2 ||m||^2.              (M1)

x step (:func:`liu_x_surrogate`). (M1) is a convex quadratic in ``x`` (``a``, ``U_q`` are linear
in ``x``): ``sum_q xi_q^2 |<f_q, x>|^2 - 2 Re<g_0, x> + const`` with ``g_0 = H_0^H W``,
``f_q = H_q^H W S_q^T``, ``W = unvec(m)``. Plus the ADMM term it is minimised over
``|x_i| <= r`` and the CI constraints.

phi step (:func:`liu_phi_surrogate`). In ``phi``, ``u_q(phi) = h_q + J_q phi`` with
``J_q = G^T diag(h_rq)`` (:func:`~risisac.paper_a.model.radar_vectors`), and with
``W = unvec(m)``, ``Z_0 = X W^H``, ``Z_q = (X S_q) W^H``:

    m^H a = t_0(phi),  m^H U_q = xi_q t_q(phi),  t_q(phi) = u_q^T Z_q u_q = c_q + l_q^T phi + phi^T B_q phi

(``c_q = h_q^T Z_q h_q``, ``l_q = J_q^T (Z_q + Z_q^T) h_q``, ``B_q = sym(J_q^T Z_q J_q)``), so the
bound (M1) is quadratic in ``t_0`` and *quartic* in ``phi`` through ``|t_q|^2``. Ref. [25] turns
it into a quadratic with largest-eigenvalue majorisations (ref. [25], the phi sub-problem;
our reading of their derivation and code):

1. *Quartic to quadratic (lifting).* With ``psi = [1; phi]`` and ``v = vec(psi psi^T)``,
   ``t_q = vec(C_q)^T v`` (``C_q = [[c_q, l_q^T/2], [l_q/2, B_q]]``), so
   ``sum_q xi_q^2 |t_q|^2 = v^H A v``, ``A = sum_q xi_q^2 conj(vec C_q) vec(C_q)^T`` (rank <= Q,
   its largest eigenvalue ``lam_A`` is that of a Q x Q Gram matrix). For every ``v``,
   ``v^H A v <= lam_A ||v||^2 + 2 Re{v_t^H (A - lam_A I) v} - v_t^H (A - lam_A I) v_t``, where
   ``v_t^H A v = sum_q xi_q^2 conj(t_q(phi_t)) t_q(phi)``, ``v_t^H v = (1 + phi_t^H phi)^2`` and
   ``||v||^2 = (1 + ||phi||^2)^2``. Everything but the last term is ``Re`` of a holomorphic
   quadratic ``k_Q + b^T phi + phi^T D phi`` in ``phi``:
   ``b = sum_q d_q l_q - 4 lam_A conj(phi_t)``, ``D = sum_q d_q B_q - 2 lam_A conj(phi_t) phi_t^H``
   with ``d_0 = -2`` (the target term of (M1)) and ``d_q = 2 xi_q^2 conj(t_q(phi_t))``.
2. *Indefinite quadratic to isotropic (eigenvalue bound).* ``Re{phi^T D phi}`` is a real
   quadratic form in ``[Re phi; Im phi]`` whose largest eigenvalue is the largest singular value
   ``lam_D`` of the symmetric ``D`` (Takagi); ``(phi - phi_t)`` in it is at most
   ``lam_D ||phi - phi_t||^2``, i.e. ``Re{phi^T D phi} <= lam_D ||phi||^2
   + Re{(2 D phi_t - 2 lam_D conj(phi_t))^T phi} + const``.

3. *Radial term (chord).* ``||v||^2 = (1 + s)^2``, ``s = ||phi||^2``, is convex in ``s``; on the
   relaxed set ``s <= N`` it lies below its chord ``1 + (N + 2) s``, with equality at ``s = 0``
   and on the unit-modulus set ``s = N``.

Result, for every ``phi`` with ``|phi_n| <= 1``, with equality at a unit-modulus ``phi_t``:

    -SINR(x, phi) / xi0^2 <= (lam_D + (N + 2) lam_A) ||phi||^2 + Re<c_phi, phi> + k,          (M2)

``c_phi = conj(b + 2 D phi_t - 2 lam_D conj(phi_t))`` - a quadratic with an isotropic Hessian,
so the phi step is a projection of ``-c/(2 alpha)`` on ``{|phi_n| <= 1} cap CI``. On the
unit-modulus set (M2) is linear. Where ref. [25] differs (our reading of their code): they
replace ``||v||^2`` by its value ``(N + 1)^2`` on the unit-modulus set (so their bound holds on
that set only; the chord keeps (M2) a bound on the whole relaxed set, where the ADMM iterates
live); they keep the convex part ``|l_q^T phi|^2`` exactly and bound the cubic cross terms by the
largest eigenvalue of their Hessian *at the current point* (not a global bound), where the
lifting of step 1 bounds the whole quartic at once by one global eigenvalue (``lam_A``, from a
Q x Q Gram matrix). At a relaxed ``phi_t`` (``s_t < N``) (M2) is above the SINR bound at
``phi_t`` by ``lam_A s_t (N - s_t)``: that gap, which vanishes with the ADMM consensus, is the
only place where the MM descent is inexact. Plus the ADMM term the phi sub-problem is
minimised over ``|phi_n| <= 1`` and the CI constraints.

Solvers. Each sub-problem is ``min a ||z||^2 + Re<c, z> + sum_q w_q |<f_q, z>|^2`` over
``{|z_i| <= r} cap {Re{V z} <= d}``: by cvxpy/CLARABEL per instance (:func:`liu_x_step_cvx`,
:func:`liu_phi_step_cvx`, the reference, as ref. [25]'s CVX calls) or exactly (to a stated
tolerance) and batched by a primal-dual method (:func:`primal_dual_box_poly`, Chambolle-Pock
with the whole quadratic in the primal prox, the discs and CI rows as dual blocks, dual iterates
warm-started across ADMM iterations). CLARABEL's minimiser is accurate to about the square root of
its tolerance (~1e-4 here); the primal-dual one to ``sub_tol`` (its objective is never worse).

What the algorithm returns and how it stops (:func:`liu_admm_mm`). Their code stops when the
relative change of the SINR in dB (at the relaxed ``(x, phi)``) is below ``5e-4``
(:func:`risisac.paper_a.admm_mm.liu_residual`) and returns the relaxed ``(x, phi)``, whose moduli
are only ``<=``; with their fixed ``rho`` the relaxed iterates are far from the moduli when that
rule fires (measured on 15 instances at N = 32, 64, 128, L = 20: it fires after 3-9 iterations
with primal residuals 2e-5 to 0.25; the modulus projection of 14 of the 15 designs violates the
CI, by up to 470 gamma). We return the modulus-exact ``(y, z)`` and add a
primal-residual condition (``||x - y|| / ||y||`` and ``||phi - z|| / ||z||`` at most
``tol_primal = 1e-10``) so that ``(y, z)`` also meets the CI constraints (to ~1e-6 gamma); to
reach it in tens rather than hundreds of iterations, ``rho`` grows by ``rho_growth`` (1.5) per
iteration once the SINR rule holds, up to ``1e6`` times its start (``rho_growth = 1``: their
fixed ``rho``). An instance whose primal residual stalls (seen once in 15 instances at N = 128:
``8e-6`` after 300 iterations) ends unconverged and says so (``out['converged']``,
``out['primal']``). ``out['ci_viol']`` reports the worst ``g_kl / gamma`` of the returned design; nothing is projected or repaired after
the loop. The SINR of the iterates is not monotone: ADMM trades SINR for consensus (dips of a few
per cent of the relaxed SINR before the consensus, documented by the tests' 5 % bound).

API: ``liu_x_surrogate``, ``liu_x_objective``, ``liu_x_step_cvx``, ``liu_x_step_pd``,
``liu_phi_surrogate``, ``liu_phi_objective``, ``liu_phi_step_cvx``, ``liu_phi_step_pd``,
``primal_dual_box_poly``, ``liu_admm_mm(batch, X0, phi0, tol=5e-4, max_iter=..., solver=...)``.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from ..detection import delay, woodbury_solve
from . import model as sm
from .admm_mm import liu_residual


# ----------------------------------------------------------------------------- common solver
class _Rows:
    """CI rows ``Re{V z} <= d`` as an operator: per slot for x (V (B, L, 2K, M), z (B, M, L)) or
    dense for phi (V (B, m, N), z (B, N)). ``norm2`` is ``||V||_2^2`` per instance (exact)."""

    def __init__(self, V, d, per_slot: bool):
        self.V, self.d, self.per_slot = V, d, per_slot
        self.Vh = V.conj().mT
        s = torch.linalg.matrix_norm(V, ord=2) ** 2
        self.norm2 = s.amax(-1) if per_slot else s

    def apply(self, z):
        if self.per_slot:
            return (self.V @ z.mT[..., None])[..., 0].real
        return (self.V @ z[..., None])[..., 0].real

    def adjoint(self, y):
        if self.per_slot:
            return (self.Vh @ y.to(self.Vh.dtype)[..., None])[..., 0].mT
        return (self.Vh @ y.to(self.Vh.dtype)[..., None])[..., 0]


def _rho(rho, B: int, device=None):
    """``rho`` (a number or (B,)) as a (B,) float tensor."""
    return torch.as_tensor(rho, dtype=torch.float64, device=device).reshape(-1).expand(B)


def _clip_modulus(z, r: float):
    return torch.where(z.abs() > r, r * sm.project_phi(z), z)


def primal_dual_box_poly(a, c, r: float, rows: _Rows | None = None, F=None, w=None, z0=None,
                         iters: int = 20000, tol: float = 1e-10, ratio: float = 0.03, duals: dict | None = None):
    """``min a ||z||^2 + Re<c, z> + sum_q w_q |<f_q, z>|^2`` s.t. ``|z_i| <= r``, ``Re{V z} <= d``.

    Batched over the leading axis; ``a`` (B,) > 0, ``c`` like ``z``, ``rows`` the CI rows
    (:class:`_Rows`, or ``None``), ``F`` (B, Q, ...) with weights ``w`` (Q,) (or ``None``).
    Primal-dual method of Chambolle and Pock (2011, Alg. 1) on ``min_z G(z) + F_1(K_1 z) + F_2(z)``
    with the whole (ill-conditioned) quadratic in ``G`` (scaled by ``1/(2a)`` so that it is
    1-strongly convex; its prox is a solve with ``I + low rank``, by Woodbury in Q x Q),
    ``K_1 = Re{V z} / ||V||`` (rows scaled to norm 1), ``F_1`` the indicator of ``<= d/||V||``
    and ``F_2`` that of the discs ``|z_i| <= r`` (``K_2 = I``), so ``||K||^2 <= 2`` and
    ``tau = 0.7 ratio``, ``sigma = 0.7 / ratio`` (``tau sigma ||K||^2 < 1``; ``ratio`` only sets the
    speed: 0.03 was the fastest of 0.001-30 on small instances). Dual prox by Moreau:
    ``v - sigma Proj(v / sigma)``. Stops when the fixed-point residual ``max |z+ - z| / tau`` is at
    most ``tol * r`` or after ``iters`` steps. ``duals`` (a dict, updated in place) carries the dual
    iterates ``y`` (rows) and ``u`` (discs) from one call to the next (a warm start).
    """
    B = c.shape[0]
    shape = (B,) + (1,) * (c.ndim - 1)
    a = a.reshape(shape)
    if rows is None and F is None:
        return _clip_modulus(-c / (2 * a), r)
    cs = c / (2 * a)                                      # G(z) = ||z||^2/2 + Re<cs, z> + sum (w/2a) |<f,z>|^2
    tau, sig = 0.7 * ratio, 0.7 / ratio
    if F is not None:
        Ff = F.flatten(2)                                 # (B, Q, n)
        beta = (w / a.reshape(B, 1)).to(c.dtype)          # Hessian of G: I + sum 2 beta/2 ... = I + F^T diag(beta) conj(F)
        Gram = Ff.conj() @ Ff.mT                          # (B, Q, Q): <f_p, f_q>
        S = torch.diag_embed(1.0 / beta) * (1 + 1 / tau) + Gram

    def prox_G(v):                                        # argmin G(z) + ||z - v||^2 / (2 tau)
        rhs = v / tau - cs
        al = 1 + 1 / tau
        if F is None:
            return rhs / al
        fr = (Ff.conj() @ rhs.flatten(1)[..., None])      # (B, Q, 1): <f_q, rhs>
        y = torch.linalg.solve(S, fr)
        return (rhs - (Ff.mT @ y)[..., 0].reshape(rhs.shape)) / al

    if rows is not None:
        sn = rows.norm2.sqrt().clamp_min(1e-300)
        snr = sn.reshape((B,) + (1,) * (rows.d.ndim - 1))
        ds = rows.d / snr
        y = duals["y"] if duals and "y" in duals else torch.zeros_like(rows.d)
    z = (_clip_modulus(-c / (2 * a), r) if z0 is None else z0.clone())
    zb = z.clone()
    u = duals["u"] if duals and "u" in duals else torch.zeros_like(z)
    snB = sn.reshape(shape) if rows is not None else None
    for k in range(iters):
        KtY = u
        if rows is not None:
            y = torch.clamp_min(y + sig * (rows.apply(zb) / snr - ds), 0.0)
            KtY = KtY + rows.adjoint(y) / snB
        zn = prox_G(z - tau * KtY)
        zb = 2 * zn - z
        check = k % 5 == 4                                # the residual is looked at every 5th step
        if check:
            step = (zn - z).abs().max()
        z = zn
        v = u + sig * zb
        u = v - sig * _clip_modulus(v / sig, r)
        if check and float(step) <= tol * r * tau:
            break
    if duals is not None:
        duals["u"] = u
        if rows is not None:
            duals["y"] = y
    return z


# ----------------------------------------------------------------------------- x step
def _mvdr_W(b: sm.SLPBatch, X, phi):
    """``W = unvec(R^{-1} a)`` (B, M, L) and ``||R^{-1} a||^2`` (B,) at ``(X, phi)``."""
    _, _, a, U = sm._a_U(b, X, phi)
    wb = woodbury_solve(a, U, b.sigma2)
    return sm.unvec(wb, b.M), wb.abs().pow(2).sum(-1)


def liu_x_surrogate(b: sm.SLPBatch, X, phi, Y, mu1, rho: float):
    """The x sub-problem of ref. [25] at the current ``X``, in our notation (module doc, (M1)).

    ``-SINR/xi0^2 <= sum_q xi_q^2 |<f_q, x>|^2 - 2 Re<g_0, x> + const`` with ``g_0 = H_0^H W`` and
    ``f_q = H_q^H W S_q^T`` (``W`` = ``m`` as M x L); adding ``rho/2 ||x - y + mu1/rho||^2`` gives

    ``min  sum_q xi_q^2 |<f_q, x>|^2 + rho/2 ||x||^2 + Re<c, x>,  c = -2 g_0 + mu1 - rho y``

    over the CI constraints and ``|x_i| <= sqrt(P/M)``. Returns ``(F, xi2, c)`` with ``F``
    (B, Q, M, L) and ``c`` (B, M, L); ``<A, x> = sum conj(A) x``.
    """
    W, _ = _mvdr_W(b, X, phi)
    rho = _rho(rho, b.B, X.device)[:, None, None]
    u0, uq = sm.radar_vectors(b, phi)
    g0 = u0.conj()[:, :, None] * (u0[:, None, :] @ W.conj()).conj()  # conj(u0) (u0^H W)
    _, _, i_a, m_a = sm._shift_index(b.L, b.bins, X.device)
    uW = (uq.conj() @ W)                                             # (B, Q, L): u_q^H W
    F = uq.conj()[..., None] * sm._shift(uW, i_a, m_a)[:, :, None, :]   # conj(u_q) (u_q^H W S_q^T)
    xi2 = torch.tensor(b.xiq_2, dtype=torch.float64, device=X.device)
    return F, xi2, -2 * g0 + mu1 - rho * Y


def liu_x_objective(F, xi2, c, rho, X):
    """Value of :func:`liu_x_surrogate`'s quadratic at ``X`` (B,)."""
    fx = (F.conj() * X[:, None]).sum((-1, -2))                       # (B, Q)
    rho = _rho(rho, X.shape[0], X.device)
    return (xi2 * fx.abs() ** 2).sum(-1) + 0.5 * rho * X.abs().pow(2).sum((-1, -2)) + \
        (c.conj() * X).sum((-1, -2)).real


def liu_x_step_cvx(b: sm.SLPBatch, phi, F, xi2, c, rho, qos: bool = True):
    """The x sub-problem by cvxpy/CLARABEL, one instance at a time (the reference)."""
    import cvxpy as cp
    V, d = sm.ci_linear_x(b, phi)                                     # (B, L, 2K, M), (B, L, 2K)
    r = float(np.sqrt(b.P / b.M))
    rho = _rho(rho, b.B)
    out = []
    for i in range(b.B):
        sc = float(c[i].abs().max())                                  # objective scaled to O(1)
        x = cp.Variable((b.M, b.L), complex=True)
        obj = sum(float(xi2[q]) / sc * cp.abs(cp.sum(cp.multiply(np.conj(F[i, q].numpy()), x))) ** 2
                  for q in range(F.shape[1]))
        obj = obj + 0.5 * float(rho[i]) / sc * cp.sum_squares(cp.abs(x)) + \
            cp.real(cp.sum(cp.multiply(np.conj(c[i].numpy()) / sc, x)))
        cons = [cp.abs(x) <= r]
        if qos:
            for l in range(b.L):
                cons.append(cp.real(V[i, l].numpy() @ x[:, l]) <= d[i, l].numpy())
        cp.Problem(cp.Minimize(obj), cons).solve(solver=cp.CLARABEL)
        out.append(torch.as_tensor(x.value))
    return torch.stack(out)


def liu_x_step_pd(b: sm.SLPBatch, phi, F, xi2, c, rho, iters: int = 20000, tol: float = 1e-10, X0=None,
                  qos: bool = True, duals: dict | None = None):
    """The x sub-problem solved exactly (to ``tol``) and batched (:func:`primal_dual_box_poly`)."""
    rows = _Rows(*sm.ci_linear_x(b, phi), per_slot=True) if qos else None
    r = float(np.sqrt(b.P / b.M))
    rho = _rho(rho, b.B, c.device)
    return primal_dual_box_poly(0.5 * rho, c, r, rows, F, xi2, X0, iters, tol, duals=duals)


# ----------------------------------------------------------------------------- phi step
def _t_coefficients(b: sm.SLPBatch, X, W):
    """``t_q(phi) = c_q + l_q^T phi + phi^T B_q phi`` for q = 0 (target), 1..Q (clutter).

    Returns ``c`` (B, Q+1), ``l`` (B, Q+1, N), ``Bm`` (B, Q+1, N, N) (symmetric).
    """
    hb = torch.cat([b.h_bt[:, None], b.h_bq], 1)                       # (B, Q+1, M)
    hr = torch.cat([b.h_rt[:, None], b.h_rq], 1)                       # (B, Q+1, N)
    Xs = torch.stack([X] + [delay(X, int(dq)) for dq in b.bins], 1)     # (B, Q+1, M, L): X S_q
    Z = Xs @ W.conj().mT[:, None]                                       # (B, Q+1, M, M)
    Zs = Z + Z.mT
    J = b.G.mT[:, None] * hr[:, :, None, :]                             # (B, Q+1, M, N): G^T diag(h_r)
    c = (hb[..., None, :] @ Z @ hb[..., None])[..., 0, 0]
    l = (J.mT @ (Zs @ hb[..., None]))[..., 0]
    Bm = J.mT @ (0.5 * Zs) @ J                                           # sym(J^T Z J) = J^T sym(Z) J
    return c, l, Bm


def _t_values(c, l, Bm, phi):
    return c + (l * phi[:, None]).sum(-1) + (phi[:, None, None, :] @ Bm @ phi[:, None, :, None])[..., 0, 0]


def liu_phi_surrogate(b: sm.SLPBatch, X, phi, Z, mu2, rho: float):
    """The phi sub-problem of ref. [25] at the current ``phi`` (majoriser (M2) of the module doc).

    Returns a dict with ``lamA``, ``lamD``, ``alpha``, ``k`` (B,) and ``c`` (B, N) such that, with
    the ADMM term ``Re<mu2, phi - z> + rho/2 ||phi - z||^2`` included (up to a constant),

    ``S(phi) = alpha ||phi||^2 + Re<c, phi> + k``,  ``alpha = lam_D + (N + 2) lam_A + rho/2``;

    for ``rho = 0``, ``mu2 = 0``: ``S(phi) >= -SINR(X, phi)/xi0^2`` for every ``|phi_n| <= 1``,
    with equality at a unit-modulus ``phi_t``.
    """
    W, m2 = _mvdr_W(b, X, phi)
    rho = _rho(rho, b.B, X.device)
    cq, lq, Bq = _t_coefficients(b, X, W)
    t = _t_values(cq, lq, Bq, phi)                                      # (B, Q+1): t_q(phi_t)
    xi2 = torch.tensor(b.xiq_2, dtype=torch.float64, device=X.device)
    # step 1: lifting. lam_A = largest eigenvalue of A = sum xi_q^2 conj(vec C_q) vec(C_q)^T
    N = b.N
    Cv = torch.cat([cq[:, 1:, None], lq[:, 1:] / np.sqrt(2.0), Bq[:, 1:].reshape(b.B, b.Q, N * N)], -1)
    # ||vec C||^2 = |c|^2 + 2 ||l/2||^2 + ||B||^2 ; the (Q x Q) Gram of xi_q conj(vec C_q) has A's spectrum
    xs = torch.sqrt(xi2)
    Gm = (xs[:, None] * xs) * (Cv @ Cv.conj().mT)                        # (B, Q, Q) Hermitian
    lamA = torch.linalg.eigvalsh(Gm)[:, -1].clamp_min(0.0)
    d = torch.cat([torch.full_like(t[:, :1], -2.0), 2 * xi2 * t[:, 1:].conj()], 1)   # (B, Q+1)
    w = phi.conj()
    bvec = (d[..., None] * lq).sum(1) - 4 * lamA[:, None] * w
    D = (d[..., None, None] * Bq).sum(1) - 2 * lamA[:, None, None] * (w[:, :, None] * w[:, None, :])
    kQ = (d * cq).sum(1) - 2 * lamA
    # step 2: eigenvalue bound of Re{phi^T D phi}
    lamD = torch.linalg.matrix_norm(D, ord=2)
    Dp = (D @ phi[..., None])[..., 0]
    e = bvec + 2 * Dp - 2 * lamD[:, None] * phi.conj()
    nt = phi.abs().pow(2).sum(-1)
    k = (b.sigma2 * m2 - (xi2 * t[:, 1:].abs() ** 2).sum(-1) + lamA * (1 + nt) ** 2) \
        + kQ.real - (phi * Dp).sum(-1).real + lamD * nt + lamA      # + lamA: the chord's constant
    c = e.conj() + mu2 - rho[:, None] * Z
    return dict(lamA=lamA, lamD=lamD, alpha=lamD + (N + 2) * lamA + 0.5 * rho, c=c, k=k)


def liu_phi_objective(s: dict, phi):
    """``S(phi)`` of :func:`liu_phi_surrogate` without the constant ``k`` (B,)."""
    return s["alpha"] * phi.abs().pow(2).sum(-1) + (s["c"].conj() * phi).sum(-1).real


def liu_phi_step_cvx(b: sm.SLPBatch, X, s: dict, qos: bool = True):
    """The phi sub-problem by cvxpy/CLARABEL, one instance at a time (the reference)."""
    import cvxpy as cp
    V, d = sm.ci_linear_phi(b, X)
    out = []
    for i in range(b.B):
        sc = float(s["c"][i].abs().max())
        p = cp.Variable(b.N, complex=True)
        obj = float(s["alpha"][i]) / sc * cp.sum_squares(cp.abs(p)) \
            + cp.real(cp.sum(cp.multiply(np.conj(s["c"][i].numpy()) / sc, p)))
        cons = [cp.abs(p) <= 1]
        if qos:
            cons.append(cp.real(V[i].numpy() @ p) <= d[i].numpy())
        cp.Problem(cp.Minimize(obj), cons).solve(solver=cp.CLARABEL)
        out.append(torch.as_tensor(p.value))
    return torch.stack(out)


def liu_phi_step_pd(b: sm.SLPBatch, X, s: dict, iters: int = 20000, tol: float = 1e-10, phi0=None,
                    qos: bool = True, duals: dict | None = None):
    """The phi sub-problem solved exactly (to ``tol``) and batched (:func:`primal_dual_box_poly`)."""
    rows = _Rows(*sm.ci_linear_phi(b, X), per_slot=False) if qos else None
    return primal_dual_box_poly(s["alpha"], s["c"], 1.0, rows, z0=phi0, iters=iters, tol=tol, duals=duals)


# ----------------------------------------------------------------------------- the algorithm
def _check_args(X0, phi0, tol, tol_primal, max_iter, solver, rho_growth):
    if solver not in ("exact", "cvx"):
        raise ValueError(f"solver = {solver!r} is invalid: allowed values are 'exact' and 'cvx'")
    if not tol > 0:
        raise ValueError(f"tol = {tol} is invalid: allowed values are > 0")
    if not tol_primal > 0:
        raise ValueError(f"tol_primal = {tol_primal} is invalid: allowed values are > 0")
    if not rho_growth >= 1:
        raise ValueError(f"rho_growth = {rho_growth} is invalid: allowed values are >= 1")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter = {max_iter} is invalid: allowed values are integers >= 1")
    if X0.ndim != 3 or phi0.ndim != 2 or X0.shape[0] != phi0.shape[0]:
        raise ValueError(f"X0 (B, M, L) and phi0 (B, N) expected, got shapes {tuple(X0.shape)}, {tuple(phi0.shape)}")


def _liu_iteration(b, st, rho, qos, optimize_phi, solver, sub_iters, sub_tol):
    """One ADMM-MM iteration of ref. [25] on the instances of ``b`` (state dict ``st``, updated)."""
    X, phi, Y, Z, mu1, mu2 = (st[k] for k in ("X", "phi", "Y", "Z", "mu1", "mu2"))
    r = float(np.sqrt(b.P / b.M))
    rr = rho[:, None, None]
    F, xi2, c = liu_x_surrogate(b, X, phi, Y, mu1, rho)
    if solver == "cvx":
        X = torch.stack([liu_x_step_cvx(b.subset(slice(i, i + 1)), phi[i:i + 1], F[i:i + 1], xi2, c[i:i + 1],
                                        float(rho[i]), qos)[0] for i in range(b.B)])
    else:
        dx = {k[3:]: st[k] for k in ("dx_y", "dx_u") if k in st}
        X = liu_x_step_pd(b, phi, F, xi2, c, rho, sub_iters, sub_tol, X0=X, qos=qos, duals=dx)
        st.update({"dx_" + k: v for k, v in dx.items()})
    if optimize_phi:
        s = liu_phi_surrogate(b, X, phi, Z, mu2, rho)
        if solver == "cvx":
            phi = liu_phi_step_cvx(b, X, s, qos)
        else:
            dp = {k[3:]: st[k] for k in ("dp_y", "dp_u") if k in st}
            phi = liu_phi_step_pd(b, X, s, sub_iters, sub_tol, phi0=phi, qos=qos, duals=dp)
            st.update({"dp_" + k: v for k, v in dp.items()})
    Y = r * sm.project_phi(X + mu1 / rr)
    mu1 = mu1 + rr * (X - Y)
    if optimize_phi:
        Z = sm.project_phi(phi + mu2 / rho[:, None])
        mu2 = mu2 + rho[:, None] * (phi - Z)
    st.update(X=X, phi=phi, Y=Y, Z=Z, mu1=mu1, mu2=mu2)
    return st


def liu_admm_mm(b: sm.SLPBatch, X0, phi0, tol: float = 5e-4, max_iter: int = 300, solver: str = "exact",
                qos: bool = True, optimize_phi: bool = True, tol_primal: float = 1e-10, rho_growth: float = 1.5,
                sub_iters: int = 2000, sub_tol: float = 1e-10, trace: bool = True, clock: bool = False):
    """ADMM-MM of ref. [25] (module doc), per instance to its own stopping rule.

    ``solver='exact'``: every instance of the batch at once, sub-problems by
    :func:`primal_dual_box_poly`; ``'cvx'``: cvxpy/CLARABEL per instance and sub-problem.
    An instance stops when Liu et al.'s residual (:func:`~risisac.paper_a.admm_mm.liu_residual` of
    the SINR in dB at the relaxed ``(x, phi)``) is ``<= tol`` and the relative primal residuals
    ``||x - y||/||y||``, ``||phi - z||/||z||`` are ``<= tol_primal``; stopped instances are frozen.
    Once an instance's SINR residual is ``<= tol`` but its primal residual is not, its ``rho`` is
    multiplied by ``rho_growth`` per iteration (our addition: with ref. [25]'s fixed ``rho`` the
    consensus ``x = y``, ``phi = z`` is reached very slowly; ``rho_growth=1`` is their scheme).
    Sub-problems run to ``sub_tol`` or ``sub_iters`` primal-dual steps (exact version).
    Returns dict(X, phi (the modulus-exact ``y``, ``z``), sinr (B,) of that design, trace
    (B, iters+1) of that design's SINR, trace_relaxed (SINR at ``(x, phi)``), iters (B,),
    converged (B,), seconds (cumulative wall time per iteration, with ``clock``), ci_viol (B,),
    primal (B,) the last primal residual).
    """
    _check_args(X0, phi0, tol, tol_primal, max_iter, solver, rho_growth)
    optimize_phi = optimize_phi and b.ris
    s0 = sm.fast_sinr(b, X0, phi0)
    rho = s0 / b.xi0_2 / (b.P * b.L + b.N * b.L)                  # ref. [25]'s code: SINR_0 / (||x||^2 + N L)
    rho_max = 1e6 * rho
    st = dict(X=X0.clone(), phi=phi0.clone(), Y=X0.clone(), Z=phi0.clone(),
              mu1=torch.zeros_like(X0), mu2=torch.zeros_like(phi0))
    if solver == "exact":                                         # dual iterates of the sub-solvers (warm starts)
        st.update(dx_u=torch.zeros_like(X0), dp_u=torch.zeros_like(phi0))
        if qos:
            f64 = dict(dtype=torch.float64, device=X0.device)
            st.update(dx_y=torch.zeros(b.B, b.L, 2 * b.K, **f64), dp_y=torch.zeros(b.B, 2 * b.K * b.L, **f64))
    tr, tr_rel, tr_db = [s0.clone()], [s0.clone()], [10 * torch.log10(s0)]
    active = torch.ones_like(s0, dtype=torch.bool)
    n_it = torch.zeros(s0.shape, dtype=torch.long)
    primal = torch.zeros_like(s0)
    secs, t0 = [0.0], time.perf_counter()
    for it in range(int(max_iter)):
        idx = active.nonzero()[:, 0]
        bb = b.subset(idx)
        sub = {k: v[idx] for k, v in st.items()}
        sub = _liu_iteration(bb, sub, rho[idx], qos, optimize_phi, solver, sub_iters, sub_tol)
        for k, v in sub.items():
            st[k] = st[k].index_copy(0, idx, v)
        n_it = n_it + active.long()
        pr = (st["X"] - st["Y"]).flatten(1).norm(dim=-1) / st["Y"].flatten(1).norm(dim=-1)
        if optimize_phi:
            pr = torch.maximum(pr, (st["phi"] - st["Z"]).norm(dim=-1) / st["Z"].norm(dim=-1))
        primal = torch.where(active, pr, primal)
        s_rel = sm.fast_sinr(b, st["X"], st["phi"])
        tr_rel.append(s_rel)
        tr_db.append(10 * torch.log10(s_rel))
        tr.append(sm.fast_sinr(b, st["Y"], st["Z"]))
        secs.append(time.perf_counter() - t0)
        settled = liu_residual(tr_db, it + 1) <= tol
        done = settled & (primal <= tol_primal)
        rho = torch.where(settled & ~done & active, torch.minimum(rho * rho_growth, rho_max), rho)
        active = active & ~done
        if not bool(active.any()):
            break
    X, phi = st["Y"], st["Z"]
    viol = (sm.ci_values(b, X, phi) / b.gamma).amax((-1, -2)) if qos else torch.full_like(s0, -np.inf)
    return dict(X=X, phi=phi, sinr=tr[-1], rho=rho, trace=torch.stack(tr, -1) if trace else None,
                trace_relaxed=torch.stack(tr_rel, -1) if trace else None, iters=n_it, converged=~active,
                seconds=secs if clock else None, ci_viol=viol, primal=primal)
