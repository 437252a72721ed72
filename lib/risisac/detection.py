"""Radar detection: MVDR space-time filter, output SINR with clutter, Pd/Pfa.

The interference-plus-noise covariance of Paper A (17) is low rank plus
identity, ``R = sigma_z^2 I + U U^H`` with ``U = [xi_q Ht_q x]_q`` (ML x Q), so
every inverse is done by the Woodbury identity on a Q x Q system:

``R^{-1} a = (a - U (sigma^2 I_Q + U^H U)^{-1} U^H a) / sigma^2``.

The space-time echo ``Ht_q x = (I_L kron H_q) J_q x`` is ``vec(H_q X S_q)``
where ``X = [x[1] ... x[L]]`` (M x L) and ``S_q`` delays the columns by
``d_q`` slots (Paper A (8)-(9)): no ``ML x ML`` matrix is ever formed.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._backend import xp_of


def delay(X, d: int):
    """Columns of ``X`` (..., M, L) delayed by ``d`` slots, zeros shifted in: ``X J``."""
    xp = xp_of(X)
    if d == 0:
        return X
    pad = xp.zeros_like(X[..., :d])
    return xp.concatenate([pad, X[..., :-d]], -1) if xp is np else xp.cat([pad, X[..., :-d]], -1)


def echo(H, X, d: int = 0):
    """``(I_L kron H) J_d vec(X)`` returned as the M x L matrix ``H X J_d`` (Paper A (8))."""
    return H @ delay(X, d)


def _vec(A):
    """Column-stacking vec of (..., M, L) -> (..., M L) (slot-major, as Paper A stacks r)."""
    return A.mT.reshape(*A.shape[:-2], -1)


def woodbury_solve(a, U, sigma2):
    """``(sigma2 I + U U^H)^{-1} a`` for a (..., n) and U (..., n, Q)."""
    xp = xp_of(a, U)
    Q = U.shape[-1]
    eye = (np.eye(Q) if xp is np else xp.eye(Q, dtype=U.dtype, device=U.device))
    S = sigma2 * eye + U.conj().mT @ U
    b = U.conj().mT @ a[..., None]
    y = xp.linalg.solve(S, b)
    return (a - (U @ y)[..., 0]) / sigma2


def radar_sinr(a, U, sigma2, xi0_2: float = 1.0):
    """Output SINR of the MVDR filter, ``xi0^2 a^H R^{-1} a`` (Paper A (21a)), by Woodbury.

    ``a = vec(Ht_0 x)`` (..., n); ``U`` (..., n, Q) the clutter echoes scaled by ``xi_q``.
    """
    r = woodbury_solve(a, U, sigma2)
    return xi0_2 * (a.conj() * r).sum(-1).real


def mvdr_filter(a, U, sigma2):
    """MVDR filter ``w = R^{-1} a / (a^H R^{-1} a)`` (Paper A (20))."""
    r = woodbury_solve(a, U, sigma2)
    return r / (a.conj() * r).sum(-1)[..., None]


def sinr_of_filter(w, a, U, sigma2, xi0_2: float = 1.0):
    """SINR (17) of an arbitrary filter ``w``."""
    num = xi0_2 * np.abs((w.conj() * a).sum(-1)) ** 2
    den = sigma2 * (np.abs(w) ** 2).sum(-1) + (np.abs(w.conj()[..., None, :] @ U)[..., 0, :] ** 2).sum(-1)
    return num / den


def detection_probability(sinr, pfa):
    """Pd of the |r_o|^2 detector, Paper A (15)-(16), in closed form.

    Under H0 ``|r_o|^2 ~ eps0 Exp(1)``, under H1 ``~ eps1 Exp(1)`` with
    ``eps1/eps0 = 1 + SINR``, hence ``Pd = Pfa^{1/(1+SINR)}``. (Paper A (16)
    writes ``eps0/eps1 = SINR + 1``; it is the reciprocal.)
    """
    sinr = np.asarray(sinr, float)
    pfa = np.asarray(pfa, float)
    thr = stats.chi2.ppf(1 - pfa, df=2)            # F^{-1}(1 - Pfa) for chi^2_2
    return 1 - stats.chi2.cdf(thr / (1 + sinr), df=2)


def detection_probability_mc(sinr, pfa, n: int, rng: np.random.Generator):
    """Monte Carlo Pd: simulate r_o under H0 and H1 (unit clutter+noise power), threshold at Pfa.

    The threshold is set from the H0 law analytically (``-ln Pfa``), so the
    check exercises (15a) with simulated H1 statistics.
    """
    sinr = np.asarray(sinr, float)
    pfa = np.asarray(pfa, float)
    z = (rng.standard_normal((n,) + np.broadcast(sinr, pfa).shape)
         + 1j * rng.standard_normal((n,) + np.broadcast(sinr, pfa).shape)) / np.sqrt(2)
    t1 = np.abs(np.sqrt(1 + sinr) * z) ** 2
    thr = -np.log(pfa)
    return (t1 > thr).mean(0)


def simulate_mvdr_detector(a, U, sigma2, xi0_2, pfa, n: int, rng: np.random.Generator,
                           chunk: int = 20_000):
    """Independent Monte Carlo of the radar detector of Paper A (13)-(17), from the echoes.

    Each draw builds the received space-time vector ``r = alpha a + U c + n`` (target present,
    H1) and ``r = U c + n`` (H0) with a Swerling-I target ``alpha ~ CN(0, xi0_2)``, clutter
    amplitudes ``c ~ CN(0, I_Q)`` (``U`` holds the clutter echoes scaled by ``xi_q``) and noise
    ``n ~ CN(0, sigma2 I)``; filters it with the MVDR filter ``w`` (20); and compares
    ``|w^H r|^2`` with the threshold ``-eps0 ln(Pfa)``, ``eps0 = w^H R w`` the H0 output power.
    Nothing of the Pd law is used. ``xi0_2`` (G,) target powers; ``pfa`` (F,) false-alarm
    rates. Returns ``(k1, k0, sinr)``: detections (G, F) under H1, false alarms (F,) under H0
    (out of ``n`` each) and the output SINR ``xi0_2 a^H R^{-1} a`` (G,).
    """
    a = np.asarray(a, complex)
    U = np.asarray(U, complex)
    xi0_2 = np.atleast_1d(np.asarray(xi0_2, float))
    pfa = np.atleast_1d(np.asarray(pfa, float))
    w = mvdr_filter(a, U, sigma2)
    eps0 = float(sigma2 * np.sum(np.abs(w) ** 2) + np.sum(np.abs(w.conj() @ U) ** 2))
    thr = -eps0 * np.log(pfa)
    dim, Q = U.shape
    cn = lambda *s: (rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2)
    k1 = np.zeros((xi0_2.size, pfa.size), int)
    k0 = np.zeros(pfa.size, int)
    done = 0
    while done < n:
        m = min(chunk, n - done)
        interf = cn(m, Q) @ U.T + np.sqrt(sigma2) * cn(m, dim)       # clutter + noise echoes
        r0 = interf @ w.conj()                                        # filter output, H0
        k0 += (np.abs(r0)[:, None] ** 2 > thr[None, :]).sum(0)
        alpha = cn(m, 1) * np.sqrt(xi0_2)[None, :]                    # (m, G) target amplitudes
        r1 = alpha * (a @ w.conj()) + r0[:, None]                     # filter output, H1
        k1 += (np.abs(r1)[:, :, None] ** 2 > thr[None, None, :]).sum(0)
        done += m
    sinr = xi0_2 * radar_sinr(a, U, sigma2)
    return k1, k0, sinr
