"""Algorithm 1 of Paper C: CRB-constrained sum-rate maximisation by BCD (FP + ALM + PG + MM/ADMM).

One outer iteration t (Paper C Sec. IV-D, Algorithm 1 lines 3-16, with the changes the chapter
derives and measures):

1. ``r``, ``c_k`` in closed form (37), (41)                           -> :func:`.fp.fp_update`
2. ``(J_aux, f)``: for fixed ``(W, Phi)`` the SDP (64) is solved in closed form, ``J_aux = A(F)``
   (49), so the constraint is carried by the unit-free residual
   ``g(W, Phi) = tr(CRB)/eps - 1 = tr(J_aux^{-1})/eps - 1``            -> :func:`.crb.crb_and_grad`
3. ``W``: the augmented sub-problem (65)/(70) with the PHR penalty
   ``(1/2 rho_1) max(0, g + rho_1 zeta)^2`` by projected gradient with Armijo backtracking on the
   power ball (replaces the MM surrogate (85), which pins W; :mod:`.mm_w`) -> :func:`w_step`
4. ``phi``: Gauss-Newton majoriser of the same penalty ((87)-(89)) + ADMM (90)-(101),
   accepted only if (86) does not increase                             -> :func:`phi_update`
5. ``zeta <- max(0, zeta + g / rho_1)`` ((102) for the inequality), ``rho_1 <- 0.8 rho_1``
6. stop when U_com changed by less than ``tol_obj`` (relative) *and* ``g <= tol_feas``, or after
   ``iters`` iterations.

Why the scalar residual (measured in the chapter): the paper's penalty acts on the six Fisher
blocks F_1..F_6 with different units (rad^-2, rad^-1, 1) three orders apart, and its
``f``-block, updated once per iteration, turns the penalty into a proximal term
``|F(W) - F(W^(t))|^2 / (2 rho_1)`` that freezes W as ``rho_1 -> 0`` even where the constraint
is inactive. ``g`` is unit-free, vanishes (with ``zeta = 0``) where the constraint is inactive
(the iterates are then exactly those of Comm-only), and its gradient is the chain rule through
the same F_i.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from ..optim import proj_unit_modulus
from .crb import PAIRS, F_values, crb_and_grad, crb_phi_gradient, crb_trace, sensing_parts
from .fp import fp_objective, fp_phi_terms, fp_update, fp_W_terms
from .model import Scenario, sinr

LN2 = np.log(2.0)
_ALPHA_PAIR = np.array([al for _, _, al in PAIRS])


# =========================================================================== phi block (ADMM)
def admm_unit_modulus(Dh, gh, phi0, rho=None, iters: int = 200, tol: float = 1e-5):
    """ADMM (90)-(101) for ``min phi^H Dh phi - 2 Re{gh^H phi}`` s.t. ``|phi_n| = 1``.

    The Cholesky factor of ``2 Dh + rho I`` is computed once and reused (96). Stops when the
    primal and dual residuals (101) are both below ``tol sqrt(N)``. Returns the unit-modulus
    iterate ``z`` and the number of iterations.
    """
    N = len(gh)
    if rho is None:
        rho = max(2.0 * float(np.max(np.sum(np.abs(Dh), 1))), 1e-12)   # Gershgorin: >= 2 lambda_max
    c, lower = sla.cho_factor(2 * Dh + rho * np.eye(N))
    potrs = sla.lapack.zpotrs
    z = phi0.copy()
    lam = np.zeros(N, complex)
    g2 = 2 * gh
    thr2 = tol * tol * N
    k = 0
    for k in range(1, iters + 1):
        phi, _ = potrs(c, g2 - lam + rho * z, lower=lower)               # (96)
        z_old = z
        u = phi + lam / rho
        mag = np.abs(u)
        z = np.where(mag > 0, u / np.where(mag > 0, mag, 1.0), 1.0)     # (99)
        rp = phi - z
        lam = lam + rho * rp                                            # (100)
        dz = z - z_old
        if np.real(np.vdot(rp, rp)) <= thr2 and np.real(np.vdot(dz, dz)) <= thr2:   # (101)
            break
    return z, k


# =========================================================================== options / result
@dataclass
class BCDOptions:
    iters: int = 60                 # at most this many outer iterations T
    rho1: float = 10.0              # rho_1^(0) (unit-free: the penalty acts on tr(CRB)/eps - 1)
    rho_decay: float = 0.8          # rho_1 <- 0.8 rho_1 (Algorithm 1 line 16)
    pg_steps: int = 20              # projected-gradient steps on (70) per outer iteration
    admm_iters: int = 100           # cap of the phi ADMM (stops on its residuals (101))
    admm_tol: float = 1e-4
    tol_obj: float = 1e-3           # stop: relative change of U_com ...
    tol_feas: float = 1e-3          # ... and tr(CRB)/eps - 1 <= tol_feas
    min_iters: int = 5
    sensing: bool = True            # False: "Comm-only"
    update_phi: bool = True         # False: "BF-only" (Phi fixed)
    record: bool = True


@dataclass
class BCDResult:
    W: np.ndarray
    phi: np.ndarray
    history: dict = field(default_factory=dict)
    timing: dict = field(default_factory=dict)


def init_point(sc: Scenario, phi0):
    """``W^(0)``: per-user principal right singular vector of ``E_k(Phi^(0))``, total power P."""
    E = sc.E_eff(phi0)
    W = np.empty((sc.Nt, sc.K), complex)
    for k in range(sc.K):
        _, _, Vh = np.linalg.svd(E[k], full_matrices=False)
        W[:, k] = Vh[0].conj()
    return W * np.sqrt(sc.P / sc.K)


def bf_only_phi(sc: Scenario, phi0=None, iters: int = 200):
    """RIS phases maximising the summed effective channel gain ``sum_k ||E_eff,k(Phi)||_F^2``
    ([14], [43]); MM on the convex quadratic: ``phi <- exp(j angle(R phi + s))``."""
    Rm = np.einsum("kmn,kml->nl", sc.E_ru.conj(), sc.E_ru) * np.conj(sc.H_BR @ sc.H_BR.conj().T)
    s = np.conj(np.einsum("nt,kmt,kmn->n", sc.H_BR, sc.E_bu.conj(), sc.E_ru))
    phi = np.exp(1j * np.angle(s)) if phi0 is None else phi0.copy()
    for _ in range(iters):
        phi_new = proj_unit_modulus(Rm @ phi + s)
        done = np.linalg.norm(phi_new - phi) < 1e-10 * np.sqrt(len(phi))
        phi = phi_new
        if done:
            break
    return phi


# =========================================================================== W block
_E3 = np.zeros((3, 3, 3))                   # H_x = V E_x V^T with V = [v_t, v_B, v_R]
_E3[0, 0, 0] = 1.0                          # H_t = v v^T
_E3[1, 1, 0] = _E3[1, 0, 1] = 1.0           # H_B = v_B v^T + v v_B^T
_E3[2, 2, 0] = _E3[2, 0, 2] = 1.0           # H_R = v_R v^T + v v_R^T
_IDX = {"t": 0, "B": 1, "R": 2}


class SensingQuad:
    """The six F_i(W) = s_i tr(W^H H_x^H H_y W) and their W-gradients in 3 x K algebra.

    With ``V = [v_t, v_B, v_R]`` (N_t x 3), ``H_x = V E_x V^T`` (the rank <= 2 structure of (27),
    (107)), so ``H_x^H H_y = conj(V) E_x G E_y V^T`` with the 3 x 3 Gram ``G = V^H V``. Then
    ``F_i = s_i tr(P^H M_i P)`` with ``P = V^T W`` (3 x K) and ``M_i = E_x G E_y``, and
    ``A_i W = s_i conj(V) M_i P``: no N_t x N_t matrix is ever formed.
    """

    def __init__(self, sc: Scenario, phi):
        v, vB, vR, _, _ = sensing_parts(sc, phi)
        self.V = np.stack([v, vB, vR], 1)
        self.Vc = np.conj(self.V)
        G = self.V.conj().T @ self.V
        M = np.stack([_E3[_IDX[x]] @ G @ _E3[_IDX[y]] for x, y, _ in PAIRS])
        self.Mf = M.reshape(6, 9)                                    # rows vec(M_i) (row-major)
        self.MHf = np.conj(np.swapaxes(M, 1, 2)).reshape(6, 9)
        self.s = np.where(_ALPHA_PAIR, np.conj(sc.alpha), 1.0)
        self.a2 = abs(sc.alpha) ** 2
        self.eps = sc.eps

    def F(self, P):
        """``F`` from ``P = V^T W``: ``tr(P^H M_i P) = sum_ab M_i[a, b] (P P^H)[b, a]``."""
        return self.s * (self.Mf @ (P @ P.conj().T).T.ravel())

    def grad(self, kap, P):
        """``sum_i 1/2 [conj(k_i) s_i A_i W + k_i conj(s_i) A_i^H W]``, the ``d/dW^*`` of a real
        function with ``d f = sum_i Re{conj(k_i) dF_i}``."""
        c = self.s * np.conj(kap)
        Q = (c @ self.Mf + np.conj(c) @ self.MHf).reshape(3, 3)
        return 0.5 * (self.Vc @ (Q @ P))

    def residual(self, P):
        """``g = tr(CRB)/eps - 1`` and ``kappa / eps`` (its F-gradient), :func:`.crb.crb_and_grad`."""
        psi, kap = crb_and_grad(self.F(P), self.a2)
        return psi / self.eps - 1.0, (None if kap is None else kap / self.eps)


def penalty(g, zeta, rho1):
    """PHR penalty ``(1/2 rho_1) (max(0, g + rho_1 zeta)^2 - (rho_1 zeta)^2)`` and its g-derivative."""
    e = max(g + rho1 * zeta, 0.0)
    return (e * e - (rho1 * zeta) ** 2) / (2 * rho1), e / rho1


def _w_obj_grad(W, T, a, sq, zeta, rho1):
    """Objective of (70) with the PHR penalty and its gradient ``d/dW^*``; ``sq`` a
    :class:`SensingQuad` or None (no sensing). ``inf`` outside the CRB's domain."""
    TW = T @ W
    val = float(np.real(np.vdot(W, TW)) - np.real(np.vdot(a, W)))
    G = TW - a / 2
    if sq is None:
        return val, G
    P = sq.V.T @ W
    g, kap = sq.residual(P)
    if kap is None:
        return float("inf"), G
    pen, dpen = penalty(g, zeta, rho1)
    return val + pen, G + dpen * sq.grad(kap, P)


