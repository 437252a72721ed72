"""Evaluation job of the Paper A detection chapter: trained networks and converged ADMM-MM on fresh
test channels, per instance (``python -m risisac.paper_a.eval_detection <part> [--out DIR]``).

Too heavy for the chapter's 4-minute book profile (converged ADMM-MM costs seconds per
instance, the paper-depth network about a second), so it runs beside the training job and
writes small JSON files the chapter loads; the chapter re-computes a slice live and checks it
against them (:func:`recompute_check`).

Parts (each writes ``eval_<part>.json`` under ``out``):

* ``baselines``  ADMM-MM (run to Liu et al.'s tolerance) and radar-only at every point of
  Figs. 4-6, ``n_mm`` instances per point (the first ``n_mm`` of the point's test channels);
  per-instance SINR, iterations, SER.
* ``baselines-liu``  the same for Liu et al.'s ADMM-MM (:mod:`risisac.paper_a.admm_mm_liu`).
* ``nets``       the first network of the book ensemble at every point and for every scheme, all
  of them (and each one's untrained twin) at the default point, ``n_test`` instances: raw and
  repaired SINR, raw CI violation, where the repair fired, SER.
* ``paper-net``  the paper-depth network at every point: every scheme along the power sweep
  (Fig. 4), the w/ RIS scheme at the other points (Figs. 5, 6, 10).
* ``timing``     Table I: per-instance wall and CPU time of the paper-depth network (all 75 layers) and of
  the converged ADMM-MM baselines (ours and Liu et al.'s) at N = 32, 64, 128 (one instance per
  call, a warm-up call excluded, ``reps`` instances; and the same instances as one batch), and
  SINR against wall-clock time on the same instances.

Test channels: stream ``make_rng(seed, "paperA-detection-test", N, P, Gamma)``; the common start
point (:func:`risisac.paper_a.detection_net.start_point`) is charged to neither method.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

from .. import comms
from ..book.artefacts import ArtefactError
from ..book.ledger import round_sig
from ..book.rng import make_rng, seed_torch
from . import admm_mm as am
from . import detection_net as pu
from . import model as sm
from .unfolding import UnfoldedADMM

#: the evaluation grid (the chapter's book profile reads these files; its sweeps must be subsets)
GRID = dict(seed=7, M=6, K=3, L=20, N=64, P_dbw=20.0, Gamma_db=10.0, P_sweep=[10.0, 20.0, 30.0],
            N_sweep=[32, 64, 128], Gamma_sweep=[0.0, 10.0, 20.0, 30.0], n_test=100, n_mm=20,
            mm_tol=5e-4, mm_max_iter=300, ser_draws=200, timing_N=[32, 64, 128], timing_reps=5)
SCHEMES_NET = ("ris", "rand", "noris")


def points(g=GRID):
    """All (N, P, Gamma) points of Figs. 4-6 (the default point once)."""
    pts = {(g["N"], p, g["Gamma_db"]) for p in g["P_sweep"]} | {(n, g["P_dbw"], g["Gamma_db"]) for n in g["N_sweep"]}
    pts |= {(g["N"], g["P_dbw"], G) for G in g["Gamma_sweep"]}
    return sorted(pts)


def test_batch(pt, n, g=GRID):
    """The first ``n`` of the ``n_test`` test channels of point ``pt = (N, P, Gamma)`` and their common
    start point (always drawn as ``n_test`` channels, so ADMM-MM's ``n_mm`` are the networks' first ``n_mm``)."""
    N, P, G = pt
    cfg = sm.SLPConfig(M=g["M"], N=int(N), K=g["K"], L=g["L"], P_dbw=float(P), Gamma_db=float(G))
    b = sm.sample_batch(cfg, max(n, g["n_test"]), make_rng(g["seed"], "paperA-detection-test", int(N), float(P),
                                                          float(G)))
    b = b.subset(slice(0, n))
    return b, pu.start_point(b, "ris")


def ser_per_instance(b, X, phi, draws, rng):
    """SER of each instance's design (noise-free receptions + CN(0, sigma^2) noise, QPSK decisions)."""
    y = sm.received(b, X, phi).cpu().numpy()
    s = b.s.cpu().numpy()
    return [comms.ser_monte_carlo(y[i], s[i], np.sqrt(b.sigma2), b.order, draws, rng) for i in range(b.B)]


