"""Evaluation job of the Paper A DoA chapter: the stored networks and the baselines on the test
channels of every figure point, per instance (``python -m risisac.paper_a.eval_doa [part] [--out DIR]``).

Why a job: the unfolded network's forward is chaotic in round-off (a feasibility decision at
the CI boundary flips, a CRB of a badly conditioned design moves by orders of magnitude), so
the same networks on the same channels give other digits on another CPU or under the
round-off perturbation of ``make test``. The chapter's statistics and verdicts are therefore
computed from the per-instance results stored here, and the chapter re-computes a slice live
and checks it against them with a tolerance on robust quantities (:func:`live_slice`).

Parts (each writes ``eval_<part>.json`` under ``out``; ``all`` runs the three):

* ``fig8``  Fig. 8: every network of every seed (proposed, random RIS, radar-only, unsupervised)
  at every power of ``GRID["P_list_dbw"]``, plus the transfer test (networks trained with K and
  with K* run for K* users) at the nominal power.
* ``fig9``  Fig. 9 (left) and Fig. 10: the per-Gamma networks, the unsupervised networks and the
  radar-only networks (run once, checked against each Gamma) at ``P_fig9_dbw``; SER per instance.
* ``conv``  Fig. 9 (right): PHR, ALM and the untrained PHR architecture, CRB after each layer.

Each evaluation record holds, per test instance: the raw CRB [rad^2] (``crb``), the CRB after
the repair of the shared feasibility policy (``crb_rep``; equal to ``crb`` where no repair
applies), the raw worst CI violation ``max g / gamma`` (``viol``), raw feasibility (``ok``,
``viol <= FEAS_TOL``), where the repair fell back to the start point (``fallback``), and, where
used, the CRB after each layer (``trace``, column 0 the start) and the SER (``ser``).

Test channels: ``make_rng(seed, "test")`` (K users) and ``make_rng(seed, "test-K*")`` (K*), drawn
as ``n_test`` channels; random RIS: ``make_rng(seed, "rand-test")``; SER noise:
``make_rng(seed, "ser", scheme, network seed, Gamma)``; untrained networks: ``seed_torch(seed,
"untrained", s)``. These are the streams the chapter used when it evaluated live, so a re-run of
this job on the recording machine reproduces the chapter's former numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch

from .. import comms
from ..book.artefacts import ArtefactError, load_json
from ..book.ledger import digests, git_commit, round_sig
from ..book.rng import make_rng, seed_torch
from . import model as sm
from . import train_doa as td
from .crb import channels_from_batch, crb
from .doa_net import feasible_mask, make_net, repair, run_doa, start_for
from .unsupervised import UnsupervisedNet, run_unsupervised

#: the evaluation grid of the stored files (the chapter's book profile uses these values; with
#: any other value, or in smoke, the chapter evaluates live)
GRID = dict(seed=7, n_test=16, P_list_dbw=[10.0, 20.0, 30.0], n_noise=200)
PARTS = ("fig8", "fig9", "conv")
#: Fig. 8 schemes: label -> network kind
SCHEMES8 = {"Prop., w/ RIS": "phr", "Unsuper., w/ RIS": "unsup", "Prop., rand. RIS": "rand", "Radar-only": "radar"}


def record_sha(folder, profile: str = "book") -> str:
    """Short hash of the training record (ties stored evaluations to the networks they ran)."""
    return hashlib.sha256((Path(folder) / td.files(profile)[1]).read_bytes()).hexdigest()[:12]


def evaluate(net, b, start, mode="ris", qos=True, trace=False, fix=True):
    """Run ``net`` (unfolded or unsupervised) on batch ``b`` from ``start``; per-instance record
    (see the module docstring). ``fix``: apply the repair (the network's own numbers stay raw)."""
    if isinstance(net, UnsupervisedNet):
        o = run_unsupervised(net, b)
    else:
        o = run_doa(net, b, mode=mode, qos=qos, start=start, trace=trace)
    viol = (sm.ci_values(b, o["X"], o["phi"]) / b.gamma).amax((1, 2))
    ok = feasible_mask(b, o["X"], o["phi"])
    crb_rep, fallback = o["crb"], torch.zeros_like(ok)
    if qos and fix and not bool(ok.all()):
        Xr, pr_, _, fallback = repair(b, o["X"], o["phi"], *start)
        crb_rep = crb(channels_from_batch(b), Xr, pr_)
    rec = dict(crb=round_sig(o["crb"]), crb_rep=round_sig(crb_rep), viol=round_sig(viol), ok=round_sig(ok), fallback=round_sig(fallback))
    if trace and o.get("trace") is not None:
        rec["trace"] = round_sig(o["trace"])
    return rec, o


class Setup:
    """Networks, record and test batches shared by the parts (as the chapter builds them)."""

    def __init__(self, folder, g=GRID, rec=None, nets=None):
        self.folder = Path(folder)
        self.g = g
        self.rec = rec or td.load_record(self.folder)
        self.S = S = self.rec["sizes"]
        self.nets = nets or {n: td.load_net(self.folder / r["file"]) for n, r in self.rec["nets"].items()}
        self.cfg = td.config(S)
        self.b_test = sm.sample_batch(self.cfg, g["n_test"], make_rng(g["seed"], "test"))
        self.b2_test = sm.sample_batch(td.config(S, K=S["K_transfer"]), g["n_test"], make_rng(g["seed"], "test-K*"))
        self.seeds = sorted({r["s"] for r in self.rec["nets"].values() if r["kind"] == "phr"})
        self.seeds9 = sorted({r["s"] for r in self.rec["nets"].values() if r["kind"] == "g"})
        self.has = lambda name: name in self.nets


def part_fig8(su: Setup, log=print):
    g, S = su.g, su.S
    phi_rand = sm.init_phi(su.b_test, "random", make_rng(g["seed"], "rand-test"))
    out = {"fig8": {}, "transfer": {}}
    for Pd in g["P_list_dbw"]:
        t0 = time.perf_counter()
        bp = su.b_test.with_power(Pd)
        st, st_rand = start_for(bp), start_for(bp, "rand", phi0=phi_rand)
        for k in SCHEMES8.values():
            for s in su.seeds:
                name = f"{k}-s{s}"
                if su.has(name):
                    out["fig8"].setdefault(name, {})[f"{Pd:g}"] = evaluate(
                        su.nets[name], bp, st_rand if k == "rand" else st, trace=(k == "phr"),
                        mode="rand" if k == "rand" else "ris", qos=(k != "radar"))[0]
        log(f"[eval_doa] fig8 P = {Pd:g} dBW: {time.perf_counter() - t0:.0f} s")
    st2 = start_for(su.b2_test)
    for s in su.seeds:
        for k in ("phrK", "phr", "unsupK", "unsup"):
            if su.has(f"{k}-s{s}"):
                out["transfer"][f"{k}-s{s}"] = evaluate(su.nets[f"{k}-s{s}"], su.b2_test, st2, fix=False)[0]
    return out


def part_fig9(su: Setup, log=print):
    g, S = su.g, su.S
    G9, P9 = list(S["Gamma_fig9_db"]), S["P_fig9_dbw"]
    seeds_r = [s for s in su.seeds if su.has(f"radar-s{s}")]
    b9 = su.b_test.with_power(P9)
    st9 = {G: start_for(b9.with_gamma(G)) for G in G9}
    radar9 = {s: evaluate(su.nets[f"radar-s{s}"], b9.with_gamma(G9[0]), st9[G9[0]], qos=False)
              for s in seeds_r}
    sigma = math.sqrt(su.b_test.sigma2)
    out = {"prop": {}, "unsup": {}, "radar": {}}
    for G in G9:
        t0 = time.perf_counter()
        bg = b9.with_gamma(G)
        for k, ss in (("prop", su.seeds9), ("unsup", su.seeds)):
            for s in ss:
                rec, o = evaluate(su.nets[f"g{G:g}-s{s}" if k == "prop" else f"unsup-s{s}"], bg, st9[G],
                                  fix=(k == "prop"))
                y = sm.received(bg, o["X"], o["phi"]).numpy()
                rec["ser"] = round_sig(comms.ser_per_instance(y, bg.s.numpy(), sigma, bg.order, g["n_noise"],
                                                              make_rng(g["seed"], "ser", k, s, G)))
                out[k].setdefault(f"s{s}", {})[f"{G:g}"] = rec
        for s in seeds_r:                   # the same radar-only designs, checked against this Gamma
            rec, o = radar9[s]
            ok = feasible_mask(bg, o["X"], o["phi"])
            viol = (sm.ci_values(bg, o["X"], o["phi"]) / bg.gamma).amax((1, 2))
            out["radar"].setdefault(f"s{s}", {})[f"{G:g}"] = dict(rec, ok=round_sig(ok), viol=round_sig(viol))
        log(f"[eval_doa] fig9 Gamma = {G:g} dB: {time.perf_counter() - t0:.0f} s")
    return out


def part_conv(su: Setup, log=print):
    g, S = su.g, su.S
    b_nom = su.b_test.with_power(S["P_dbw"])
    st_nom = start_for(b_nom)
    out = {}
    for s in su.seeds:
        t0 = time.perf_counter()
        out[f"phr-s{s}"] = evaluate(su.nets[f"phr-s{s}"], b_nom, st_nom, trace=True, fix=False)[0]
        out[f"alm-s{s}"] = evaluate(su.nets[f"alm-s{s}"], b_nom, st_nom, trace=True, fix=False)[0]
        seed_torch(g["seed"], "untrained", s)
        out[f"untrained-s{s}"] = evaluate(make_net("phr", S["T"], S["J"], S["R"]), b_nom, st_nom, trace=True,
                                          fix=False)[0]
        log(f"[eval_doa] conv seed {s}: {time.perf_counter() - t0:.0f} s")
    return out


RUNNERS = dict(fig8=part_fig8, fig9=part_fig9, conv=part_conv)
#: training profiles evaluated by :func:`part_scale` (``eval_<profile>.json``)
SCALE_PROFILES = ("mid", "midtau", "paper", "papertau")


def part_scale(folder, profile: str, names=None, g=GRID, log=print) -> dict:
    """The networks of a scale profile (``mid``, ``midtau``: seed ensembles, ``paper``, ``papertau``:
    the paper's depth) on the conv part's test channels: PHR and ALM at the nominal point, CRB after each layer,
    raw and repaired, plus the untrained PHR architecture of the same sizes and step scale ``tau0``
    (one per seed, ``seed_torch(seed, "untrained", profile, s)``); PHR, radar-only and random-RIS
    networks at every power of ``P_list_dbw`` (keys ``<name>@P<P>``, the starts and random RIS of
    :func:`part_fig8`); per-Gamma networks ``g<G>-s<s>`` at ``P_fig9_dbw`` and their Gamma with the
    SER (the noise streams of :func:`part_fig9`), and the radar-only designs at ``P_fig9_dbw``
    checked against each Gamma (keys ``radar-s<s>@G<G>``: crb, ok, viol; the design of
    :func:`part_fig9`, from the first Gamma's start). ``names``: these networks only (one
    network per workflow job, :func:`eval_net`)."""
    rec = td.load_record(folder, profile)
    S = rec["sizes"]
    tau0 = S.get("tau0", td.TAU0_BOOK)
    b_test = sm.sample_batch(td.config(S), g["n_test"], make_rng(g["seed"], "test"))
    b_nom = b_test.with_power(S["P_dbw"])
    st = start_for(b_nom)
    phi_rand = sm.init_phi(b_test, "random", make_rng(g["seed"], "rand-test"))
    G9 = list(S.get("Gamma_fig9_db", []))
    if G9:                                         # Fig. 9 / 10: the test channels at P_fig9, each Gamma
        b9 = {G: b_test.with_power(S["P_fig9_dbw"]).with_gamma(G) for G in G9}
        st9 = {G: start_for(b9[G]) for G in G9}
    sigma = math.sqrt(b_test.sigma2)
    out = {}
    for name, r in rec["nets"].items():
        if names is not None and name not in names:
            continue
        t0 = time.perf_counter()
        net, kind = td.load_net(Path(folder) / r["file"]), r["kind"]
        if kind in ("phr", "alm"):
            out[name] = evaluate(net, b_nom, st, trace=True)[0]
        if kind == "phr":
            seed_torch(g["seed"], "untrained", profile, r["s"])
            out[f"untrained-s{r['s']}"] = evaluate(make_net("phr", S["T"], S["J"], S["R"], tau0=tau0), b_nom, st,
                                                   trace=True)[0]
        if kind == "g":                               # a per-Gamma network at its Gamma, with the SER
            G = r["Gamma_db"]
            rec_, o = evaluate(net, b9[G], st9[G])
            y = sm.received(b9[G], o["X"], o["phi"]).numpy()
            rec_["ser"] = round_sig(comms.ser_per_instance(y, b9[G].s.numpy(), sigma, b9[G].order, g["n_noise"],
                                                           make_rng(g["seed"], "ser", "prop", r["s"], G)))
            out[name] = rec_
        if kind == "radar" and G9:                    # the radar-only design at P_fig9, checked against each Gamma
            rec_, o = evaluate(net, b9[G9[0]], st9[G9[0]], qos=False)
            for G in G9:
                out[f"{name}@G{G:g}"] = dict(
                    crb=rec_["crb"], ok=round_sig(feasible_mask(b9[G], o["X"], o["phi"])),
                    viol=round_sig((sm.ci_values(b9[G], o["X"], o["phi"]) / b9[G].gamma).amax((1, 2))))
        if kind in ("phr", "radar", "rand"):          # Fig. 8: every power, as part_fig8 runs the book's nets
            for Pd in g["P_list_dbw"]:
                bp = b_test.with_power(Pd)
                stp = start_for(bp, "rand", phi0=phi_rand) if kind == "rand" else start_for(bp)
                out[f"{name}@P{Pd:g}"] = evaluate(net, bp, stp, mode="rand" if kind == "rand" else "ris",
                                                  qos=(kind != "radar"))[0]
        log(f"[eval_doa] {profile} {name}: {time.perf_counter() - t0:.0f} s")
    return out


def write_json(path: Path, data, folder, profile: str = "book", g=GRID, seconds=None, **extra) -> Path:
    """``{"meta": ..., "data": data}`` with the grid, the training record's hash and profile, commit,
    torch version and time (the format of every ``eval_*.json``)."""
    meta = dict(grid=g, record_sha=record_sha(folder, profile), record_profile=profile, commit=git_commit(),
                torch=torch.__version__, started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                seconds=seconds, declarations=declarations_for(Path(path).name), **extra)
    Path(path).write_text(json.dumps(dict(meta=meta, data=data), separators=(",", ":")))
    return Path(path)


def declarations_for(filename: str) -> dict:
    """Digests of the chapter's claim declarations whose data ``filename`` carries (stored in its
    meta: the chapter checks them on load, so a declaration changed after its data were produced
    shows as amended)."""
    from .spec_doa import CLAIMS
    return digests(CLAIMS, [k for k, c in CLAIMS.items() if Path(c.artefact).name == filename])


def _restore(name: str) -> str:
    return f"snakemake --cores 2 models/paperA_doa/eval_{name}.json"


def net_shas(folder, profile: str, names) -> dict:
    """Short hashes of the parameter files of networks ``names`` (ties a shard to its networks)."""
    prefix = td.files(profile)[0]
    return {n: hashlib.sha256((Path(folder) / f"{prefix}{n}.pt").read_bytes()).hexdigest()[:12] for n in names}


def reference_shas(folder, profile: str, names) -> dict:
    """The hashes an evaluation of networks ``names`` is checked against: those of the network
    files in ``folder``. For a profile whose networks are not stored
    (:data:`risisac.paper_a.train_doa.NETS_NOT_STORED`), a network whose file is absent gets the
    hash its evaluation ``eval_<profile>.json`` records, provided that evaluation is tied to the
    profile's training record now in ``folder`` (its ``record_sha``) and covers every network of
    it; else no hash (the comparison then fails)."""
    folder = Path(folder)
    prefix = td.files(profile)[0]
    present = [n for n in names if (folder / f"{prefix}{n}.pt").exists()]
    if profile not in td.NETS_NOT_STORED or len(present) == len(names):
        return net_shas(folder, profile, names)
    out = net_shas(folder, profile, present)
    f = folder / f"eval_{profile}.json"
    if not f.exists() or not (folder / td.files(profile)[1]).exists():
        return out
    meta = load_json(f, f"the stored evaluation of the {profile!r} DoA networks", _restore(profile))["meta"]
    recorded = meta.get("net_sha", {})
    if meta.get("record_sha") != record_sha(folder, profile) or set(recorded) != set(td.load_record(folder, profile)["nets"]):
        return out
    return {n: out[n] if n in out else recorded[n] for n in names if n in out or n in recorded}


def entries_of(data: dict, name: str) -> dict:
    """The entries of :func:`part_scale` output that belong to network ``name`` (its own, its
    ``@`` points and, for a PHR network, the untrained architecture of its seed)."""
    seed = name.rsplit("-s", 1)[-1]
    own = lambda k: k == name or k.startswith(name + "@") or (name.startswith("phr-") and k == f"untrained-s{seed}")
    return {k: v for k, v in data.items() if own(k)}


def eval_net(folder, profile: str, name: str, path, g=GRID, log=print) -> Path:
    """One network of a scale profile through :func:`part_scale`, written to ``path`` (an input of
    :func:`merge`): ``{"meta": {name, seconds, net_sha}, "data": ...}``."""
    from ..book import provenance
    if name not in td.load_record(folder, profile)["nets"]:
        raise ValueError(f"network {name!r} is not in the {profile!r} record of {folder}")
    clock = provenance.Clock()
    data = part_scale(folder, profile, [name], g, log)
    meta = dict(name=name, profile=profile, grid=g, seconds=clock.seconds()["wall_s"],
                net_sha=net_shas(folder, profile, [name]))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(dict(meta=meta, data=data), separators=(",", ":")))
    return Path(path)