def w_step(sc, W, phi, r, C, E, zeta, rho1, sensing, n_steps=20, eta0=None):
    """W block: projected gradient with Armijo backtracking on the exact sub-problem (70) (PHR
    penalty), the ball ``||W||_F^2 <= P`` by radial scaling; monotone. Returns ``(W, eta)``
    (the last accepted step, reused as the next start)."""
    T, a = fp_W_terms(sc, E, r, C)
    sq = SensingQuad(sc, phi) if sensing else None
    sP = np.sqrt(sc.P)
    val, G = _w_obj_grad(W, T, a, sq, zeta, rho1)
    eta = eta0 if eta0 is not None else 1.0 / max(np.linalg.norm(T, 2), 1e-12)
    for _ in range(n_steps):
        for _ in range(60):
            Wn = W - eta * G
            nn = np.linalg.norm(Wn)
            if nn > sP:
                Wn = Wn * (sP / nn)
            vn, Gn = _w_obj_grad(Wn, T, a, sq, zeta, rho1)
            if vn <= val - 1e-4 / eta * np.linalg.norm(Wn - W) ** 2:
                break
            eta *= 0.5
        else:
            break
        done = val - vn <= 1e-9 * max(abs(val), 1.0)
        W, val, G = Wn, vn, Gn
        eta = min(2.0 * eta, 1e10)        # on the sphere a huge step is accepted: keep it finite
        if done:
            break
    return W, eta


