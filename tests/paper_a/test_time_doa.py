"""Tests of the DoA scale evaluation (risisac.paper_a.eval_doa mid/paper parts, one network per job, merge) and
of the timing job risisac.paper_a.time_doa: untrained networks of the smoke sizes, saved as a
``paper``-profile record in tmp_path (the jobs do not care whether they are trained)."""

import json

import numpy as np
import pytest
import torch

from risisac.book.rng import make_rng, seed_torch
from risisac.paper_a import eval_doa as ev
from risisac.paper_a import time_doa
from risisac.paper_a import train_doa as td
from risisac.paper_a.crb import channels_from_batch, crb
from risisac.paper_a.doa_net import make_net, run_doa, start_for
from risisac.paper_a.unsupervised import UnsupervisedNet

TINY = dict(seed=3, n_test=3, P_list_dbw=[20.0], n_noise=5)
TINY_T = dict(time_doa.GRID_T, N=[6, 8], instances=2, reps=2, T_iter=3, n_equal=2)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    torch.set_default_dtype(torch.float64)                  # as the jobs run
    out = tmp_path_factory.mktemp("doa_paper")
    p = dict(td.PROFILES["smoke"], kinds=["phr", "alm", "radar", "rand"], seeds=2, batch=None, seeds_fig9=0,
             Gamma_fig9_db=[])
    rec = dict(profile="paper", sizes=p, nets={})
    for job in td.plan(p):
        seed_torch(5, job["name"])
        net = make_net("alm" if job["kind"] == "alm" else "phr", p["T"], p["J"], p["R"])
        td.save_net(net, out / f"paper-{job['name']}.pt")
        rec["nets"][job["name"]] = dict(job, file=f"paper-{job['name']}.pt", time_s=0.0, commit="test")
    (out / "paper_record.json").write_text(json.dumps(rec))
    seed_torch(5, "unsup")
    td.save_net(UnsupervisedNet(p["K"], p["M"], p["N"], p["L"], hidden=8), out / "unsup-s0.pt")
    return out


def test_scale_profiles_plan_paired_phr_alm_and_own_files():
    for prof in ("mid", "paper"):
        p = td.PROFILES[prof]
        names = [j["name"] for j in td.plan(p)]
        assert names == [f"{k}-s{s}" for s in range(p["seeds"]) for k in p["kinds"]]
        assert p["kinds"][:2] == ["phr", "alm"]
        assert td.files(prof) == (f"{prof}-", f"{prof}_record.json")
    assert td.files("book") == ("", "record.json")
    P = td.PROFILES["paper"]
    assert (P["T"], P["J"], P["R"], P["n_train"], P["N"], P["L"]) == (60, 10, 10, 800, 64, 20)
    with pytest.raises(ValueError, match="not one of profile"):
        td.train_net("paper", "nope-s0", "/nonexistent/x.pt", check_clean=False)


def test_one_network_evaluations_merge_to_the_whole_evaluation(folder, tmp_path):
    whole = ev.part_scale(folder, "paper", None, TINY, log=lambda *a: None)
    assert sorted(whole) == ["alm-s0", "alm-s1", "phr-s0", "phr-s0@P20", "phr-s1", "phr-s1@P20",
                             "radar-s0@P20", "radar-s1@P20", "rand-s0@P20", "rand-s1@P20",
                             "untrained-s0", "untrained-s1"]
    names = ("phr-s0", "alm-s0", "phr-s1", "alm-s1", "radar-s0", "radar-s1", "rand-s0", "rand-s1")
    parts = [ev.eval_net(folder, "paper", n, tmp_path / f"{n}.json", TINY, log=lambda *a: None) for n in names]
    out = tmp_path / "eval_paper.json"
    merged = ev.merge(folder, "paper", out, parts, TINY)
    e = json.loads(merged.read_text())
    assert e["data"] == whole
    assert e["meta"]["net_sha"] == ev.net_shas(folder, "paper", list(names))
    assert sorted(e["meta"]["seconds"]) == sorted(names) and "commit" in e["meta"]["provenance"]
    for n in names:
        assert set(ev.entries_of(whole, n)) == {k for k in whole if k.split("@")[0] == n} | (
            {f"untrained-s{n[-1]}"} if n.startswith("phr") else set())
    # a merge with no new parts keeps what was computed for the same network files, untouched
    again = json.loads(ev.merge(folder, "paper", out, [], TINY).read_text())
    assert again["data"] == whole and again["meta"]["seconds"] == e["meta"]["seconds"]


