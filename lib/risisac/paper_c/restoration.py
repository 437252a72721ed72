"""Feasibility restoration: a safety net for the *baselines*, never counted as Algorithm 1's.

A design ``(W, phi)`` whose tr(CRB) exceeds eps is blended towards target-directed columns
until it meets the constraint. The chapter applies it to the GD and BF-only designs that end
infeasible, reports per point how often it fires, and never applies it to Proposed.
"""

from __future__ import annotations

import numpy as np

from .crb import crb_trace, sensing_parts
from .model import Scenario


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
        from .model import sum_rate  # noqa: PLC0415
        if best is None or sum_rate(sc, cand[0], phi) > sum_rate(sc, best[0], phi):
            best = cand
    if best is None:
        X = targets[-1] * np.sqrt(pw) / max(np.linalg.norm(targets[-1]), 1e-300)
        return X, float("nan")
    return best
