"""Statistics of the chapter's sweeps: per-point means with 95 % intervals, paired gaps, tables.

``data`` is the output of :func:`.train.compute` (or ``models/paperC_rydberg/sweeps.json``):
``data[point][scheme][field]`` lists one value per channel realisation; the point names are
``"default"`` and ``"<param>=<value>"``.
"""

from __future__ import annotations

import numpy as np

from ..book import stats
from ..book.plotting import DataTable

SCHEMES = ("Proposed", "Comm-only", "BF-only", "GD")


def key(param: str, value, P) -> str:
    """The point name of ``param = value`` (the default point where the value is the default)."""
    default = P.eps if param == "eps" else getattr(P, param)
    return "default" if np.isclose(value, default) else f"{param}={value:g}"


def arr(data, point: str, scheme: str, field: str = "rate_used") -> np.ndarray:
    return np.asarray(data[point][scheme][field], dtype=float)


def mean_est(data, point, scheme, field="rate_used") -> stats.Estimate:
    return stats.mean_ci(arr(data, point, scheme, field))


def gap(data, point, a="Proposed", b="BF-only", field="rate_used") -> stats.Estimate:
    """Paired difference ``a - b`` over the same realisations (as stored: for the tables)."""
    return stats.paired_ci(arr(data, point, a, field), arr(data, point, b, field))


def scored(values, feasible) -> np.ndarray:
    """U_com of designs as the claims count it: a design that misses the CRB constraint
    tr(CRB) <= eps (1 + 1e-3) does not solve (35) and counts as 0."""
    return np.where(np.asarray(feasible, bool), np.asarray(values, float), 0.0)


def proposed_scored(data, point, field="rate_used") -> np.ndarray:
    """Proposed's (raw, never restored) U_com per realisation, 0 where it misses the constraint."""
    return scored(arr(data, point, "Proposed", field), data[point]["Proposed"]["feasible"])


def claim_gap(data, point, b="BF-only", field="rate_used") -> stats.Estimate:
    """The claims' paired difference: Proposed (scored by :func:`scored`) minus ``b`` as stored
    (the baselines GD and BF-only after their safety net, Comm-only raw: the bound)."""
    return stats.paired_ci(proposed_scored(data, point, field), arr(data, point, b, field))


def point_eps(point: str, P) -> float:
    """The CRB bound of a point name."""
    return float(point.split("=")[1]) if point.startswith("eps=") else P.eps


def comm_only_feasible(data, point, P) -> np.ndarray:
    """Whether the Comm-only design meets the CRB bound of ``point`` (its records on the eps
    sweep are those of the default point, whose ``crb_eps`` is relative to the default eps)."""
    base = "default" if point.startswith("eps=") else point
    return arr(data, base, "Comm-only", "crb_eps") * P.eps / point_eps(point, P) <= 1 + 1e-3


def feasible_share(data, point, scheme="Proposed") -> stats.Estimate:
    return stats.proportion_ci(np.asarray(data[point][scheme]["feasible"], bool))


def fired(data, point, scheme) -> int:
    return int(np.sum(data[point][scheme]["restored"]))


def sweep(data, P, param, values, schemes=SCHEMES, field="rate_used"):
    """``{scheme: (mean, lo, hi)}`` arrays along a sweep, for plotting with interval bars."""
    out = {}
    for s in schemes:
        e = [mean_est(data, key(param, v, P), s, field) for v in values]
        out[s] = tuple(np.array([getattr(x, a) for x in e]) for a in ("mean", "lo", "hi"))
    return out


def sweep_table(data, P, param, values, xname, schemes=SCHEMES, title=None) -> DataTable:
    """One row per point: mean [95 % interval] of U_com per scheme, Proposed's raw feasibility
    and how often the baselines' safety net fired."""
    rows = []
    for v in values:
        k = key(param, v, P)
        fs = feasible_share(data, k)
        rows.append([v] + [stats.fmt_est(mean_est(data, k, s)).replace(f" (n = {fs.n})", "")
                           for s in schemes]
                    + [f"{round(fs.mean * fs.n)}/{fs.n}", f"{fired(data, k, 'GD')}/{fired(data, k, 'BF-only')}"])
    headers = [xname] + [f"{s} [bps/Hz]" for s in schemes] + ["Proposed feasible", "net fired GD/BF"]
    return DataTable(headers, rows, [6] + [4] * (len(schemes) + 2), title=title)


def plot_sweep(ax, x, sw: dict, xlabel: str, title: str):
    """Means with 95 % interval bars, one curve per scheme."""
    from ..book.plotting import MARKERS
    for i, (s, (m, lo, hi)) in enumerate(sw.items()):
        ax.errorbar(x, m, yerr=[m - lo, hi - m], marker=MARKERS[i % len(MARKERS)], capsize=3,
                    label=s, linestyle="--" if s == "Comm-only" else "-")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$\mathcal{U}_{\rm com}$ (24) [bps/Hz]")
    ax.set_title(title)


def order_verdict(ests: dict) -> tuple[str, str]:
    """Verdict of "a lies above b at every point" from paired intervals ``{point: Estimate}``:
    reproduced if every interval lies above 0, not reproduced if one lies below 0, else
    inconclusive. Returns ``(verdict, evidence)``."""
    above = [p for p, e in ests.items() if e.lo > 0]
    below = [p for p, e in ests.items() if e.hi < 0]
    if len(above) == len(ests):
        v = "reproduced"
    elif below:
        v = "not reproduced"
    else:
        v = "inconclusive"
    ev = (f"paired 95 % interval above 0 at {len(above)}/{len(ests)} points, below 0 at "
          f"{len(below)} ({', '.join(below) if below else 'none'}), straddling at "
          f"{len(ests) - len(above) - len(below)}")
    return v, ev


def gap_claim(L, data, cid, point, statement=None):
    """Record gap claim ``cid`` (declared in :mod:`.spec`) at ``point`` from :func:`claim_gap`;
    not testable where this profile's sweep has no such point."""
    if point not in data:
        return L.not_testable(cid, f"the point {point} is not in this profile's sweep")
    return L.interval(cid, claim_gap(data, point), statement=statement)


def approach_verdict(change: stats.Estimate, end: stats.Estimate, near=(-1.0, 1.0)) -> tuple[str, str]:
    """Verdict of "Proposed approaches the Comm-only bound" (the rule declared in :mod:`.spec`):
    the gap's ``change`` (smallest minus largest eps) inside [0, inf] and the gap at the largest
    eps (``end``) inside ``near``: reproduced if both, not reproduced if either interval lies
    outside, else inconclusive. Returns ``(verdict, evidence)``."""
    v1 = stats.band_verdict(change, 0.0, None)
    v2 = stats.band_verdict(end, *near)
    v = ("not reproduced" if "not reproduced" in (v1, v2)
         else "reproduced" if v1 == v2 == "reproduced" else "inconclusive")
    ev = (f"change of the gap {stats.fmt_est(change, band=(0.0, None))}: {v1} against [0, inf]; "
          f"gap at the largest eps {stats.fmt_est(end, band=near)}: {v2} against "
          f"[{near[0]:g}, {near[1]:g}]")
    return v, ev
