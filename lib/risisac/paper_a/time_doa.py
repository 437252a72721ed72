"""Timing job of the Paper A DoA chapter: Table II and the time to an equal CRB, stored
(``python -m risisac.paper_a.time_doa <part> ...``).

Two measurements, each a single-thread job of the workflow (one per cell, in parallel; rules
``doa_timing_cell`` and ``doa_timing_equal``), gathered into ``eval_timing.json`` by
:func:`merge` (rule ``doa_timing``), which the chapter reads:

* ``cell --N n --rep r``: one Table II cell repetition. Both pipelines run **from the CSI to
  the design and its CRB** on the same batch of ``GRID_T["instances"]`` channels of RIS size
  ``n``: the proposed pipeline (the common start point -- ZF precoder, constant-modulus and CI
  projection -- then the paper-depth PHR-ALM network ``paper-phr-s0``, ``T = 60, J = R = 10``,
  then the CRB) and the unsupervised pipeline (its ZF reference, the MLP, its CI-feasibility
  layer, the CRB). Each side is warmed up once (a one-layer network run / one call), not
  timed; the order of the two timed calls alternates with ``r``. The network weights are
  size-independent (hyper-MLPs), so the ``N = 64`` network runs at every ``N``; the
  unsupervised network is the trained ``unsup-s0`` at ``N = 64`` and an untrained one (its
  output is the projected ZF start) elsewhere.
* ``equal --group g``: what unfolding buys. On ``GRID_T["n_equal"]`` channels at the nominal
  point (group ``g`` of the test channels ``make_rng(seed, "time-equal", g)``), the trained
  paper-depth network and the same PHR-ALM-DFP iteration with untrained step-size MLPs
  (``seed_torch(seed, "iterative")``) for ``T_iter`` layers, from the same start; the time
  after each layer (the states are kept and their CRB computed after the clock stops) and the
  CRB of each instance after each layer.

Times are seconds per instance (a call's time divided by its batch size), in CPU time of the
process (``time.process_time``) since this job records ``clock = "cpu"`` in its meta; a stored
file without that field was timed as wall time (``time.perf_counter``) inside single-thread
processes, one per core (the chapter says which).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

from ..book.rng import make_rng, seed_torch
from ..book.timing import CLOCKS
from . import model as sm
from . import train_doa as td
from .crb import crb
from .doa_net import make_net, make_problem, run_doa, start_for
from .unsupervised import UnsupervisedNet, run_unsupervised

GRID_T = dict(seed=7, N=[32, 64, 128], instances=4, reps=5, T_iter=120, n_equal=8)
#: the clock of every new measurement (CPU time of the process)
CLOCK = "cpu"
PARTS = ("cell", "equal")


def _nets(folder):
    rec = td.load_record(folder, "paper")
    net = td.load_net(Path(folder) / rec["nets"]["phr-s0"]["file"])
    return rec, net


def batch_of_size(S: dict, N: int, n: int, rng):
    """``n`` channels of RIS size ``N`` with the other sizes of the training profile ``S``."""
    cfg = sm.SLPConfig(M=S["M"], N=N, K=S["K"], L=S["L"], P_dbw=S["P_dbw"], Gamma_db=S["Gamma_db"])
    return sm.sample_batch(cfg, n, rng)


def table2_cell(folder, N: int, rep: int, g=GRID_T) -> dict:
    """One repetition of one Table II cell (module docstring): seconds per instance."""
    rec, net = _nets(folder)
    S = rec["sizes"]
    b = batch_of_size(S, N, g["instances"], make_rng(g["seed"], "timing", N))
    if N == S["N"]:
        un = td.load_net(Path(folder) / "unsup-s0.pt")
    else:
        seed_torch(g["seed"], "timing-unsup", N)
        un = UnsupervisedNet(S["K"], S["M"], N, S["L"])
    sides = dict(prop=lambda: run_doa(net, b)["crb"], unsup=lambda: run_unsupervised(un, b)["crb"])
    t = time_sides(sides, g["instances"], reps=1, first_rep=rep,
                   warm=dict(prop=lambda: run_doa(net, b, layers=1)))
    return dict(N=N, rep=rep, instances=g["instances"], prop=t["prop"][0], unsup=t["unsup"][0])


def time_sides(sides: dict, instances: int, reps: int, first_rep: int = 0, warm: dict | None = None) -> dict:
    """Time the pipelines ``sides`` (name -> call) alike: each warmed up once, not timed
    (``warm[name]`` if given, else the call itself), then ``reps`` timed calls each, the order of
    the sides reversed on every other repetition (``first_rep`` is the index of the first).
    Returns name -> list of seconds per instance (a call's time / ``instances``)."""
    warm = warm or {}
    for k, fn in sides.items():
        warm.get(k, fn)()
    out = {k: [] for k in sides}
    order = list(sides)
    for r in range(first_rep, first_rep + reps):
        for k in (order if r % 2 == 0 else order[::-1]):
            t0 = CLOCKS[CLOCK]()
            sides[k]()
            out[k].append((CLOCKS[CLOCK]() - t0) / instances)
    return out


def timed_states(net, b, start, layers=None):
    """Run ``net`` from ``start``: (CPU time per instance after each layer, column 0 = 0;
    CRB of each instance after each layer (B, layers + 1)); the states are kept and their CRB
    computed after the clock stops."""
    pr, s = make_problem(b, start=start)
    ts, states = [0.0], [(s.x, s.phi)]
    now = CLOCKS[CLOCK]
    t0 = now()

    def cb(t, st):
        ts.append(now() - t0)
        states.append((st.x, st.phi))

    with torch.no_grad():
        net(pr, s, layers=layers, trace=cb)
    crbs = torch.stack([crb(pr.ch, pr.a * x, p) for x, p in states], -1)
    return np.array(ts) / b.B, crbs.numpy()


def time_to_equal(folder, group: int, g=GRID_T) -> dict:
    """Trained paper-depth network against the untrained iteration (module docstring)."""
    rec, net = _nets(folder)
    S = rec["sizes"]
    b = batch_of_size(S, S["N"], g["n_equal"], make_rng(g["seed"], "time-equal", group))
    st = start_for(b)
    seed_torch(g["seed"], "iterative")
    it = make_net("phr", g["T_iter"], S["J"], S["R"])
    run_doa(net, b, layers=1, start=st)            # warm-up, not timed
    t_tr, c_tr = timed_states(net, b, st)
    t_it, c_it = timed_states(it, b, st)
    return dict(group=group, t_trained=t_tr.round(4).tolist(), crb_trained=c_tr.tolist(),
                t_iter=t_it.round(4).tolist(), crb_iter=c_it.tolist())


def merge(out, shards, g=GRID_T) -> Path:
    """Gather the measurements ``shards`` (files written by :func:`main`, one per Table II cell
    repetition or equal-CRB group) into ``out`` (``eval_timing.json``)."""
    from ..book import provenance
    from .spec_doa import CLAIMS
    out = Path(out)
    shards = [Path(f) for f in shards]
    if not shards:
        raise FileNotFoundError(f"{out}: no timing measurements to gather")
    source = provenance.check_clean()
    cells, equal = [], []
    for f in shards:
        d = json.loads(f.read_text())
        (cells if "rep" in d else equal).append(d)
    prov = provenance.record("paperA_doa", "time_doa merge", dict(grid=g), source=source, claims=CLAIMS,
                             claim_ids=[k for k, c in CLAIMS.items() if c.artefact.endswith(out.name)])
    meta = dict(grid=g, commit=prov["commit"], torch=torch.__version__, machine=os.environ.get("RISISAC_MACHINE", "")
                or prov["cpu"], clock=CLOCK, started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                declarations=prov.pop("declarations"), provenance=prov)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(meta=meta, cells=sorted(cells, key=lambda c: (c["N"], c["rep"])),
                                   equal=sorted(equal, key=lambda e: e["group"])), separators=(",", ":")))
    return out


