"""Statistics behind every stochastic claim: repetitions, means, 95 % intervals, verdicts.

A claim that depends on random draws (training seeds, channel realisations, Monte
Carlo noise) is measured over ``n`` independent repetitions. :func:`mean_ci` gives
the mean and a Student-t 95 % confidence interval; :func:`proportion_ci` a Wilson
interval for a share (feasibility rates, success counts); :func:`paired_ci` the
interval of a paired difference (two schemes on the same instances).

The verdict follows from the interval and the tolerance band of the paper's value
(:func:`band_verdict`):

* ``reproduced``      the whole interval lies inside the band;
* ``not reproduced``  the whole interval lies outside it;
* ``inconclusive``    the interval straddles a band edge.

:func:`fmt_est` prints an estimate at the precision its interval supports (two
significant digits of the half-width), so a printed, checked number does not move
when the last bits of the computation do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean over ``n`` repetitions with its 95 % interval ``[lo, hi]``."""

    mean: float
    lo: float
    hi: float
    n: int
    sd: float = float("nan")
    kind: str = "mean"  # "mean" | "proportion" | "paired difference" | "exact"

    @property
    def half(self) -> float:
        return 0.5 * (self.hi - self.lo)

    def as_dict(self) -> dict:
        return {"mean": self.mean, "ci95": [self.lo, self.hi], "n": self.n, "kind": self.kind}

    def __str__(self) -> str:  # pragma: no cover - convenience
        return fmt_est(self)


def _t975(dof: int) -> float:
    from scipy import stats
    return float(stats.t.ppf(0.5 + LEVEL / 2, dof))


def mean_ci(samples: Sequence[float]) -> Estimate:
    """Mean and Student-t 95 % interval of independent repetitions (n >= 2).

    Non-finite samples are an error: a repetition that failed must be counted by
    the caller (e.g. as a proportion), not silently dropped.
    """
    x = np.asarray(samples, dtype=float).ravel()
    if x.size < 2:
        raise ValueError(f"mean_ci needs n >= 2 repetitions, got n = {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"mean_ci: {int((~np.isfinite(x)).sum())} non-finite sample(s)")
    m, sd = float(x.mean()), float(x.std(ddof=1))
    h = _t975(x.size - 1) * sd / math.sqrt(x.size)
    return Estimate(m, m - h, m + h, int(x.size), sd, "mean")


def paired_ci(a: Sequence[float], b: Sequence[float]) -> Estimate:
    """Interval of the mean paired difference ``a - b`` (same instances / seeds)."""
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired_ci: shapes differ, {a.shape} vs {b.shape}")
    e = mean_ci(a - b)
    return Estimate(e.mean, e.lo, e.hi, e.n, e.sd, "paired difference")


def proportion_ci(k: int | Sequence[bool], n: int | None = None) -> Estimate:
    """Share ``k/n`` with its Wilson 95 % interval (``k`` may be an array of booleans)."""
    if n is None:
        arr = np.asarray(k, dtype=bool).ravel()
        k, n = int(arr.sum()), int(arr.size)
    k, n = int(k), int(n)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"proportion_ci: need 0 <= k <= n and n >= 1, got k = {k}, n = {n}")
    from scipy import stats
    z = float(stats.norm.ppf(0.5 + LEVEL / 2))
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return Estimate(p, max(0.0, c - h), min(1.0, c + h), n, float("nan"), "proportion")


def exact(value: float) -> Estimate:
    """A deterministic number as a degenerate estimate (n = 1, zero-width interval)."""
    v = float(value)
    return Estimate(v, v, v, 1, 0.0, "exact")


def band_verdict(est: Estimate, lo: float | None = None, hi: float | None = None) -> str:
    """Verdict of an estimate against the band ``[lo, hi]`` (either end may be open)."""
    lo = -math.inf if lo is None else float(lo)
    hi = math.inf if hi is None else float(hi)
    if lo > hi:
        raise ValueError(f"band_verdict: empty band [{lo}, {hi}]")
    if est.lo >= lo and est.hi <= hi:
        return "reproduced"
    if est.hi < lo or est.lo > hi:
        return "not reproduced"
    return "inconclusive"


