"""risisac.paper_a.train_detection: the smoke training job writes loadable networks and a record."""

import json

import pytest
import torch

from risisac.book.artefacts import ArtefactError
from risisac.paper_a import train_detection as td


def test_smoke_training_writes_params_and_record(tmp_path):
    rec = td.main("smoke", tmp_path, progress=None)
    r = json.loads((tmp_path / "smoke_record.json").read_text())
    assert r == json.loads(json.dumps(rec))
    assert r["sizes"]["T"] == 2 and len(r["networks"]) == 1
    n = r["networks"][0]
    assert len(n["loss_per_layer"]) == 2 and n["seconds"] > 0 and n["loss_per_layer"][-1] < n["loss_start"]
    nets, rec2 = td.load("smoke", tmp_path)
    assert nets[0].T == 2 and rec2["commit"] == r["commit"]
    assert all(torch.isfinite(p).all() for p in nets[0].parameters())
    prov = n["provenance"]
    assert prov["params"]["seed"] == 0 and prov["versions"]["numpy"] and prov["cpu"] and prov["declarations"]
    # the record rule gathers the networks' own records again; an old-style file keeps its entry
    assert td.write_record("smoke", tmp_path / "again.json", [tmp_path / "smoke_seed0.pt"])["networks"] == [n]


def test_bad_profile_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="profile"):
        td.main("huge", tmp_path)
    with pytest.raises(ArtefactError, match="paper_record.json .*missing.*make train"):
        td.load("paper", tmp_path)


def test_damaged_network_stops_naming_the_file(tmp_path):
    td.main("smoke", tmp_path, progress=None)
    f = tmp_path / "smoke_seed0.pt"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])          # truncated
    with pytest.raises(ArtefactError, match="smoke_seed0.pt .*damaged.*make train CHAPTER=paperA_detection"):
        td.load("smoke", tmp_path)
