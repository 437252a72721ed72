"""Fractional-programming blocks of Algorithm 1 (Paper C (36)-(47)).

* :func:`fp_update`     r (37) and c_k (41) in closed form;
* :func:`fp_objective`  the FP surrogate (42);
* :func:`fp_W_terms`    (43)-(45): the concave quadratic in W;
* :func:`fp_phi_terms`  (46)-(47): the concave quadratic in phi.
"""

from __future__ import annotations

import numpy as np

from .model import Scenario

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
