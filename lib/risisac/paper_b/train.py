"""Training job of the Paper B chapter: ``make train CHAPTER=paperB_uplink PROFILE=<p>``.

Trains every network the chapter ``paperB_uplink`` evaluates, with the chapter's own
parameters (:mod:`risisac.paper_b.spec`, profile ``<p>``) and its own seeded draws
(:func:`risisac.paper_b.data.draw`), and writes, under ``out`` (default ``models/paperB_uplink/``):

* ``<profile>_rep<r>.pt``: the float32 parameters (``state_dict``) of every network of
  repetition ``r`` (``torch.save`` of ``{name: state_dict}``);
* ``<profile>_record.json``: the training record: commit, torch version, threads, the
  training parameters, and per network its kind, sizes, seeds (stream names), epochs run,
  best validation loss, last training loss, seconds, and for the Fig. 6 networks the whole
  loss history (the chapter plots it and measures its oscillation).

Networks per repetition ``r = 0 .. n_seeds-1`` (each repetition has its own training and
validation draws, initialisation and shuffling):

* ``fig6-<kind>-<n>-<r>``: ISACNN and FC-NN on the first ``n`` samples, ``n`` in ``n_train``;
  the ISACNN on ``max(n_train)`` samples is the default network of repetition ``r``;
* ``fig7-<alpha>-<r>``: one ISACNN per other sensing weight, warm-started from the default
  network (``n_ft`` samples, up to ``ft_epochs`` epochs);
* ``fig11-<Nr>-<beta>-<r>``: one ISACNN per receive-array size and CSI accuracy, trained on
  estimated CSI with the loss on the true channel;
* repetition 0 only: ``l2`` (the paper's 2-norm Lambda layer, warm-started) and ``fig8``
  (one network for the whole SNR mix of Fig. 8, warm-started).

Profiles are the chapter's (``smoke``: tiny and quick, exercised by CI and the tests;
``book``: the chapter's default; ``paper``: the paper's sample counts and epochs, hours).
The chapter loads these files (:func:`ensure`) through :mod:`risisac.book.artefacts`: a
missing, damaged or hash-mismatched file, or a record trained with other parameters, stops
the chapter with the file's name and the command that regenerates it. Networks are trained
in the chapter only where its parameter ``train_now`` asks for it (the ``smoke`` profile
does).
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from ..book import artefacts
from ..book.ledger import digests, git_commit
from ..book.rng import make_rng
from . import isacnn as NN
from . import model as U
from . import spec
from .data import draw

#: the resolved parameters that determine the trained networks (a stored record is used only
#: when all of them match the chapter's)
TRAIN_KEYS = ("seed", "Nt", "Nr", "K", "L", "d0", "d_max", "snr_s_db", "snr_c_db", "alpha",
              "n_seeds", "n_train", "n_val", "epochs", "n_ft", "ft_epochs", "alphas",
              "snr_s_list", "snr_c_list", "n_mix", "Nr_list11", "betas", "n_train11", "epochs11")

ROOT = Path(__file__).resolve().parents[3]
MODELS = ROOT / "models" / "paperB_uplink"


def train_config(P) -> dict:
    """The training-relevant parameters of ``P`` (JSON-ready)."""
    d = P.as_dict()
    return {k: d[k] for k in TRAIN_KEYS}


def csi_sets(P, nr: int, beta: float, r: int):
    """Fig. 11 training data of repetition ``r``: ``(train_true, train_est, val_true, val_est)``
    (:func:`risisac.paper_b.model.imperfect_csi` on the repetition's own draws)."""
    tr0 = draw(P, "fig11-train", P.n_train11, Nr=nr, rep=r)
    va0 = draw(P, "fig11-val", P.n_val, Nr=nr, rep=r)
    rng = make_rng(P.seed, "csi", nr, beta, r)
    (tr_t, tr_e), (va_t, va_e) = (U.imperfect_csi(rng, b, beta) for b in (tr0, va0))
    return tr_t, tr_e, va_t, va_e


def csi_test(P, nr: int, beta: float):
    """Fig. 11 test set at ``Nr = nr``: ``(true, estimated)``; the true channels are the same for
    every ``beta`` (so losses against ``beta = 1`` are paired) and every repetition."""
    te0 = draw(P, "fig11-test", P.n_sweep, Nr=nr)
    return U.imperfect_csi(make_rng(P.seed, "csi-test", nr, beta), te0, beta, true_given=True)


def fig8_sets(P):
    """Fig. 8 training and validation mix over every (SNR_s, SNR_c) pair."""
    pairs = [(s, c) for s in P.snr_s_list for c in P.snr_c_list]
    mix = U.concat_batches([draw(P, "mix", -(-P.n_mix // len(pairs)), snr_s_db=s, snr_c_db=c)
                            for s, c in pairs])
    mixv = U.concat_batches([draw(P, "mixval", -(-P.n_val // len(pairs)), snr_s_db=s, snr_c_db=c)
                             for s, c in pairs])
    return mix, mixv


def default_name(P, r: int) -> str:
    """Name of repetition ``r``'s default network (ISACNN, largest training set, ``alpha``)."""
    return f"fig6-isacnn-{max(P.n_train)}-{r}"


def _fit_one(rec: dict, states: dict, kind: str, tr, va, alpha: float, *, P, name: str, epochs: int,
             init=None, keep_history=False, **kw):
    t0 = time.perf_counter()
    net, h = NN.fit(kind, tr, va, alpha, seed=P.seed, name=name, epochs=epochs,
                    init_state=None if init is None else states[init], **kw)
    sec = time.perf_counter() - t0
    states[name] = {k: v.detach().clone() for k, v in net.state_dict().items()}
    info = dict(kind=kind, n_in=int(2 * tr.Nr * tr.K + tr.Nt),
                Nt=tr.Nt, Nr=tr.Nr, K=tr.K, norm=kw.get("norm", "l1"), alpha=alpha,
                n_train=tr.B, n_val=va.B, epochs_max=epochs, epochs_run=h["epochs"],
                warm_start=init, best_val=float(min(h["val"])), last_train=float(h["train"][-1]),
                seconds=round(sec, 3),
                params=int(sum(v.numel() for v in net.state_dict().values() if v.is_floating_point())))
    if keep_history:
        info["history"] = {"train": [float(v) for v in h["train"]], "val": [float(v) for v in h["val"]]}
    rec["nets"][name] = info
    return net


def train_all(P, out: Path, tag: str | None = None, progress=None, check_clean: bool = False,
              checkpoint=None) -> dict:
    """Train every network of the chapter at the parameters ``P`` and write them under ``out``
    (files ``<tag>_rep<r>.pt`` and ``<tag>_record.json``, ``tag`` defaults to the profile).
    The record carries the job's provenance (:mod:`risisac.book.provenance`); ``check_clean``
    refuses a dirty tree (the stored networks: :func:`main`). Returns the record.

    ``checkpoint`` (a path; :func:`main` uses ``<out>/<tag>.ckpt``): the networks trained so far
    and their record entries are saved there after a network when 10 minutes (or
    ``$RISISAC_CHECKPOINT_S``) have passed since the last save, and at the end of each
    repetition; rerun after an interruption, the job resumes after the last saved network and
    deletes the file at the end. Every network seeds its own initialisation and shuffling
    (``seed_torch``/``torch_generator`` of its name) and draws its data by name, so the networks
    trained after a resume are those of an uninterrupted run. (A single network, seconds to a
    few minutes, is not checkpointed within its epochs.)"""
    import torch
    from ..book import provenance
    source = provenance.check_clean() if check_clean else provenance.source_state()
    clock = provenance.Clock()
    torch.set_num_threads(1)
    tag = tag or P.profile
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()
    rec = dict(chapter="paperB_uplink", profile=P.profile, commit=git_commit(), torch=torch.__version__,
               numpy=np.__version__, threads=torch.get_num_threads(), machine=platform.machine(),
               python=platform.python_version(), config=train_config(P),
               seeds=dict(master=P.seed, note="every stream is make_rng/seed_torch(master, name, ...); "
                          "network init: seed_torch(master, 'init', net name); shuffling: "
                          "torch_generator(master, 'shuffle', net name); data: draw(P, stream name, rep=r)"),
               declarations=digests(spec.CLAIMS), nets={}, files={}, sha256={})
    ck, saved, done = None, None, {}
    if checkpoint is not None:
        from ..book.checkpoint import Checkpoint
        ck = Checkpoint(checkpoint, remove_when_done=True)
        saved = ck.resume(dict(config=train_config(P), tag=tag))
        if saved is not None:
            for k in ("nets", "files", "sha256"):
                rec[k] = saved[k]
            done = dict(saved["done"])
    reps = range(P.n_seeds)
    it = reps if progress is None else progress(reps, desc="retrainings")
    for r in it:
        # a repetition finished before the interruption: every network is skipped and its file
        # written again (Snakemake deletes the outputs of an interrupted job)
        states: dict = {}
        if saved is not None:
            states = dict(done[r]) if r < saved["r"] else dict(saved["states"]) if r == saved["r"] else {}

        def _fit(rec_, states_, kind, tr, va, alpha, *, name, **kw):
            if name in states_:                        # trained before the interruption
                return
            _fit_one(rec_, states_, kind, tr, va, alpha, name=name, **kw)
            if ck is not None and ck.due():
                ck.save(dict(r=r, states=states_, done=done, nets=rec_["nets"], files=rec_["files"],
                             sha256=rec_["sha256"]), dict(repetition=r, networks=len(states_)))

        pool, val = draw(P, "train", max(P.n_train), rep=r), draw(P, "val", P.n_val, rep=r)
        for n in P.n_train:
            for kind in ("isacnn", "fcnn"):
                _fit(rec, states, kind, pool.subset(np.arange(n)), val, P.alpha, P=P,
                     name=f"fig6-{kind}-{n}-{r}", epochs=P.epochs, keep_history=True)
        d0 = default_name(P, r)
        for a in P.alphas:
            if a != P.alpha:
                _fit(rec, states, "isacnn", pool.subset(np.arange(P.n_ft)), val, a, P=P,
                     name=f"fig7-{a}-{r}", epochs=P.ft_epochs, init=d0)
        if r == 0:
            _fit(rec, states, "isacnn", pool.subset(np.arange(P.n_ft)), val, P.alpha, P=P, name="l2",
                 epochs=P.ft_epochs, init=d0, norm="l2")
            mix, mixv = fig8_sets(P)
            _fit(rec, states, "isacnn", mix, mixv, P.alpha, P=P, name="fig8", epochs=P.ft_epochs, init=d0)
        for nr in P.Nr_list11:
            for beta in P.betas:
                tr_t, tr_e, va_t, va_e = csi_sets(P, nr, beta, r)
                _fit(rec, states, "isacnn", tr_e, va_e, P.alpha, P=P, name=f"fig11-{nr}-{beta}-{r}",
                     epochs=P.epochs11, train_true=tr_t, val_true=va_t)
        fname = f"{tag}_rep{r}.pt"
        torch.save(states, out / fname)
        for name in states:
            rec["nets"][name]["file"] = fname
        rec["files"][fname] = (out / fname).stat().st_size
        rec["sha256"][fname] = artefacts.sha256(out / fname)
        if ck is not None:
            done[r] = states
            ck.save(dict(r=r + 1, states={}, done=done, nets=rec["nets"], files=rec["files"], sha256=rec["sha256"]),
                    dict(repetition=r + 1, networks=0))
    rec["seconds_total"] = round(time.perf_counter() - t_all if ck is None else ck.elapsed(), 1)
    rec["provenance"] = provenance.record("paperB_uplink", f"paper_b.train {tag}", train_config(P), clock=clock,
                                          claims=spec.CLAIMS, source=source)
    (out / f"{tag}_record.json").write_text(json.dumps(rec, indent=1) + "\n")
    if ck is not None:
        ck.remove()
    return rec


class Networks:
    """Trained networks of one record: ``nets[name]`` is the model (eval mode, float32)."""

    def __init__(self, folder: Path, record: dict, trained_now: bool):
        self.folder, self.record, self.trained_now = Path(folder), record, trained_now
        self._cache: dict = {}

    def __getitem__(self, name: str):
        import torch
        info = self.record["nets"].get(name)
        if info is None:
            raise KeyError(f"network {name!r} is not in the record {self.folder} (profile "
                           f"{self.record['profile']!r})")
        f = info["file"]
        if f not in self._cache:
            self._cache[f] = artefacts.load_torch(
                self.folder / f, f"the trained Paper B networks of {self.record['profile']!r}, "
                f"file {f}", restore_command(self.record["profile"]),
                sha=(self.record.get("sha256") or {}).get(f))
        net = NN.make(info["kind"], info["n_in"], info["Nt"], info["norm"])
        net.load_state_dict(self._cache[f][name])
        net.eval()
        return net

    def history(self, name: str) -> dict:
        return self.record["nets"][name]["history"]

    def info(self, name: str) -> dict:
        return self.record["nets"][name]


def restore_command(profile: str) -> str:
    """The command that regenerates the stored networks of ``profile``."""
    return f"make train CHAPTER=paperB_uplink PROFILE={profile}"


def load(folder: Path, tag: str) -> Networks:
    """The stored networks ``<tag>_record.json`` / ``<tag>_rep<r>.pt`` under ``folder``."""
    rec = artefacts.load_json(Path(folder) / f"{tag}_record.json",
                              "training record of the Paper B networks", restore_command(tag))
    return Networks(folder, rec, trained_now=False)


def ensure(P, folder: Path | None = None, progress=None, train_now: bool = False) -> Networks:
    """The chapter's networks at ``P``.

    ``train_now=False``: loaded from ``folder`` (default ``models/paperB_uplink``), whose
    ``<profile>_record.json`` must have been trained with the same training parameters; a
    missing or damaged record or network file, or a record trained with other parameters,
    raises :class:`risisac.book.artefacts.ArtefactError` naming the file and the command that
    regenerates it (nothing is retrained silently). ``train_now=True``: trained now, with the
    same code, into a temporary folder (the ``smoke`` profile; any parameter set on request)."""
    if train_now:
        tmp = Path(tempfile.mkdtemp(prefix="paperB_nets_"))
        rec = train_all(P, tmp, tag=P.profile, progress=progress)
        return Networks(tmp, rec, trained_now=True)
    folder = Path(folder) if folder is not None else MODELS
    nets = load(folder, P.profile)
    want = json.loads(json.dumps(train_config(P)))
    have = nets.record.get("config") or {}
    diff = [k for k in want if have.get(k) != want[k]]
    if diff:
        rec_path = folder / f"{P.profile}_record.json"
        raise artefacts.ArtefactError(
            f"{artefacts._short(rec_path)} (training record of the Paper B networks) was trained with "
            f"other parameters than this run's (differ: {', '.join(diff)}). Train the networks for "
            "these parameters in the chapter with `-p train_now True`, or regenerate the stored "
            f"ones for a profile's own parameters with `{restore_command(P.profile)}`.")
    for f in nets.record.get("files", {}):   # every network file present and intact, at once
        artefacts.require(folder / f, f"the trained Paper B networks of {P.profile!r}, file {f}",
                          restore_command(P.profile), sha=(nets.record.get("sha256") or {}).get(f))
    return nets


def main(profile: str, out: Path) -> dict:
    """``make train CHAPTER=paperB_uplink PROFILE=<profile>``: train and write under ``out``."""
    if profile not in spec.SPEC.profiles:
        raise ValueError(f"paper_b.train: profile = {profile!r} is invalid: allowed values are "
                         + ", ".join(map(repr, spec.SPEC.profiles)))
    P = spec.resolve(None, profile=profile)
    from ..book.progress import progress
    rec = train_all(P, Path(out), tag=profile, progress=progress, check_clean=True,
                    checkpoint=Path(out) / f"{profile}.ckpt")
    print(f"paperB_uplink [{profile}]: {len(rec['nets'])} networks in {rec['seconds_total']:.0f} s, "
          f"files {sum(rec['files'].values()) / 1e6:.2f} MB -> {out}")
    return rec


if __name__ == "__main__":  # pragma: no cover
    import sys
    main(sys.argv[1], Path(sys.argv[2]))