# =========================================================================== phi block
def _al_objective(sc, W, phi, r, C, zeta, rho1, sensing):
    """Objective of (86): ``-F(W, Phi, r, c)`` + the PHR penalty of ``g(W, Phi)``."""
    val = -fp_objective(sc, W, phi, r, C)
    if sensing:
        psi, _ = crb_and_grad(F_values(sc, W, phi), abs(sc.alpha) ** 2)
        val += penalty(psi / sc.eps - 1.0, zeta, rho1)[0]
    return val


def phi_update(sc, W, phi, r, C, zeta, rho1, sensing, EruH_Eru, admm_iters=100, admm_tol=1e-4):
    """phi block: the FP quadratic (46)-(47) plus a Gauss-Newton majoriser of the penalty
    (``(Re h^H d)^2 <= |h^H d|^2`` with ``h`` the App. A gradient of g) + ADMM (90)-(101); the
    step is accepted only if (86) does not increase, else a proximal weight grows.
    Returns ``(phi, attempts, admm_iterations)``."""
    D, g = fp_phi_terms(sc, W, r, C, EruH_Eru)
    N = len(phi)
    cur = _al_objective(sc, W, phi, r, C, zeta, rho1, sensing)
    Dpen, gpen = 0.0, 0.0
    if sensing:
        psi, h = crb_phi_gradient(sc, W, phi)                       # psi(phi + d) ~ psi + Re{h^H d}
        e = psi / sc.eps - 1.0 + rho1 * zeta
        if h is not None and e > 0:
            h = h / sc.eps
            Dpen = np.outer(h, h.conj()) / (2 * rho1)
            gpen = (h * np.vdot(h, phi) - e * h) / (2 * rho1)
    tau, its = 0.0, 0
    for attempt in range(6):
        Dh = D + Dpen + tau * np.eye(N)
        gh = g / 2 + gpen + tau * phi
        Dh = (Dh + Dh.conj().T) / 2
        z, k = admm_unit_modulus(Dh, gh, phi, iters=admm_iters, tol=admm_tol)
        its += k
        if _al_objective(sc, W, z, r, C, zeta, rho1, sensing) <= cur + 1e-12 * abs(cur):
            return z, attempt, its
        tau = max(2 * tau, 1e-2 * float(np.real(np.trace(Dh))) / N)
    return phi, -1, its


