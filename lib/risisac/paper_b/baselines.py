"""Paper B baselines (Sec. V, Fig. 7): Traditional (AO + SCA), Average, ZFBF.

All work on a :class:`risisac.paper_b.model.Problem` in normalised units (``x = sigma_s / P_s``).
"""

from __future__ import annotations

import numpy as np

from .model import LN2, Frontier, Problem


def proj_capped_simplex(y: np.ndarray) -> np.ndarray:
    """Euclidean projection of each row onto ``{x >= 0, sum x <= 1}`` (the budget (15))."""
    c = np.maximum(y, 0.0)
    over = c.sum(1) > 1.0
    if np.any(over):
        v = y[over]
        u = np.sort(v, axis=1)[:, ::-1]
        css = np.cumsum(u, axis=1) - 1.0
        idx = np.arange(1, v.shape[1] + 1)
        rho = (u - css / idx > 0).sum(1)
        th = css[np.arange(v.shape[0]), rho - 1] / rho
        c[over] = np.maximum(v - th[:, None], 0.0)
    return c


def average_scheme(prob: Problem) -> np.ndarray:
    """Average scheme: ``sigma_s,i = P_s / Nt`` (Sec. V)."""
    B, Nt = prob.a.shape
    return np.full((B, Nt), 1.0 / Nt)


def zfbf_scheme(prob: Problem, alpha: float, frontier: Frontier | None = None, tol=1e-4):
    """ZFBF scheme: zero-forcing receive beams (inter-user interference nulled, ref. [14]) and the
    waveform that maximises (28) for the ZF rate (the exact 1-D search applies as well, since the
    ZF SINR ``zf_k / (1 + tau/L)`` also depends on the waveform only through ``tau``)."""
    fr = frontier or Frontier(prob)
    return fr.solve(alpha, zf=True, tol=tol)["x"]


def _beams_stats(prob: Problem, tau):
    """MMSE beams (25) for the current ``tau`` and their signal/interference/norm terms
    ``s_k = |g_k^T w_k|^2``, ``I_k = sum_{i!=k} |g_i^T w_k|^2``, ``n_k = ||w_k||^2`` (B, K)."""
    cm = prob.cm
    c = 1.0 + tau / prob.L
    # w_k = (A_k + c I)^{-1} g_k^* in the eigenbasis of A_k: coefficients proj/(d + c)
    # |g_k^T w_k| = sum_m W/(d+c) (= gamma), ||w_k||^2 = sum_m W/(d+c)^2,
    # sum_{i!=k} |g_i^T w_k|^2 = w^H A_k w = sum_m d W/(d+c)^2
    den = cm.D + c[:, None, None]
    s = ((cm.W / den).sum(-1)) ** 2
    n = (cm.W / den ** 2).sum(-1)
    I = (cm.D * cm.W / den ** 2).sum(-1)
    return s, I, n


def _sens_grad(prob: Problem, x):
    lam = prob.a * x
    return (prob.a[:, :, None] * prob.e[:, None, :]
            / (1.0 + lam[:, :, None] * prob.e[:, None, :])).sum(-1) / (prob.L * LN2)


def traditional_scheme(prob: Problem, alpha: float, ao_iters: int = 6, inner_iters: int = 20,
                       x0: np.ndarray | None = None, history: bool = False,
                       tol: float | None = None, info: bool = False):
    """Traditional scheme (Sec. V): alternating optimisation of the beams and the waveform.

    * beams: the MMSE beams (25) for the current waveform (closed form);
    * waveform: with the beams fixed, each rate ``log2(s + I + c n) - log2(I + c n)``
      (``c = 1 + tau/L``) is concave minus concave in ``tau``; SCA linearises the second
      term at the current point, giving a concave surrogate that is maximised over the budget
      (15) by projected gradient ascent with Armijo backtracking. The step is bounded by
      ``2 / max|gradient|`` (a longer step only projects onto a vertex of the budget set).
    Starts from the Average scheme.

    Stopping rule: at most ``ao_iters`` AO and ``inner_iters`` inner iterations; with ``tol``,
    a sample stops when its AO iteration improves (28) by less than ``tol`` and an inner loop
    stops once no waveform entry moves by more than ``tol``. Returns ``x`` (with ``history``
    also the objective per AO iteration; with ``info`` a dict ``ao`` (AO iterations used per
    sample) and ``inner`` (inner iterations run in total)).
    """
    B, Nt = prob.a.shape
    x = average_scheme(prob) if x0 is None else np.array(x0, float)
    if x.shape != (B, Nt):
        raise ValueError(f"traditional_scheme: x0 has shape {x.shape}, expected {(B, Nt)}")
    wS, wC = alpha / prob.Ms, (1 - alpha) / prob.Mc
    K = prob.cm.D.shape[1]
    f_cur = prob.wsnr(x, alpha)
    hist = [f_cur]
    step = np.full(B, 0.1)
    active = np.ones(B, bool)
    ao_used = np.zeros(B, int)
    n_inner = 0
    for _ in range(ao_iters):
        ao_used += active
        tau0 = prob.tau(x)
        s, I, n = _beams_stats(prob, tau0)
        c0 = 1.0 + tau0 / prob.L
        lin0 = n / (prob.L * LN2 * (I + c0[:, None] * n))  # slope of log2(I + c n) in tau

        def surrogate(z):
            c = 1.0 + prob.tau(z) / prob.L
            comm = (np.log2(s + I + c[:, None] * n) - (prob.tau(z) - tau0)[:, None] * lin0).sum(1) / K
            return wS * prob.sr(z) + wC * comm

        for _ in range(inner_iters):
            n_inner += 1
            c = 1.0 + prob.tau(x) / prob.L
            dcomm = ((n / (prob.L * LN2 * (s + I + c[:, None] * n))) - lin0).sum(1) / K
            g = wS[:, None] * _sens_grad(prob, x) + (wC * dcomm)[:, None] * prob.a
            step = np.clip(step, 1e-12, 2.0 / np.maximum(np.abs(g).max(1), 1e-300))
            f0 = surrogate(x)
            acc = np.zeros(B, bool)
            xn = x
            for _bt in range(12):
                cand = proj_capped_simplex(x + step[:, None] * g)
                ok = surrogate(cand) >= f0 + 1e-4 * (g * (cand - x)).sum(1)
                newly = ok & ~acc
                xn = np.where(newly[:, None], cand, xn)
                acc |= ok
                if acc.all():
                    break
                step = np.where(acc, step, step * 0.5)
            xn = np.where(active[:, None], xn, x)
            moved = np.abs(xn - x).max(1)
            x = xn
            step = np.where(acc, step * 1.5, step)
            if tol is not None and np.all(moved[active] <= tol):
                break
        f_new = prob.wsnr(x, alpha)
        if history:
            hist.append(f_new)
        if tol is not None:
            active &= (f_new - f_cur) > tol
            if not active.any():
                f_cur = f_new
                break
        f_cur = f_new
    out = [x]
    if history:
        out.append(np.array(hist))
    if info:
        out.append(dict(ao=ao_used, inner=n_inner))
    return out[0] if len(out) == 1 else tuple(out)
