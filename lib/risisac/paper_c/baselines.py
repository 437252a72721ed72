"""Benchmarks of Paper C Sec. V-C: "Comm-only", "BF-only" and "GD" (and the driver that runs all).

* Comm-only: Algorithm 1 with the sensing blocks removed (FP + W-QP + phi-ADMM).
* BF-only: Phi fixed to maximise the summed effective channel gain ([14], [43]),
  then W by Algorithm 1 (phi block skipped).
* GD: projected gradient ascent on W (ball ``||W||_F^2 <= P``) and Riemannian
  gradient ascent on the unit-modulus ``phi`` ([44], [45]) of the penalised
  objective ``U_com - mu * max(0, tr(CRB)/eps - 1)^2``; gradients by torch autograd,
  Armijo backtracking on each block.
"""

from __future__ import annotations

import numpy as np

from . import bcd as rb
from .model import Scenario
from .objective import _torch_objective


def comm_only(sc: Scenario, phi0=None, W0=None, **kw) -> rb.BCDResult:
    """"Comm-only": Algorithm 1 without the CRB constraint (same W and phi steps)."""
    return rb.bcd(sc, phi0, W0, rb.BCDOptions(sensing=False, **kw))


def bf_only(sc: Scenario, W0=None, **kw) -> rb.BCDResult:
    """"BF-only": gain-maximising Phi, then W by Algorithm 1 with Phi fixed."""
    phi = rb.bf_only_phi(sc)
    return rb.bcd(sc, phi, W0, rb.BCDOptions(update_phi=False, **kw))


# --------------------------------------------------------------------------- GD (torch)
def gd(sc: Scenario, phi0=None, W0=None, iters: int = 100, mu: float = 10.0,
       step_w: float = 1e-2, step_phi: float = 1e-2, record: bool = True) -> rb.BCDResult:
    """"GD" benchmark: alternating projected / Riemannian gradient ascent (see module doc)."""
    import torch
    obj = _torch_objective(sc, mu)
    phi_np = rb.bf_only_phi(sc) if phi0 is None else phi0
    W_np = rb.init_point(sc, phi_np) if W0 is None else W0
    W = torch.as_tensor(W_np.copy())
    phi = torch.as_tensor(phi_np.copy())
    sP = float(np.sqrt(sc.P))
    hist = {"rate": [], "crb": []}
    eta_w, eta_p = step_w, step_phi

    def val(Wt, pt):
        with torch.no_grad():
            return float(obj(Wt, pt)[0])

    for t in range(iters):
        # W: projected gradient ascent
        Wv = W.clone().requires_grad_(True)
        J, rate, crb = obj(Wv, phi)
        if record:
            hist["rate"].append(float(rate.detach()) / np.log(2))
            hist["crb"].append(float(crb.detach()))
        (gW,) = torch.autograd.grad(J, Wv)
        J0 = float(J.detach())
        for _ in range(20):
            Wn = W + eta_w * gW
            nn = float(torch.linalg.norm(Wn))
            if nn > sP:
                Wn = Wn * (sP / nn)
            if val(Wn, phi) >= J0:
                break
            eta_w *= 0.5
        W = Wn.detach()
        eta_w *= 1.5
        # phi: Riemannian gradient ascent on the complex circle manifold + retraction
        pv = phi.clone().requires_grad_(True)
        J, _, _ = obj(W, pv)
        (gp,) = torch.autograd.grad(J, pv)
        rg = gp - (gp * phi.conj()).real * phi          # tangent projection
        J0 = float(J.detach())
        for _ in range(20):
            pn = phi + eta_p * rg
            pn = pn / pn.abs()
            if val(W, pn) >= J0:
                break
            eta_p *= 0.5
        phi = pn.detach()
        eta_p *= 1.5
    if record:
        with torch.no_grad():
            _, rate, crb = obj(W, phi)
        hist["rate"].append(float(rate) / np.log(2))
        hist["crb"].append(float(crb))
    return rb.BCDResult(W=W.numpy().copy(), phi=phi.numpy().copy(), history=hist)


# --------------------------------------------------------------------------- experiment driver
SCHEMES = ("Proposed", "Comm-only", "BF-only", "GD")


def run_schemes(sc: Scenario, schemes=SCHEMES, gd_iters: int = 60, opts: dict | None = None,
                restore: bool = True) -> dict:
    """Run the schemes on one realisation from a common start (gain-maximising Phi,
    per-user principal-direction W at full power).

    Returns ``{scheme: dict(W, phi, rate, crb, feasible, power, um_err, history, seconds,
    iters, rate_used, restored)}``: ``rate``/``crb`` of the raw design; ``feasible`` is
    ``tr(CRB) <= eps (1 + tol_feas)``. For the *baselines* GD and BF-only an infeasible raw
    design is passed through :func:`.restoration.restore_feasibility` (``restored`` True) and
    ``rate_used`` is the restored rate (0 if no restoration reaches eps); Proposed is never
    restored (``rate_used`` = raw rate; its feasibility is reported separately).
    """
    import time
    from .crb import crb_trace
    from .model import sum_rate
    from .restoration import restore_feasibility
    o = rb.BCDOptions(**(opts or {}))
    phi0 = rb.bf_only_phi(sc)
    W0 = rb.init_point(sc, phi0)
    out = {}
    for name in schemes:
        t0 = time.perf_counter()
        if name == "Proposed":
            res = rb.bcd(sc, phi0, W0, o)
        elif name == "Comm-only":
            res = rb.bcd(sc, phi0, W0, rb.BCDOptions(**{**o.__dict__, "sensing": False}))
        elif name == "BF-only":
            res = rb.bcd(sc, phi0, W0, rb.BCDOptions(**{**o.__dict__, "update_phi": False}))
        elif name == "GD":
            res = gd(sc, phi0, W0, iters=gd_iters)
        else:
            raise ValueError(f"unknown scheme {name!r}; known: {SCHEMES}")
        secs = time.perf_counter() - t0
        crb = crb_trace(sc, res.W, res.phi)
        rate = sum_rate(sc, res.W, res.phi)
        feasible = bool(crb <= sc.eps * (1 + o.tol_feas))
        d = dict(W=res.W, phi=res.phi, rate=rate, crb=crb, feasible=feasible,
                 power=float(np.linalg.norm(res.W) ** 2),
                 um_err=float(np.max(np.abs(np.abs(res.phi) - 1))), history=res.history,
                 seconds=secs, iters=res.history.get("iters", gd_iters), timing=res.timing,
                 rate_used=rate, W_used=res.W, restored=False)
        if restore and name in ("GD", "BF-only") and not feasible:
            W_r, blend = restore_feasibility(sc, res.W, res.phi)
            ok = bool(np.isfinite(blend))
            d.update(restored=True, W_used=W_r, rate_used=sum_rate(sc, W_r, res.phi) if ok else 0.0)
        out[name] = d
    return out
