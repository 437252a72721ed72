"""Paper B chapter (``paperB_uplink``): parameter declarations, the three profiles and the
cross-checks. The notebook's ``parameters`` cell lists every name; :func:`resolve` applies the
profile and the overrides and validates everything (a bad value stops the run with a message
naming the parameter, its value and what is allowed)."""

from __future__ import annotations

from ..book import params as rp

#: one-line meaning of every parameter (shown in the resolved-values table)
HELP = {
    "seed": "master seed of every random stream",
    "Nt": "BS transmit antennas (Table II: 16)",
    "Nr": "BS receive antennas (Table II: 16)",
    "K": "users (Table II: 5)",
    "L": "waveform length, L > Nt (Table II: 20)",
    "d0": "cell radius [m] (Table II: 200)",
    "d_max": "outer radius of the user annulus [m] (book's choice)",
    "snr_s_db": "sensing SNR P_s xi_0 / sigma_n^2 [dB] (Table II: 10)",
    "snr_c_db": "communication SNR p_k xi_k / sigma_n^2 [dB] (Table II: 0)",
    "alpha": "sensing weight of the default point (Table II: 0.5)",
    "n_seeds": "independent retraining repetitions of every network claim",
    "n_train": "training-set sizes of Fig. 6 (the largest trains the default ISACNN)",
    "n_val": "validation samples",
    "n_test": "test samples (Fig. 7, optimality gaps)",
    "epochs": "maximum epochs (early stopping may stop sooner)",
    "n_ft": "training samples of the warm-started networks (other alphas)",
    "ft_epochs": "maximum epochs of a warm-started network",
    "alphas": "sensing weights of Figs. 7 and 10",
    "alphas_fine": "fine sensing-weight grid of the crossing / switch study (alpha <= 0.25)",
    "tol_trad": "stopping tolerance of the Traditional AO+SCA scheme",
    "snr_s_list": "sensing SNRs of Fig. 8 [dB]",
    "snr_c_list": "communication SNRs of Fig. 8 [dB]",
    "n_mix": "training samples of the network trained on the Fig. 8 SNR mix",
    "K_list": "numbers of users of Fig. 9",
    "Nt_list": "array sizes of Fig. 9 (Nt = Nr)",
    "K_list10": "numbers of users of Fig. 10",
    "st_scale_db": "sigma_t scale offsets of the sensitivity study [dB re xi_0 U(0,1)]",
    "n_sweep": "test samples per point of the sweeps (Figs. 8-11)",
    "Nr_list11": "receive antennas of Fig. 11",
    "betas": "CSI accuracies of Fig. 11",
    "n_train11": "training samples per Fig. 11 network",
    "epochs11": "maximum epochs per Fig. 11 network",
    "n_time": "batch size of the batched timing runs (Table I)",
    "n_rep_time": "repetitions of every timing",
}


def _check(p):
    rp.require(p.L > p.Nt, "L", f"L = {p.L} must exceed Nt = {p.Nt} (Paper B: L > Nt)")
    rp.require(p.K <= p.Nr, "K", f"K = {p.K} must be <= Nr = {p.Nr} (zero-forcing of the ZFBF baseline)")
    rp.require(p.d_max > p.d0, "d_max", f"d_max = {p.d_max} must exceed d0 = {p.d0}")
    rp.require(max(p.Nt_list) < p.L, "Nt_list", f"every Nt of Fig. 9 must be < L = {p.L}; got {p.Nt_list}")
    rp.require(all(k <= n for k in p.K_list for n in p.Nt_list), "K_list",
               f"every K of Fig. 9 must be <= every Nr = Nt of Fig. 9 ({p.Nt_list}); got {p.K_list}")
    rp.require(all(k <= p.Nr for k in p.K_list10), "K_list10",
               f"every K must be <= Nr = {p.Nr}; got {p.K_list10}")
    rp.require(min(p.Nr_list11) >= p.K, "Nr_list11", f"every Nr must be >= K = {p.K}; got {p.Nr_list11}")
    rp.require(0.0 in p.alphas and 1.0 in p.alphas and 0.5 in p.alphas and p.alpha in p.alphas,
               "alphas", f"must contain 0, 0.5, 1 and alpha = {p.alpha}; got {p.alphas}")
    rp.require(max(p.alphas_fine) <= 0.5 and len(set(p.alphas_fine)) >= 3, "alphas_fine",
               f"needs >= 3 distinct values <= 0.5; got {p.alphas_fine}")
    rp.require(1.0 in p.betas, "betas", f"must contain 1 (perfect CSI, the reference); got {p.betas}")
    rp.require(p.snr_c_db in p.snr_c_list, "snr_c_list",
               f"must contain snr_c_db = {p.snr_c_db}; got {p.snr_c_list}")
    rp.require(p.snr_s_db in p.snr_s_list, "snr_s_list",
               f"must contain snr_s_db = {p.snr_s_db}; got {p.snr_s_list}")
    rp.require(0.0 in p.st_scale_db, "st_scale_db", f"must contain 0 (the book's scale); got {p.st_scale_db}")
    rp.require(p.n_ft <= max(p.n_train), "n_ft", f"n_ft = {p.n_ft} must be <= max(n_train) = {max(p.n_train)}")