def merge(folder, profile: str, out, parts=(), g=GRID, log=print) -> Path:
    """``eval_<profile>.json`` (``out``) for every network of the profile's record: from the
    one-network evaluations ``parts`` (:func:`eval_net`), else from the evaluation already at
    ``out`` where it was computed for the same network file (its ``net_sha``), else evaluated
    here. The workflow's rule ``doa_eval_scale`` passes only the parts it re-ran."""
    from ..book import provenance
    from .spec_doa import CLAIMS
    folder, out = Path(folder), Path(out)
    source = provenance.check_clean()
    clock = provenance.Clock()
    names = list(td.load_record(folder, profile)["nets"])
    now = net_shas(folder, profile, names)
    fresh = {}
    for f in map(Path, parts):
        e = json.loads(f.read_text())
        n = e["meta"]["name"]
        if e["meta"]["grid"] != g or e["meta"]["net_sha"] != {n: now.get(n)}:
            raise ValueError(f"{f}: evaluated another file of network {n!r} or another grid")
        fresh[n] = e
    old = json.loads(out.read_text()) if out.exists() else None
    old_ok = old is not None and old["meta"]["grid"] == g
    old_sha = old["meta"].get("net_sha", {}) if old_ok else {}
    old_secs = old["meta"].get("seconds") if old_ok else None
    data, secs, kept = {}, {}, []
    for n in names:
        if n in fresh:
            data.update(fresh[n]["data"])
            secs[n] = fresh[n]["meta"]["seconds"]
        elif old_sha.get(n) == now[n]:
            data.update(entries_of(old["data"], n))
            kept.append(n)
            if isinstance(old_secs, dict) and isinstance(old_secs.get(n), (int, float)):
                secs[n] = old_secs[n]
        else:
            t0 = time.perf_counter()
            data.update(part_scale(folder, profile, [n], g, log))
            secs[n] = round(time.perf_counter() - t0, 1)
    extra = dict(net_sha=now, provenance=provenance.record("paperA_doa", f"eval_doa merge {profile}",
                                                           dict(profile=profile, grid=g), clock=clock,
                                                           source=source))
    flat = isinstance(old_secs, dict) and all(isinstance(v, (int, float)) for v in old_secs.values())
    if kept and old_secs is not None and not flat:              # run times recorded per shard of names
        extra["seconds_earlier"] = old_secs
    if old_ok and not fresh and len(kept) == len(names) and old_sha == now and old["data"] == data:
        log(f"[eval_doa] {out}: every network's evaluation is current, file kept")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_json(out, data, folder, profile, g, seconds=secs, **extra)


