"""Paper C's sensing side: the Fisher blocks F_1..F_6, the CRB and their phi-gradients.

* :func:`F_values`  F_i = tr(A_i R_x) of (59), (66)-(68), from the rank-one structure
  ``H_t = v_t v_t^T`` (O(N_t K) instead of O(N_t^2 K));
* :func:`reduced_fim`, :func:`crb_trace`  A(f) = J_tt - J_ta J_aa^{-1} J_at (48), tr(CRB) (34);
* :func:`F_gradients`  Wirtinger derivatives of F_i in phi (App. A, (106)-(110));
* :func:`H_products`, :func:`H_adjoint`  ``H_x W`` and ``H_x^H Z`` (x in {t, B, R}), the
  low-rank products from which ``A_i W = H_x^H H_y W`` is formed without any N_t x N_t matrix.
"""

from __future__ import annotations

import numpy as np

from .model import Scenario

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


# =========================================================================== low-rank products
def H_products(v, vB, vR, W):
    """``{x: H_x W}`` for ``H_t = v v^T``, ``H_B = v_B v^T + v v_B^T``, ``H_R = v_R v^T + v v_R^T``
    (27), (107), each (N_t x K), in O(N_t K) (the rank <= 2 structure)."""
    Yt, YB, YR, *_ = _Y(v, vB, vR, W)
    return {"t": Yt, "B": YB, "R": YR}


def H_adjoint(x, Z, v, vB, vR):
    """``H_x^H Z`` (N_t x K) without forming ``H_x``: ``H_t^H = v^* v^H``,
    ``H_B^H = v_B^* v^H + v^* v_B^H``, ``H_R^H = v_R^* v^H + v^* v_R^H``."""
    vh = np.conj(v)
    if x == "t":
        return np.outer(vh, v.conj() @ Z)
    u = vB if x == "B" else vR
    return np.outer(np.conj(u), v.conj() @ Z) + np.outer(vh, u.conj() @ Z)


def crb_and_grad(F, alpha2: float = 1.0):
    """``psi = tr(A(F)^{-1})`` (34), (48) and ``kappa`` (6,) with
    ``d psi = sum_i Re{conj(kappa_i) dF_i}``; ``(inf, None)`` if ``A`` is not positive definite.

    With ``C = A^{-2}`` and ``q = [F_3, F_5]``: ``kappa_1 = -a C_11``, ``kappa_2 = -2 a C_12``,
    ``kappa_4 = -a C_22``, ``[kappa_3, kappa_5] = 2 C q / F_6``, ``kappa_6 = -q^H C q / F_6^2``
    (``a = |alpha_t|^2``), from ``d tr(A^{-1}) = -tr(A^{-2} dA)``.
    """
    f1, f2, f4, f6 = F[0].real, F[1].real, F[3].real, F[5].real
    q1, q2 = F[2], F[4]
    if f6 <= 0:
        return float("inf"), None
    a11 = alpha2 * f1 - abs(q1) ** 2 / f6
    a22 = alpha2 * f4 - abs(q2) ** 2 / f6
    a12 = alpha2 * f2 - (q1 * q2.conjugate()).real / f6
    det = a11 * a22 - a12 * a12
    if not (det > 0 and a11 > 0):
        return float("inf"), None
    b11, b22, b12 = a22 / det, a11 / det, -a12 / det
    c11, c22, c12 = b11 * b11 + b12 * b12, b22 * b22 + b12 * b12, b12 * (b11 + b22)
    cq1, cq2 = c11 * q1 + c12 * q2, c12 * q1 + c22 * q2
    kap = np.array([-alpha2 * c11, -2 * alpha2 * c12, 2 * cq1 / f6, -alpha2 * c22, 2 * cq2 / f6,
                    -(q1.conjugate() * cq1 + q2.conjugate() * cq2).real / f6 ** 2], dtype=complex)
    return b11 + b22, kap


def crb_phi_gradient(sc: Scenario, W, phi):
    """``psi = tr(CRB)`` and ``h`` (N,) with ``psi(phi + d) ~ psi + Re{h^H d}`` (App. A chain rule:
    ``h = sum_i kappa_i conj(gamma_i) + conj(kappa_i) beta_i``); ``(inf, None)`` off the domain."""
    psi, kap = crb_and_grad(F_values(sc, W, phi), abs(sc.alpha) ** 2)
    if kap is None:
        return psi, None
    gam, bet = F_gradients(sc, W, phi)
    return psi, np.conj(gam).T @ kap + bet.T @ np.conj(kap)