def run_net(net, b, st, mode, g, rng_tag):
    rng = make_rng(g["seed"], "rand-ris", b.N, rng_tag) if mode == "rand" else None
    t0 = time.perf_counter()
    o = pu.run_proposed(net, b, mode, rng=rng, start=st if mode == "ris" else None)
    secs = time.perf_counter() - t0
    ser = ser_per_instance(o["batch"], o["X"], o["phi"], g["ser_draws"], make_rng(g["seed"], "ser", mode, rng_tag))
    return dict(sinr=round_sig(o["sinr"]), raw_sinr=round_sig(o["raw"]["sinr"]), raw_viol=round_sig(o["raw"]["viol"]),
                raw_feasible=[bool(v) for v in o["raw"]["feasible"]], repaired=[bool(v) for v in o["repaired"]],
                fallback=[bool(v) for v in o["fallback"]], ser=round_sig(ser), seconds=secs,
                start_sinr=round_sig(sm.fast_sinr(o["batch"], *(st if mode == "ris" else pu.start_point(o["batch"], mode, rng)))))


def part_baselines(g=GRID, log=print, liu: bool = False):
    """ADMM-MM (ours) and radar-only at every point; ``liu``: Liu et al.'s ADMM-MM instead
    (:func:`risisac.paper_a.admm_mm_liu.liu_admm_mm`, exact solver), under the name ``Liu ADMM-MM``."""
    res = {}
    if liu:
        from .admm_mm_liu import liu_admm_mm
        runs = (("Liu ADMM-MM", lambda b, st: liu_admm_mm(b, *st, tol=g["mm_tol"], max_iter=g["mm_max_iter"])),)
    else:
        runs = tuple((name, lambda b, st, qos=qos: am.admm_mm(b, *st, iters=g["mm_max_iter"], qos=qos, tol=g["mm_tol"]))
                     for name, qos in (("ADMM-MM", True), ("Radar-only", False)))
    for pt in points(g):
        b, st = test_batch(pt, g["n_mm"], g)
        row = {}
        for name, run in runs:
            t0 = time.perf_counter()
            o = run(b, st)
            viol = (sm.ci_values(b, o["X"], o["phi"]) / b.gamma).amax((-1, -2))
            row[name] = dict(sinr=round_sig(o["sinr"]), iters=[int(v) for v in o["iters"]],
                             converged=[bool(v) for v in o["converged"]], viol=round_sig(viol),
                             ser=round_sig(ser_per_instance(b, o["X"], o["phi"], g["ser_draws"],
                                                     make_rng(g["seed"], "ser", name, *pt))),
                             seconds=time.perf_counter() - t0)
            log(f"{pt} {name}: {time.perf_counter() - t0:.0f} s, iters {np.median(row[name]['iters'])}")
        res[str(pt)] = row
    return res


def part_nets(nets: dict, g=GRID, log=print, untrained: dict | None = None, only_default: bool = False,
              all_modes_at=None):
    """``nets``: name -> network. The network named ``*seed0`` at every point (``only_default``:
    the default point only), the others at the default point; ``untrained`` at the default point.
    ``*seed0`` runs every scheme (w/ RIS, random RIS, w/o RIS) at the points of ``all_modes_at``
    (default: every point) and the w/ RIS scheme elsewhere. Each run records its wall time
    (``seconds``, the whole batch, SER simulation excluded)."""
    res = {}
    default = (g["N"], g["P_dbw"], g["Gamma_db"])
    for pt in ([default] if only_default else points(g)):
        b, st = test_batch(pt, g["n_test"], g)
        row = {}
        for name, net in nets.items():
            if pt != default and not name.endswith("seed0"):
                continue                             # the ensemble's other networks: default point only
            full = name.endswith("seed0") and (all_modes_at is None or pt in all_modes_at)
            for mode in (SCHEMES_NET if full else ("ris",)):
                t0 = time.perf_counter()
                row[f"{name}/{mode}"] = run_net(net, b, st, mode, g, f"{name}{pt}")
                log(f"{pt} {name}/{mode}: {time.perf_counter() - t0:.0f} s")
        if untrained and pt == default:
            for name, net in untrained.items():
                row[f"{name}/ris"] = run_net(net, b, st, "ris", g, f"{name}{pt}")
        res[str(pt)] = row
    return res