def load_scale(folder, profile: str, g=GRID, name: str | None = None, meta: bool = False, required: bool = False):
    """The stored :func:`part_scale` evaluation ``eval_<name or profile>.json`` of ``profile``'s
    networks; None if absent, of another grid, or stale (its ``net_sha`` differs from the network
    files now in ``folder``, or, for a profile whose networks are not stored, from the hashes its
    record-tied evaluation holds (:func:`reference_shas`): networks added to the record since do
    not make it stale).
    ``required=True`` (the book's grid): absent or stale stops with
    :class:`risisac.book.artefacts.ArtefactError` instead. A damaged file always stops.
    ``meta=True`` returns ``(data, meta)``."""
    f = Path(folder) / f"eval_{name or profile}.json"
    what = f"the stored evaluation of the {profile!r} DoA networks"
    if not f.exists() and not required:
        return None
    e = load_json(f, what, _restore(profile))
    sha = e["meta"].get("net_sha", {})
    if e["meta"]["grid"] != g or not sha or sha != reference_shas(folder, profile, list(sha)):
        if required:
            raise ArtefactError(f"{f} ({what}) was computed for other network files or another grid; "
                                f"regenerate it with `{_restore(profile)}`")
        return None
    return (e["data"], e["meta"]) if meta else e["data"]


