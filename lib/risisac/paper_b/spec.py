"""Paper B chapter (``paperB_uplink``): parameter declarations, the three profiles, the
cross-checks, and the declarations of every claim the chapter records (:data:`CLAIMS`).
The notebook's ``parameters`` cell lists every name; :func:`resolve` applies the profile and
the overrides and validates everything (a bad value stops the run with a message naming the
parameter, its value and what is allowed)."""

from __future__ import annotations

from ..book import params as rp
from ..book.ledger import Amendment, Claim, declare

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
    "train_now": "train the networks in the chapter (else load models/paperB_uplink/<profile>_*)",
    "live": "train here the networks that models/paperB_uplink does not hold for these parameters (else stop and say what)",
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
        "n_rep_time": rp.Int(lo=3, hi=1000, help=HELP["n_rep_time"]),
        "train_now": rp.Bool(help=HELP["train_now"]),
        "live": rp.Bool(help=HELP["live"]),
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
                     n_time=1000, n_rep_time=7, train_now=False, live=False),
        "smoke": dict(seed=7, Nt=8, Nr=8, K=3, L=12, d0=200.0, d_max=400.0, snr_s_db=10.0,
                      snr_c_db=0.0, alpha=0.5, n_seeds=2, n_train=[64, 128], n_val=64, n_test=40,
                      epochs=3, n_ft=64, ft_epochs=2, alphas=[0.0, 0.5, 1.0],
                      alphas_fine=[0.0, 0.1, 0.2], tol_trad=1e-5, snr_s_list=[0.0, 10.0],
                      snr_c_list=[-5.0, 0.0], n_mix=96, K_list=[2, 4], Nt_list=[4, 8],
                      K_list10=[2, 4], st_scale_db=[0.0, 5.0], n_sweep=20, Nr_list11=[4, 8],
                      betas=[0.3, 1.0], n_train11=64, epochs11=2, n_time=100, n_rep_time=3,
                      train_now=True, live=True),
        "paper": dict(seed=7, Nt=16, Nr=16, K=5, L=20, d0=200.0, d_max=400.0, snr_s_db=10.0,
                      snr_c_db=0.0, alpha=0.5, n_seeds=5, n_train=[1000, 2000, 5000, 8000],
                      n_val=2000, n_test=2000, epochs=500, n_ft=8000, ft_epochs=500,
                      alphas=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
                      alphas_fine=[0.0125 * i for i in range(21)], tol_trad=1e-5,
                      snr_s_list=[0.0, 5.0, 10.0, 15.0, 20.0], snr_c_list=[-5.0, 0.0, 5.0, 10.0],
                      n_mix=8000, K_list=[2, 3, 4, 5, 6, 7, 8], Nt_list=[8, 12, 16],
                      K_list10=[3, 5, 7], st_scale_db=[-3.0, 0.0, 3.0, 5.0, 7.0, 10.0],
                      n_sweep=2000, Nr_list11=[6, 8, 10, 12, 14, 16], betas=[0.3, 0.7, 1.0],
                      n_train11=8000, epochs11=500, n_time=2000, n_rep_time=10, train_now=False, live=False),
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


# ============================================================================ claims
# Declared before they are measured: the paper's sentence (Paper B's text), the statistic, the
# band, the independent unit and which artefact carries the data. The chapter records each by id.

_NETS = "models/paperB_uplink/book_record.json"
_SEEDS = "network seeds (independent retrainings: 5 in the book profile)"
_CHAN = "test channels (paired over the channels; 100 per point in the book profile)"
_Q_FIG6 = ("ISACNN performs well on both the training set and the verification set, while the training "
           "loss curve and the validation loss curve for FC-NN both oscillate violently")
_Q_ALPHA1 = ("the performance of the proposed DL-based scheme, the traditional scheme and the ZFBF "
             "scheme are all the same")
_Q_SNRS = ("the sensing rate (SR) increases while the communication rate (CR) decreases as the maximum "
           "sensing transmit power increases")
_Q_SNRC = ("Conversely, it is observed that the case with more communication transmit power leads to "
           "more communication rate and less sensing rate.")
