"""The chapter's experiment: every figure point of Paper C over independent channel realisations.

:func:`scenario` draws realisation ``trial`` of a point; :func:`solve_point` runs the four
schemes on ``trials`` realisations and keeps, per scheme and realisation, the numbers the
chapter's statistics need (raw rate (24), tr(CRB)/eps, raw feasibility, whether the baseline
safety net fired, the Gaussian rate of the linearised channel, realised SNR/RSR, run time,
iterations). :func:`exact_rates` evaluates designs on the exact magnitude receiver.
"""

from __future__ import annotations

import numpy as np

from ..book.rng import make_rng
from . import baselines as bl
from . import model as ry

POINTS_DOC = {"default": "Table I", "snr_db": "Fig. 4a", "N": "Fig. 4b", "eps": "Fig. 4c",
              "M": "Fig. 5a", "K": "Fig. 5c"}


def scenario(P, trial: int, dipole_Cm=None, **over) -> ry.Scenario:
    """Realisation ``trial`` at the default parameters with overrides (same stream per trial)."""
    cfg = ry.ScenarioConfig(K=over.get("K", P.K), M=over.get("M", P.M), N=over.get("N", P.N),
                            Nt=P.Nt, snr_db=over.get("snr_db", P.snr_db), rsr_db=P.rsr_db,
                            eps=over.get("eps", P.eps), L=P.L, sigma_r2_rel_db=P.radar_snr_db)
    return ry.make_scenario(cfg, make_rng(P.seed, "realisation", trial), dipole_Cm)


def bcd_opts(P) -> dict:
    return dict(iters=P.iters, rho1=P.rho1)


def design_stats(sc: ry.Scenario, W, phi) -> dict:
    """Realised per-user SNR (104) and RSR (105) of a design, the share of vapor cells whose
    reference is weaker than signal plus noise, and the Gaussian rate of the linearised channel."""
    G = sc.E_eff(phi) @ W                                       # (K, M, K), noise-normalised
    cell = np.sum(np.abs(G) ** 2, axis=2)                        # E|(H_eff x)_m|^2 / sigma_q^2
    sig = cell.sum(1)
    b2 = np.abs(sc.b) ** 2
    return dict(snr_db=10 * np.log10(sig / sc.M), rsr_db=10 * np.log10(b2.sum(1) / (sig + sc.M)),
                weak_ref=float(np.mean(b2 < cell + 1.0)), mi_rate=ry.gaussian_rate(sc, W, phi))


def solve_one(P, t: int, schemes=bl.SCHEMES, dipole_Cm=None, eps=None, reuse=None, **over):
    """Realisation ``t`` of one point: ``({scheme: record}, {scheme: (W, phi)})``. ``eps``
    overrides the CRB bound on the same channel; ``reuse`` (``{scheme: record}``) supplies the
    records of schemes that never read eps (Comm-only on the eps sweep)."""
    sc = scenario(P, t, dipole_Cm, **over)
    if eps is not None:
        sc = sc.with_eps(eps)
    reuse = reuse or {}
    res = bl.run_schemes(sc, [s for s in schemes if s not in reuse], gd_iters=P.gd_iters,
                         opts=bcd_opts(P))
    recs, designs = {}, {}
    for s in schemes:
        if s in reuse:
            recs[s] = dict(reuse[s])
            continue
        r = res[s]
        st = design_stats(sc, r["W"], r["phi"])
        rec = dict(rate=r["rate"], crb_eps=r["crb"] / sc.eps, feasible=r["feasible"],
                   restored=r["restored"], rate_used=r["rate_used"], iters=r["iters"],
                   seconds=r["seconds"], power=r["power"] / sc.P, um_err=r["um_err"],
                   mi_rate=st["mi_rate"], snr_db=st["snr_db"].tolist(),
                   rsr_db=st["rsr_db"].tolist(), weak_ref=st["weak_ref"])
        if s == "Proposed":
            rec.update(hist_rate=r["history"]["rate"], stop=r["history"]["stop"],
                       hist_crb_eps=[c / sc.eps for c in r["history"]["crb"]],
                       block_seconds=r["timing"])
        recs[s] = rec
        designs[s] = (r["W"], r["phi"])
    return recs, designs