def load(folder, g=GRID_T, required: bool = False) -> dict | None:
    """The stored timing (None if absent or of another grid; with ``required=True``, the book's
    grid, absence stops with :class:`risisac.book.artefacts.ArtefactError`). A damaged file stops."""
    from ..book.artefacts import load_json
    f = Path(folder) / "eval_timing.json"
    if not f.exists() and not required:
        return None
    d = load_json(f, "the stored DoA timing (Table II, CRB against time)",
                  "snakemake --cores 2 models/paperA_doa/eval_timing.json")
    return d if d["meta"]["grid"] == g else None


def main(part: str, folder="models/paperA_doa", out=None, N: int | None = None, rep: int = 0, group: int = 0,
         g=GRID_T) -> Path:
    """Run one measurement (``cell`` of size ``N``, repetition ``rep``; or ``equal`` group ``group``)
    on the networks of ``folder`` and write it to the file ``out`` (default
    ``folder/timing-N<N>-r<rep>.json`` / ``folder/timing-equal-g<group>.json``), an input of :func:`merge`."""
    if part not in PARTS:
        raise ValueError(f"part = {part!r}: allowed values are {list(PARTS)}")
    from ..book import provenance
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    if part == "cell":
        if N not in g["N"]:
            raise ValueError(f"N = {N}: allowed values are {g['N']}")
        if not 0 <= rep < g["reps"]:
            raise ValueError(f"rep = {rep}: allowed values are 0..{g['reps'] - 1}")
        provenance.check_clean()
        d, name = table2_cell(folder, N, rep, g), f"timing-N{N}-r{rep}.json"
    else:
        provenance.check_clean()
        d, name = time_to_equal(folder, group, g), f"timing-equal-g{group}.json"
    d["cpu"] = provenance.cpu_model()
    f = Path(out) if out else Path(folder) / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps(d))
    return f


if __name__ == "__main__":  # pragma: no cover
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for part in PARTS:
        a_ = sub.add_parser(part)
        a_.add_argument("out")
        a_.add_argument("--folder", default="models/paperA_doa")
        a_.add_argument("--N", type=int, default=None)
        a_.add_argument("--rep", type=int, default=0)
        a_.add_argument("--group", type=int, default=0)
    a_ = sub.add_parser("merge")
    a_.add_argument("out")
    a_.add_argument("shards", nargs="+")
    a = ap.parse_args()
    if a.cmd == "merge":
        torch.set_num_threads(1)
        merge(a.out, a.shards)
    else:
        main(a.cmd, a.folder, a.out, a.N, a.rep, a.group)
