"""Benchmarks of Paper C Sec. V-C: "Comm-only", "BF-only" and "GD".

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
from .objective import _torch_objective, min_crb_precoder  # noqa: F401 (re-exported)


def comm_only(sc: Scenario, phi0=None, W0=None, iters: int = 20, **kw) -> rb.BCDResult:
    """"Comm-only": Algorithm 1 without the CRB constraint."""
    return rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=iters, sensing=False, **kw))


def bf_only(sc: Scenario, W0=None, iters: int = 20, **kw) -> rb.BCDResult:
    """"BF-only": gain-maximising Phi, then W by Algorithm 1 with Phi fixed."""
    phi = rb.bf_only_phi(sc)
    return rb.bcd(sc, phi, W0, rb.BCDOptions(iters=iters, update_phi=False, **kw))


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
SCHEMES = ("Proposed", "Proposed (PG W-step)", "Comm-only", "BF-only", "GD")


def run_schemes(sc: Scenario, schemes=SCHEMES, iters: int = 20, gd_iters: int = 60,
                opts: dict | None = None) -> dict:
    """Run the schemes on one realisation from a common start (gain-maximising Phi,
    per-user principal-direction W at full power) and post-process every design.

    Returns ``{scheme: dict(W, phi, rate_raw, crb_raw, W_fin, rate, crb, power, um_err,
    blend, history, seconds)}`` where ``rate``/``crb`` are after
    :func:`rydberg_bcd.restore_feasibility` (constrained schemes only; Comm-only is
    reported as designed) and ``rate`` is U_com (24) in bps/Hz; a design that no
    restoration makes feasible (``blend = nan``) does not solve (35) and scores 0.
    """
    import time
    from .model import sum_rate
    opts = dict(opts or {})
    phi0 = rb.bf_only_phi(sc)
    W0 = rb.init_point(sc, phi0)
    out = {}
    for name in schemes:
        t0 = time.perf_counter()
        if name == "Proposed":
            res = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=iters, **opts))
        elif name == "Proposed (PG W-step)":
            res = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=iters, w_solver="pg", **opts))
        elif name == "Comm-only":
            res = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=iters, sensing=False, **opts))
        elif name == "BF-only":
            res = rb.bcd(sc, phi0, W0, rb.BCDOptions(iters=iters, update_phi=False, **opts))
        elif name == "GD":
            res = gd(sc, phi0, W0, iters=gd_iters)
        else:
            raise ValueError(f"unknown scheme {name!r}; known: {SCHEMES}")
        secs = time.perf_counter() - t0
        crb_raw = rb.crb_trace(sc, res.W, res.phi)
        if name == "Comm-only":
            W_fin, blend = res.W, 0.0
        else:
            W_fin, blend = rb.restore_feasibility(sc, res.W, res.phi)
        feasible = bool(np.isfinite(blend))
        out[name] = dict(W=res.W, phi=res.phi, W_fin=W_fin, blend=blend, feasible=feasible,
                         rate_raw=sum_rate(sc, res.W, res.phi), crb_raw=crb_raw,
                         rate=sum_rate(sc, W_fin, res.phi) if feasible else 0.0,
                         crb=rb.crb_trace(sc, W_fin, res.phi),
                         power=float(np.linalg.norm(W_fin) ** 2),
                         um_err=float(np.max(np.abs(np.abs(res.phi) - 1))),
                         history=res.history, seconds=secs)
    return out