_Q_FIG10 = ("When α is greater than 0.4, the WCSR in the case of fewer CUs (K = 3) increases slowly, but "
            "decreases in the case of more CUs (K = 5, 7), and the more CUs, the faster the decline.")
_Q_TRAD = ("the traditional scheme requires two layers of iteration (using SCA technique to handle "
           "non-convexity and using AO method to handle coupled optimization variables), whose "
           "computational complexity is significantly higher than that of the proposed DL-based scheme")
_TIMES3 = ("'significantly higher complexity' read as at least three times the CPU time per sample; "
           "the paper gives no ratio")
_WALL = "wall-time ratio Traditional / ISACNN per sample, single-sample calls (median, bootstrap interval)"

CLAIMS = declare(
    Claim("fig6-oscillation", "Fig. 6, Sec. V",
          "FC-NN's validation loss oscillates more than ISACNN's (smallest training set)",
          "FC-NN oscillates violently",
          "log10 of FC-NN's over ISACNN's validation-loss oscillation (RMS deviation from the 5-epoch "
          "moving average, relative), paired by seed, smallest training set",
          band=(0.0, None), unit="log10(FC-NN / ISACNN oscillation)", quote=_Q_FIG6, paper="B",
          book_band="'oscillates violently' read as: more oscillation than ISACNN (log-ratio > 0); "
          "the paper gives no size", n=_SEEDS, artefact=_NETS),
    Claim("fig6-isacnn-better", "Fig. 6, Sec. V",
          "ISACNN reaches a lower validation loss than FC-NN (smallest training set)", "ISACNN better",
          "best validation loss (30) of FC-NN minus ISACNN, paired by seed", band=(0.0, None),
          unit="best val loss, FC-NN minus ISACNN", quote=_Q_FIG6, paper="B",
          book_band="'performs well' against 'oscillate violently' read as: a lower best validation "
          "loss than FC-NN (difference > 0)", n=_SEEDS, artefact=_NETS),
    Claim("fig7-wsnr-alpha0", "Fig. 7, Sec. V", "ISACNN reaches WSNR = 1 at alpha = 0 (the optimum M_c)",
          1.0, "mean WSNR (28) of ISACNN at alpha = 0 over the test channels, one value per seed",
          band=(0.99, 1.01), unit="WSNR",
          quote="(WSNR) of the proposed DL-based scheme achieves 1 on the point of $\\alpha = 0$",
          paper="B", book_band="the paper's 1 within 0.01 (1 % of the normalised WSNR scale)",
          n=_SEEDS, artefact=_NETS),
    Claim("fig7-equal-alpha1", "Fig. 7, Sec. V", "Proposed, Traditional and ZFBF coincide at alpha = 1",
          "all the same", "spread (max - min) of the mean WSNR of ISACNN, Traditional and ZFBF at "
          "alpha = 1, one value per ISACNN seed", band=(None, 0.01), unit="WSNR spread of the three",
          quote=_Q_ALPHA1, paper="B",
          book_band="'all the same' read as a spread below 0.01 WSNR (1 % of the normalised scale)",
          n=_SEEDS, artefact=_NETS,
          earlier=(Amendment(band=(None, 0.01), value=0.0, reason="the paper states no number here: "
                             "its words 'all the same' replace the value 0"),)),
    Claim("fig7-proposed-best", "Fig. 7, Sec. V",
          "The proposed scheme performs best over the whole alpha range", "best everywhere",
          "min over the alpha grid of ISACNN's mean WSNR minus the best baseline's, one value per seed",
          band=(-1e-3, None), unit="min over alpha of ISACNN minus the best baseline (WSNR)",
          quote="the proposed DL-based scheme always performs best in the whole region of α",
          paper="B", book_band="'performs best' read as never below the best baseline by more than "
          "0.001 WSNR (ties within round-off of a trained network)", n=_SEEDS, artefact=_NETS),
    Claim("ours-isacnn-gap", "beyond the paper (exact solver)",
          "ISACNN's mean optimality gap against the certified optimum of (28) is below 0.01", "n/a",
          "mean over the alpha grid and the test channels of the certified optimum minus ISACNN's WSNR, "
          "one value per seed", band=(None, 0.01), unit="WSNR, mean over alpha",
          book_band="the book's own target (the paper has no optimum to compare with): within 1 % "
          "of the normalised WSNR scale", n=_SEEDS, artefact=_NETS),
    Claim("fig7-average-zfbf-crossing", "Fig. 7, Sec. V",
          "Average is worse than ZFBF at low and better at high sensing weight",
          "worse at low, better at high sensing weight",
          "two parts, each the weakest paired Average - ZFBF WSNR difference over its region: "
          "below 0 for every alpha in [0, 0.1], above 0 for every alpha in [0.6, 1)",
          quote="the performance of the Average scheme is worse than that of the ZFBF scheme at low "
          "sensing weight region but better than the ZFBF scheme at high sensing weight region",
          paper="B", book_band="the paper names no regions for this sentence; its next sentence names "
          "[0, 0.1] and [0.6, 1] as the low and high regions, used here (alpha = 1 left out: there the "
          "paper has ZFBF equal to the optimum); reproduced when both parts hold",
          n=_CHAN.replace("100 per point", "300"), artefact="live",
          earlier=(Amendment(band=(0.06, 0.16), value=0.11, statistic="alpha of the first Average/ZFBF "
                             "crossing (bootstrap over the test channels)",
                             reason="0.11 was the book's own earlier crossing, not a number of the paper; "
                             "the claim is now the paper's two-part sentence, merged with "
                             "fig7-average-better-high-alpha (band [0, inf] on the weakest Average - "
                             "ZFBF over 0.5 <= alpha < 1), whose id is withdrawn"),)),
    Claim("fig8-sr-up-snrs", "Fig. 8, Sec. V", "SR rises with SNR_s (exact optimum, default SNR_c)",
          "SR up", "weakest paired step of the exact optimum's mean SR between adjacent SNR_s",
          band=(0.0, None), unit="weakest SR step [bit/s/Hz]", quote=_Q_SNRS, paper="B", n=_CHAN),
    Claim("fig8-cr-down-snrs", "Fig. 8, Sec. V", "CR falls as SNR_s rises (exact optimum, default SNR_c)",
          "CR down", "weakest paired drop of the exact optimum's mean CR between adjacent SNR_s",
          band=(0.0, None), unit="weakest CR drop [bit/s/Hz]", quote=_Q_SNRS, paper="B", n=_CHAN),
    Claim("fig8-cr-up-snrc", "Fig. 8, Sec. V", "CR rises with SNR_c (exact optimum, default SNR_s)",
          "CR up", "weakest paired step of the exact optimum's mean CR between adjacent SNR_c",
          band=(0.0, None), unit="weakest CR step [bit/s/Hz]", quote=_Q_SNRC, paper="B", n=_CHAN),
    Claim("fig8-sr-down-snrc", "Fig. 8, Sec. V", "SR falls as SNR_c rises (exact optimum, default SNR_s)",
          "SR down", "weakest paired drop of the exact optimum's mean SR between adjacent SNR_c",
          band=(0.0, None), unit="weakest SR drop [bit/s/Hz]", quote=_Q_SNRC, paper="B", n=_CHAN),
    Claim("fig9-users", "Fig. 9, Sec. V", "With more users SR and CR fall and the sum CR rises",
          "SR down, CR down, SCR up", "three trends in K per array size, each by its weakest paired "
          "step (95 % interval on the expected side of 0); reproduced when all hold",
          quote="It is observed that the sum of communication rate (SCR) increases while the sensing "
          "rate and the communication rate both decrease with the increase of number of CUs.",
          paper="B", n=_CHAN),
    Claim("fig9-antenna-gain", "Fig. 9, Sec. V", "More antennas raise SR and CR", "gain",
          "weakest gain per added antenna of the exact optimum's mean SR and CR (independent draws per "
          "array size)", band=(0.0, None), unit="weakest gain per antenna [bit/s/Hz]",
          quote="as the number of BS antennas increases, the sensing rate and the communication rate "
          "both increase substantially", paper="B", n=_CHAN),
    Claim("fig9-diminishing", "Fig. 9, Sec. V", "The gain per added antenna diminishes",
          "diminishing returns", "decrease of the gain per antenna between adjacent array-size steps, "
          "for SR and for CR (weakest step each); reproduced when both hold",
          quote="Increasing the number of base station antennas improves performance, although there "
          "are diminishing returns.", paper="B", n=_CHAN),
    Claim("fig10-fewusers", "Fig. 10(a), Sec. V",
          "For few users the WSNR increases slowly with alpha above 0.4 (book's sigma_t scale)",
          "increases", "slope 2 [WSNR(1) - WSNR(0.5)] of the exact optimum for the fewest users, "
          "per channel draw", band=(0.0, None), unit="WSNR slope on [0.5, 1]", quote=_Q_FIG10,
          paper="B", n=_CHAN),
    Claim("fig10-pattern", "Fig. 10(a), Sec. V",
          "Above alpha = 0.4 the WSNR rises for few users and falls for more, faster with more users",
          "K=3 up; K=5, 7 down, faster with K", "signs of the per-K slopes on [0.5, 1] and their paired "
          "differences (book's sigma_t scale; the other scales shown beside)", quote=_Q_FIG10,
          paper="B", n=_CHAN),
    Claim("fig10-alpha-impact", "Fig. 10(b), Sec. V",
          "alpha moves SR and CR more on [0, 0.5] than on [0.5, 1]", "strong then weak",
          "weakest paired |change on [0, 0.5]| - |change on [0.5, 1]| over SR, CR and K",
          band=(0.0, None), unit="weakest |change on [0,0.5]| - |change on [0.5,1]| [bit/s/Hz]",
          quote="on the sensing rate and communication rate at the region of [0, 0.5], but a small "
          "impact at the region of [0.5, 1]", paper="B", n=_CHAN),
    Claim("fig11-csi-loss", "Fig. 11, Sec. V",
          "The loss caused by imperfect CSI is almost negligible (beams from the estimated channel)",
          "almost negligible", "WSNR lost against perfect CSI with beams (32) from the estimated "
          "channel, mean over Nr and beta < 1, one value per seed", band=(None, 0.02),
          unit="WSNR loss, mean over Nr and beta < 1",
          quote="it is seen that the performance loss caused by channel estimation error almost can be "
          "ignored", paper="B", book_band="'almost can be ignored' read as a loss below 0.02 WSNR (2 % "
          "of the normalised scale)", n=_SEEDS, artefact=_NETS),
    Claim("fig11-csi-shrinks", "Fig. 11, Sec. V",
          "The imperfect-CSI loss shrinks as Nr grows (beams from the estimated channel)", "shrinks",
          "loss at the smallest Nr minus at the largest, mean over beta < 1, one value per seed",
          band=(0.0, None), unit="loss at the smallest minus at the largest Nr",
          quote="it is found that the performance gap decreases as the number of BS receive antennas "
          "increases", paper="B", n=_SEEDS, artefact=_NETS),
    Claim("sec5-traditional-slower", "Sec. V",
          "The Traditional scheme costs much more computation than ISACNN (single-sample calls)",
          "significantly higher complexity",
          "CPU-time ratio Traditional / ISACNN per sample, one sample per call, each to its own "
          "stopping rule (set-up and recovery (31)-(32) included), median over interleaved repetitions "
          "with a bootstrap interval", band=(3.0, None), unit="CPU-time ratio (median)",
          quote=_Q_TRAD, paper="B", book_band=_TIMES3, n="timing repetitions in one run (7 in the book "
          "profile)", timing=True,
          earlier=(Amendment(band=(3.0, None), statistic=_WALL,
                             reason="wall time on a loaded machine favours the short call: now CPU "
                             "time; the Table I claims tab1-runtime and tab1-runtime-batched (ISACNN's "
                             "absolute time against a band around the paper's 0.2504 ms) are withdrawn: "
                             "a time on the paper's own hardware is context, shown beside ours"),)),
    Claim("sec5-traditional-slower-batched", "Sec. V",
          "The Traditional scheme costs much more computation than ISACNN (batched calls)",
          "significantly higher complexity",
          "CPU-time ratio Traditional / ISACNN per sample, batched calls, each to its own stopping "
          "rule (set-up and recovery (31)-(32) included), median over interleaved repetitions with a "
          "bootstrap interval", band=(3.0, None), unit="CPU-time ratio (median)",
          quote=_Q_TRAD, paper="B", book_band=_TIMES3, n="timing repetitions in one run (7 in the book "
          "profile)", timing=True),
)


