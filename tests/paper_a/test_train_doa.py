"""Tests of risisac.paper_a.train_doa (training job, artefacts, record) and risisac.paper_a.spec_doa."""

import json

import pytest
import torch

from risisac.book.params import ParameterError
from risisac.paper_a import spec_doa, train_doa as td
from risisac.paper_a.doa_net import run_doa
from risisac.paper_a.unsupervised import run_unsupervised


def test_smoke_training_writes_artefacts_and_resumes(tmp_path):
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
    # resume: nothing is retrained
    rec2 = td.main("smoke", tmp_path)
    assert rec2["nets"] == on_disk["nets"]


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