SPEC = rp.Spec(
    "paperB_uplink",
    {
        "seed": rp.Int(lo=0, help=HELP["seed"]),
        "Nt": rp.Int(lo=2, hi=64, help=HELP["Nt"]),
        "Nr": rp.Int(lo=2, hi=64, help=HELP["Nr"]),
        "K": rp.Int(lo=1, hi=32, help=HELP["K"]),
        "L": rp.Int(lo=3, hi=512, help=HELP["L"]),
        "d0": rp.Float(lo=1.0, hi=10_000.0, help=HELP["d0"]),
        "d_max": rp.Float(lo=1.0, hi=20_000.0, help=HELP["d_max"]),
        "snr_s_db": rp.Float(lo=-30, hi=50, help=HELP["snr_s_db"]),
        "snr_c_db": rp.Float(lo=-30, hi=50, help=HELP["snr_c_db"]),
        "alpha": rp.Float(lo=0.0, hi=1.0, help=HELP["alpha"]),
        "n_seeds": rp.Int(lo=2, hi=100, help=HELP["n_seeds"]),
        "n_train": rp.IntList(lo=16, hi=100_000, min_len=1, help=HELP["n_train"]),
        "n_val": rp.Int(lo=16, hi=100_000, help=HELP["n_val"]),
        "n_test": rp.Int(lo=8, hi=100_000, help=HELP["n_test"]),
        "epochs": rp.Int(lo=1, hi=5000, help=HELP["epochs"]),
        "n_ft": rp.Int(lo=16, hi=100_000, help=HELP["n_ft"]),
        "ft_epochs": rp.Int(lo=1, hi=5000, help=HELP["ft_epochs"]),
        "alphas": rp.FloatList(lo=0.0, hi=1.0, min_len=3, help=HELP["alphas"]),
        "alphas_fine": rp.FloatList(lo=0.0, hi=0.5, min_len=3, help=HELP["alphas_fine"]),
        "tol_trad": rp.Float(lo=1e-12, hi=1e-1, help=HELP["tol_trad"]),
        "snr_s_list": rp.FloatList(lo=-30, hi=50, min_len=2, help=HELP["snr_s_list"]),
        "snr_c_list": rp.FloatList(lo=-30, hi=50, min_len=2, help=HELP["snr_c_list"]),
        "n_mix": rp.Int(lo=16, hi=100_000, help=HELP["n_mix"]),
        "K_list": rp.IntList(lo=1, hi=32, min_len=2, help=HELP["K_list"]),
        "Nt_list": rp.IntList(lo=2, hi=64, min_len=2, help=HELP["Nt_list"]),
        "K_list10": rp.IntList(lo=1, hi=32, min_len=2, help=HELP["K_list10"]),
        "st_scale_db": rp.FloatList(lo=-20, hi=30, min_len=2, help=HELP["st_scale_db"]),
        "n_sweep": rp.Int(lo=8, hi=100_000, help=HELP["n_sweep"]),
        "Nr_list11": rp.IntList(lo=2, hi=64, min_len=2, help=HELP["Nr_list11"]),
        "betas": rp.FloatList(lo=0.0, hi=1.0, min_len=2, help=HELP["betas"]),
        "n_train11": rp.Int(lo=16, hi=100_000, help=HELP["n_train11"]),
        "epochs11": rp.Int(lo=1, hi=5000, help=HELP["epochs11"]),
        "n_time": rp.Int(lo=1, hi=100_000, help=HELP["n_time"]),
        "n_rep_time": rp.Int(lo=1, hi=1000, help=HELP["n_rep_time"]),
    },
    profiles={
        "book": dict(seed=7, Nt=16, Nr=16, K=5, L=20, d0=200.0, d_max=400.0, snr_s_db=10.0,
                     snr_c_db=0.0, alpha=0.5, n_seeds=5, n_train=[250, 1000], n_val=300,
                     n_test=300, epochs=80, n_ft=1000, ft_epochs=40,
                     alphas=[0.0, 0.25, 0.5, 0.75, 1.0],
                     alphas_fine=[0.0125 * i for i in range(21)], tol_trad=1e-5,
                     snr_s_list=[0.0, 5.0, 10.0, 15.0, 20.0], snr_c_list=[-5.0, 0.0, 5.0],
                     n_mix=900, K_list=[2, 4, 6, 8], Nt_list=[8, 12, 16], K_list10=[3, 5, 7],
                     st_scale_db=[-3.0, 0.0, 3.0, 5.0, 7.0, 10.0], n_sweep=100,
                     Nr_list11=[8, 12, 16], betas=[0.3, 0.7, 1.0], n_train11=600, epochs11=25,
                     n_time=1000, n_rep_time=7),
        "smoke": dict(seed=7, Nt=8, Nr=8, K=3, L=12, d0=200.0, d_max=400.0, snr_s_db=10.0,
                      snr_c_db=0.0, alpha=0.5, n_seeds=2, n_train=[64, 128], n_val=64, n_test=40,
                      epochs=3, n_ft=64, ft_epochs=2, alphas=[0.0, 0.5, 1.0],
                      alphas_fine=[0.0, 0.1, 0.2], tol_trad=1e-5, snr_s_list=[0.0, 10.0],
                      snr_c_list=[-5.0, 0.0], n_mix=96, K_list=[2, 4], Nt_list=[4, 8],
                      K_list10=[2, 4], st_scale_db=[0.0, 5.0], n_sweep=20, Nr_list11=[4, 8],
                      betas=[0.3, 1.0], n_train11=64, epochs11=2, n_time=100, n_rep_time=3),
        "paper": dict(seed=7, Nt=16, Nr=16, K=5, L=20, d0=200.0, d_max=400.0, snr_s_db=10.0,
                      snr_c_db=0.0, alpha=0.5, n_seeds=5, n_train=[1000, 2000, 5000, 8000],
                      n_val=2000, n_test=2000, epochs=500, n_ft=8000, ft_epochs=500,
                      alphas=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
                      alphas_fine=[0.0125 * i for i in range(21)], tol_trad=1e-5,
                      snr_s_list=[0.0, 5.0, 10.0, 15.0, 20.0], snr_c_list=[-5.0, 0.0, 5.0, 10.0],
                      n_mix=8000, K_list=[2, 3, 4, 5, 6, 7, 8], Nt_list=[8, 12, 16],
                      K_list10=[3, 5, 7], st_scale_db=[-3.0, 0.0, 3.0, 5.0, 7.0, 10.0],
                      n_sweep=2000, Nr_list11=[6, 8, 10, 12, 14, 16], betas=[0.3, 0.7, 1.0],
                      n_train11=8000, epochs11=500, n_time=2000, n_rep_time=10),
    },
    check=_check,
)


