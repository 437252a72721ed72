"""Training job of the Paper A DoA chapter: ``make train CHAPTER=paperA_doa PROFILE=<p>``.

:func:`main` trains every network the chapter evaluates and writes, under ``out``
(default ``models/paperA_doa/``), one small parameter file per network and a JSON
training record ``record.json`` (commit, profile, sizes, seeds, loss after each layer
or step, wall time per network). The chapter's ``book`` profile loads them
(:func:`load_net`, :func:`load_record`).

Networks (``s`` = training seed; PHR, ALM, radar-only and random-RIS networks of the
same ``s`` see the same training channels, so their comparison is paired):

* ``phr-s``   Algorithm 2 (PHR-ALM), nominal ``P``, ``Gamma``, ``K``          (Figs. 8-10)
* ``alm-s``   the same with the plain ALM term (Sec. III)                     (Fig. 9, right)
* ``radar-s`` Algorithm 2 without the QoS constraints                         (Figs. 8, 9)
* ``rand-s``  Algorithm 2 with the RIS fixed at a random draw                 (Fig. 8)
* ``phrK-s``  Algorithm 2 trained with ``K*`` users                           (transfer test, Fig. 8)
* ``unsup-s``, ``unsupK-s``  :class:`risisac.paper_a.unsupervised.UnsupervisedNet` for ``K`` / ``K*``
* ``g<G>-s``  Algorithm 2 trained at ``P_fig9`` and ``Gamma = G`` dB            (Fig. 9, left)

Profiles: ``smoke`` (seconds, CI), ``book`` (the ensemble scale that fits the
a 2-core machine: the paper's system size ``N = 64``, ``L = 20``, a shallower
network and a smaller training set; the record states the time per network), ``mid``
(PHR, ALM, radar-only and random-RIS networks, 8 seeds each, at the paper's inner sizes
``J = R = 10`` and twice the book's depth, ``T = 12``, on 200 channels, 3 Adam steps of
mini-batches of 50 per layer: the largest seed ensemble that fitted one 10-minute run of 16
single-thread processes, run twice) and
``paper`` (PHR and ALM, one seed each, at the paper's ``T = 60, J = 10, R = 10, B = 800``,
5 Adam steps of mini-batches of 50 per layer -- the paper gives neither the number of
steps nor the batch; one Adam step costs about 5.5 s on one core, so 15 steps per layer
would take about 2 h per network). ``midtau`` and ``papertau`` are ``mid`` and ``paper`` with
the step-budget rule :func:`tau0_for` (``midtau`` adds per-Gamma networks; ``papertau`` is the
PHR network only). ``mid`` and ``paper`` write ``<profile>-<name>.pt``
and ``<profile>_record.json`` beside the book's files.

Each network is one job (:func:`train_net`, one output file of the workflow's rule
``doa_net``): its file carries the network's training record (job, sizes, losses, time and
:mod:`risisac.book.provenance`), and :func:`write_record` (the rule ``doa_record``) gathers the
networks' records into ``<profile>_record.json``. What is stale and what runs in parallel is the
workflow's business (``workflow/rules/paperA_doa.smk``); :func:`main` trains every network of a
profile in this process (the tests, the chapter's ``train_now`` path).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from ..book import provenance
from . import model as sm
from .detection_net import start_point
from .crb import channels_from_batch, crb
from .doa_net import make_net, train_doa
from .unsupervised import UnsupervisedNet, train_unsupervised

PROFILES = {
    "smoke": dict(seed=7, M=4, N=8, K=2, K_transfer=1, L=4, T=2, J=1, R=2, n_train=8, epochs=2, lr=0.02,
                  seeds=2, P_dbw=20.0, Gamma_db=10.0, P_fig9_dbw=10.0, Gamma_fig9_db=[0.0, 20.0],
                  seeds_fig9=2, seeds_aux=2, unsup_steps=4, unsup_lr=1e-3, unsup_hidden=16),
    "book": dict(seed=7, M=6, N=64, K=3, K_transfer=2, L=20, T=6, J=3, R=3, n_train=64, epochs=6, lr=0.02,
                 seeds=5, P_dbw=20.0, Gamma_db=10.0, P_fig9_dbw=10.0,
                 Gamma_fig9_db=[0.0, 10.0, 20.0, 30.0, 40.0], seeds_fig9=5, seeds_aux=5,
                 unsup_steps=150, unsup_lr=3e-3, unsup_hidden=128),
    "mid": dict(seed=7, M=6, N=64, K=3, K_transfer=2, L=20, T=12, J=10, R=10, n_train=200, epochs=3,
                batch=50, lr=0.02, seeds=8, kinds=["phr", "alm", "radar", "rand"], P_dbw=20.0, Gamma_db=10.0),
    "paper": dict(seed=7, M=6, N=64, K=3, K_transfer=2, L=20, T=60, J=10, R=10, n_train=800, epochs=5,
                  batch=50, lr=0.02, seeds=1, kinds=["phr", "alm"], P_dbw=20.0, Gamma_db=10.0),
}
#: the DFP step's initial scale ``tau0`` (:class:`risisac.paper_a.unfolding.ADMMLayer`) of the book's
#: networks, and their inner sizes: ``J R tau0`` is the distance a block's steps travel at initialisation
TAU0_BOOK, JR_BOOK = 0.1, 3 * 3


def tau0_for(J: int, R: int) -> float:
    """The step-budget rule: ``tau0 = TAU0_BOOK * JR_BOOK / (J R)`` keeps the book networks' initial
    travel per block, ``J R tau0``, at other inner sizes (0.009 at ``J = R = 10``). With the book's
    0.1 the untrained iteration at ``J = R = 10`` takes 100 normalised steps of 0.1 per block
    and does not converge (the chapter's errata)."""
    return round(TAU0_BOOK * JR_BOOK / (J * R), 12)


# ``midtau``: the ``mid`` recipe with the step-budget rule; PHR and ALM (5 seeds), the per-Gamma
# networks of Fig. 9 (3 seeds; P_fig9, Gamma list of the book), then radar-only / random RIS (5 seeds)
PROFILES["midtau"] = dict(PROFILES["mid"], tau0=tau0_for(10, 10), seeds=5, kinds=["phr", "alm"],
                          P_fig9_dbw=10.0, Gamma_fig9_db=[0.0, 10.0, 20.0, 30.0, 40.0], seeds_fig9=3,
                          kinds_aux=["radar", "rand"], seeds_aux=5)
# ``papertau``: the paper-depth PHR network of ``paper`` with the step-budget rule (one seed)
PROFILES["papertau"] = dict(PROFILES["paper"], tau0=tau0_for(10, 10), kinds=["phr"])
#: profiles whose network files are not stored under models/ (the verdicts rest on their stored
#: evaluations, not on the files): their training record and evaluation ``eval_<profile>.json``
#: are, and that evaluation records the networks' hashes; ``make train CHAPTER=paperA_doa
#: PROFILE=<profile>`` rebuilds the networks (one list: :data:`risisac.book.workflow.NETS_NOT_STORED`)
from ..book.workflow import NETS_NOT_STORED as _NOT_STORED  # noqa: E402
NETS_NOT_STORED = _NOT_STORED["paperA_doa"]


def files(profile: str) -> tuple[str, str]:
    """(network file prefix, record file name) of a profile: the book's (and smoke's) networks
    are ``<name>.pt`` + ``record.json``; the others ``<profile>-<name>.pt`` + ``<profile>_record.json``."""
    if profile in ("book", "smoke"):
        return "", "record.json"
    return f"{profile}-", f"{profile}_record.json"


def config(p: dict, K: int | None = None, P_dbw: float | None = None, Gamma_db: float | None = None):
    """The :class:`risisac.paper_a.model.SLPConfig` of a profile (optionally other K, P, Gamma)."""
    return sm.SLPConfig(M=p["M"], N=p["N"], K=p["K"] if K is None else K, L=p["L"],
                        P_dbw=p["P_dbw"] if P_dbw is None else P_dbw,
                        Gamma_db=p["Gamma_db"] if Gamma_db is None else Gamma_db)


def plan(p: dict) -> list[dict]:
    """Every network of a profile: dict(name, kind, s, K, P_dbw, Gamma_db), most important first."""
    jobs = []
    add = lambda kind, s, **kw: jobs.append(dict(name=f"{kind}-s{s}", kind=kind, s=s, **kw))

    def add_fig9():                                    # the per-Gamma networks of Fig. 9 (left)
        for s in range(p.get("seeds_fig9", 0)):
            for g in p["Gamma_fig9_db"]:
                jobs.append(dict(name=f"g{g:g}-s{s}", kind="g", s=s, P_dbw=p["P_fig9_dbw"], Gamma_db=g))

    if "kinds" in p:                                   # the scale profiles: some kinds only
        for s in range(p["seeds"]):
            for kind in p["kinds"]:
                add(kind, s)
        add_fig9()
        for s in range(p.get("seeds_aux", 0)):
            for kind in p.get("kinds_aux", []):
                add(kind, s)
        return jobs
    for s in range(p["seeds"]):
        add("phr", s)
        add("alm", s)
    for s in range(p["seeds"]):
        add("unsup", s)
    for s in range(p["seeds"]):
        add("phrK", s, K=p["K_transfer"])
        add("unsupK", s, K=p["K_transfer"])
    for s in range(p["seeds_aux"]):
        add("radar", s)
        add("rand", s)
    add_fig9()
    return jobs


def training_batch(p: dict, job: dict) -> sm.SLPBatch:
    """Training channels of a job: one draw per (seed ``s``, K); P and Gamma set per job."""
    from ..book.rng import make_rng
    K = job.get("K", p["K"])
    b = sm.sample_batch(config(p, K), p["n_train"], make_rng(p["seed"], "doa-train", K, job["s"]))
    return b.with_power(job.get("P_dbw", p["P_dbw"])).with_gamma(job.get("Gamma_db", p["Gamma_db"]))


def train_job(p: dict, job: dict, log=None, checkpoint=None):
    """Train one network; returns (module, history list, extra record fields).
    ``log(line)`` gets a progress line after each layer. ``checkpoint`` (a path): the unfolded
    networks' training saves its state there (each layer, and at least every 10 minutes) and
    resumes from it after an interruption (:func:`risisac.paper_a.unfolding.train_layerwise`);
    the caller deletes it once the network is written."""
    from ..book.rng import make_rng, seed_torch, torch_generator
    b = training_batch(p, job)
    kind = job["kind"]
    seed_torch(p["seed"], "doa-init", job["name"])
    if kind.startswith("unsup"):
        net = UnsupervisedNet(b.K, p["M"], p["N"], p["L"], hidden=p["unsup_hidden"])
        X0, phi0 = start_point(b, "ris")
        f0 = crb(channels_from_batch(b), X0, phi0)
        hist = train_unsupervised(net, b, f0, p["unsup_steps"], lr=p["unsup_lr"])
        return net, hist, dict(loss_first=hist[0], loss_last=hist[-1])
    net = make_net("alm" if kind == "alm" else "phr", p["T"], p["J"], p["R"], tau0=p.get("tau0", TAU0_BOOK))
    kw = dict(qos=(kind != "radar"))
    if kind == "rand":
        kw.update(mode="rand", rng=make_rng(p["seed"], "doa-rand-train", job["s"]))
    if p.get("batch"):
        kw.update(batch_size=p["batch"], generator=torch_generator(p["seed"], "doa-batches", job["name"]))
    t0, layer_s = time.perf_counter(), []
    ck = None
    if checkpoint is not None:
        from ..book.checkpoint import Checkpoint
        sizes = {k: v for k, v in p.items() if k not in COUNTS}
        ck = Checkpoint(checkpoint, key=dict(job=job, sizes=sizes), extra=dict(layer_s=layer_s), remove_when_done=False,
                        log=log)
        kw.update(checkpoint=ck)

    def on_layer(t, st, hist):
        ls = layer_s if ck is None else ck.extra["layer_s"]          # (the saved list after a resume)
        ls.append(round(time.perf_counter() - t0 if ck is None else ck.elapsed(), 1))
        if log is not None:
            log(f"[train_doa] {job['name']}: layer {t + 1}/{p['T']} loss {hist[-1][2]:.4g} ({ls[-1]:.0f} s)")

    hist = train_doa(net, b, p["epochs"], lr=p["lr"], on_layer=on_layer, **kw)
    per_layer = [h[2] for h in hist if h[1] == p["epochs"]]
    extra = dict(loss_per_layer=per_layer, seconds_after_layer=layer_s if ck is None else ck.extra["layer_s"])
    if ck is not None and ck.resumed is not None:
        extra["resumed_from"] = ck.resumed
    return net, hist, extra


def net_config(net) -> dict:
    if isinstance(net, UnsupervisedNet):
        return dict(cls="unsup", K=net.K, M=net.M, N=net.N, L=net.L, hidden=net.mlp[0].out_features)
    return dict(cls="unfolded", T=net.T, J=net.J, R=net.R, alm=net.alm, tau0=net.tau0)


def save_net(net, path: Path, record: dict | None = None) -> Path:
    """Parameters + constructor arguments (+ the network's training ``record``, gathered by
    :func:`write_record`); the unsupervised MLP's weights are stored in float32 (its ~10^5
    weights would otherwise be ~0.9 MB per network); :func:`load_net` evaluates the stored
    (rounded) weights in float64."""
    f32 = isinstance(net, UnsupervisedNet)
    d = {"config": net_config(net),
         "state": {k: (v.detach().cpu().float() if f32 else v.detach().cpu()) for k, v in net.state_dict().items()}}
    if record is not None:
        d["record"] = json.loads(json.dumps(record))
    torch.save(d, path)
    return path


def load_net(path):
    """A network from :func:`save_net` (no pickled code: ``weights_only``)."""
    from ..book.artefacts import load_torch
    d = load_torch(path, "a trained DoA network", "make train CHAPTER=paperA_doa")
    c = dict(d["config"])
    cls = c.pop("cls")
    if cls == "unsup":
        net = UnsupervisedNet(c["K"], c["M"], c["N"], c["L"], hidden=c["hidden"])
    else:
        net = make_net("alm" if c["alm"] == "plain" else "phr", c["T"], c["J"], c["R"], tau0=c.get("tau0", TAU0_BOOK))
    net.load_state_dict({k: v.to(torch.get_default_dtype()) for k, v in d["state"].items()})
    net.eval()
    return net


def load_record(out, profile: str = "book") -> dict:
    path = Path(out) / files(profile)[1]
    if not path.exists():
        raise FileNotFoundError(f"{path}: no DoA training record; run `make train CHAPTER=paperA_doa PROFILE={profile}`")
    from ..book.artefacts import load_json
    return load_json(path, f"the DoA training record of profile {profile!r}",
                     f"make train CHAPTER=paperA_doa PROFILE={profile}")


ENGINE = ("risisac.paper_a.unfolding (fast engine of 1e343eb; the DoA problem through its generic block adapter), "
          "torch float64, 1 thread")


def _profile(profile: str) -> dict:
    if profile not in PROFILES:
        raise ValueError(f"profile = {profile!r}: allowed values are {sorted(PROFILES)}")
    return PROFILES[profile]


def net_names(profile: str) -> list[str]:
    """The names of every network of ``profile`` (the plan's order)."""
    return [j["name"] for j in plan(_profile(profile))]


def train_net(profile: str, name: str, path, log=print, check_clean: bool = True, checkpoint=None) -> dict:
    """Train network ``name`` of ``profile`` and write it to ``path`` with its record
    (the job, losses, time, provenance: commit and dirty flag, versions, CPU, claims).
    ``check_clean=False`` records a dirty tree instead of refusing it (networks trained
    inside a chapter run, never stored). ``checkpoint`` (a path, the workflow's
    ``<path>.ckpt``): an interrupted job resumes from it; deleted once ``path`` is written.
    (The unsupervised baseline's short training is not checkpointed.)"""
    from ..book.torchutil import setup_torch
    from .spec_doa import CLAIMS
    p = _profile(profile)
    jobs = {j["name"]: j for j in plan(p)}
    if name not in jobs:
        raise ValueError(f"network {name!r} is not one of profile {profile!r}: {sorted(jobs)}")
    source = provenance.check_clean() if check_clean else provenance.source_state()
    clock = provenance.Clock()
    setup_torch(1)
    job = jobs[name]
    net, hist, extra = train_job(p, job, log, checkpoint=checkpoint)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prov = provenance.record("paperA_doa", f"train_doa {profile} {name}", dict(profile=profile, **job), clock=clock,
                             claims=CLAIMS, source=source)
    entry = dict(job, file=path.name, time_s=round(prov["wall_s"], 2), commit=prov["commit"], **extra,
                 provenance=prov)
    save_net(net, path, record=entry)
    if checkpoint is not None:
        from ..book.checkpoint import Checkpoint
        Checkpoint(checkpoint).remove()                # (and any temporary file of a killed save)
    log(f"[train_doa] {name}: {entry['time_s']:.1f} s")
    return entry


#: entries of a profile that say how many networks it has, not how one is trained
COUNTS = ("seeds", "seeds_fig9", "seeds_aux", "Gamma_fig9_db", "kinds", "kinds_aux")


def _same_recipe(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k not in COUNTS} == {k: v for k, v in b.items() if k not in COUNTS}


def write_record(profile: str, record_path, net_files) -> dict:
    """Gather the records of the networks ``net_files`` (written by :func:`train_net`) into the
    training record ``record_path`` of ``profile``. A network file without a record of its own
    (one written before the records moved into the files) keeps its entry of the record already
    at ``record_path``; entries of networks no longer listed are dropped."""
    p = _profile(profile)
    record_path = Path(record_path)
    old = json.loads(record_path.read_text()) if record_path.exists() else {}
    if old.get("profile") not in (None, profile) or not _same_recipe(old.get("sizes", p), p):
        old = {}
    rec = {k: v for k, v in old.items() if k not in ("nets", "total_time_s")}
    rec.update(profile=profile, sizes=p, engine=rec.get("engine", ENGINE))
    nets = {}
    for f in map(Path, net_files):
        d = torch.load(f, map_location="cpu", weights_only=True)
        name = f.stem[len(files(profile)[0]):]
        if "record" in d:
            nets[name] = d["record"]
        elif name in old.get("nets", {}):
            nets[name] = old["nets"][name]
        else:
            raise ValueError(f"{f}: a network file without its training record, and {record_path} has none for it")
    order = {n: i for i, n in enumerate(net_names(profile))}
    rec["nets"] = dict(sorted(nets.items(), key=lambda kv: order.get(kv[0], len(order))))
    rec["total_time_s"] = round(sum(v["time_s"] for v in rec["nets"].values()), 1)
    record_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = record_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rec, indent=1) + "\n")
    tmp.replace(record_path)
    return rec