# =========================================================================== Algorithm 1
def bcd(sc: Scenario, phi0=None, W0=None, opts: BCDOptions | None = None) -> BCDResult:
    """Algorithm 1 (and its Comm-only / BF-only variants via ``opts``); see the module doc."""
    opts = opts or BCDOptions()
    phi = bf_only_phi(sc) if phi0 is None else phi0.copy()
    W = init_point(sc, phi) if W0 is None else W0.copy()
    rho1 = opts.rho1
    zeta = 0.0
    EruH_Eru = np.einsum("kmn,kml->knl", sc.E_ru.conj(), sc.E_ru) if opts.update_phi else None
    hist = {"rate": [], "crb": [], "zeta": [], "rho1": [], "phi_rejects": 0, "admm_iters": 0, "iters": 0,
            "stop": "max_iters"}
    tim = {"r_c": 0.0, "W": 0.0, "phi": 0.0, "zeta": 0.0}
    eta = None
    rate_prev = float(np.sum(np.log1p(sinr(sc, W, phi))) / LN2)
    if opts.record:
        hist["rate"].append(rate_prev)
        hist["crb"].append(crb_trace(sc, W, phi))
    for t in range(opts.iters):
        t0 = time.perf_counter()
        r, C, E = fp_update(sc, W, phi)                                        # line 3
        t1 = time.perf_counter()
        W, eta = w_step(sc, W, phi, r, C, E, zeta, rho1, opts.sensing,         # lines 4-5
                        opts.pg_steps, eta)
        t2 = time.perf_counter()
        if opts.update_phi:                                                    # lines 6-14
            phi, att, its = phi_update(sc, W, phi, r, C, zeta, rho1, opts.sensing, EruH_Eru,
                                       opts.admm_iters, opts.admm_tol)
            hist["phi_rejects"] += int(att != 0)
            hist["admm_iters"] += its
        t3 = time.perf_counter()
        crb = crb_trace(sc, W, phi)
        g = crb / sc.eps - 1.0
        if opts.sensing:                                                       # lines 15-16
            zeta = max(0.0, zeta + g / rho1)
            rho1 *= opts.rho_decay
        t4 = time.perf_counter()
        tim["r_c"] += t1 - t0
        tim["W"] += t2 - t1
        tim["phi"] += t3 - t2
        tim["zeta"] += t4 - t3
        rate = float(np.sum(np.log1p(sinr(sc, W, phi))) / LN2)
        if opts.record:
            hist["rate"].append(rate)
            hist["crb"].append(crb)
            hist["zeta"].append(zeta)
            hist["rho1"].append(rho1)
        hist["iters"] = t + 1
        small = abs(rate - rate_prev) <= opts.tol_obj * max(abs(rate), 1.0)
        feas = (not opts.sensing) or g <= opts.tol_feas
        rate_prev = rate
        if t + 1 >= opts.min_iters and small and feas:
            hist["stop"] = "converged"
            break
    return BCDResult(W=W, phi=phi, history=hist, timing=tim)
