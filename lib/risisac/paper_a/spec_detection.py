"""Paper A detection chapter (``paperA_detection``): parameter declarations, profiles, cross-checks.

The notebook's ``parameters`` cell lists every name; :func:`resolve` applies the profile and the
overrides and validates them (a bad value stops the run with a message naming the parameter,
its value and what is allowed). :func:`grid` turns the resolved values into the evaluation grid
of :mod:`risisac.paper_a.eval_detection`; when it equals the grid of the committed evaluation
files (``models/paperA_detection/eval_*.json``) the ``book`` profile loads them, otherwise the
chapter computes every point live (slow at book sizes: minutes per point).
"""

from __future__ import annotations

from ..book import params as rp

#: one-line meaning of every parameter (shown in the resolved-values table)
HELP = {
    "seed": "master seed of the test channels and of every Monte Carlo stream",
    "train_now": "train the networks in this run (smoke) instead of loading models/paperA_detection/",
    "M": "BS antennas",
    "N": "RIS elements at the default point (paper: 64)",
    "K": "users",
    "L": "slots per block",
    "P_dbw": "transmit power at the default point [dBW]",
    "Gamma_db": "users' QoS (SNR) requirement at the default point [dB]",
    "P_sweep": "powers of Fig. 4 [dBW] (contains P_dbw)",
    "N_sweep": "RIS sizes of Fig. 5 (contains N)",
    "Gamma_sweep": "QoS requirements of Figs. 6 and 10 [dB] (contains Gamma_db)",
    "n_test": "test channels per point for the networks (intervals over instances)",
    "n_mm": "test channels per point for ADMM-MM and radar-only (the first n_mm of the n_test)",
    "mm_tol": "stopping tolerance of ADMM-MM (Liu et al.'s residual; their code: 5e-4)",
    "mm_max_iter": "iteration cap of ADMM-MM (instances that hit it are counted)",
    "ser_draws": "noise draws per symbol in the SER Monte Carlo (Fig. 10)",
    "timing_N": "RIS sizes of Table I",
    "timing_reps": "timed instances per Table I cell (one instance per call, after a warm-up call)",
    "n_live": "instances re-computed live and checked against the stored evaluation",
    "roc_mc": "Monte Carlo draws per point of the ROC check (Fig. 7)",
}


def _with(lst, v):
    return sorted({*lst, v})


def _check(p):
    rp.require(p.K <= p.M, "K", f"needs K <= M for the zero-forcing start point, got K = {p.K}, M = {p.M}")
    rp.require(p.n_mm <= p.n_test, "n_mm", f"must be <= n_test = {p.n_test}, got {p.n_mm}")
    rp.require(p.n_live <= p.n_mm, "n_live", f"must be <= n_mm = {p.n_mm}, got {p.n_live}")
    for name, v in (("P_sweep", p.P_dbw), ("N_sweep", p.N), ("Gamma_sweep", p.Gamma_db)):
        rp.require(v in getattr(p, name), name,
                   f"must contain the default value {v}, got {getattr(p, name)}; leave {name} unset "
                   "(it then follows the default) or add the value")
    rp.require(len(p.timing_N) >= 2, "timing_N", f"needs at least two sizes, got {p.timing_N}")
    rp.require(max(p.Gamma_sweep) <= 30 or p.profile == "paper", "Gamma_sweep",
               "values above 30 dB are paper-profile only (most start points are CI-infeasible)")


_BOOK = dict(seed=7, train_now=False, M=6, N=64, K=3, L=20, P_dbw=20.0, Gamma_db=10.0,
             P_sweep=rp.Derived(lambda p: _with([10.0, 20.0, 30.0], p.P_dbw), "10, 20, 30 and P_dbw"),
             N_sweep=rp.Derived(lambda p: _with([32, 64, 128], p.N), "32, 64, 128 and N"),
             Gamma_sweep=rp.Derived(lambda p: _with([0.0, 10.0, 20.0, 30.0], p.Gamma_db), "0, 10, 20, 30 and Gamma_db"),
             n_test=100, n_mm=20, mm_tol=5e-4, mm_max_iter=300, ser_draws=200, timing_N=[32, 64, 128],
             timing_reps=5, n_live=3, roc_mc=20000)