def resolve(namespace=None, **overrides) -> rp.Params:
    """Resolve and validate the chapter's parameters from the notebook namespace."""
    return rp.resolve(SPEC, namespace, **overrides)


class ResolvedTable:
    """The resolved values as a table (text for nbval, HTML for the book)."""

    def __init__(self, P, help_: dict):
        self.rows = [(k, v, help_.get(k, "profile of the defaults" if k == "profile" else ""))
                     for k, v in P.as_dict().items()]

    @staticmethod
    def _v(v):
        from ..book.plotting import fmt
        if isinstance(v, list) and len(v) > 8:
            return f"[{fmt(v[0])}, {fmt(v[1])}, ..., {fmt(v[-1])}] ({len(v)} values)"
        return fmt(v) if not isinstance(v, str) else v

    def __repr__(self):
        w = max(len(k) for k, _, _ in self.rows)
        return "\n".join(f"{k:<{w}} = {self._v(v)}" for k, v, _ in self.rows)

    def _repr_html_(self):
        import html
        body = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(self._v(v))}</td>"
                       f"<td>{html.escape(h)}</td></tr>" for k, v, h in self.rows)
        return ("<table class='params'><thead><tr><th>parameter</th><th>value</th><th>meaning</th>"
                f"</tr></thead><tbody>{body}</tbody></table>")


def table(P) -> ResolvedTable:
    """The resolved parameters with their meaning (show as a cell's last expression)."""
    return ResolvedTable(P, HELP)
