"""Tests of risisac.paper_a.train_doa (training job, artefacts, record) and risisac.paper_a.spec_doa."""

import json
import math

import pytest
import torch

from risisac.book.params import ParameterError
from risisac.paper_a import spec_doa, train_doa as td
from risisac.paper_a.doa_net import run_doa
from risisac.paper_a.unsupervised import run_unsupervised


def test_smoke_training_writes_artefacts_and_records(tmp_path):
    rec = td.main("smoke", tmp_path)
    p = td.PROFILES["smoke"]
    names = [j["name"] for j in td.plan(p)]
    assert sorted(rec["nets"]) == sorted(names)
    assert len(names) == 5 * p["seeds"] + 2 * p["seeds_aux"] + p["seeds_fig9"] * len(p["Gamma_fig9_db"])
    on_disk = json.loads((tmp_path / "record.json").read_text())
    assert on_disk["sizes"] == p and on_disk["profile"] == "smoke"
    r = on_disk["nets"]["phr-s0"]
    assert len(r["loss_per_layer"]) == p["T"] and r["time_s"] >= 0 and r["commit"]
    # parameters round-trip: the reloaded network computes what the record's network computes
    net = td.load_net(tmp_path / "phr-s0.pt")
    assert net.alm == "phr" and (net.T, net.J, net.R) == (p["T"], p["J"], p["R"])
    assert td.load_net(tmp_path / "alm-s0.pt").alm == "plain"
    b = td.training_batch(p, dict(s=0))
    u = td.load_net(tmp_path / "unsup-s0.pt")
    assert torch.isfinite(run_unsupervised(u, b)["crb"]).all() and torch.isfinite(run_doa(net, b)["crb"]).all()
    # every network's own record travels in its file; the profile's record gathers them again
    assert torch.load(tmp_path / "phr-s0.pt", weights_only=True)["record"] == r
    prov = r["provenance"]
    assert prov["params"]["profile"] == "smoke" and prov["versions"]["torch"] and prov["cpu"] and "dirty" in prov
    assert prov["declarations"] and prov["wall_s"] >= 0 and prov["cpu_s"] >= 0
    again = td.write_record("smoke", tmp_path / "again.json", sorted(tmp_path.glob("*.pt")))
    assert again["nets"] == on_disk["nets"] and list(again["nets"]) == names


def test_training_batches_pair_seeds():
    p = td.PROFILES["smoke"]
    a, b = td.training_batch(p, dict(s=0)), td.training_batch(p, dict(s=0, kind="alm"))
    assert torch.equal(a.h_k, b.h_k)                          # PHR and ALM of seed s: same channels
    assert not torch.equal(a.h_k, td.training_batch(p, dict(s=1)).h_k)
    g = td.training_batch(p, dict(s=0, P_dbw=10.0, Gamma_db=20.0))
    assert g.P == pytest.approx(10.0) and g.gamma > a.gamma


def test_bad_profile_and_missing_record(tmp_path):
    with pytest.raises(ValueError, match="profile"):
        td.main("huge", tmp_path)
    with pytest.raises(FileNotFoundError, match="make train"):
        td.load_record(tmp_path / "none")


def test_spec_profiles_and_errors():
    for prof in ("book", "smoke", "paper"):
        P = spec_doa.resolve(dict(profile=prof))
        assert P.profile == prof
    assert "n_test" in repr(spec_doa.table(spec_doa.resolve(dict(profile="smoke"))))
    with pytest.raises(ParameterError, match="n_test"):
        spec_doa.resolve(dict(profile="book", n_test=1))
    with pytest.raises(ParameterError, match="P_list_dbw"):
        spec_doa.resolve(dict(profile="book", P_list_dbw=[30.0, 10.0]))
    with pytest.raises(ParameterError, match="unknown"):
        spec_doa.resolve(dict(profile="book", N=64))


def _tiny_scale(monkeypatch, batch):
    p = dict(td.PROFILES["smoke"], kinds=["phr", "alm"], seeds=1, batch=batch, n_train=4, T=1, J=1, R=1, epochs=2)
    monkeypatch.setitem(td.PROFILES, "mid", p)
    return p


def test_scale_profiles_train_on_mini_batches(monkeypatch, tmp_path):
    """mid/paper train with mini-batches of ``batch`` drawn by a seeded generator."""
    from risisac.paper_a import doa_net
    _tiny_scale(monkeypatch, batch=2)
    seen = []
    orig = doa_net.train_layerwise

    def spy(*a, **kw):
        seen.append((kw.get("batch_size"), kw.get("generator")))
        return orig(*a, **kw)

    monkeypatch.setattr(doa_net, "train_layerwise", spy)
    td.train_net("mid", "phr-s0", tmp_path / "mid-phr-s0.pt", log=lambda *a: None, check_clean=False)
    assert seen and seen[0][0] == 2 and isinstance(seen[0][1], torch.Generator)


