"""Paper A DoA chapter (``paperA_doa``): parameter declarations, the three profiles and the
cross-checks. The notebook's ``parameters`` cell lists every name; :func:`resolve` applies
the profile and the overrides and validates everything (a bad value stops the run with a
message naming the parameter, its value and what is allowed).

The evaluation parameters (seed, n_test, P_list_dbw, n_noise) of the book profile are the grid of
the stored evaluation (:data:`risisac.paper_a.eval_doa.GRID`); other values make the chapter
evaluate live.

The system and network sizes (M, N, K, L, T, J, R, the Fig. 9 thresholds) are those of the
trained networks and come from their training record (:mod:`risisac.paper_a.train_doa`),
not from here.
"""

from __future__ import annotations

from ..book import params as rp

#: one-line meaning of every parameter (shown in the resolved-values table)
HELP = {
    "seed": "master seed of the test channels and of every Monte Carlo stream",
    "train_now": "train the networks in this run (smoke) instead of loading models/paperA_doa/",
    "n_test": "test channel instances per evaluated point (Figs. 8-10)",
    "P_list_dbw": "transmit powers of Fig. 8 [dBW]",
    "n_noise": "noise draws per symbol in the SER Monte Carlo (Fig. 10)",
    "ml_P_list_dbw": "powers of the CRB-vs-ML Monte Carlo check [dBW]",
    "n_ml": "Monte Carlo trials per power of the ML check",
    "timing_N": "RIS sizes of Table II",
    "timing_instances": "instances per timed call (Table II; time reported per instance)",
    "timing_reps": "timed repetitions per cell of Table II (after one warm-up)",
    "T_iter": "ADMM layers of the untrained iterative PHR-ALM-DFP (CRB-vs-time figure)",
    "n_time_inst": "instances of the CRB-vs-time comparison",
    "n_live": "test channels re-computed live and checked against the stored evaluation",
}


def _check(p):
    rp.require(len(p.P_list_dbw) >= 2, "P_list_dbw", f"needs at least two powers, got {p.P_list_dbw}")
    rp.require(sorted(p.P_list_dbw) == list(p.P_list_dbw), "P_list_dbw",
               f"must be increasing, got {p.P_list_dbw}")
    rp.require(len(p.timing_N) >= 2, "timing_N", f"needs at least two sizes, got {p.timing_N}")
    rp.require(p.n_live <= p.n_test, "n_live", f"must not exceed n_test = {p.n_test}, got {p.n_live}")


SPEC = rp.Spec(
    "paperA_doa",
    {"seed": rp.Int(lo=0),
     "train_now": rp.Bool(),
     "n_test": rp.Int(lo=5, hi=5000),
     "P_list_dbw": rp.FloatList(lo=-20, hi=60),
     "n_noise": rp.Int(lo=1, hi=100000),
     "ml_P_list_dbw": rp.FloatList(lo=-20, hi=90),
     "n_ml": rp.Int(lo=10, hi=100000),
     "timing_N": rp.IntList(lo=2, hi=512),
     "timing_instances": rp.Int(lo=1, hi=1000),
     "timing_reps": rp.Int(lo=1, hi=100),
     "T_iter": rp.Int(lo=1, hi=1000),
     "n_time_inst": rp.Int(lo=1, hi=1000),
     "n_live": rp.Int(lo=1, hi=100)},
    profiles={
        "book": dict(seed=7, train_now=False, n_test=16, P_list_dbw=[10.0, 20.0, 30.0], n_noise=200,
                     ml_P_list_dbw=[20.0, 40.0, 60.0], n_ml=100, timing_N=[32, 64, 128],
                     timing_instances=4, timing_reps=5, T_iter=120, n_time_inst=8, n_live=8),
        "smoke": dict(seed=7, train_now=True, n_test=6, P_list_dbw=[10.0, 20.0], n_noise=10,
                      ml_P_list_dbw=[40.0, 60.0], n_ml=20, timing_N=[8, 16], timing_instances=2,
                      timing_reps=2, T_iter=4, n_time_inst=2, n_live=3),
        "paper": dict(seed=7, train_now=False, n_test=100, P_list_dbw=[0.0, 10.0, 20.0, 30.0, 40.0],
                      n_noise=2000, ml_P_list_dbw=[0.0, 20.0, 40.0, 60.0], n_ml=2000,
                      timing_N=[32, 64, 128], timing_instances=20, timing_reps=5, T_iter=120,
                      n_time_inst=20, n_live=8),
    },
    check=_check,
)


def resolve(namespace=None, **overrides):
    """Resolved and validated parameters (:class:`risisac.book.params.Params`)."""
    return rp.resolve(SPEC, namespace, **overrides)


def table(P):
    """The resolved values as a table (name, value, meaning): HTML in the book, text for nbval."""
    from ..book.plotting import data_table
    return data_table(["parameter", "value", "meaning"],
                      [["profile", P.profile, "book (loads trained networks), smoke (< 1 min), paper"]]
                      + [[k, getattr(P, k), HELP[k]] for k in SPEC.params])
