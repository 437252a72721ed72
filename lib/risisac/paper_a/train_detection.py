"""Training job of the Paper A detection chapter: ``make train CHAPTER=paperA_detection PROFILE=<p>``.

Trains unfolded ADMM-ALM-DFP networks (Algorithm 1, :mod:`risisac.paper_a.unfolding`) layer
by layer (Sec. III-G) on the detection problem (21) (:mod:`risisac.paper_a.detection_net`) and
writes, under ``out`` (default ``models/paperA_detection/``):

* ``<profile>_seed<k>.pt``  the learned parameters of network ``k`` (:func:`risisac.paper_a.unfolding.save_params`);
* ``<profile>_record.json`` the training record: commit, seeds, sizes, loss after every layer,
  seconds per network, machine threads.

Profiles (:data:`PROFILES`):

* ``paper``: the paper's depth (T = 75, J = 8, R = 10, N = 64, L = 20), one network, on the
  paper's 800 training channels, 15 Adam steps of mini-batches of 50 per layer (the paper gives
  neither the number of steps nor the batch): after each layer the state of every training
  channel is propagated through it (about 4 s per 100 channels per layer on one core of a
  2-core x86-64 machine).
* ``book``: an ensemble of 5 independently trained networks (own weights and training data)
  at the largest depth that fits the machine (see ``PROFILES['book']``), for claims about training.
* ``smoke``: a tiny network (CI exercises the training path).

The chapter's ``book`` profile loads these files (:func:`load`) and evaluates them on fresh
test channels.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import torch

from ..book import provenance
from ..book.rng import make_rng, seed_torch, torch_generator
from . import detection_net as pu
from . import model as sm
from .unfolding import UnfoldedADMM, save_params, train_layerwise

#: every profile: system sizes, network depth, data, optimiser, seeds
PROFILES = {
    "paper": dict(M=6, N=64, K=3, L=20, P_dbw=20.0, Gamma_db=10.0, T=75, J=8, R=10, B=800,
                  epochs=15, batch=50, lr=0.01, w_viol=10.0, tau0=0.003, eta0=0.5, seeds=[0]),
    "book": dict(M=6, N=64, K=3, L=20, P_dbw=20.0, Gamma_db=10.0, T=12, J=4, R=5, B=200,
                 epochs=15, batch=50, lr=0.01, w_viol=10.0, tau0=0.003, eta0=0.5, seeds=[0, 1, 2, 3, 4]),
    "smoke": dict(M=6, N=16, K=3, L=8, P_dbw=20.0, Gamma_db=10.0, T=2, J=1, R=2, B=8,
                  epochs=2, batch=None, lr=0.02, w_viol=10.0, tau0=0.003, eta0=0.5, seeds=[0]),
}
#: pilot that fixed ``tau0`` (T = 4, J = 4, R = 5, B = 100, 10 Adam steps per layer, 40 pilot test
#: channels of their own stream, Gamma = 10 dB): tau0 = 0.1 -> training loss grows to 5.6e3 and the
#: SINR falls below the start point; 0.01 -> loss not monotone over layers, 36/40 raw outputs
#: CI-feasible; 0.003 -> loss decreasing at every layer, 38/40 feasible. Chosen: 0.003.
PILOT_NOTE = ("initial step tau0 = 0.003 chosen by a 4-layer pilot on its own data (0.1 diverged, "
              "0.01 gave a non-monotone training loss)")


def config(p: dict) -> sm.SLPConfig:
    return sm.SLPConfig(M=p["M"], N=p["N"], K=p["K"], L=p["L"], P_dbw=p["P_dbw"], Gamma_db=p["Gamma_db"])


def train_one(p: dict, seed: int, progress=None, checkpoint=None):
    """One network: training data and initial weights both drawn from ``seed``. Returns (net, info).
    ``checkpoint`` (a path): the training saves its state there (each layer, and at least every
    10 minutes) and resumes from it after an interruption
    (:func:`risisac.paper_a.unfolding.train_layerwise`); the caller deletes it."""
    b = sm.sample_batch(config(p), p["B"], make_rng(seed, "paperA-detection-train"))
    X0, phi0 = pu.start_point(b, "ris")
    pr = pu.DetectionProblem(b, X0, phi0, cons_scale=p.get("cons_scale", "gamma"))
    seed_torch(seed, "paperA-detection-net")
    net = UnfoldedADMM(T=p["T"], J=p["J"], R=p["R"], tau0=p.get("tau0", 0.1), eta0=p.get("eta0", 0.5))
    s0 = UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    with torch.no_grad():
        loss0 = float(pu.loss_sinr(pr, s0, p["w_viol"]))
    t0 = time.perf_counter()
    layer_s = []
    ck = None
    if checkpoint is not None:
        from ..book.checkpoint import Checkpoint
        ck = Checkpoint(checkpoint, key=dict(seed=seed, sizes={k: v for k, v in p.items() if k != "seeds"}), extra=dict(layer_s=layer_s), remove_when_done=False,
                        log=progress)

    def on_layer(t, s, hist):
        ls = layer_s if ck is None else ck.extra["layer_s"]          # (the saved list after a resume)
        ls.append(time.perf_counter() - t0 if ck is None else ck.elapsed())
        if progress:
            progress(f"seed {seed}: layer {t + 1}/{p['T']} loss {hist[-1][2]:.4f} ({ls[-1]:.0f} s)")

    hist = train_layerwise(net, pr, s0, lambda q, s: pu.loss_sinr(q, s, p["w_viol"]), p["epochs"], lr=p["lr"],
                           batch_size=p["batch"], generator=torch_generator(seed, "paperA-detection-batches"),
                           on_layer=on_layer, checkpoint=ck)
    secs = time.perf_counter() - t0 if ck is None else ck.elapsed()
    loss_layers = [h[2] for h in hist if h[1] == p["epochs"]]
    info = dict(seed=seed, seconds=secs, loss_start=loss0, loss_per_layer=loss_layers,
                seconds_after_layer=layer_s if ck is None else ck.extra["layer_s"], adam_steps=p["T"] * p["epochs"])
    if ck is not None and ck.resumed is not None:
        info["resumed_from"] = ck.resumed
    return net, info


def _profile(profile: str, seeds=None) -> dict:
    if profile not in PROFILES:
        raise ValueError(f"profile = {profile!r} is invalid: allowed values are {sorted(PROFILES)}")
    p = dict(PROFILES[profile])
    if seeds is not None:
        p["seeds"] = list(seeds)
    return p


def train_net(profile: str, seed: int, path, progress=print, check_clean: bool = True, checkpoint=None) -> dict:
    """Train network ``seed`` of ``profile`` and write it to ``path`` (one job of the workflow's
    rule ``detection_net``); the file's ``meta`` carries the network's training record with its
    provenance (:mod:`risisac.book.provenance`), which :func:`write_record` gathers.
    ``checkpoint`` (a path, the workflow's ``<path>.ckpt``): an interrupted job resumes from it;
    deleted once ``path`` is written."""
    from .spec_detection import CLAIMS
    p = _profile(profile)
    source = provenance.check_clean() if check_clean else provenance.source_state()
    clock = provenance.Clock()
    torch.set_num_threads(int(os.environ.get("RISISAC_THREADS", 1)))
    torch.set_default_dtype(torch.float64)
    net, info = train_one(p, seed, progress, checkpoint=checkpoint)
    info["file"] = Path(path).name
    info["provenance"] = provenance.record("paperA_detection", f"train_detection {profile} seed {seed}",
                                           dict(profile=profile, seed=seed, **p), clock=clock, claims=CLAIMS,
                                           source=source)
    save_params(net, path, profile=profile, seed=seed, record=json.loads(json.dumps(info)))
    if checkpoint is not None:
        from ..book.checkpoint import Checkpoint
        Checkpoint(checkpoint).remove()                # (and any temporary file of a killed save)
    return info


def write_record(profile: str, record_path, net_files) -> dict:
    """The training record ``<profile>_record.json`` of the networks ``net_files``: each file's own
    record (:func:`train_net`); a file written before the records travelled in the files keeps
    its entry of the record already at ``record_path``."""
    record_path = Path(record_path)
    p = _profile(profile)
    old = json.loads(record_path.read_text()) if record_path.exists() else {}
    old_by_file = {n["file"]: n for n in old.get("networks", [])}
    nets = []
    for f in map(Path, net_files):
        meta = torch.load(f, map_location="cpu", weights_only=True).get("meta", {})
        if "record" in meta:
            nets.append(meta["record"])
        elif f.name in old_by_file:
            nets.append(old_by_file[f.name])
        else:
            raise ValueError(f"{f}: a network file without its training record, and {record_path} has none for it")
    nets.sort(key=lambda n: n["seed"])
    fresh = [n["provenance"] for n in nets if "provenance" in n]
    rec = {k: v for k, v in old.items() if k != "networks"} if old.get("profile") == profile else {}
    rec.update(chapter="paperA_detection", profile=profile, sizes=dict(p, seeds=[n["seed"] for n in nets]))
    if fresh:                                       # the newest network's environment
        last = fresh[-1]
        rec.update(commit=last["commit"], torch=last["versions"]["torch"], threads=last["threads"],
                   machine=last["machine"], started=last["started"])
    rec["networks"] = nets
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(rec, indent=1))
    return rec


def main(profile: str, out: Path, seeds=None, progress=print, check_clean: bool = False) -> dict:
    """Train the networks of ``profile`` in this process and write parameters + training record
    to ``out`` (the tests; the workflow runs one job per network)."""
    p = _profile(profile, seeds)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for seed in p["seeds"]:
        files.append(out / f"{profile}_seed{seed}.pt")
        train_net(profile, seed, files[-1], progress, check_clean)
    return write_record(profile, out / f"{profile}_record.json", files)


def load(profile: str, folder: Path) -> tuple[list[UnfoldedADMM], dict]:
    """The trained networks of ``profile`` and their training record (written by :func:`main`).

    Both load through :mod:`risisac.book.artefacts`: a missing, empty or damaged file stops with
    :class:`~risisac.book.artefacts.ArtefactError` naming it and the command that regenerates it."""
    from ..book.artefacts import load_json, load_torch
    folder = Path(folder)
    restore = f"make train CHAPTER=paperA_detection PROFILE={profile}"
    rec = load_json(folder / f"{profile}_record.json", f"training record of the '{profile}' networks", restore)
    nets = []
    for n in rec["networks"]:
        d = load_torch(folder / n["file"], f"trained '{profile}' network, seed {n['seed']}", restore)
        net = UnfoldedADMM(**d["config"])
        net.load_state_dict(d["state"])
        nets.append(net)
    return nets, rec


if __name__ == "__main__":  # pragma: no cover
    import argparse
    ap = argparse.ArgumentParser(description="Paper A detection training job: one network, or a profile's record")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a1 = sub.add_parser("net")
    a1.add_argument("profile")
    a1.add_argument("seed", type=int)
    a1.add_argument("path")
    a1.add_argument("--checkpoint", help="checkpoint file: resume from it after an interruption")
    a2 = sub.add_parser("record")
    a2.add_argument("profile")
    a2.add_argument("record")
    a2.add_argument("nets", nargs="+")
    a = ap.parse_args()
    if a.cmd == "net":
        train_net(a.profile, a.seed, a.path, checkpoint=a.checkpoint)
    else:
        write_record(a.profile, a.record, a.nets)
