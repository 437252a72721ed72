"""Paper C's objective in torch: the sum rate U_com (24) and tr(CRB) (from the
Fisher blocks F1..F6, eqs. (40)-(44)), for the GD benchmark and for the
CRB-minimising precoder used by feasibility restoration.

Kept apart from :mod:`bcd` and :mod:`baselines` so that neither imports the other.
"""

from __future__ import annotations

import numpy as np

from .model import Scenario


def _torch_objective(sc: Scenario, mu: float):
    import torch
    Ebu = torch.as_tensor(sc.E_bu)
    Eru = torch.as_tensor(sc.E_ru)
    Hbr = torch.as_tensor(sc.H_BR)
    hd, dhd = torch.as_tensor(sc.h_d), torch.as_tensor(sc.dh_d)
    S = torch.as_tensor(sc.H_BR.T * sc.h_r[None, :])
    Sp = torch.as_tensor(sc.H_BR.T * sc.dh_r[None, :])
    ac = complex(np.conj(sc.alpha))
    a2 = abs(sc.alpha) ** 2
    M = sc.M
    K = sc.K

    def parts(W, phi):
        E = Ebu + (Eru * phi) @ Hbr
        G = E @ W
        p = (G.abs() ** 2).sum(1)
        sig = torch.diagonal(p)
        rate = torch.log1p(sig / (p.sum(1) - sig + M)).sum()
        v = hd + S @ phi
        vR = Sp @ phi
        a, b, c = v @ W, dhd @ W, vR @ W
        Yt = torch.outer(v, a)
        YB = torch.outer(dhd, a) + torch.outer(v, b)
        YR = torch.outer(vR, a) + torch.outer(v, c)

        def ip(X, Y):
            return (X.conj() * Y).sum()
        f1, f2, f3 = ip(YB, YB).real, ip(YB, YR).real, ac * ip(YB, Yt)
        f4, f5, f6 = ip(YR, YR).real, ac * ip(YR, Yt), ip(Yt, Yt).real
        A11 = a2 * f1 - (f3.abs() ** 2) / f6
        A22 = a2 * f4 - (f5.abs() ** 2) / f6
        A12 = a2 * f2 - (f3 * f5.conj()).real / f6
        det = A11 * A22 - A12 ** 2
        crb = (A11 + A22) / det
        return rate, crb

    def obj(W, phi):
        rate, crb = parts(W, phi)
        viol = torch.clamp(crb / sc.eps - 1.0, min=0.0)
        return rate - mu * viol ** 2, rate, crb

    return obj



def min_crb_precoder(sc: Scenario, phi, W0, iters: int = 200):
    """Precoder minimising tr(CRB) at fixed ``phi`` on the sphere ``||W||_F^2 = P``
    (projected gradient with Armijo backtracking, torch autograd). Used as the last
    target of :func:`rydberg_bcd.restore_feasibility`."""
    import torch
    obj = _torch_objective(sc, 0.0)
    W = torch.as_tensor(W0.copy())
    ph = torch.as_tensor(phi)
    sP = float(np.sqrt(sc.P))
    W = W * (sP / float(torch.linalg.norm(W)))
    eta = 1e-2

    def crb_of(X):
        with torch.no_grad():
            c = float(obj(X, ph)[2])
        return c if np.isfinite(c) and c > 0 else np.inf
    cur = crb_of(W)
    for _ in range(iters):
        Wv = W.clone().requires_grad_(True)
        c = obj(Wv, ph)[2]
        (g,) = torch.autograd.grad(c, Wv)
        for _ in range(30):
            Wn = W - eta * g
            Wn = Wn * (sP / float(torch.linalg.norm(Wn)))
            cn = crb_of(Wn)
            if cn < cur:
                break
            eta *= 0.5
        else:
            break
        W, cur = Wn.detach(), cn
        eta *= 1.5
        if cur < 0.2 * sc.eps:
            break
    return W.numpy().copy()