def evaluate_all(su: Setup, log=print) -> dict:
    """Every part, in memory (the chapter's live path: smoke, or parameters off the stored grid)."""
    return {p: RUNNERS[p](su, log) for p in PARTS}


def load(folder, g=GRID, required: bool = False) -> dict | None:
    """The stored evaluation of ``folder`` if it exists for grid ``g`` and the folder's current
    training record; else None (the chapter then evaluates live). ``required=True`` (the book's
    grid): a missing or stale file stops with :class:`risisac.book.artefacts.ArtefactError`
    naming it and the command that regenerates it. A damaged file always stops."""
    folder = Path(folder)
    files = {p: folder / f"eval_{p}.json" for p in PARTS}
    if not required and not all(f.exists() for f in files.values()):
        return None
    E = {p: load_json(f, f"the stored DoA evaluation ({p})", _restore(p)) for p, f in files.items()}
    sha = record_sha(folder)
    for p, e in E.items():
        if e["meta"]["grid"] != g or e["meta"]["record_sha"] != sha:
            if required:
                raise ArtefactError(f"{files[p]} (the stored DoA evaluation ({p})) was computed for another "
                                    f"training record or grid; regenerate it with `{_restore(p)}`")
            return None
    return {p: e["data"] for p, e in E.items()}


