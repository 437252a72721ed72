"""Fisher information and Cramer-Rao bounds.

* :func:`fim_gaussian_mean` -- Slepian-Bangs FIM of ``r ~ CN(mu(eps), C)`` with a
  parameter-independent ``C``: ``F = 2 Re{ dmu^H C^{-1} dmu }`` (Paper A (39),
  second term; Paper C (30) with ``C = sigma_r^2 I``).
* :func:`schur` -- the FIM of the wanted parameters with nuisance parameters
  eliminated, ``F_kk - F_kn F_nn^{-1} F_nk`` (Paper A (41), Paper C (34)).
* :func:`crb_two_angles` -- the CRB of the two DoAs ``theta = [theta_B, theta_R]``
  with the complex reflection coefficient ``alpha`` as nuisance, from the 3x3
  Gram matrix of ``[h, p_1, p_2]`` under ``C^{-1}`` (Paper A App. A (56)-(58),
  Paper C (31)-(34)).

Derivation of the closed form: with ``d mu / d theta_i = alpha p_i``,
``d mu / d Re(alpha) = h``, ``d mu / d Im(alpha) = j h`` and
``Gram = B^H C^{-1} B``, ``B = [h, p_1, p_2]``,
``gamma = Gram[0,0]``, ``g = Gram[1:,0]``, ``Gamma = Gram[1:,1:]``::

    J_tt = 2|alpha|^2 Re{Gamma},   J_ta = 2 Re{alpha^* g [1, j]},   J_aa = 2 gamma I_2
    J_tt - J_ta J_aa^{-1} J_at = 2 |alpha|^2 Re{ Gamma - g g^H / gamma }.

The CRB is the inverse of that 2x2 matrix; ``trace`` gives the scalar of
Paper A (41).
"""

from __future__ import annotations

import numpy as np

from ._backend import xp_of


def fim_gaussian_mean(dmu, Cinv=None, real: bool = False):
    """FIM of a Gaussian observation with parameter-dependent mean.

    ``dmu``: (..., n, p) derivatives of the mean w.r.t. the p real parameters.
    Complex circular observation: ``2 Re{dmu^H C^{-1} dmu}``; real observation
    (``real=True``, ``r ~ N(mu, C)``): ``dmu^T C^{-1} dmu``. ``Cinv`` defaults to I.
    """
    xp = xp_of(dmu)
    w = dmu if Cinv is None else Cinv @ dmu
    if real:
        return dmu.mT @ w
    G = dmu.conj().mT @ w
    return 2 * G.real


def schur(F, keep):
    """Schur complement of the FIM keeping indices ``keep`` (nuisance eliminated)."""
    F = np.asarray(F)
    n = F.shape[-1]
    keep = list(keep)
    drop = [i for i in range(n) if i not in keep]
    Fkk = F[..., keep, :][..., :, keep]
    Fkd = F[..., keep, :][..., :, drop]
    Fdd = F[..., drop, :][..., :, drop]
    return Fkk - Fkd @ np.linalg.solve(Fdd, np.swapaxes(Fkd, -1, -2))


def gram(B, Cinv_B=None):
    """``B^H C^{-1} B`` given ``B`` (..., n, k) and optionally ``C^{-1} B`` (default C = I)."""
    return B.conj().mT @ (B if Cinv_B is None else Cinv_B)


def reduced_fim_two_angles(Gram, alpha_abs2):
    """The 2x2 FIM of the two angles after eliminating complex alpha (see module doc).

    ``Gram``: (..., 3, 3) Gram matrix of ``[h, p_1, p_2]``; ``alpha_abs2 = |alpha|^2``
    (Paper A (57) uses ``xi_0^2``, the mean of |alpha_0|^2). numpy or torch.
    """
    xp = xp_of(Gram)
    gamma = Gram[..., 0, 0].real
    g = Gram[..., 1:, 0]
    Gam = Gram[..., 1:, 1:]
    outer = g[..., :, None] * g.conj()[..., None, :]
    J = (Gam - outer / gamma[..., None, None]).real
    if xp is np:
        alpha_abs2 = np.asarray(alpha_abs2)[..., None, None]
    else:
        alpha_abs2 = xp.as_tensor(alpha_abs2, dtype=J.dtype)[..., None, None]
    return 2 * alpha_abs2 * J


def inv2x2(J):
    """Closed-form inverse of (..., 2, 2) matrices (numpy or torch)."""
    xp = xp_of(J)
    a, b, c, d = J[..., 0, 0], J[..., 0, 1], J[..., 1, 0], J[..., 1, 1]
    det = a * d - b * c
    row0 = xp.stack([d, -b], -1)
    row1 = xp.stack([-c, a], -1)
    return xp.stack([row0, row1], -2) / det[..., None, None]


def crb_two_angles(Gram, alpha_abs2):
    """CRB matrix (..., 2, 2) of ``[theta_B, theta_R]`` with complex alpha as nuisance."""
    return inv2x2(reduced_fim_two_angles(Gram, alpha_abs2))


def crb_trace(Gram, alpha_abs2):
    """``Tr{CRB_theta}`` (Paper A (41)/(42a); Paper C's tr(CRB))."""
    C = crb_two_angles(Gram, alpha_abs2)
    return C[..., 0, 0] + C[..., 1, 1]


def ml_two_angles(R, basis, grid1, grid2, refine: bool = True):
    """Maximum-likelihood estimate of two angles in ``r = alpha b(theta_1, theta_2) + n``.

    White circular Gaussian noise, unknown complex ``alpha`` (concentrated out):
    the ML estimate maximises ``|b^H r|^2 / ||b||^2``. A coarse grid search over
    ``grid1 x grid2`` (vectorised over the T observations ``R`` (T, n)) is followed
    by a Nelder-Mead refinement per observation. ``basis(t1, t2)`` maps equal-shape
    angle arrays to (..., n) vectors. Returns (T, 2) estimates.
    """
    from scipy.optimize import minimize

    T1, T2 = np.meshgrid(np.asarray(grid1, float), np.asarray(grid2, float), indexing="ij")
    t1, t2 = T1.ravel(), T2.ravel()
    B = basis(t1, t2)
    B = B / np.linalg.norm(B, axis=-1, keepdims=True)
    score = np.abs(B.conj() @ R.T) ** 2            # (G, T)
    best = np.argmax(score, axis=0)
    est = np.stack([t1[best], t2[best]], -1)
    if not refine:
        return est
    step = np.array([np.ptp(grid1) / max(len(grid1) - 1, 1), np.ptp(grid2) / max(len(grid2) - 1, 1)])

    def neg(theta, r):
        b = basis(np.array([theta[0]]), np.array([theta[1]]))[0]
        return -np.abs(b.conj() @ r) ** 2 / np.real(b.conj() @ b)

    out = np.empty_like(est)
    for i, r in enumerate(R):
        simplex = np.array([est[i], est[i] + [step[0] / 2, 0], est[i] + [0, step[1] / 2]])
        res = minimize(neg, est[i], args=(r,), method="Nelder-Mead",
                       options=dict(initial_simplex=simplex, xatol=1e-7, fatol=1e-12, maxiter=400))
        out[i] = res.x
    return out
