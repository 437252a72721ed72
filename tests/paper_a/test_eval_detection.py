"""risisac.paper_a.eval_detection on a tiny grid: every part runs and reports per instance."""

import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac.paper_a import eval_detection as ev  # noqa: E402
from risisac.paper_a.unfolding import UnfoldedADMM  # noqa: E402

G = dict(ev.GRID, N=8, L=6, P_sweep=[20.0], N_sweep=[8], Gamma_sweep=[10.0], n_test=3, n_mm=2,
         mm_max_iter=4, ser_draws=5, timing_N=[8], timing_reps=1)


def test_points_include_every_sweep():
    pts = ev.points(dict(ev.GRID))
    assert (64, 20.0, 10.0) in pts and (128, 20.0, 10.0) in pts and (64, 20.0, 0.0) in pts
    assert len(pts) == len(set(pts))


def test_parts_run_on_a_tiny_grid():
    base = ev.part_baselines(G, log=lambda *_: None)
    row = base[str((8, 20.0, 10.0))]
    assert len(row["ADMM-MM"]["sinr"]) == 2 and all(v <= 1e-9 for v in row["ADMM-MM"]["viol"])
    assert row["Radar-only"]["iters"][0] >= 1
    torch.manual_seed(0)
    net = UnfoldedADMM(1, 1, 2, tau0=0.003)
    nets = ev.part_nets({"x-seed0": net}, G, log=lambda *_: None, untrained={"u": net})
    r = nets[str((8, 20.0, 10.0))]
    assert set(r) == {"x-seed0/ris", "x-seed0/rand", "x-seed0/noris", "u/ris"}
    assert r["x-seed0/ris"]["raw_sinr"] == r["u/ris"]["raw_sinr"]
    assert len(r["x-seed0/ris"]["ser"]) == 3
    tm = ev.part_timing(net, G, log=lambda *_: None)
    assert len(tm["table"]["8"]) == 1 and tm["table"]["8"][0]["prop_s"] > 0
    assert {"prop_cpu_s", "mm_cpu_s"} <= set(tm["table"]["8"][0]) and "prop_cpu_s" in tm["batched"]["8"]
    net3 = UnfoldedADMM(3, 1, 2, tau0=0.003)
    tm3 = ev.part_timing(net3, G, log=lambda *_: None, layers_timed=1)
    assert tm3["layers_timed"] == 1 and tm3["table"]["8"][0]["prop_s"] > 0
    assert len(tm["traces"]["prop_t"]) == 2


def test_baseline_instances_are_the_networks_first_instances():
    b3, st3 = ev.test_batch((8, 20.0, 10.0), 3, G)
    b2, st2 = ev.test_batch((8, 20.0, 10.0), 2, G)
    assert torch.equal(b3.h_k[:2], b2.h_k) and torch.equal(st3[0][:2], st2[0])


def test_evaluation_plan_says_what_is_recomputed():
    """The book grid loads the stored files; seed alone keeps them (the stored channels' seed is
    named); another grid is computed live, and the line says so with a time estimate."""
    from risisac.paper_a import spec_detection as spec
    assert spec.evaluation_plan(spec.resolve(None))[0] == "stored"
    mode, text = spec.evaluation_plan(spec.resolve(None, seed=3))
    assert mode == "stored-seed" and f"seed {ev.GRID['seed']}" in text
    mode, text = spec.evaluation_plan(spec.resolve(None, N=128, seed=3))
    assert mode == "live" and "COMPUTED LIVE" in text and "minutes" in text


def test_records_carry_the_declarations_of_their_claims():
    from risisac.paper_a.spec_detection import CLAIMS
    d = ev.declarations("eval_timing.json")
    assert set(d) == {"table1-ratio", "table1-growth-mm", "table1-growth-prop"}
    assert all(d[k] == CLAIMS[k].digest for k in d)