def test_record_gathers_the_networks_and_keeps_entries_of_files_without_their_own(monkeypatch, tmp_path):
    """The record rule: a network file with its record replaces its entry; a file written before
    records travelled in the files keeps the entry of the record already there; a stray file stops."""
    _tiny_scale(monkeypatch, batch=None)
    td.train_net("mid", "phr-s0", tmp_path / "mid-phr-s0.pt", log=lambda *a: None, check_clean=False)
    td.train_net("mid", "alm-s0", tmp_path / "mid-alm-s0.pt", log=lambda *a: None, check_clean=False)
    d = torch.load(tmp_path / "mid-alm-s0.pt", weights_only=True)
    old_entry = dict(d.pop("record"), time_s=1.0, commit="x")
    torch.save(d, tmp_path / "mid-alm-s0.pt")                       # an old-style file
    rec_path = tmp_path / "mid_record.json"
    rec_path.write_text(json.dumps(dict(profile="mid", sizes=td.PROFILES["mid"], note="kept",
                                        nets={"alm-s0": old_entry, "gone-s9": old_entry})))
    rec = td.write_record("mid", rec_path, [tmp_path / "mid-alm-s0.pt", tmp_path / "mid-phr-s0.pt"])
    assert list(rec["nets"]) == ["phr-s0", "alm-s0"] and rec["nets"]["alm-s0"]["commit"] == "x"
    assert rec["note"] == "kept" and json.loads(rec_path.read_text()) == rec
    assert rec["total_time_s"] == pytest.approx(1.0 + rec["nets"]["phr-s0"]["time_s"], abs=0.11)
    rec_path.unlink()
    with pytest.raises(ValueError, match="without its training record"):
        td.write_record("mid", rec_path, [tmp_path / "mid-alm-s0.pt"])
    with pytest.raises(ValueError, match="not one of profile"):
        td.train_net("mid", "nope-s0", tmp_path / "x.pt", check_clean=False)


def test_step_budget_rule_and_midtau_plan():
    """tau0 keeps the book's J R tau0 (0.1 at J = R = 3, 0.009 at J = R = 10); midtau trains paired
    PHR/ALM first, then the per-Gamma networks, then radar-only and random RIS."""
    assert td.tau0_for(3, 3) == pytest.approx(0.1) and td.tau0_for(10, 10) == pytest.approx(0.009)
    p = td.PROFILES["midtau"]
    assert p["tau0"] == pytest.approx(td.tau0_for(p["J"], p["R"]))
    assert {k: v for k, v in p.items() if k not in ("tau0", "seeds", "kinds", "P_fig9_dbw", "Gamma_fig9_db",
                                                   "seeds_fig9", "kinds_aux", "seeds_aux")} == \
        {k: v for k, v in td.PROFILES["mid"].items() if k not in ("seeds", "kinds")}
    names = [j["name"] for j in td.plan(p)]
    n1 = 2 * p["seeds"]
    n9 = len(p["Gamma_fig9_db"]) * p["seeds_fig9"]
    assert names[:n1] == [f"{k}-s{s}" for s in range(p["seeds"]) for k in ("phr", "alm")]
    assert names[n1:n1 + n9] == [f"g{g:g}-s{s}" for s in range(p["seeds_fig9"]) for g in p["Gamma_fig9_db"]]
    assert names[n1 + n9:] == [f"{k}-s{s}" for s in range(p["seeds_aux"]) for k in ("radar", "rand")]
    g = td.plan(p)[n1]
    assert (g["kind"], g["P_dbw"], g["Gamma_db"]) == ("g", p["P_fig9_dbw"], p["Gamma_fig9_db"][0])


def test_trained_network_keeps_its_step_scale(monkeypatch, tmp_path):
    """The profile's tau0 reaches the trained network and survives save/load; files without tau0
    (trained before the rule) load with the book's 0.1."""
    p = _tiny_scale(monkeypatch, batch=None)
    p["tau0"] = 0.0123
    td.train_net("mid", "phr-s0", tmp_path / "mid-phr-s0.pt", log=lambda *a: None, check_clean=False)
    net = td.load_net(tmp_path / "mid-phr-s0.pt")
    assert net.tau0 == pytest.approx(0.0123)
    assert net.layers[0].tau.base == pytest.approx(0.0123 / math.log(2))
    d = torch.load(tmp_path / "mid-phr-s0.pt", weights_only=True)
    del d["config"]["tau0"]
    torch.save(d, tmp_path / "old.pt")
    assert td.load_net(tmp_path / "old.pt").tau0 == pytest.approx(td.TAU0_BOOK)