def decimals_for(est: Estimate, sig: int = 1) -> int:
    """Decimal places that show ``sig`` significant digits of the interval's half-width."""
    h = est.half
    if not math.isfinite(h) or h <= 0:
        ref = abs(est.mean) if est.mean != 0 else 1.0
        return max(0, 4 - 1 - int(math.floor(math.log10(ref))))
    return max(0, sig - 1 - int(math.floor(math.log10(h))))


def fmt_num(v: float, decimals: int) -> str:
    """Fixed-point text with ``decimals`` places; no '-0'."""
    if not math.isfinite(v):
        return str(v)
    s = f"{v:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def _side(v: float, edge: float) -> int:
    return (v > edge) - (v < edge)


def fmt_est(est: Estimate, sig: int = 1, band=None) -> str:
    """``mean [lo, hi] (n = .)`` at the precision the interval supports.

    A proportion is shown as ``k/n = p [lo, hi]``; an exact number with 4
    significant digits. With a ``band = (lo, hi)`` more decimals are shown where
    needed so that every printed end of the interval lies on the same side of every
    band edge as the unrounded one (a reader can compare the two).
    """
    edges = [float(b) for b in (band or ()) if b is not None and math.isfinite(float(b))]
    ends = (est.mean,) if est.kind == "exact" else (est.lo, est.hi)

    def resolves(d: int) -> bool:
        return all(_side(float(fmt_num(v, d)), b) == _side(v, b) for v in ends for b in edges
                   if math.isfinite(v))
    if est.kind == "exact":
        v = est.mean
        if not math.isfinite(v):
            return str(v)
        ref = abs(v) if v != 0 else 1.0
        d = max(0, 4 - 1 - int(math.floor(math.log10(ref))))
        if not edges:
            return f"{v:.4g}"
        while not resolves(d) and d < 15:
            d += 1
        return fmt_num(v, d) if (abs(v) >= 1e-3 or v == 0) else f"{v:.{max(4, d + int(math.floor(math.log10(ref))) + 1)}g}"
    d = decimals_for(est, sig) if est.kind != "proportion" else 2
    while edges and not resolves(d) and d < 15:
        d += 1
    if est.kind == "proportion":
        k = int(round(est.mean * est.n))
        return f"{k}/{est.n} = {fmt_num(est.mean, d)} [{fmt_num(est.lo, d)}, {fmt_num(est.hi, d)}]"
    return (f"{fmt_num(est.mean, d)} [{fmt_num(est.lo, d)}, {fmt_num(est.hi, d)}]"
            f" (n = {est.n})")


def cluster_means(values, clusters) -> np.ndarray:
    """Means of ``values`` within each cluster (``clusters`` labels, same shape), in
    the order the labels first appear: the independent units of correlated draws
    (designs on the same channel, angle pairs of one realisation)."""
    v = np.asarray(values, float).ravel()
    g = np.asarray(clusters).ravel()
    if v.shape != g.shape:
        raise ValueError(f"cluster_means: {v.shape} values against {g.shape} labels")
    _, first, inv = np.unique(g, return_index=True, return_inverse=True)
    sums = np.bincount(inv, weights=v)
    cnt = np.bincount(inv)
    order = np.argsort(first)
    return (sums / cnt)[order]


def cluster_mean_ci(values, clusters) -> Estimate:
    """Mean of correlated draws with its 95 % interval over the clusters (n = number of
    clusters, each cluster weighted equally: the mean of the cluster means). For a share
    (booleans) the interval is clipped to [0, 1] and the kind is ``clustered share``."""
    v = np.asarray(values).ravel()
    e = mean_ci(cluster_means(v.astype(float), clusters))
    if v.dtype == bool:
        return Estimate(e.mean, max(0.0, e.lo), min(1.0, e.hi), e.n, e.sd, "clustered share")
    return Estimate(e.mean, e.lo, e.hi, e.n, e.sd, "clustered mean")