def live_slice(su: Setup, stored_fig8: dict, n_live: int, name: str | None = None):
    """Re-run network ``name`` (default: the first proposed network) live on the first ``n_live``
    test channels of the nominal power and compare with the stored Fig. 8 record.

    Returns ``(live, stored)`` per-instance dicts (crb, ok, viol). The comparison quantities
    are robust to the forward's chaos (see the chapter): the median over the instances of the
    relative raw-CRB difference, and the number of instances whose feasibility agrees."""
    S = su.S
    name = name or f"phr-s{su.seeds[0]}"
    Pn = S["P_dbw"]
    b = su.b_test.subset(slice(0, n_live)).with_power(Pn)
    rec, _ = evaluate(su.nets[name], b, start_for(b), trace=False, fix=False)
    st = stored_fig8[name][f"{Pn:g}"]
    return rec, {k: st[k][:n_live] for k in ("crb", "ok", "viol")}


def main(part: str = "all", out: Path | str = "models/paperA_doa", nets_folder=None, g=GRID, log=print):
    """Run ``part`` (``fig8``, ``fig9``, ``conv``, ``all``, or a scale profile: every network of it
    in this process, :func:`merge`) on the networks of ``nets_folder`` (default ``out``); write
    ``eval_<part>.json`` files under ``out``; return their paths."""
    if part not in PARTS + SCALE_PROFILES + ("all",):
        raise ValueError(f"part = {part!r}: allowed values are {list(PARTS + SCALE_PROFILES) + ['all']}")
    from ..book import provenance
    torch.set_num_threads(int(os.environ.get("RISISAC_THREADS", 1)))
    torch.set_default_dtype(torch.float64)
    out = Path(out)
    folder = Path(nets_folder or out)
    if part in SCALE_PROFILES:
        return [merge(folder, part, out / f"eval_{part}.json", (), g, log)]
    source = provenance.check_clean()
    su = Setup(folder, g)
    paths = []
    for p in (PARTS if part == "all" else (part,)):
        clock = provenance.Clock()
        data = RUNNERS[p](su, log)
        f = write_json(out / f"eval_{p}.json", data, folder, su.rec["profile"], g, clock.seconds()["wall_s"],
                       provenance=provenance.record("paperA_doa", f"eval_doa {p}", dict(part=p, grid=g),
                                                    clock=clock, source=source))
        paths.append(f)
        log(f"[eval_doa] {f}: {f.stat().st_size / 1024:.0f} KiB, {clock.seconds()['wall_s']:.0f} s")
    return paths


