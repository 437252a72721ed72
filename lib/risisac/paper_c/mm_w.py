"""The paper's MM step for the W block, (70)-(85), kept as a reference.

The surrogate (85) is a convex QP with one ball constraint; :func:`ball_qp` solves it exactly
(eigen-decomposition + secular equation). Its global curvature bounds
``theta_b,i = ||A_i||^2`` dominate the FP quadratic, so the step barely moves W (the chapter
measures this); Algorithm 1 in :mod:`.bcd` uses a projected-gradient step on (70) instead.
"""

from __future__ import annotations

import numpy as np

from .crb import A_matrices
from .fp import fp_W_terms

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


def w_objective(sc, W, phi, r, C, f, zeta, rho1, fs, sensing):
    """Objective of (70) in the paper's penalty form ``-F + (1/2 rho1) sum |fs F_i - f_i + rho1 zeta_i|^2``."""
    from .crb import F_values
    from .fp import fp_objective
    val = -fp_objective(sc, W, phi, r, C)
    if sensing:
        val += np.sum(np.abs(fs * F_values(sc, W, phi) - f + rho1 * zeta) ** 2) / (2 * rho1)
    return val