def test_merge_evaluates_a_changed_network_and_rejects_a_part_of_other_files(folder, tmp_path):
    import shutil
    for f in folder.iterdir():
        shutil.copy(f, tmp_path / f.name)
    part = ev.eval_net(tmp_path, "paper", "phr-s0", tmp_path / "part.json", TINY, log=lambda *a: None)
    out = tmp_path / "eval_paper.json"
    ev.merge(tmp_path, "paper", out, [part], TINY, log=lambda *a: None)
    seed_torch(9, "other")
    td.save_net(make_net("alm", 2, 1, 2), tmp_path / "paper-alm-s1.pt")        # networks changed since
    td.save_net(make_net("phr", 2, 1, 2), tmp_path / "paper-phr-s0.pt")
    with pytest.raises(ValueError, match="another file"):
        ev.merge(tmp_path, "paper", out, [part], TINY)
    e = json.loads(ev.merge(tmp_path, "paper", out, [], TINY, log=lambda *a: None).read_text())
    assert e["meta"]["net_sha"] == ev.net_shas(tmp_path, "paper", list(e["meta"]["net_sha"]))
    assert ev.load_scale(tmp_path, "paper", TINY) == e["data"]
    assert e["data"]["alm-s1"] == ev.part_scale(tmp_path, "paper", ["alm-s1"], TINY, log=lambda *a: None)["alm-s1"]


def test_timed_states_trace_is_the_networks_output(folder):
    rec = td.load_record(folder, "paper")
    S = rec["sizes"]
    b = time_doa.batch_of_size(S, S["N"], 2, make_rng(1, "t"))
    st = start_for(b)
    net = td.load_net(folder / "paper-phr-s0.pt")
    t, C = time_doa.timed_states(net, b, st)
    assert C.shape == (2, S["T"] + 1) and t.shape == (S["T"] + 1,)
    assert t[0] == 0 and np.all(np.diff(t) > 0)
    np.testing.assert_allclose(C[:, 0], crb(channels_from_batch(b), *st).numpy())
    np.testing.assert_allclose(C[:, -1], run_doa(net, b, start=st)["crb"].numpy(), rtol=1e-9)


def test_timing_cells_and_equal_run_merge_and_load(folder, tmp_path):
    shards = [time_doa.main("cell", folder, N=N, rep=r, g=TINY_T) for N in TINY_T["N"][::-1]
              for r in range(TINY_T["reps"])]
    shards.append(time_doa.main("equal", folder, out=tmp_path / "shards" / "g0.json", group=0, g=TINY_T))
    assert shards[-1].exists() and shards[0].name == "timing-N8-r0.json"
    time_doa.merge(folder / "eval_timing.json", shards, g=TINY_T)
    for f in shards[:-1]:
        f.unlink()
    d = time_doa.load(folder, TINY_T)
    assert d["meta"]["provenance"]["versions"]["torch"] and d["meta"]["clock"] == "cpu"
    assert [(c["N"], c["rep"]) for c in d["cells"]] == [(6, 0), (6, 1), (8, 0), (8, 1)]
    assert all(c["prop"] > 0 and c["unsup"] > 0 for c in d["cells"])
    e = d["equal"][0]
    assert np.asarray(e["crb_iter"]).shape == (TINY_T["n_equal"], TINY_T["T_iter"] + 1)
    assert np.asarray(e["crb_trained"]).shape[1] == td.load_record(folder, "paper")["sizes"]["T"] + 1
    np.testing.assert_allclose(np.asarray(e["crb_iter"])[:, 0], np.asarray(e["crb_trained"])[:, 0])  # same start
    assert time_doa.load(folder, dict(TINY_T, reps=3)) is None


def test_timing_bad_arguments(folder):
    with pytest.raises(ValueError, match="part"):
        time_doa.main("bogus", folder)
    with pytest.raises(ValueError, match="N = 7"):
        time_doa.main("cell", folder, N=7, g=TINY_T)
    with pytest.raises(ValueError, match="rep = 5"):
        time_doa.main("cell", folder, N=6, rep=5, g=TINY_T)


def test_time_sides_warms_up_untimed_and_alternates_the_order():
    import time
    calls = []
    sides = dict(a=lambda: calls.append("a"), b=lambda: calls.append("b"))
    t = time_doa.time_sides(sides, instances=2, reps=3, warm=dict(a=lambda: (time.sleep(0.05), calls.append("wa"))))
    assert calls == ["wa", "b", "a", "b", "b", "a", "a", "b"]
    assert all(len(v) == 3 for v in t.values()) and max(t["a"]) < 0.02      # the slow warm-up is not timed
    calls.clear()
    time_doa.time_sides(sides, instances=1, reps=1, first_rep=1)
    assert calls == ["a", "b", "b", "a"]


