"""risisac.paper_b.train: the chapter's training job (smoke profile), its record and loading."""
import json
import shutil

import numpy as np
import pytest
import torch

from risisac.book import artefacts, ledger
from risisac.book.artefacts import ArtefactError
from risisac.paper_b import data as D, isacnn as N, model as U, spec, train as T


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("paperB_models")
    rec = T.main("smoke", out)
    return out, rec


def test_main_smoke_writes_every_network_and_a_record(smoke_run):
    out, rec = smoke_run
    P = spec.resolve(None, profile="smoke")
    on_disk = json.loads((out / "smoke_record.json").read_text())
    assert on_disk == json.loads(json.dumps(rec))
    assert rec["config"] == json.loads(json.dumps(T.train_config(P)))
    assert rec["threads"] == 1 and rec["torch"] == torch.__version__ and rec["commit"]
    names = set(rec["nets"])
    reps = range(P.n_seeds)
    want = {f"fig6-{k}-{n}-{r}" for k in ("isacnn", "fcnn") for n in P.n_train for r in reps}
    want |= {f"fig7-{a}-{r}" for a in P.alphas if a != P.alpha for r in reps}
    want |= {f"fig11-{nr}-{b}-{r}" for nr in P.Nr_list11 for b in P.betas for r in reps}
    want |= {"l2", "fig8"}
    assert names == want
    for r in reps:
        assert (out / f"smoke_rep{r}.pt").stat().st_size == rec["files"][f"smoke_rep{r}.pt"]
    for name, inf in rec["nets"].items():
        assert 1 <= inf["epochs_run"] <= inf["epochs_max"] and inf["seconds"] > 0
        assert np.isfinite(inf["best_val"])
        if name.startswith("fig6"):
            assert len(inf["history"]["val"]) == inf["epochs_run"]
            assert inf["best_val"] == min(inf["history"]["val"])
    assert rec["nets"]["fig7-0.0-0"]["warm_start"] == T.default_name(P, 0)
    assert rec["nets"]["l2"]["norm"] == "l2" and rec["nets"]["fig11-4-0.3-1"]["Nr"] == 4


def test_stored_networks_reload_exactly(smoke_run):
    out, rec = smoke_run
    P = spec.resolve(None, profile="smoke")
    nets = T.ensure(P, out)
    assert not nets.trained_now                       # the matching record is loaded, not retrained
    for r in range(P.n_seeds):
        name = T.default_name(P, r)
        val = D.draw(P, "val", P.n_val, rep=r)
        x = torch.as_tensor(N.predict(nets[name], N.features(val)), dtype=torch.float32)
        v = float(N.loss_fn(x, N.LossData.from_problem(U.Problem.from_batch(val)), P.alpha))
        assert abs(v - rec["nets"][name]["best_val"]) <= 1e-5
    with pytest.raises(KeyError, match="not in the record"):
        nets["fig6-isacnn-1-0"]


def test_ensure_stops_when_parameters_differ_and_trains_only_on_request(smoke_run, monkeypatch):
    """A record trained with other parameters stops the chapter (naming the record, the differing
    parameters and both remedies); train_now=True trains with the same code."""
    out, _ = smoke_run
    P = spec.resolve(None, profile="smoke", epochs=2)
    with pytest.raises(ArtefactError, match=r"smoke_record.json .*differ: epochs.*train_now True.*"
                                            r"make train CHAPTER=paperB_uplink PROFILE=smoke"):
        T.ensure(P, out)
    called = {}
    monkeypatch.setattr(T, "train_all", lambda P_, folder, tag=None, progress=None: called.setdefault(
        "rec", {"profile": P_.profile, "nets": {}}))
    nets = T.ensure(P, out, train_now=True)
    assert nets.trained_now and called["rec"]["profile"] == "smoke"


def test_missing_or_damaged_networks_stop_with_the_file_and_the_command(smoke_run, tmp_path):
    out, rec = smoke_run
    P = spec.resolve(None, profile="smoke")
    with pytest.raises(ArtefactError, match=r"smoke_record.json \(training record.*is missing.*"
                                            r"make train CHAPTER=paperB_uplink PROFILE=smoke"):
        T.ensure(P, tmp_path)
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    data = (bad / "smoke_rep1.pt").read_bytes()
    (bad / "smoke_rep1.pt").write_bytes(data[: len(data) // 2])      # truncated
    with pytest.raises(ArtefactError, match=r"smoke_rep1.pt .*differs from the stored hash.*make train"):
        T.ensure(P, bad)
    (bad / "smoke_rep1.pt").unlink()
    with pytest.raises(ArtefactError, match=r"smoke_rep1.pt .*is missing"):
        T.ensure(P, bad)


def test_record_carries_hashes_and_declarations(smoke_run):
    out, rec = smoke_run
    assert rec["declarations"] == ledger.digests(spec.CLAIMS)
    for f in rec["files"]:
        assert rec["sha256"][f] == artefacts.sha256(out / f)


def test_book_record_matches_its_networks():
    """The committed book networks are the ones their record's hashes name."""
    rec = json.loads((T.MODELS / "book_record.json").read_text())
    assert set(rec["sha256"]) == set(rec["files"])
    nets = T.ensure(spec.resolve(None, profile="book"))
    assert not nets.trained_now


def test_bad_profile_is_named():
    with pytest.raises(ValueError, match="profile = 'huge'"):
        T.main("huge", None)


def test_csi_test_shares_the_true_channel_across_beta():
    P = spec.resolve(None, profile="smoke")
    nr = P.Nr_list11[0]
    t3, e3 = T.csi_test(P, nr, 0.3)
    t1, e1 = T.csi_test(P, nr, 1.0)
    assert np.allclose(t3.Gn, t1.Gn) and np.allclose(t1.Gn, e1.Gn)
    assert not np.allclose(e3.Gn, t3.Gn)