def _time_call(fn):
    """``(wall seconds, CPU seconds of the process, fn())``."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def mm_methods(g=GRID) -> dict:
    """The ADMM-MM baselines of Table I: name -> ``fn(batch, X0, phi0) -> dict(sinr, iters, ...)``,
    each run to its own stopping rule (Liu et al.'s 5e-4)."""
    out = {"mm": lambda bi, X0, p0: am.admm_mm(bi, X0, p0, iters=g["mm_max_iter"], tol=g["mm_tol"])}
    try:
        from .admm_mm_liu import liu_admm_mm
    except ImportError:  # pragma: no cover - the module is optional while it is being built
        return out
    out["liu"] = lambda bi, X0, p0: liu_admm_mm(bi, X0, p0, tol=g["mm_tol"], max_iter=g["mm_max_iter"])
    return out


def part_timing(net: UnfoldedADMM, g=GRID, log=print, trace_net: UnfoldedADMM | None = None,
                layers_timed: int | None = None, methods: dict | None = None):
    """Table I with ``net`` against the ADMM-MM baselines ``methods`` (default :func:`mm_methods`),
    on the same instances from the same start point (charged to neither), warm-up excluded:

    * ``table[N]``: one instance per call (``timing_reps`` instances after a warm-up instance):
      ``prop_s``, ``prop_cpu_s``, ``prop_sinr`` and ``<method>_s``, ``<method>_cpu_s``,
      ``<method>_sinr``, ``<method>_iters`` (``*_s`` wall time, ``*_cpu_s`` CPU time of the process);
    * ``batched[N]``: the same instances as one batch, times divided by the batch size;
    * ``traces``: SINR against wall-clock time per instance at the default ``N`` (``n_mm``
      instances, batched), for ``trace_net`` (default ``net``) and every method.

    ``layers_timed < net.T``: the network's time is that of its first ``layers_timed`` layers times
    ``T / layers_timed`` (every layer runs the same operations; smoke runs only)."""
    methods = mm_methods(g) if methods is None else methods
    res = dict(table={}, batched={}, traces={}, net=net.config(), layers_timed=layers_timed or net.T,
               methods=sorted(methods))
    trace_net = trace_net or net
    k = layers_timed or net.T

    def run_net(bi, sti):
        pr = pu.DetectionProblem(bi, *sti)
        s = UnfoldedADMM.init_state(pr, pr.xb0, sti[1])
        t0, c0 = time.perf_counter(), time.process_time()
        with torch.no_grad():
            s = net(pr, s, layers=k)
        return ((time.perf_counter() - t0) * net.T / k, (time.process_time() - c0) * net.T / k,
                sm.fast_sinr(bi, *pu.design(pr, s)))

    for N in g["timing_N"]:
        pt = (N, g["P_dbw"], g["Gamma_db"])
        b, st = test_batch(pt, g["timing_reps"] + 1, g)
        rows = []
        for i in range(g["timing_reps"] + 1):           # instance 0 = warm-up, excluded
            bi = b.subset(slice(i, i + 1))
            sti = (st[0][i:i + 1], st[1][i:i + 1])
            tp, cp, sp = run_net(bi, sti)
            row = dict(prop_s=tp, prop_cpu_s=cp, prop_sinr=float(sp[0]))
            for name, fn in methods.items():
                tm, cm, om = _time_call(lambda: fn(bi, *sti))
                row.update({f"{name}_s": tm, f"{name}_cpu_s": cm, f"{name}_sinr": float(om["sinr"][0]),
                            f"{name}_iters": int(om["iters"][0])})
            if i:
                rows.append(row)
            log(f"N={N} inst {i}: " + ", ".join(f"{kk} {v:.2f}" for kk, v in row.items() if kk.endswith("_s")))
        res["table"][str(N)] = rows
        bb, stb = b.subset(slice(1, None)), (st[0][1:], st[1][1:])
        tp, cp, _ = run_net(bb, stb)
        res["batched"][str(N)] = dict(n=bb.B, prop_s=tp / bb.B, prop_cpu_s=cp / bb.B)
        for name, fn in methods.items():
            tm, cm, _ = _time_call(lambda: fn(bb, *stb))
            res["batched"][str(N)].update({f"{name}_s": tm / bb.B, f"{name}_cpu_s": cm / bb.B})
    # SINR vs wall-clock time at the default N, same instances, batched (time per instance)
    b, st = test_batch((g["N"], g["P_dbw"], g["Gamma_db"]), g["n_mm"], g)
    pr = pu.DetectionProblem(b, st[0], st[1])
    s = UnfoldedADMM.init_state(pr, pr.xb0, st[1])
    tr_t, tr_s = [0.0], [float(sm.fast_sinr(b, *st).mean())]
    t0 = time.perf_counter()

    def cb(t, stt):
        tr_t.append((time.perf_counter() - t0) / b.B)
        tr_s.append(float(sm.fast_sinr(b, *pu.design(pr, stt)).mean()))
    with torch.no_grad():
        trace_net(pr, s, trace=cb)
    o = am.admm_mm(b, *st, iters=g["mm_max_iter"], tol=g["mm_tol"], trace=True, clock=True)
    res["traces"] = dict(prop_t=tr_t, prop_sinr=tr_s, mm_t=[t / b.B for t in o["seconds"]],
                         mm_sinr=round_sig(o["trace"].mean(0)), n=b.B)
    if "liu" in methods:
        from .admm_mm_liu import liu_admm_mm
        o = liu_admm_mm(b, *st, tol=g["mm_tol"], max_iter=g["mm_max_iter"], trace=True, clock=True)
        res["traces"].update(liu_t=[t / b.B for t in o["seconds"]], liu_sinr=round_sig(o["trace"].mean(0)))
    return res


def _trace_net(folder: Path):
    """The network of the SINR-vs-time traces: the trained paper-depth network, else the ensemble's first."""
    from .train_detection import PROFILES, load
    try:
        return load("paper", folder)[0][0], "trained paper-depth network (T = 75)"
    except (FileNotFoundError, ArtefactError):
        ens, rec = load("book", folder)
        return ens[0], f"book ensemble network seed {rec['networks'][0]['seed']} (T = {PROFILES['book']['T']})"


def main(part: str, out: Path, nets_folder: Path | None = None, log=print):
    torch.set_num_threads(int(os.environ.get("RISISAC_THREADS", 1)))
    torch.set_default_dtype(torch.float64)
    from .train_detection import PROFILES, load
    out = Path(out)
    folder = Path(nets_folder or out)
    from ..book import provenance
    source = provenance.check_clean()
    clock = provenance.Clock()
    meta = dict(grid=GRID, started=clock.started)
    t0 = time.perf_counter()
    if part in ("baselines", "baselines-liu"):
        data = part_baselines(GRID, log, liu=(part == "baselines-liu"))
    elif part in ("nets", "paper-net"):
        nets, untr = {}, {}
        profiles = ["book"] if part == "nets" else ["paper"]
        for prof in profiles:
            ns, rec = load(prof, folder)
            meta[f"{prof}_record_commit"] = rec["commit"]
            for net, info in zip(ns, rec["networks"]):
                nets[f"{prof}-seed{info['seed']}"] = net
                if prof == "book":
                    p = PROFILES["book"]
                    seed_torch(info["seed"], "paperA-detection-net")
                    untr[f"untrained-{prof}-seed{info['seed']}"] = UnfoldedADMM(
                        T=p["T"], J=p["J"], R=p["R"], tau0=p["tau0"], eta0=p["eta0"])
        # the paper-depth network: every scheme along the power sweep (Fig. 4), w/ RIS elsewhere
        p_sweep = {(GRID["N"], p, GRID["Gamma_db"]) for p in GRID["P_sweep"]}
        data = part_nets(nets, GRID, log, untr, all_modes_at=p_sweep if part == "paper-net" else None)
    elif part == "traces":                      # re-run only the SINR-vs-time traces of eval_timing.json
        net, name = _trace_net(folder)
        old = json.loads((out / "eval_timing.json").read_text())
        g = dict(GRID, timing_N=[])
        old["data"]["traces"] = part_timing(net, g, log)["traces"]
        old["meta"]["traces_rerun"] = meta["started"]
        old["meta"]["trace_net"] = name
        old["declarations"] = declarations("eval_timing.json")
        (out / "eval_timing.json").write_text(json.dumps(old))
        return out / "eval_timing.json"
    elif part == "timing":
        p = PROFILES["paper"]
        try:
            net = load("paper", folder)[0][0]
            meta["net"] = "trained paper network"
        except (FileNotFoundError, ArtefactError):
            seed_torch(0, "paperA-detection-net")
            net = UnfoldedADMM(T=p["T"], J=p["J"], R=p["R"], tau0=p["tau0"], eta0=p["eta0"])
            meta["net"] = "untrained paper-depth network (the time does not depend on the weights)"
        trace_net, meta["trace_net"] = _trace_net(folder)
        data = part_timing(net, GRID, log, trace_net=trace_net)
    else:
        raise ValueError(f"part must be 'baselines', 'baselines-liu', 'nets', 'paper-net', 'traces' or 'timing', "
                         f"got {part!r}")
    meta["seconds"] = time.perf_counter() - t0
    meta["provenance"] = provenance.record("paperA_detection", f"eval_detection {part}", dict(part=part, grid=GRID),
                                           clock=clock, source=source)
    f = out / f"eval_{part}.json"
    f.write_text(json.dumps(dict(meta=meta, data=data, declarations=declarations(f.name))))
    return f


def declarations(name: str) -> dict:
    """Digests of the declared claims whose data file ``name`` carries (``eval_<part>.json``):
    stored in the file, checked by the chapter (:meth:`risisac.book.ledger.Ledger.produced_under`)."""
    from ..book.ledger import digests
    from .spec_detection import CLAIMS
    return digests(CLAIMS, [k for k, c in CLAIMS.items() if name in c.artefact])


if __name__ == "__main__":  # pragma: no cover
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part")
    ap.add_argument("--out", default="models/paperA_detection")
    a = ap.parse_args()
    main(a.part, Path(a.out))


# ------------------------------------------------------------------ statistics of the claims

def miss_log2(sinr_db, pfa: float = 1e-2) -> np.ndarray:
    """Per instance ``log2(1 - Pd)`` of the Neyman-Pearson detector, ``Pd = Pfa^(1/(1 + SINR))``
    (Paper A (13)-(17), inverted ratio corrected): the paired difference of two designs is the
    log2 ratio of their miss probabilities (the ROC claim of Fig. 7)."""
    s = 10 ** (np.asarray(sinr_db, float) / 10)
    return np.log2(-np.expm1(np.log(pfa) / (1 + s)))


def ser_excess(ser, ser_ref, factor: float = 2.0) -> np.ndarray:
    """Per instance ``ser - factor * ser_ref`` (paired): its mean is <= 0 exactly when the mean SER
    is at most ``factor`` times the reference's (the SER claim of Fig. 10)."""
    return np.asarray(ser, float) - factor * np.asarray(ser_ref, float)
