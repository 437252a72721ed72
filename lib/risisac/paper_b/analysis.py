"""Paper B chapter: measures the claims are decided on (oscillation of a loss curve, curve
crossings, slopes and trends with 95 % intervals over channel draws) and fair timings (CPU
time, the schemes timed alternately in each repetition, each to its own stopping rule).

Nothing here is an algorithm of the paper; each function states the measure it computes so the
chapter can cite it.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from ..book import stats


def oscillation(v: Sequence[float], window: int = 5, start: float = 0.25) -> float:
    """Oscillation of a loss curve: RMS deviation of ``v`` from its centred moving average
    (``window`` epochs), over the epochs after the first ``start`` fraction, divided by the
    mean |loss| there. A smooth (even steeply falling) curve scores ~0; a monotone linear trend
    scores exactly 0. ``nan`` when fewer than ``window + 2`` epochs remain."""
    v = np.asarray(v, float)
    v = v[int(len(v) * start):]
    if v.size < window + 2:
        return float("nan")
    trend = np.convolve(v, np.ones(window) / window, mode="valid")
    h = window // 2
    r = v[h:v.size - h] - trend
    return float(np.sqrt(np.mean(r ** 2)) / max(np.mean(np.abs(v)), 1e-300))


def crossings(x: Sequence[float], d: Sequence[float]) -> list[float]:
    """The ``x`` where the piecewise-linear curve ``d(x)`` changes sign (linear interpolation)."""
    x, d = np.asarray(x, float), np.asarray(d, float)
    out = []
    for i in range(len(x) - 1):
        if d[i] == 0:
            out.append(float(x[i]))
        elif d[i] * d[i + 1] < 0:
            out.append(float(x[i] - d[i] * (x[i + 1] - x[i]) / (d[i + 1] - d[i])))
    if len(d) and d[-1] == 0:
        out.append(float(x[-1]))
    return out


def welch_diff(a: Sequence[float], b: Sequence[float]) -> stats.Estimate:
    """Difference of two independent means ``mean(a) - mean(b)`` with a Welch 95 % interval."""
    from scipy import stats as st
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    dof = (va + vb) ** 2 / max(va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1), 1e-300)
    h = float(st.t.ppf(0.975, dof)) * se if se > 0 else 0.0
    m = float(a.mean() - b.mean())
    return stats.Estimate(m, m - h, m + h, int(min(a.size, b.size)), float(se), "difference of means")


def weakest_step(steps: Sequence[stats.Estimate], sign: int) -> stats.Estimate:
    """Of several step estimates of a trend with the expected ``sign`` (+1 rising, -1 falling),
    the one whose interval comes closest to (or crosses) zero: the trend holds everywhere iff
    this one's interval lies on the expected side."""
    return min(steps, key=lambda e: (e.lo if sign > 0 else -e.hi))


def signed(est: stats.Estimate, sign: int) -> stats.Estimate:
    """``sign * est`` (so that a falling trend can be tested against the band (0, inf))."""
    if sign > 0:
        return est
    return stats.Estimate(-est.mean, -est.hi, -est.lo, est.n, est.sd, est.kind)


