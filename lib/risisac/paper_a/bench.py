"""Benchmark of the unfolding engine (not a test): Adam step per layer and inference per instance.

``python -m risisac.paper_a.bench [--old COMMIT] [--N 32 64 128] ...`` prints one JSON line
per size. ``--old COMMIT`` runs the same measurement on the library of an older commit
(checked out with ``git worktree`` into a temporary folder), so the speed-up is measured
on the same machine, one run after the other. Only the API common to both engines is used
(``UnfoldedADMM``, ``DetectionProblem``, ``layer_forward``, ``loss_sinr``, ``start_point``).

:func:`extrapolate` turns the measured times into the training time of a paper-depth
network (T layers, ``epochs`` Adam steps per layer, B instances).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def bench(N: int, J: int = 8, R: int = 10, L: int = 20, B: int = 32, steps: int = 2, infer_B: int = 4,
          infer_layers: int = 2, seed: int = 0) -> dict:
    """Seconds per Adam step of one layer (batch ``B``) and per inference layer per instance."""
    import torch
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    from risisac.paper_a import detection_net as pu
    from risisac.paper_a import model as sm
    from risisac.paper_a import unfolding as uf
    import numpy as np

    rng = np.random.default_rng(seed)
    cfg = sm.SLPConfig(N=N, L=L)
    b = sm.sample_batch(cfg, B, rng)
    X0, phi0 = pu.start_point(b, "ris")
    pr = pu.DetectionProblem(b, X0, phi0)
    torch.manual_seed(seed)
    net = uf.UnfoldedADMM(T=max(1, infer_layers), J=J, R=R)
    s0 = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    opt = torch.optim.Adam(net.layers[0].parameters(), lr=0.01)
    times = []
    for k in range(steps + 1):                     # first step = warm-up, excluded
        t0 = time.process_time()
        loss = pu.loss_sinr(pr, net.layer_forward(0, pr, s0))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if k:
            times.append(time.process_time() - t0)
    bi = b.subset(slice(0, infer_B))
    pri = pu.DetectionProblem(bi, X0[:infer_B], phi0[:infer_B])
    si = uf.UnfoldedADMM.init_state(pri, pri.xb0, phi0[:infer_B])
    with torch.no_grad():
        net.layer_forward(0, pri, si)                # warm-up
        t0 = time.process_time()
        net(pri, si, layers=infer_layers)
        t_inf = (time.process_time() - t0) / infer_layers / infer_B
    return dict(N=N, J=J, R=R, L=L, B=B, adam_step_s=float(np.median(times)), infer_layer_per_inst_s=t_inf,
                infer_B=infer_B)


def extrapolate(adam_step_s: float, infer_layer_s: float, T: int = 75, epochs: int = 50) -> dict:
    """Training hours for ``T`` layers of ``epochs`` Adam steps; inference seconds per instance."""
    return dict(train_hours=adam_step_s * T * epochs / 3600, infer_s_per_instance=infer_layer_s * T)


def run_old(commit: str, args: list[str]) -> list[dict]:
    """Run this benchmark on the library of ``commit`` (a temporary git worktree)."""
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                          check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        wt = os.path.join(tmp, "old")
        subprocess.run(["git", "-C", root, "worktree", "add", "--detach", wt, commit], check=True,
                       capture_output=True)
        try:
            env = dict(os.environ, PYTHONPATH=os.path.join(wt, "lib"))
            code = ("import sys,json; sys.path.insert(0, %r)\nimport risisac; print('using', risisac.__file__, file=sys.stderr)\n"
                    "import importlib.util as u\n"
                    "spec = u.spec_from_file_location('benchnew', %r); m = u.module_from_spec(spec); spec.loader.exec_module(m)\n"
                    "m.main(sys.argv[1:], emit=True)" % (os.path.join(wt, "lib"), __file__))
            out = subprocess.run([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True,
                                 check=True).stdout
        finally:
            subprocess.run(["git", "-C", root, "worktree", "remove", "--force", wt], capture_output=True)
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def main(argv=None, emit: bool = True) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, nargs="+", default=[32, 64, 128])
    ap.add_argument("--J", type=int, default=8)
    ap.add_argument("--R", type=int, default=10)
    ap.add_argument("--B", type=int, default=32)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--old", default=None, help="commit whose engine to measure instead")
    ap.add_argument("--json", default=None, help="append the results (one JSON object per line) to this file")
    a, rest = ap.parse_known_args(argv)
    if a.old:
        args = list(argv or sys.argv[1:])
        drop = {i for i, x in enumerate(args) if x in ("--old", "--json")}
        drop |= {i + 1 for i in drop}
        res = run_old(a.old, [x for i, x in enumerate(args) if i not in drop])
        for r in res:
            r["engine"] = a.old
            print(json.dumps(r), flush=True)
        _append(a.json, res)
        return res
    res = []
    for n in a.N:
        r = bench(n, a.J, a.R, B=a.B, steps=a.steps)
        r["engine"] = "current"
        res.append(r)
        if emit:
            print(json.dumps(r), flush=True)
    _append(a.json, res)
    return res


def _append(path, rows):
    if path:
        with open(path, "a") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