# ============================================================================ what a run needs

def _models(folder=None):
    from pathlib import Path
    from ..book.ledger import repo_root
    return Path(folder) if folder is not None else repo_root() / "models" / "paperB_uplink"


def _record(folder, profile: str):
    import json
    try:
        return json.loads((folder / f"{profile}_record.json").read_text())
    except (OSError, ValueError):
        return None


def _net_jobs(rec) -> list:
    return [(n, float(v["seconds"]) if "seconds" in v else None) for n, v in (rec or {}).get("nets", {}).items()]


def plan(P, folder=None):
    """What this run loads and what it trains (:func:`risisac.book.rerun.decide`).

    ``train_now``: every network is trained in the run (asked for). Else the networks of
    ``models/paperB_uplink/<profile>_record.json`` must have been trained with this run's training
    parameters: a missing record, or one of other parameters (another seed, other sizes), is a
    need that only ``live = True`` trains in the notebook; the stop message names the record, the
    command (``make train`` for a profile's own parameters) and the recorded training time."""
    import json
    from ..book import rerun
    from . import train as T
    folder = _models(folder)
    f = f"models/paperB_uplink/{P.profile}_record.json"
    if P.train_now:
        return rerun.decide("paperB_uplink", P, stored_text="networks: trained in this run (train_now = True)")
    rec = _record(folder, P.profile)
    want = json.loads(json.dumps(T.train_config(P)))
    mine = json.loads(json.dumps(T.train_config(resolve(None, profile=P.profile))))
    command = rerun.artefact_command("paperB_uplink", P.profile) if want == mine else None
    book = _record(folder, "book")
    if rec is None:
        need = rerun.Need(f"the Paper B networks of the {P.profile!r} profile", f"{f} does not exist",
                          [("training", None)], command=command, train=True,
                          basis=(f"the book profile's {len(_net_jobs(book))} networks took "
                                 f"{rerun.duration(book['seconds_total'])} on one core (book_record.json)"
                                 if book and "seconds_total" in book else ""))
        return rerun.decide("paperB_uplink", P, [need])
    have = rec.get("config") or {}
    diff = [k for k in want if have.get(k) != want[k]]
    if diff:
        need = rerun.Need("the Paper B networks for these parameters",
                          f"{f} was trained with " + rerun.differ_text(have, {k: want[k] for k in diff})
                          .replace("stored for ", ""), _net_jobs(rec), command=command, train=True,
                          basis=f"{P.profile}_record.json, at its own parameters")
        return rerun.decide("paperB_uplink", P, [need])
    return rerun.decide("paperB_uplink", P, stored_text=f"networks: loaded from models/paperB_uplink/{P.profile}_*.pt")


def rebuild(folder=None) -> list:
    """``(what, command, expected time)`` of every stored artefact of the chapter (the box)."""
    from ..book.rerun import artefact_command, jobs_time
    folder = _models(folder)
    out = []
    for prof in ("book", "paper"):
        rec = _record(folder, prof)
        if rec is not None:
            out.append((f"the {len(rec['nets'])} networks of the {prof} profile ({prof}_rep*.pt)",
                        artefact_command("paperB_uplink", prof),
                        jobs_time(_net_jobs(rec), f"{prof}_record.json", names=False)))
    return out


def paper_time(folder=None) -> str:
    """The paper profile's networks: stored or not, and their training time if measured."""
    from ..book.rerun import artefact_command
    folder = _models(folder)
    if _record(folder, "paper") is not None:
        return "its networks are stored (paper_record.json); its run time is not measured"
    return (f"its networks are not stored (it stops unless -p live True; "
            f"{artefact_command('paperB_uplink', 'paper')} makes them); their training time is not measured")


def rerun_box(P):
    """The "Re-run this chapter" box: command, profiles with their times, rebuild commands."""
    return P.rerun_box(paper=paper_time(), rebuild=rebuild(), show_params=False,
                       example="-p seed 8 -p live True")     # another seed retrains the networks