def time_runs(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> np.ndarray:
    """Wall times (s) of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = np.empty(repeats)
    for i in range(repeats):
        t0 = time.perf_counter()
        fn()
        out[i] = time.perf_counter() - t0
    return out


def spread(ts: np.ndarray, scale: float = 1.0) -> tuple[float, float, float]:
    """``(median, min, max)`` of timings times ``scale``."""
    ts = np.asarray(ts) * scale
    return float(np.median(ts)), float(ts.min()), float(ts.max())


def lin_comb(groups: Sequence[Sequence[float]], coeffs: Sequence[float]) -> stats.Estimate:
    """``sum_i c_i mean(g_i)`` of independent groups, with a normal-approximation 95 % interval
    (each group >= 20 draws here). Used for slopes and their differences across array sizes."""
    m = float(sum(float(c) * float(np.mean(g)) for g, c in zip(groups, coeffs)))
    se = float(np.sqrt(sum(float(c) ** 2 * np.var(g, ddof=1) / len(g) for g, c in zip(groups, coeffs))))
    h = 1.959963984540054 * se
    return stats.Estimate(m, m - h, m + h, int(min(len(g) for g in groups)), se, "linear combination")


def combine(verdicts: Sequence[str]) -> str:
    """Verdict of a multi-part claim: all parts reproduced -> reproduced; none reproduced and
    none inconclusive -> not reproduced; an inconclusive part and no failed one ->
    inconclusive; otherwise partly."""
    v = list(verdicts)
    if all(x == "reproduced" for x in v):
        return "reproduced"
    if not any(x == "reproduced" for x in v) and not any(x == "inconclusive" for x in v):
        return "not reproduced"
    if any(x == "inconclusive" for x in v) and not any(x == "not reproduced" for x in v):
        return "inconclusive"
    return "partly"


def bootstrap_crossing(x: Sequence[float], d: np.ndarray, rng: np.random.Generator,
                       n_boot: int = 400) -> tuple[float, stats.Estimate]:
    """First sign change of the mean of ``d`` (samples x len(x)) and a percentile-bootstrap
    95 % interval over the samples. Resamples with no crossing count as ``nan`` and make the
    interval open on that side (reported by the returned estimate's ``n``: usable resamples)."""
    x = np.asarray(x, float)
    c0 = crossings(x, d.mean(0))
    first = c0[0] if c0 else float("nan")
    B = d.shape[0]
    vals = []
    for _ in range(n_boot):
        c = crossings(x, d[rng.integers(0, B, B)].mean(0))
        vals.append(c[0] if c else np.nan)
    vals = np.asarray(vals)
    ok = vals[np.isfinite(vals)]
    lo, hi = (np.percentile(ok, [2.5, 97.5]) if ok.size else (np.nan, np.nan))
    return first, stats.Estimate(first, float(lo), float(hi), int(ok.size), float(np.std(ok)), "bootstrap")


#: Paper B Table I: ISACNN run time [ms] when one of Nt, Nr, K varies (the others at Table II)
PAPER_TABLE1 = {"Nt": {4: 0.2330, 6: 0.2360, 8: 0.2404, 10: 0.2418, 12: 0.2422, 14: 0.2447, 16: 0.2457},
                "Nr": {4: 0.1413, 6: 0.1572, 8: 0.1732, 10: 0.1943, 12: 0.2052, 14: 0.2206, 16: 0.2504},
                "K": {2: 0.1653, 3: 0.1897, 4: 0.2169, 5: 0.2504, 6: 0.2687, 7: 0.2812, 8: 0.2934}}


def isacnn_pipeline(batch, net, R_T):
    """What Table I times: pre-processing (eigenvalues of ``R_T``, feature vector (29)),
    prediction, and the recover module (31)-(32). Returns ``(S, W)``."""
    from . import isacnn as NN
    from . import model as U
    np.linalg.eigvalsh(R_T)
    x = NN.predict(net, NN.features(batch))
    return U.recover(batch, x * batch.Ps)


def time_isacnn(rng, Nt: int, Nr: int, K: int, L: int, n_batch: int, repeats: int):
    """Median CPU time [s] per sample of :func:`isacnn_pipeline` for an untrained ISACNN of the
    given size (the weights do not change the time): ``(single, batched)``, one sample per call
    and ``n_batch`` samples per call (:func:`risisac.book.timing.time_call`)."""
    from ..book.timing import time_call
    from . import isacnn as NN
    from . import model as U
    b = U.draw_batch(rng, n_batch, Nt=Nt, Nr=Nr, K=K, L=max(L, Nt + 1), with_UT=True)
    net, R, b1 = NN.make("isacnn", 2 * Nr * K + Nt, Nt), U.R_T_of(b), b.subset([0])
    net.eval()
    single = time_call(lambda: isacnn_pipeline(b1, net, R[:1]), repeats)
    batched = time_call(lambda: isacnn_pipeline(b, net, R), repeats) / n_batch
    return single, batched


def time_schemes(schemes: dict, singles: Sequence, batch, repeats: int) -> dict:
    """CPU time per sample [s] of every scheme ``fn(batch)`` in ``schemes`` (``{name: fn}``), run
    on one sample at a time (over ``singles``) and on the whole ``batch``.

    Each repetition times every scheme once, one after the other (interleaved, so a change of
    the machine's load falls on all of them alike), with
    :func:`risisac.book.timing.time_call` (CPU time of the process), after one untimed warm-up
    call of each. ``fn`` must include its own set-up and the recovery (31)-(32) and run to its
    own stopping rule. Returns ``{name: (single, batched)}``, arrays of ``repeats`` times per
    sample, so that ratios of two schemes are taken repetition by repetition."""
    from ..book.timing import time_call
    runs = {}
    for name, fn in schemes.items():
        runs[name, "single"] = (lambda fn=fn: [fn(b) for b in singles], len(singles))
        runs[name, "batched"] = (lambda fn=fn: fn(batch), batch.B)
    for f, _ in runs.values():
        f()
    out = {key: np.empty(repeats) for key in runs}
    for i in range(repeats):
        for key, (f, n) in runs.items():
            out[key][i] = time_call(f, repeats=1, warmup=0) / n
    return {name: (out[name, "single"], out[name, "batched"]) for name in schemes}


def time_scheme(fn: Callable, singles: Sequence, batch, repeats: int):
    """Per-sample times [s] of ``fn(batch)`` run on one sample at a time (over ``singles``) and
    on the whole ``batch``; ``fn`` must include its own set-up and the recovery."""
    single = time_runs(lambda: [fn(b) for b in singles], repeats) / len(singles)
    batched = time_runs(lambda: fn(batch), repeats) / batch.B
    return single, batched


def median_ci(samples: Sequence[float], rng: np.random.Generator, n_boot: int = 2000) -> stats.Estimate:
    """Median of repeated timings with a percentile-bootstrap 95 % interval: robust to the
    occasional run that a busy machine slows down tenfold (which a mean would follow)."""
    x = np.asarray(samples, float).ravel()
    if x.size < 3:
        raise ValueError(f"median_ci needs n >= 3 repetitions, got n = {x.size}")
    meds = np.median(x[rng.integers(0, x.size, (n_boot, x.size))], axis=1)
    lo, hi = np.percentile(meds, [2.5, 97.5])
    return stats.Estimate(float(np.median(x)), float(lo), float(hi), int(x.size), float("nan"), "median (bootstrap)")


#: the low and high sensing-weight regions of the Average/ZFBF sentence (the regions the paper's
#: next sentence names; alpha = 1 left out, where ZFBF equals the optimum)
LOW_REGION, HIGH_REGION = (0.0, 0.1), (0.6, 1.0)


def average_zfbf_parts(alphas_fine: Sequence[float], d_low: np.ndarray, high: dict):
    """The two parts of "Average is worse than ZFBF at low and better at high sensing weight".

    ``d_low``: per-channel Average - ZFBF WSNR (samples x ``alphas_fine``); ``high``:
    ``{alpha: per-channel Average - ZFBF}`` for the high-region alphas. Returns
    ``(low, high)``: the weakest paired difference of each region (95 % interval over the
    channels; ``None`` where the grid has no point in the region). The low part holds when the
    low estimate's interval lies below 0, the high part when the high one lies above 0."""
    lo_j = [j for j, a in enumerate(alphas_fine) if LOW_REGION[0] <= a <= LOW_REGION[1] + 1e-12]
    low = weakest_step([stats.mean_ci(d_low[:, j]) for j in lo_j], -1) if lo_j else None
    hi = [stats.mean_ci(v) for a, v in sorted(high.items()) if HIGH_REGION[0] <= a < HIGH_REGION[1]]
    return low, (weakest_step(hi, +1) if hi else None)


def average_zfbf_claim(L, alphas_fine, d_low, high):
    """Record ``fig7-average-zfbf-crossing`` in ledger ``L``: both parts of the paper's sentence
    (:func:`average_zfbf_parts`), verdict by :func:`combine`; the crossings of the mean
    difference on the fine grid are reported in the note."""
    low, hi = average_zfbf_parts(alphas_fine, d_low, high)
    cid = "fig7-average-zfbf-crossing"
    if low is None or hi is None:
        return L.not_testable(cid, "the alpha grids have no point in the low region [0, 0.1] or in "
                              "the high region [0.6, 1)")
    ver = [stats.band_verdict(low, None, 0.0), stats.band_verdict(hi, 0.0, None)]
    cr = crossings(alphas_fine, d_low.mean(0))
    note = (f"weakest Average - ZFBF WSNR for alpha in [0, 0.1]: {stats.fmt_est(low, band=(0.0, None))}, "
            f"{ver[0]} (must be < 0); for alpha in [0.6, 1): {stats.fmt_est(hi, band=(0.0, None))}, "
            f"{ver[1]} (must be > 0); the mean difference on the fine grid changes sign at alpha = "
            + (", ".join(f"{c:.3f}" for c in cr) if cr else "nowhere"))
    return L.claim(cid, f"low region: {ver[0]}; high region: {ver[1]}", combine(ver), note)
