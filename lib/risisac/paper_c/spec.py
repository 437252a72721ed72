"""Parameters of the Paper C chapter: declarations, profiles (book / smoke / paper), cross-checks.

The sweep points are those of Figs. 3b, 4a-c and 5a-c; the channel draws, radar noise and
N_t are fixed here once (see the chapter's "Configuration" section) and not tuned to results.
"""

from __future__ import annotations

from ..book import params as rp


def _check(p):
    rp.require(all(k <= p.Nt for k in p.K_sweep + [p.K]), "K_sweep",
               f"every K must be <= Nt = {p.Nt} (one stream per user); got K_sweep = {p.K_sweep}")
    rp.require(p.n_live <= p.trials, "n_live", f"must be <= trials = {p.trials}; got {p.n_live}")


_BOOK = dict(seed=7, trials=20, n_live=4, iters=60, rho1=10.0, gd_iters=60, K=3, M=35, N=100,
             Nt=16, snr_db=25.0, rsr_db=10.0, eps=0.025, L=1024, radar_snr_db=3.0,
             snr_sweep=[15.0, 25.0], N_sweep=[50, 100], eps_sweep=[0.015, 0.025, 0.05, 0.2],
             M_sweep=[15, 35], rsr_sweep=[0.0, 5.0, 10.0, 20.0, 30.0], K_sweep=[3, 5],
             mc_samples=2000, precomputed=True)

SPEC = rp.Spec(
    "paperC_rydberg",
    {
        "seed": rp.Int(lo=0, help="master seed"),
        "trials": rp.Int(lo=2, hi=10_000, help="channel realisations per point"),
        "n_live": rp.Int(lo=1, hi=10_000, help="realisations re-solved live"),
        "iters": rp.Int(lo=1, hi=500, help="maximum outer iterations T of Algorithm 1"),
        "rho1": rp.Float(lo=1e-6, hi=1e6, help="initial ALM penalty rho_1^(0)"),
        "gd_iters": rp.Int(lo=1, hi=5000, help="GD iterations"),
        "K": rp.Int(lo=1, hi=16, help="users"),
        "M": rp.Int(lo=1, hi=256, help="vapor cells per RAR"),
        "N": rp.Int(lo=4, hi=512, help="RIS elements"),
        "Nt": rp.Int(lo=1, hi=64, help="BS antennas"),
        "snr_db": rp.Float(lo=-20, hi=60, help="received SNR in dB"),
        "rsr_db": rp.Float(lo=-20, hi=60, help="reference-to-signal ratio in dB"),
        "eps": rp.Float(lo=1e-6, hi=10.0, help="CRB bound in rad^2"),
        "L": rp.Int(lo=1, hi=1_000_000, help="radar snapshots"),
        "radar_snr_db": rp.Float(lo=-40, hi=60, help="direct-path echo SNR in dB"),
        "snr_sweep": rp.FloatList(lo=-20, hi=60, help="SNR points in dB"),
        "N_sweep": rp.IntList(lo=4, hi=512, help="RIS sizes"),
        "eps_sweep": rp.FloatList(lo=1e-6, hi=10.0, min_len=2, help="CRB bounds"),
        "M_sweep": rp.IntList(lo=1, hi=256, help="vapor cells"),
        "rsr_sweep": rp.FloatList(lo=-20, hi=60, min_len=2, help="RSR points in dB"),
        "K_sweep": rp.IntList(lo=1, hi=16, help="user counts"),
        "mc_samples": rp.Int(lo=100, hi=1_000_000, help="symbol draws per user (exact receiver)"),
        "precomputed": rp.Bool(help="load the sweeps from models/paperC_rydberg"),
    },
    profiles={
        "book": _BOOK,
        "smoke": dict(_BOOK, trials=2, n_live=2, iters=6, gd_iters=4, K=2, M=6, N=16, Nt=4,
                      N_sweep=[16], M_sweep=[6], K_sweep=[2], eps_sweep=[0.025, 0.2],
                      rsr_sweep=[5.0, 10.0], mc_samples=300, precomputed=False),
        "paper": dict(_BOOK, trials=1000, n_live=20, gd_iters=100,
                      snr_sweep=[5.0, 10.0, 15.0, 20.0, 25.0, 30.0],
                      N_sweep=[25, 50, 75, 100, 125, 150],
                      eps_sweep=[0.015, 0.02, 0.025, 0.03, 0.04, 0.05],
                      M_sweep=[5, 15, 25, 35, 45], rsr_sweep=[0.0, 5.0, 10.0, 15.0, 20.0, 30.0],
                      K_sweep=[2, 3, 4, 5], mc_samples=20000, precomputed=False),
    },
    check=_check,
)


def resolve(namespace=None, **overrides):
    """Resolve and validate the chapter's parameters (see :func:`risisac.book.params.resolve`)."""
    return rp.resolve(SPEC, namespace, **overrides)