def solve_point(P, trials: int, schemes=bl.SCHEMES, dipole_Cm=None, eps=None, reuse=None,
                designs=None, **over) -> dict:
    """:func:`solve_one` over realisations ``0..trials-1``: ``{scheme: {field: list}}``.
    ``reuse`` is an earlier point's output (its Comm-only records are reused); ``designs``
    (a dict of lists) collects the designs if given."""
    out = {s: {} for s in schemes}
    for t in range(trials):
        ru = {s: {k: v[t] for k, v in reuse[s].items()} for s in reuse} if reuse else None
        recs, des = solve_one(P, t, schemes, dipole_Cm, eps, ru, **over)
        for s, rec in recs.items():
            for k, v in rec.items():
                out[s].setdefault(k, []).append(v)
        if designs is not None:
            for s, d in des.items():
                designs.setdefault(s, []).append(d)
    return out


def lo_at_design(sc: ry.Scenario, W, phi, rsr_db: float) -> np.ndarray:
    """The reference rescaled per user so that RSR (105) holds *at the design* (phases and
    per-cell polarisations kept)."""
    G = sc.E_eff(phi) @ W
    sig = np.sum(np.abs(G) ** 2, axis=(1, 2))
    target = 10 ** (rsr_db / 10) * (sig + sc.M)
    return sc.b * np.sqrt(target / np.sum(np.abs(sc.b) ** 2, 1))[:, None]


def exact_rates(P, sc, W, phi, rsr_list, stream, at_design: bool) -> list:
    """U_com on the exact receiver at each RSR (LO drawn-normalised or set at the design)."""
    out = []
    for i, r in enumerate(rsr_list):
        b = lo_at_design(sc, W, phi, r) if at_design else ry.rescale_rsr(sc, r)
        out.append(ry.sum_rate_exact(sc, W, phi, b, n_samples=P.mc_samples,
                                     rng=make_rng(P.seed, "exact-rx", stream, i)))
    return out


def rescale_noise(sc: ry.Scenario, c: float) -> ry.Scenario:
    """The same realisation with the RAR noise power multiplied by ``c`` (the noise-normalised
    channels and reference shrink by ``sqrt(c)``; sensing is unchanged)."""
    import copy
    s = copy.copy(sc)
    s.E_bu, s.E_ru = sc.E_bu / np.sqrt(c), sc.E_ru / np.sqrt(c)
    s.b = None if sc.b is None else sc.b / np.sqrt(c)
    return s


def solve_at_design_snr(P, t: int, schemes=("Proposed", "Comm-only", "BF-only"), dipole_Cm=None,
                        n_fix: int = 4) -> dict:
    """Realisation ``t`` of the default point with the SNR (104) defined *at each scheme's design*:
    the noise power is rescaled until the design's mean per-user SNR equals ``P.snr_db``
    (fixed point, ``n_fix`` re-solves from the common start). Returns ``{scheme: record}``
    with ``rate``, ``feasible``, ``snr_db`` (realised, mean over users) and ``noise_db``
    (noise relative to the random-phase normalisation)."""
    from .crb import crb_trace
    sc0 = scenario(P, t, dipole_Cm)
    target = 10 ** (P.snr_db / 10)
    out = {}
    for s in schemes:
        c = 1.0
        for _ in range(n_fix):
            sc = rescale_noise(sc0, c)
            r = bl.run_schemes(sc, [s], gd_iters=P.gd_iters, opts=bcd_opts(P), restore=False)[s]
            snr = float(np.mean(np.sum(np.abs(sc.E_eff(r["phi"]) @ r["W"]) ** 2, axis=(1, 2)) / sc.M))
            c *= snr / target
        sc = rescale_noise(sc0, c / (snr / target))          # the scenario the last design was solved on
        out[s] = dict(rate=r["rate"], feasible=bool(crb_trace(sc, r["W"], r["phi"]) <= sc.eps * (1 + 1e-3)),
                      snr_db=10 * np.log10(snr), noise_db=10 * np.log10(c / (snr / target)))
    return out