if __name__ == "__main__":  # pragma: no cover
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a1 = sub.add_parser("part", help="fig8, fig9, conv or all (the book's networks), or a scale profile "
                                     "(every network whose stored evaluation is not current, in this process)")
    a1.add_argument("part")
    a1.add_argument("--out", default="models/paperA_doa")
    a1.add_argument("--nets", default=None, help="folder of the networks and record.json (default: --out)")
    a2 = sub.add_parser("net", help="one network of a scale profile")
    a2.add_argument("profile")
    a2.add_argument("name")
    a2.add_argument("path")
    a2.add_argument("--folder", default="models/paperA_doa")
    a3 = sub.add_parser("merge", help="eval_<profile>.json of a scale profile from one-network evaluations")
    a3.add_argument("profile")
    a3.add_argument("out")
    a3.add_argument("parts", nargs="*")
    a3.add_argument("--folder", default="models/paperA_doa")
    import sys
    argv = sys.argv[1:]
    if argv and argv[0] not in ("part", "net", "merge", "-h", "--help"):
        argv = ["part", *argv]                  # `python -m risisac.paper_a.eval_doa fig8|mid|...|all`
    a = ap.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("RISISAC_THREADS", 1)))
    torch.set_default_dtype(torch.float64)
    if a.cmd == "part":
        main(a.part, Path(a.out), a.nets)
    elif a.cmd == "net":
        eval_net(a.folder, a.profile, a.name, a.path)
    else:
        merge(a.folder, a.profile, a.out, a.parts)
