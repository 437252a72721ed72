"""Algorithm 1 of Paper C: CRB-constrained sum-rate maximisation by BCD (FP + ALM + MM + ADMM).

Blocks (Paper C Sec. IV):

* ``r``, ``c_k`` in closed form (37), (41) (fractional programming, (36)-(42));
* ``(J_aux, f)``: the SDP (64), i.e. the projection of ``y = F(W, Phi) + rho_1 zeta`` onto
  ``{f : tr(A(f)^{-1}) <= eps}`` with ``A(f)`` the Schur complement (48), (60)-(61).
  :func:`project_crb_set` solves it exactly by a primal-dual Newton method on its
  KKT system (8 real unknowns + 1 multiplier); :func:`project_crb_set_cvxpy` is the
  cvxpy/CLARABEL reference (LMI (50) + ``tr_inv``);
* ``W``: the MM surrogate (70)-(85), a convex QP with one ball constraint, solved
  exactly by :func:`ball_qp` (eigen-decomposition + scalar secular equation);
* ``phi``: the MM surrogate (86)-(89) solved by the ADMM (90)-(101);
* ``zeta`` (102) and ``rho_1 <- 0.8 rho_1``.

Scaling: the ``F_i`` are kept in FIM units times ``f_scale`` (``A(s F) = s A(F)``, so the
constraint reads ``tr(A(sF)^{-1}) <= eps / s``); with ``s`` of the order of ``eps`` this
makes ``rho_1`` dimensionless. ``s`` is fixed across ``eps`` so the ALM is the same
algorithm at every ``eps``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from ..optim import proj_unit_modulus
from .model import Scenario, sinr

LN2 = np.log(2.0)


# =========================================================================== sensing: F_i and CRB
def sensing_parts(sc: Scenario, phi):
    """``v_t, v_B, v_R`` (Nt) and ``S = H_BR^T diag(h_r)``, ``S' = H_BR^T diag(dh_r)`` (Nt x N).

    ``v_t = h_d + S phi``, ``v_B = dh_d``, ``v_R = S' phi`` (Paper C (26)-(27), App. A).
    """
    S = sc.H_BR.T * sc.h_r[None, :]
    Sp = sc.H_BR.T * sc.dh_r[None, :]
    return sc.h_d + S @ phi, sc.dh_d, Sp @ phi, S, Sp


def _Y(v, vB, vR, W):
    """``H_t W, H_B W, H_R W`` using ``H = v v^T`` structure (Nt x K each) and ``a, b, c``."""
    a, b, c = v @ W, vB @ W, vR @ W                     # v^T w_k etc. (K,)
    Yt = np.outer(v, a)
    YB = np.outer(vB, a) + np.outer(v, b)
    YR = np.outer(vR, a) + np.outer(v, c)
    return Yt, YB, YR, a, b, c


PAIRS = (("B", "B", False), ("B", "R", False), ("B", "t", True),
         ("R", "R", False), ("R", "t", True), ("t", "t", False))


def F_values(sc: Scenario, W, phi) -> np.ndarray:
    """``F_1..F_6`` of (59)/(66): ``tr(W^H A_i W)`` in FIM units (complex (6,))."""
    v, vB, vR, _, _ = sensing_parts(sc, phi)
    Yt, YB, YR, *_ = _Y(v, vB, vR, W)
    Y = {"t": Yt, "B": YB, "R": YR}
    ac = np.conj(sc.alpha)
    return np.array([(ac if al else 1.0) * np.vdot(Y[x], Y[y]) for x, y, al in PAIRS])


def A_matrices(sc: Scenario, phi) -> np.ndarray:
    """``A_1..A_6`` (68) without the factor L (absorbed in the normalisation): (6, Nt, Nt)."""
    v, vB, vR, _, _ = sensing_parts(sc, phi)
    Ht = np.outer(v, v)
    HB = np.outer(vB, v) + np.outer(v, vB)
    HR = np.outer(vR, v) + np.outer(v, vR)
    H = {"t": Ht, "B": HB, "R": HR}
    ac = np.conj(sc.alpha)
    return np.stack([(ac if al else 1.0) * H[x].conj().T @ H[y] for x, y, al in PAIRS])


def reduced_fim(f, alpha2: float = 1.0) -> np.ndarray:
    """``A(f) = J_tt - J_ta J_aa^{-1} J_at`` (48) from ``f`` (60): (..., 2, 2) real."""
    f = np.asarray(f)
    S = np.stack([np.stack([f[..., 0].real, f[..., 1].real], -1),
                  np.stack([f[..., 1].real, f[..., 3].real], -1)], -2)
    q = np.stack([f[..., 2], f[..., 4]], -1)
    Q = (q[..., :, None] * q.conj()[..., None, :]).real
    return alpha2 * S - Q / f[..., 5].real[..., None, None]


def crb_trace_f(f, alpha2: float = 1.0) -> float:
    """``tr(CRB_theta) = tr(A(f)^{-1})`` (34); ``inf`` if ``A`` is not positive definite."""
    A = reduced_fim(f, alpha2)
    lam = np.linalg.eigvalsh(A)
    if np.any(lam <= 0) or np.real(f[5]) <= 0:
        return float("inf")
    return float(np.sum(1.0 / lam))


def crb_trace(sc: Scenario, W, phi) -> float:
    """``tr(CRB_theta(W, Phi))`` in rad^2 (Paper C (34))."""
    return crb_trace_f(F_values(sc, W, phi), abs(sc.alpha) ** 2)


# =========================================================================== gradient (App. A)
def F_gradients(sc: Scenario, W, phi):
    """Holomorphic/anti-holomorphic derivatives of ``F_i`` in ``phi`` (Paper C App. A, (106)-(110)).

    Returns ``gam, bet`` (6, N) with ``F_i(phi + d) ~ F_i + gam_i^T d + bet_i^T conj(d)``,
    i.e. ``gam = dF/dphi`` and ``bet = dF/dphi^*`` (Wirtinger). For real ``F_i``
    (i = 1, 4, 6) ``bet = conj(gam)``.
    """
    v, vB, vR, S, Sp = sensing_parts(sc, phi)
    Yt, YB, YR, a, b, c = _Y(v, vB, vR, W)
    Y = {"t": Yt, "B": YB, "R": YR}
    SW, SpW = W.T @ S, W.T @ Sp                       # rows (S^T w_k)^T, (S'^T w_k)^T: (K, N)

    def r(Z, typ):
        """sum_k z_k^H J_typ(w_k), J = d(H_typ w)/d phi (Nt x N)."""
        Zh = Z.conj().T                                # (K, Nt)
        ZS = Zh @ S                                    # (K, N)
        if typ == "t":
            return (a[:, None] * ZS + (Zh @ v)[:, None] * SW).sum(0)
        if typ == "B":
            return ((Zh @ vB)[:, None] * SW + b[:, None] * ZS).sum(0)
        ZSp = Zh @ Sp
        return (a[:, None] * ZSp + (Zh @ vR)[:, None] * SW + c[:, None] * ZS
                + (Zh @ v)[:, None] * SpW).sum(0)

    ac = np.conj(sc.alpha)
    gam = np.empty((6, len(phi)), complex)
    bet = np.empty((6, len(phi)), complex)
    for i, (x, y, al) in enumerate(PAIRS):
        s = ac if al else 1.0
        gam[i] = s * r(Y[x], y)
        bet[i] = s * np.conj(r(Y[y], x))
    return gam, bet


def real_parts_gradients(gam, bet):
    """Gradient vectors ``g`` with ``f(phi + d) ~ f + Re{g^H d}`` for the 9 real functions
    ``[Re F1, Re F2, Im F2, Re F3, Im F3, Re F4, Re F5, Im F5, Re F6]``."""
    gR = np.conj(gam) + bet
    gI = 1j * (np.conj(gam) - bet)
    idx = [(0, "R"), (1, "R"), (1, "I"), (2, "R"), (2, "I"), (3, "R"), (4, "R"), (4, "I"), (5, "R")]
    return np.stack([gR[i] if p == "R" else gI[i] for i, p in idx]), idx


# =========================================================================== (J_aux, f) block
_X_OF_F = None  # documentation only: x = [Re f1, Re f2, Re f4, Re f3, Im f3, Re f5, Im f5, Re f6]


def _f_to_x(f):
    return np.array([f[0].real, f[1].real, f[3].real, f[2].real, f[2].imag, f[4].real, f[4].imag, f[5].real])


def _x_to_f(x, y):
    f = np.array(y, dtype=complex).copy()
    f[0] = x[0] + 1j * y[0].imag
    f[1] = x[1] + 1j * y[1].imag
    f[3] = x[2] + 1j * y[3].imag
    f[2] = x[3] + 1j * x[4]
    f[4] = x[5] + 1j * x[6]
    f[5] = x[7] + 1j * y[5].imag
    return f


def _psi_derivs(x, a2):
    """``psi = tr(A(x)^{-1})``, gradient (8,) and Hessian (8, 8); None if out of domain."""
    S = np.array([[x[0], x[1]], [x[1], x[2]]])
    U = np.array([[x[3], x[4]], [x[5], x[6]]])
    t = x[7]
    if t <= 0:
        return None
    A = a2 * S - U @ U.T / t
    lam = np.linalg.eigvalsh(A)
    if lam[0] <= 1e-14 * max(abs(lam[1]), 1e-300):
        return None
    B = np.linalg.inv(A)
    B2 = B @ B
    dA = np.zeros((8, 2, 2))
    dA[0] = a2 * np.array([[1, 0], [0, 0]])
    dA[1] = a2 * np.array([[0, 1], [1, 0]])
    dA[2] = a2 * np.array([[0, 0], [0, 1]])
    E = np.zeros((4, 2, 2))
    for j, (p, q) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        E[j, p, q] = 1.0
        dA[3 + j] = -(E[j] @ U.T + U @ E[j].T) / t
    dA[7] = U @ U.T / t ** 2
    psi = float(np.trace(B))
    g = -np.einsum("ij,kji->k", B2, dA)
    # first term: 2 tr(B2 dA_j B dA_l) symmetrised
    T1 = np.einsum("ab,jbc,cd,lda->jl", B2, dA, B, dA)
    H = T1 + T1.T
    # second differential of A
    d2 = np.zeros((8, 8, 2, 2))
    for j in range(4):
        for l in range(4):
            d2[3 + j, 3 + l] = -(E[j] @ E[l].T + E[l] @ E[j].T) / t
        m = (E[j] @ U.T + U @ E[j].T) / t ** 2
        d2[3 + j, 7] = m
        d2[7, 3 + j] = m
    d2[7, 7] = -2 * U @ U.T / t ** 3
    H -= np.einsum("ab,jlba->jl", B2, d2)
    return psi, g, H


def project_crb_set(y, alpha2: float = 1.0, bound: float = 1.0, tol: float = 1e-10,
                    max_iter: int = 25, return_info: bool = False, warm=None):
    """Exact solution of the (J_aux, f) SDP (64): project ``y`` onto ``{tr(A(f)^{-1}) <= bound}``.

    (64) minimises ``sum_i |y_i - f_i|^2`` over ``f`` and ``J_aux`` with
    ``M(f, J_aux) >= 0`` and ``tr(J_aux^{-1}) <= bound``. Eliminating ``J_aux`` (the best
    choice is ``J_aux = A(f)``, (49)) leaves the Euclidean projection onto the convex set
    ``{tr(A(f)^{-1}) <= bound}`` (``tr(A^{-1})`` is convex and ``A`` concave in ``f``).
    Only 8 real coordinates enter ``A``; the imaginary parts of ``f_1, f_2, f_4, f_6``
    are copied from ``y``. If ``y`` is feasible it is the answer; otherwise a damped
    primal-dual Newton method solves the KKT system
    ``x - y + lam grad psi(x) = 0, psi(x) = bound`` from a boundary start obtained by
    shifting ``A`` along the identity. Returns ``(f, J_aux)`` (and info if asked).
    """
    y = np.asarray(y, dtype=complex)
    x_y = _f_to_x(y)
    d = _psi_derivs(x_y, alpha2)
    if d is not None and d[0] <= bound:
        f = y.copy()
        out = (f, reduced_fim(f, alpha2))
        return (*out, {"iters": 0, "active": False}) if return_info else out
    scale = max(np.max(np.abs(x_y)), 1e-300)
    if warm is not None:                      # warm start from a previous projection (f)
        xw = _f_to_x(np.asarray(warm, dtype=complex))
        dw = _psi_derivs(xw, alpha2)
        if dw is not None:
            res = _kkt_newton(x_y, xw, dw, alpha2, bound, tol, scale, max_iter)
            if res[3] < 1e-6 * max(scale, 1.0) and res[2][0] <= bound * (1 + 1e-6):
                f = _x_to_f(res[0], y)
                out = (f, reduced_fim(f, alpha2))
                return (*out, {"iters": res[4], "active": True, "lam": res[1], "resid": res[3],
                               "warm": True}) if return_info else out
    # boundary start: x0 = y + c (e_0 + e_2) with f6 > 0 and tr((A + c a2 I)^{-1}) = bound
    x0 = x_y.copy()
    if x0[7] <= 1e-9 * scale:
        x0[7] = 1e-3 * scale
    U = np.array([[x0[3], x0[4]], [x0[5], x0[6]]])
    A0 = alpha2 * np.array([[x0[0], x0[1]], [x0[1], x0[2]]]) - U @ U.T / x0[7]
    mu = np.linalg.eigvalsh(A0)
    # solve sum 1/(mu_i + s) = bound for s > -mu_min: (s+m1)(s+m2) bound = 2 s + m1 + m2
    m1, m2 = mu
    bq = bound * (m1 + m2) - 2
    cq = bound * m1 * m2 - (m1 + m2)
    s = (-bq + np.sqrt(bq * bq - 4 * bound * cq)) / (2 * bound)
    x = x0.copy()
    x[0] += s / alpha2
    x[2] += s / alpha2
    x, lam, _, rn, it = _kkt_newton(x_y, x, _psi_derivs(x, alpha2), alpha2, bound, tol, scale, max_iter)
    f = _x_to_f(x, y)
    out = (f, reduced_fim(f, alpha2))
    return (*out, {"iters": it, "active": True, "lam": lam, "resid": rn}) if return_info else out


def _kkt_newton(x_y, x, d, alpha2, bound, tol, scale, max_iter):
    """Damped primal-dual Newton on ``x - y + lam grad psi = 0, psi = bound``."""
    psi, g, H = d
    lam = max(0.0, -float(np.dot(x - x_y, g)) / float(np.dot(g, g)))

    def resid(x_, lam_, d_):
        return np.concatenate([x_ - x_y + lam_ * d_[1], [d_[0] - bound]])

    r = resid(x, lam, (psi, g, H))
    it = 0
    for it in range(1, max_iter + 1):
        Kk = np.zeros((9, 9))
        Kk[:8, :8] = np.eye(8) + lam * H
        Kk[:8, 8] = g
        Kk[8, :8] = g
        try:
            step = np.linalg.solve(Kk, -r)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(Kk, -r, rcond=None)[0]
        t = 1.0
        nr0 = np.linalg.norm(r)
        while t > 1e-8:
            xn, ln = x + t * step[:8], max(lam + t * step[8], 0.0)
            dn = _psi_derivs(xn, alpha2)
            if dn is not None:
                rn = resid(xn, ln, dn)
                if np.linalg.norm(rn) <= (1 - 1e-4 * t) * nr0:
                    break
            t *= 0.5
        else:
            break
        x, lam, (psi, g, H), r = xn, ln, dn, rn
        if np.linalg.norm(r[:8]) <= tol * scale and abs(r[8]) <= tol * bound:
            break
    return x, lam, (psi, g, H), float(np.linalg.norm(r)), it


_CVX_CACHE: dict = {}


def _cvx_problem(alpha2: float, bound: float):
    """The (64) SDP as a DPP-compiled cvxpy problem with ``y`` as a parameter (cached)."""
    key = (float(alpha2), float(bound))
    if key not in _CVX_CACHE:
        import cvxpy as cp
        yp = cp.Parameter(8)
        x = cp.Variable(8)
        J = cp.Variable((2, 2), symmetric=True)
        S = cp.bmat([[x[0], x[1]], [x[1], x[2]]])
        Uc = cp.bmat([[x[3], -x[4]], [x[5], -x[6]]])    # (2/sigma^2) Re[[f3, j f3], [f5, j f5]]
        Mm = cp.bmat([[alpha2 * S - J, Uc], [Uc.T, x[7] * np.eye(2)]])
        prob = cp.Problem(cp.Minimize(cp.sum_squares(x - yp)),
                          [(Mm + Mm.T) / 2 >> 0, cp.tr_inv(J) <= bound])
        _CVX_CACHE[key] = (prob, yp, x, J)
    return _CVX_CACHE[key]


def project_crb_set_cvxpy(y, alpha2: float = 1.0, bound: float = 1.0):
    """Reference for (64) with cvxpy/CLARABEL: the LMI (50)/(61) in ``(f, J_aux)`` and
    ``tr(J_aux^{-1}) <= bound`` (``cp.tr_inv``). Returns ``(f, J_aux)``."""
    import cvxpy as cp
    y = np.asarray(y, dtype=complex)
    prob, yp, x, J = _cvx_problem(alpha2, bound)
    yp.value = _f_to_x(y)
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11, max_iter=200)
    f = _x_to_f(np.asarray(x.value), y)
    return f, np.asarray(J.value)


# =========================================================================== W block
def ball_qp(Q, bvec, P: float, return_mu: bool = False):
    """Exact minimiser of ``w^H Q w - Re{b^H w}`` s.t. ``||w||^2 <= P`` (Q Hermitian PSD).

    Eigen-decompose ``Q = U diag(l) U^H``; the stationary point of the Lagrangian is
    ``w(mu) = (Q + mu I)^{-1} b / 2``. If ``mu = 0`` is feasible (pseudo-inverse on the
    null space) it is optimal; otherwise ``||w(mu)||^2 = P`` is solved for ``mu > 0``
    by safeguarded Newton on the secular equation ``1/||w(mu)|| - 1/sqrt(P)`` (concave,
    monotone), which converges from the left without overshoot.
    """
    lam, U = np.linalg.eigh(Q)
    lam = np.maximum(lam, 0.0)
    beta = U.conj().T @ (bvec / 2)
    a2 = np.abs(beta) ** 2
    tiny = 1e-12 * max(lam[-1], 1e-300)
    pos = lam > tiny
    n0 = np.sum(a2[pos] / lam[pos] ** 2)
    if n0 <= P and np.all(a2[~pos] <= 1e-24 * max(a2.sum(), 1e-300)):
        c = np.where(pos, beta / np.where(pos, lam, 1.0), 0.0)
        w = U @ c
        return (w, 0.0) if return_mu else w
    mu = 0.0 if np.all(pos) else tiny
    sP = np.sqrt(P)
    for _ in range(100):
        den = lam + mu
        n2 = np.sum(a2 / den ** 2)
        nn = np.sqrt(n2)
        phi_ = 1 / nn - 1 / sP
        if abs(phi_) < 1e-13 / sP:
            break
        dn2 = -2 * np.sum(a2 / den ** 3)
        dphi = -0.5 * dn2 / n2 ** 1.5
        mu_new = mu - phi_ / dphi
        mu = max(mu_new, 0.5 * mu) if mu_new <= 0 else mu_new
    w = U @ (beta / (lam + mu))
    w *= min(1.0, sP / max(np.linalg.norm(w), 1e-300))
    return (w, mu) if return_mu else w


def ball_qp_cvxpy(Q, bvec, P: float):
    """cvxpy reference for :func:`ball_qp` (real embedding of the complex QP)."""
    import cvxpy as cp
    n = len(bvec)
    Qr = np.block([[Q.real, -Q.imag], [Q.imag, Q.real]])
    Qr = (Qr + Qr.T) / 2
    L = np.linalg.cholesky(Qr + 1e-12 * np.eye(2 * n))
    br = np.concatenate([bvec.real, bvec.imag])
    z = cp.Variable(2 * n)
    prob = cp.Problem(cp.Minimize(cp.sum_squares(L.T @ z) - br @ z), [cp.sum_squares(z) <= P])
    prob.solve(solver=cp.CLARABEL)
    return z.value[:n] + 1j * z.value[n:]


# =========================================================================== FP blocks
def fp_update(sc: Scenario, W, phi):
    """``r`` (37) and ``c_k`` (41). Returns ``r`` (K,), ``C`` (K, M), ``E`` = E_eff (K, M, Nt)."""
    E = sc.E_eff(phi)
    G = E @ W                                              # (K, M, K)
    p = np.sum(np.abs(G) ** 2, axis=1)
    Bk = p.sum(1) + sc.M
    sig = np.diagonal(p)
    r = sig / (Bk - sig)
    gkk = G[np.arange(sc.K), :, np.arange(sc.K)]           # (K, M)
    C = np.sqrt(1 + r)[:, None] * gkk / Bk[:, None]
    return r, C, E


def fp_objective(sc: Scenario, W, phi, r, C) -> float:
    """The FP surrogate (42) (nats)."""
    G = sc.E_eff(phi) @ W
    gkk = G[np.arange(sc.K), :, np.arange(sc.K)]
    Bk = np.sum(np.abs(G) ** 2, axis=(1, 2)) + sc.M
    cn = np.sum(np.abs(C) ** 2, 1)
    return float(np.sum(np.log1p(r) - r + 2 * np.sqrt(1 + r) * np.real(np.sum(C.conj() * gkk, 1)) - cn * Bk))


def fp_W_terms(sc: Scenario, E, r, C):
    """(43)-(45): ``||B w||^2 = sum_j w_j^H T w_j`` and ``a`` (Nt, K), i.e. ``Re{a^H w}``."""
    cn = np.sum(np.abs(C) ** 2, 1)
    T = np.einsum("k,kma,kmb->ab", cn, E.conj(), E)
    a = 2 * np.sqrt(1 + r)[None, :] * np.einsum("kma,km->ak", E.conj(), C)
    return T, a


def fp_phi_terms(sc: Scenario, W, r, C, EruH_Eru):
    """(46)-(47): ``D`` (N x N) and ``g`` (N) with F = Re{g^H phi} - phi^H D phi + const.

    Uses ``||c_k||^2`` where (47) prints ``||c_k||_2`` (see errata). ``EruH_Eru`` is the
    precomputed (K, N, N) stack of ``E_ru,k^H E_ru,k``.
    """
    cn = np.sum(np.abs(C) ** 2, 1)
    Qm = sc.H_BR @ W                                       # (N, K): q_j = H_BR w_j
    D = np.einsum("k,kab->ab", cn, EruH_Eru) * np.conj(Qm @ Qm.conj().T)
    dkj = sc.E_bu @ W                                      # (K, M, K): d_{k,j}
    # sum_j F_kj^H d_kj = sum_j conj(q_j) * (E_ru,k^H d_kj)
    t1 = np.einsum("kmn,km->kn", sc.E_ru.conj(), C)        # E_ru,k^H c_k
    g1 = 2 * np.sum(np.sqrt(1 + r)[:, None] * np.conj(Qm.T) * t1, 0)   # F_kk^H c_k = conj(q_k) * E^H c_k
    t2 = np.einsum("kmn,kmj->kjn", sc.E_ru.conj(), dkj)    # E_ru,k^H d_kj
    g2 = 2 * np.einsum("k,kjn->n", cn, np.conj(Qm.T)[None] * t2)
    return D, g1 - g2


# =========================================================================== phi block
def admm_unit_modulus(Dh, gh, phi0, rho=None, iters: int = 100, tol: float = 1e-6):
    """ADMM (90)-(101) for ``min phi^H Dh phi - 2 Re{gh^H phi}`` s.t. ``|phi_n| = 1``.

    The Cholesky factor of ``2 Dh + rho I`` is computed once and reused (96).
    Returns the unit-modulus iterate ``z`` (feasible) and the number of iterations.
    """
    N = len(gh)
    if rho is None:
        rho = 2.0 * float(np.max(np.sum(np.abs(Dh), 1)))   # Gershgorin bound on lambda_max
        rho = max(rho, 1e-12)
    cf = sla.cho_factor(2 * Dh + rho * np.eye(N))
    z = phi0.copy()
    lam = np.zeros(N, complex)
    k = 0
    for k in range(1, iters + 1):
        phi = sla.cho_solve(cf, 2 * gh - lam + rho * z)
        z_old = z
        z = proj_unit_modulus(phi + lam / rho)
        lam = lam + rho * (phi - z)
        if np.linalg.norm(phi - z) < tol * np.sqrt(N) and rho * np.linalg.norm(z - z_old) < tol * np.sqrt(N) * rho:
            break
    return z, k


# =========================================================================== Algorithm 1
@dataclass
class BCDOptions:
    iters: int = 20                 # outer iterations T
    rho1: float = 1e3               # initial ALM penalty (dimensionless, F scaled by eps; our choice)
    rho_decay: float = 0.8          # rho_1 <- 0.8 rho_1 (Algorithm 1 line 16)
    w_inner: int = 10               # MM steps on the W-surrogate per outer iteration
    admm_iters: int = 60
    sensing: bool = True            # False: "Comm-only"
    update_phi: bool = True         # False: "BF-only" (Phi fixed)
    sdp: str = "newton"             # "newton" (exact, fast) or "cvxpy"
    w_solver: str = "mm"            # "mm": surrogate QP (85); "pg": projected gradient on (70)
    pg_steps: int = 30
    tau0: float = 0.0               # proximal weight of the phi surrogate (grown on rejection)
    f_scale: float = 0.025          # F_i are handled as f_scale * F (FIM units); fixed across eps
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
    t = np.einsum("nt,kmt,kmn->n", sc.H_BR, sc.E_bu.conj(), sc.E_ru)
    s = np.conj(t)
    phi = np.exp(1j * np.angle(s)) if phi0 is None else phi0.copy()
    for _ in range(iters):
        phi_new = proj_unit_modulus(Rm @ phi + s)
        if np.linalg.norm(phi_new - phi) < 1e-10 * np.sqrt(len(phi)):
            phi = phi_new
            break
        phi = phi_new
    return phi


def _penalty_terms(sc, W, phi, f, zeta, rho1, fs):
    """Scaled ``F`` (eps F), ``d_i = -f_i + rho1 zeta_i`` and the residuals ``e_i = F_i + d_i``."""
    Fh = fs * F_values(sc, W, phi)
    d = -f + rho1 * zeta
    return Fh, d, Fh + d


def _al_phi_objective(sc, W, phi, r, C, d, rho1, fs, sensing):
    """Objective of (86): ``-F(W, Phi, r, c) + (1/2 rho1) sum |F_i + d_i|^2``."""
    val = -fp_objective(sc, W, phi, r, C)
    if sensing:
        e = fs * F_values(sc, W, phi) + d
        val += np.sum(np.abs(e) ** 2) / (2 * rho1)
    return val


def w_update(sc, W, phi, r, C, E, f, zeta, rho1, fs, sensing, n_inner=1):
    """W block: MM surrogate QP (85) solved exactly by :func:`ball_qp` (``n_inner`` MM steps)."""
    T, a = fp_W_terms(sc, E, r, C)
    Nt, K = W.shape
    Qc = np.kron(np.eye(K), T)                               # vec(W) column-major: blocks per user
    avec = a.T.reshape(-1)
    if not sensing:
        return ball_qp(Qc, avec, sc.P).reshape(K, Nt).T
    A = fs * A_matrices(sc, phi)                               # scaled A_i
    AH = np.conj(np.swapaxes(A, 1, 2))
    d = -f + rho1 * zeta
    Cb = np.conj(d)[:, None, None] * A + d[:, None, None] * AH  # C-bar_i (72), Hermitian
    th_t = np.maximum(np.linalg.eigvalsh(Cb)[:, -1], 0.0)      # theta_t,i >= lambda_max(C-bar_i)
    th_b = np.linalg.norm(A, 2, axis=(1, 2)) ** 2              # theta_b,i >= lambda_max(A-hat_i)
    n = Nt * K
    Q0 = Qc + np.sum(th_t) / (2 * rho1) * np.eye(n)
    for _ in range(n_inner):
        wt = W.T.reshape(-1)
        U = np.concatenate([(A @ W).transpose(0, 2, 1).reshape(6, n),
                            (AH @ W).transpose(0, 2, 1).reshape(6, n)])   # vec(A_i W), vec(A_i^H W)
        # (73) with its exact theta_t ||w||^2 term kept in the quadratic; (75)-(84) as printed
        Q = Q0 + (U.T @ U.conj()) / (2 * rho1)
        Cbw = (Cb @ W).transpose(0, 2, 1).reshape(6, n)
        lin = np.sum(2 * (Cbw - th_t[:, None] * wt[None]) - 4 * (th_b * np.vdot(wt, wt).real)[:, None] * wt[None], 0)
        bvec = avec - lin / (2 * rho1)
        W = ball_qp(Q, bvec, sc.P).reshape(K, Nt).T
    return W


def _w_sub_obj_grad(W, T, a, A, AH, d, rho1, sensing):
    """Objective of (70) and its gradient ``d/dW^*`` (Nt x K) for the W block."""
    TW = T @ W
    val = float(np.real(np.vdot(W, TW)) - np.real(np.vdot(a, W)))
    G = TW - a / 2
    if sensing:
        AW = A @ W                                               # (6, Nt, K)
        z = np.einsum("ak,iak->i", W.conj(), AW) + d             # z_i = F_i(W) + d_i
        val += float(np.sum(np.abs(z) ** 2)) / (2 * rho1)
        G = G + (np.einsum("i,iak->ak", np.conj(z), AW)
                 + np.einsum("i,iak->ak", z, AH @ W)) / (2 * rho1)
    return val, G


def w_update_pg(sc, W, phi, r, C, E, f, zeta, rho1, fs, sensing, n_steps=30, step0=None):
    """W block by projected gradient with Armijo backtracking on the *exact* (70)
    (the ball ``||W||_F^2 <= P`` by scaling); monotone in (70). Alternative to the
    MM surrogate (85), whose global curvature bounds make its steps tiny (see chapter)."""
    T, a = fp_W_terms(sc, E, r, C)
    A = fs * A_matrices(sc, phi) if sensing else None
    AH = np.conj(np.swapaxes(A, 1, 2)) if sensing else None
    d = -f + rho1 * zeta if sensing else None
    sP = np.sqrt(sc.P)
    val, G = _w_sub_obj_grad(W, T, a, A, AH, d, rho1, sensing)
    eta = step0 if step0 is not None else 1.0 / max(np.linalg.norm(T, 2), 1e-12)
    for _ in range(n_steps):
        while True:
            Wn = W - eta * G
            nn = np.linalg.norm(Wn)
            if nn > sP:
                Wn *= sP / nn
            vn, Gn = _w_sub_obj_grad(Wn, T, a, A, AH, d, rho1, sensing)
            if vn <= val - 0.5 / eta * 1e-4 * np.linalg.norm(Wn - W) ** 2 or eta < 1e-14:
                break
            eta *= 0.5
        if abs(val - vn) <= 1e-10 * max(abs(val), 1.0):
            W, val, G = Wn, vn, Gn
            break
        W, val, G = Wn, vn, Gn
        eta *= 2.0
    return W


def w_objective(sc, W, phi, r, C, f, zeta, rho1, fs, sensing):
    """Objective of (70) (to check MM monotonicity)."""
    return _al_phi_objective(sc, W, phi, r, C, -f + rho1 * zeta, rho1, fs, sensing)


def phi_update(sc, W, phi, r, C, d, rho1, fs, sensing, EruH_Eru, tau0=0.0, admm_iters=60):
    """phi block: MM/Gauss-Newton surrogate (87)-(89) + ADMM (90)-(101), accepted only if
    the true objective (86) does not increase (else the proximal weight grows)."""
    D, g = fp_phi_terms(sc, W, r, C, EruH_Eru)
    N = len(phi)
    cur = _al_phi_objective(sc, W, phi, r, C, d, rho1, fs, sensing)
    if sensing:
        gam, bet = F_gradients(sc, W, phi)
        Gp, idx = real_parts_gradients(fs * gam, fs * bet)
        e = fs * F_values(sc, W, phi) + d
        ep = np.array([e[i].real if p == "R" else e[i].imag for i, p in idx])
        GGh = Gp.T @ Gp.conj()                                # sum_p g_p g_p^H
        Dpen = GGh / (2 * rho1)
        gpen = (GGh @ phi - Gp.T @ ep) / (2 * rho1)
    else:
        Dpen, gpen = 0.0, 0.0
    tau = tau0
    for attempt in range(6):
        Dh = D + Dpen + (tau / (2 * rho1) if sensing else tau) * np.eye(N)
        gh = g / 2 + gpen + (tau / (2 * rho1) if sensing else tau) * phi
        Dh = (Dh + Dh.conj().T) / 2
        z, _ = admm_unit_modulus(Dh, gh, phi, iters=admm_iters)
        new = _al_phi_objective(sc, W, z, r, C, d, rho1, fs, sensing)
        if new <= cur + 1e-12 * abs(cur):
            return z, attempt
        tau = max(2 * tau, 1e-2 * float(np.real(np.trace(Dh))) / N * (2 * rho1 if sensing else 1))
    return phi, -1


def bcd(sc: Scenario, phi0=None, W0=None, opts: BCDOptions | None = None) -> BCDResult:
    """Algorithm 1 (and its Comm-only / BF-only variants via ``opts``)."""
    opts = opts or BCDOptions()
    phi = bf_only_phi(sc) if phi0 is None else phi0.copy()
    W = init_point(sc, phi) if W0 is None else W0.copy()
    fs = opts.f_scale
    bound = sc.eps / fs                     # tr(A(fs F)^{-1}) = tr(A(F)^{-1}) / fs <= eps / fs
    a2 = abs(sc.alpha) ** 2
    rho1 = opts.rho1
    zeta = np.zeros(6, complex)
    f = fs * F_values(sc, W, phi)
    EruH_Eru = np.einsum("kmn,kml->knl", sc.E_ru.conj(), sc.E_ru) if opts.update_phi else None
    hist = {"rate": [], "crb": [], "power": [], "sdp_iters": [], "phi_rejects": 0}
    f_prev = None
    tim = {"r_c": 0.0, "sdp": 0.0, "W": 0.0, "phi": 0.0}
    if opts.record:
        hist["rate"].append(float(np.sum(np.log1p(sinr(sc, W, phi))) / LN2))
        hist["crb"].append(crb_trace(sc, W, phi))
        hist["power"].append(float(np.linalg.norm(W) ** 2))
    for t in range(opts.iters):
        t0 = time.perf_counter()
        r, C, E = fp_update(sc, W, phi)
        t1 = time.perf_counter()
        if opts.sensing:
            y = fs * F_values(sc, W, phi) + rho1 * zeta
            if opts.sdp == "cvxpy":
                f, _ = project_crb_set_cvxpy(y, a2, bound)
                hist["sdp_iters"].append(-1)
            else:
                f, _, info = project_crb_set(y, a2, bound, return_info=True, warm=f_prev)
                if info["active"] and not (info["resid"] < 1e-6 * max(np.abs(y).max(), 1.0)
                                           and crb_trace_f(f, a2) <= bound * (1 + 1e-6)):
                    f, _ = project_crb_set_cvxpy(y, a2, bound)     # fallback
                    info["iters"] = -1
                if info["active"]:
                    f_prev = f
                hist["sdp_iters"].append(info["iters"])
        t2 = time.perf_counter()
        if opts.w_solver == "pg":
            W = w_update_pg(sc, W, phi, r, C, E, f, zeta, rho1, fs, opts.sensing, opts.pg_steps)
        else:
            W = w_update(sc, W, phi, r, C, E, f, zeta, rho1, fs, opts.sensing, opts.w_inner)
        t3 = time.perf_counter()
        if opts.update_phi:
            d = -f + rho1 * zeta
            phi, att = phi_update(sc, W, phi, r, C, d, rho1, fs, opts.sensing, EruH_Eru,
                                  opts.tau0, opts.admm_iters)
            hist["phi_rejects"] += int(att != 0)
        t4 = time.perf_counter()
        if opts.sensing:
            zeta = zeta + (fs * F_values(sc, W, phi) - f) / rho1
            rho1 *= opts.rho_decay
        tim["r_c"] += t1 - t0
        tim["sdp"] += t2 - t1
        tim["W"] += t3 - t2
        tim["phi"] += t4 - t3
        if opts.record:
            hist["rate"].append(float(np.sum(np.log1p(sinr(sc, W, phi))) / LN2))
            hist["crb"].append(crb_trace(sc, W, phi))
            hist["power"].append(float(np.linalg.norm(W) ** 2))
    return BCDResult(W=W, phi=phi, history=hist, timing=tim)


# =========================================================================== feasibility restoration
def restore_feasibility(sc: Scenario, W, phi, eps=None, grid: int = 12, bisect: int = 20):
    """Smallest blend ``W(b) = (1-b) W + b W_s`` (rescaled to full power ``P``) with
    ``tr(CRB) <= eps``. Two targets ``W_s`` are tried, keeping each column's norm: the
    projection of every column on ``span{v_t*, v_B*, v_R*}`` (the directions the FIM
    sees), and every column turned to ``v_t*``; the one giving the higher U_com wins.
    If neither reaches ``eps``, the CRB-minimising precoder at this ``phi`` is the target.

    Not part of Paper C: Algorithm 1 is an augmented-Lagrangian method whose iterate
    after a finite number of iterations may violate (35)'s CRB constraint; the book
    applies this same restoration to every constrained scheme and reports the raw
    violation alongside. Returns ``(W, b)``; ``b = 0`` when ``W`` is already feasible,
    ``b = nan`` if even ``b = 1`` is infeasible (then ``W(1)`` is returned).
    """
    eps = sc.eps if eps is None else eps
    if crb_trace(sc, W, phi) <= eps:
        return W, 0.0
    v, vB, vR, _, _ = sensing_parts(sc, phi)
    pw = sc.P  # use the full budget: the CRB only improves with power
    u = np.conj(v) / np.linalg.norm(v)
    Qs, _ = np.linalg.qr(np.stack([np.conj(v), np.conj(vB), np.conj(vR)], 1))
    cn = np.linalg.norm(W, axis=0)
    # target 1: every column projected on span{v*, v_B*, v_R*} (keeps the FIM well conditioned)
    Pr = Qs @ (Qs.conj().T @ W)
    pn = np.linalg.norm(Pr, axis=0)
    Ws1 = np.where(pn > 1e-9 * max(cn.max(), 1e-300), Pr * (cn / np.maximum(pn, 1e-300)), u[:, None] * cn)
    # target 2: every column turned to v* (keeps the phase of its projection)
    proj = u.conj() @ W
    ph = np.where(np.abs(proj) > 0, proj / np.maximum(np.abs(proj), 1e-300), 1.0)
    Ws2 = u[:, None] * (cn * ph)[None, :]

    best = None
    targets = [Ws1, Ws2]
    for k in range(3):
        if k == 2:
            if best is not None:
                break
            from .objective import min_crb_precoder   # last resort: CRB-optimal W
            targets.append(min_crb_precoder(sc, phi, Ws1))
        Ws = targets[k]
        def Wb(b, Ws=Ws):
            X = (1 - b) * W + b * Ws
            return X * np.sqrt(pw) / max(np.linalg.norm(X), 1e-300)
        if crb_trace(sc, Wb(0.0), phi) <= eps:
            return Wb(0.0), 0.0
        bs = np.linspace(0, 1, grid + 1)[1:]
        ok = [crb_trace(sc, Wb(b), phi) <= eps for b in bs]
        if not any(ok):
            continue
        hi = bs[int(np.argmax(ok))]
        lo = 0.0 if hi == bs[0] else bs[int(np.argmax(ok)) - 1]
        for _ in range(bisect):
            mid = (lo + hi) / 2
            if crb_trace(sc, Wb(mid), phi) <= eps:
                hi = mid
            else:
                lo = mid
        cand = (Wb(hi), float(hi))
        from .model import sum_rate
        if best is None or sum_rate(sc, cand[0], phi) > sum_rate(sc, best[0], phi):
            best = cand
    if best is None:
        X = targets[-1] * np.sqrt(pw) / max(np.linalg.norm(targets[-1]), 1e-300)
        return X, float("nan")
    return best