def main(profile: str, out, log=print, check_clean: bool = False) -> dict:
    """Train every network of ``profile`` (see :data:`PROFILES`) in this process and write the
    network files and the record under ``out`` (the chapter's ``train_now`` path and the tests;
    the workflow runs one job per network instead, on a clean tree)."""
    _profile(profile)
    out = Path(out)
    prefix, rec_name = files(profile)
    paths = []
    for name in net_names(profile):
        paths.append(out / f"{prefix}{name}.pt")
        train_net(profile, name, paths[-1], log, check_clean)
    return write_record(profile, out / rec_name, paths)


if __name__ == "__main__":  # pragma: no cover
    import argparse
    ap = argparse.ArgumentParser(description="Paper A DoA training job: one network, or the record of a profile")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a1 = sub.add_parser("net", help="train one network")
    a1.add_argument("profile")
    a1.add_argument("name")
    a1.add_argument("path")
    a1.add_argument("--checkpoint", help="checkpoint file: resume from it after an interruption")
    a2 = sub.add_parser("record", help="gather the networks' records into the profile's record")
    a2.add_argument("profile")
    a2.add_argument("record")
    a2.add_argument("nets", nargs="+")
    a = ap.parse_args()
    if a.cmd == "net":
        train_net(a.profile, a.name, a.path, checkpoint=a.checkpoint)
    else:
        write_record(a.profile, a.record, a.nets)
