"""The ``shared_models`` chapter: parameter declarations, profiles and cross-checks.

The notebook's ``parameters`` cell lists every name; :func:`resolve` applies the profile and the
overrides and validates everything (a bad value stops the run with a message naming the
parameter, its value and what is allowed)."""

from __future__ import annotations

from .book import params as rp

#: one-line meaning of every parameter (shown in the resolved-values table)
HELP = {
    "seed": "master seed of every random stream",
    "M": "BS antennas (ULA, half-wavelength)",
    "N": "RIS elements in the CRB experiment",
    "N_gain": "RIS elements in the two-way gain figure",
    "L": "time slots of the sensing block",
    "theta_b_deg": "target DoA at the BS [deg]",
    "theta_r_deg": "target DoA at the RIS [deg]",
    "snr_db": "per-sample SNRs of the CRB-vs-ML experiment [dB]",
    "n_mc": "Monte Carlo trials per SNR (ML estimator)",
    "n_pd": "Monte Carlo draws per point of the detector simulation",
    "bias_tol": "unbiased regime: the whole bias interval lies within +-bias_tol * sqrt(CRB)",
}


def _check(p):
    rp.require(abs(p.theta_b_deg) < 60 and abs(p.theta_r_deg) < 60, "theta_b_deg",
               f"both DoAs must lie inside the search range (-60, 60) degrees; got theta_b_deg = "
               f"{p.theta_b_deg}, theta_r_deg = {p.theta_r_deg}")


SPEC = rp.Spec(
    "shared_models",
    {
        "seed": rp.Int(lo=0, help=HELP["seed"]),
        "M": rp.Int(lo=2, hi=64, help=HELP["M"]),
        "N": rp.Int(lo=2, hi=256, help=HELP["N"]),
        "N_gain": rp.Int(lo=2, hi=1024, help=HELP["N_gain"]),
        "L": rp.Int(lo=1, hi=256, help=HELP["L"]),
        "theta_b_deg": rp.Float(lo=-89, hi=89, help=HELP["theta_b_deg"]),
        "theta_r_deg": rp.Float(lo=-89, hi=89, help=HELP["theta_r_deg"]),
        "snr_db": rp.FloatList(lo=-40, hi=80, min_len=2, help=HELP["snr_db"]),
        "n_mc": rp.Int(lo=10, hi=100_000, help=HELP["n_mc"]),
        "n_pd": rp.Int(lo=1_000, hi=10_000_000, help=HELP["n_pd"]),
        "bias_tol": rp.Float(lo=0.0, hi=10.0, help=HELP["bias_tol"]),
    },
    profiles={
        "book": dict(seed=1, M=4, N=8, N_gain=64, L=8, theta_b_deg=10.0, theta_r_deg=-20.0,
                     snr_db=[-30, -20, -15, -10, -5, 0, 5, 10, 20], n_mc=250, n_pd=100_000,
                     bias_tol=0.25),
        "smoke": dict(seed=1, M=4, N=8, N_gain=64, L=8, theta_b_deg=10.0, theta_r_deg=-20.0,
                      snr_db=[-20, 0, 20], n_mc=20, n_pd=10_000, bias_tol=0.25),
        "paper": dict(seed=1, M=6, N=16, N_gain=64, L=20, theta_b_deg=10.0, theta_r_deg=-20.0,
                      snr_db=[-30, -20, -15, -10, -5, 0, 5, 10, 15, 20, 30], n_mc=2000,
                      n_pd=1_000_000, bias_tol=0.25),
    },
    check=_check,
)


def resolve(namespace=None, **overrides) -> rp.Params:
    """Resolve and validate the chapter's parameters from the notebook namespace."""
    return rp.resolve(SPEC, namespace, **overrides)


def table(P):
    """The resolved parameters with their meaning (show as a cell's last expression)."""
    return _Table(P)


class _Table:
    def __init__(self, P):
        self.rows = [(k, v, HELP.get(k, "profile of the defaults" if k == "profile" else ""))
                     for k, v in P.as_dict().items()]

    @staticmethod
    def _v(v):
        from .book.plotting import fmt
        return v if isinstance(v, str) else fmt(v)

    def __repr__(self):
        w = max(len(k) for k, _, _ in self.rows)
        return "\n".join(f"{k:<{w}} = {self._v(v)}" for k, v, _ in self.rows)

    def _repr_html_(self):
        import html
        body = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(self._v(v))}</td>"
                       f"<td>{html.escape(h)}</td></tr>" for k, v, h in self.rows)
        return ("<table class='params'><thead><tr><th>parameter</th><th>value</th><th>meaning</th>"
                f"</tr></thead><tbody>{body}</tbody></table>")
