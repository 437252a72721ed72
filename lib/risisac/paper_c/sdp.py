"""The (J_aux, f) block of Algorithm 1: the SDP (64) as a Euclidean projection.

(64) minimises ``sum_i |y_i - f_i|^2`` over ``f`` and ``J_aux`` subject to the LMI (50)/(61) and
``tr(J_aux^{-1}) <= bound``. Eliminating ``J_aux`` (its best value is ``A(f)``, (49)) leaves the
projection of ``y`` onto the convex set ``{f : tr(A(f)^{-1}) <= bound}``;
:func:`project_crb_set` solves it by a damped primal-dual Newton method on the KKT system
(8 real unknowns + 1 multiplier), :func:`project_crb_set_cvxpy` is the cvxpy/CLARABEL reference.
"""

from __future__ import annotations

import numpy as np

from .crb import reduced_fim

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