def test_load_scale_is_stale_when_a_network_file_changes(folder, tmp_path):
    import shutil
    for f in folder.iterdir():
        shutil.copy(f, tmp_path / f.name)
    ev.main("paper", tmp_path, g=TINY, log=lambda *a: None)
    assert ev.load_scale(tmp_path, "paper", TINY) is not None
    seed_torch(9, "other")
    td.save_net(make_net("alm", 2, 1, 2), tmp_path / "paper-alm-s1.pt")
    assert ev.load_scale(tmp_path, "paper", TINY) is None


@pytest.fixture(scope="module")
def folder_tau(tmp_path_factory):
    """A ``midtau``-like record: PHR, per-Gamma networks and radar-only, with a step scale tau0."""
    torch.set_default_dtype(torch.float64)        # as the evaluation job runs (eval_doa.main)
    out = tmp_path_factory.mktemp("doa_midtau")
    p = dict(td.PROFILES["smoke"], kinds=["phr"], seeds=1, batch=None, tau0=0.05, P_fig9_dbw=10.0,
             Gamma_fig9_db=[-20.0, 40.0], seeds_fig9=1, kinds_aux=["radar"], seeds_aux=1)
    rec = dict(profile="midtau", sizes=p, nets={})
    for job in td.plan(p):
        seed_torch(5, job["name"])
        net = make_net("phr", p["T"], p["J"], p["R"], tau0=p["tau0"])
        td.save_net(net, out / f"midtau-{job['name']}.pt")
        rec["nets"][job["name"]] = dict(job, file=f"midtau-{job['name']}.pt", time_s=0.0, commit="test")
    (out / "midtau_record.json").write_text(json.dumps(rec))
    return out, p


def test_scale_part_runs_per_gamma_networks_with_ser_and_radar_against_each_gamma(folder_tau):
    folder, p = folder_tau
    d = ev.part_scale(folder, "midtau", None, TINY, log=lambda *a: None)
    assert sorted(d) == ["g-20-s0", "g40-s0", "phr-s0", "phr-s0@P20", "radar-s0@G-20", "radar-s0@G40",
                         "radar-s0@P20", "untrained-s0"]
    for G in (-20, 40):
        r = d[f"g{G}-s0"]
        assert len(r["ser"]) == TINY["n_test"] and all(0 <= v <= 1 for v in r["ser"])
        # the per-Gamma network runs at P_fig9 and its own Gamma: its record is that evaluation
        b = sm_batch(p, TINY).with_power(p["P_fig9_dbw"]).with_gamma(G)
        o = run_doa(td.load_net(folder / f"midtau-g{G}-s0.pt"), b, start=start_for(b))
        np.testing.assert_allclose(r["crb"], o["crb"].numpy(), rtol=1e-6)
    # the radar-only design at P_fig9 (no QoS), checked against each Gamma's CI constraints
    from risisac.paper_a.doa_net import feasible_mask
    b9 = sm_batch(p, TINY).with_power(p["P_fig9_dbw"])
    o = run_doa(td.load_net(folder / "midtau-radar-s0.pt"), b9, qos=False, start=start_for(b9.with_gamma(-20.0)))   # the first Gamma's start
    for G in (-20, 40):
        assert d[f"radar-s0@G{G}"]["ok"] == [float(v) for v in feasible_mask(b9.with_gamma(G), o["X"], o["phi"])]
        np.testing.assert_allclose(d[f"radar-s0@G{G}"]["crb"], o["crb"].numpy(), rtol=1e-6)
    assert d["radar-s0@G-20"]["ok"] != d["radar-s0@G40"]["ok"]      # the two thresholds tell designs apart


def sm_batch(p, g):
    from risisac.paper_a import model as sm
    return sm.sample_batch(td.config(p), g["n_test"], make_rng(g["seed"], "test"))


def test_scale_part_untrained_network_has_the_profiles_step_scale(folder_tau, monkeypatch):
    folder, p = folder_tau
    built = []
    orig = ev.make_net

    def spy(*a, **kw):
        net = orig(*a, **kw)
        built.append(net.tau0)
        return net

    monkeypatch.setattr(ev, "make_net", spy)
    ev.part_scale(folder, "midtau", ["phr-s0"], TINY, log=lambda *a: None)
    assert built == [p["tau0"]]