SPEC = rp.Spec(
    "paperA_detection",
    {"seed": rp.Int(lo=0),
     "train_now": rp.Bool(),
     "M": rp.Int(lo=2, hi=64),
     "N": rp.Int(lo=4, hi=512),
     "K": rp.Int(lo=1, hi=16),
     "L": rp.Int(lo=4, hi=64),
     "P_dbw": rp.Float(lo=-20, hi=60),
     "Gamma_db": rp.Float(lo=-10, hi=50),
     "P_sweep": rp.FloatList(lo=-20, hi=60),
     "N_sweep": rp.IntList(lo=4, hi=512),
     "Gamma_sweep": rp.FloatList(lo=-10, hi=50),
     "n_test": rp.Int(lo=2, hi=5000),
     "n_mm": rp.Int(lo=2, hi=5000),
     "mm_tol": rp.Float(lo=0.0, hi=0.1),
     "mm_max_iter": rp.Int(lo=1, hi=5000),
     "ser_draws": rp.Int(lo=1, hi=100000),
     "timing_N": rp.IntList(lo=4, hi=512),
     "timing_reps": rp.Int(lo=1, hi=100),
     "n_live": rp.Int(lo=1, hi=1000),
     "roc_mc": rp.Int(lo=100, hi=10**7)},
    profiles={
        "book": _BOOK,
        "smoke": dict(seed=7, train_now=True, M=6, N=16, K=3, L=8, P_dbw=20.0, Gamma_db=10.0,
                      P_sweep=rp.Derived(lambda p: _with([20.0], p.P_dbw), "P_dbw"),
                      N_sweep=rp.Derived(lambda p: _with([8], p.N), "8 and N"),
                      Gamma_sweep=rp.Derived(lambda p: _with([0.0], p.Gamma_db), "0 and Gamma_db"),
                      n_test=4, n_mm=2, mm_tol=5e-4, mm_max_iter=4, ser_draws=20, timing_N=[8, 16],
                      timing_reps=1, n_live=2, roc_mc=2000),
        "paper": dict(_BOOK, n_mm=100,
                      P_sweep=rp.Derived(lambda p: _with([0.0, 10.0, 20.0, 30.0, 40.0], p.P_dbw), "0..40 step 10"),
                      N_sweep=rp.Derived(lambda p: _with([16, 32, 64, 128], p.N), "16, 32, 64, 128 and N"),
                      Gamma_sweep=rp.Derived(lambda p: _with([0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0],
                                                             p.Gamma_db), "0..40 step 5"),
                      timing_reps=10, roc_mc=200000),
    },
    check=_check,
)


def resolve(namespace=None, **overrides):
    """Resolved and validated parameters (:class:`risisac.book.params.Params`)."""
    return rp.resolve(SPEC, namespace, **overrides)


def grid(P) -> dict:
    """The evaluation grid (:data:`risisac.paper_a.eval_detection.GRID` format) of parameters ``P``."""
    keys = ("seed", "M", "K", "L", "N", "P_dbw", "Gamma_db", "P_sweep", "N_sweep", "Gamma_sweep", "n_test",
            "n_mm", "mm_tol", "mm_max_iter", "ser_draws", "timing_N", "timing_reps")
    return {k: getattr(P, k) for k in keys}


def table(P):
    """The resolved values as a table (name, value, meaning)."""
    from ..book.plotting import data_table
    rows = [["profile", P.profile, "book (loads trained networks + stored evaluation), smoke (< 1 min), paper"]]
    rows += [[k, getattr(P, k), HELP[k]] for k in SPEC.params]
    return data_table(["parameter", "value", "meaning"], rows)
