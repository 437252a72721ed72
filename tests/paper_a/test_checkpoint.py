"""Training survives an interruption: a layer-wise training stopped after some Adam steps and
resumed from its checkpoint ends with the weights and loss history of an uninterrupted run; a
damaged checkpoint is refused naming the file; a checkpoint of another configuration is not used.

Exact equality is asserted on purpose: both runs are in this process, on one thread, and the
resumed run restores every saved tensor bit for bit (weights, Adam's moments and step, the
state entering the layer, the generators) and then runs the same operations in the same order
as the uninterrupted run, so no round-off can differ. A tolerance would hide a missed piece of
state (e.g. a generator not restored changes the mini-batches, and the weights by ~1e-3).
"""

import numpy as np
import pytest
import torch

from risisac.book import checkpoint as ckm
from risisac.book.rng import make_rng
from risisac.paper_a import detection_net as pu
from risisac.paper_a import model as sm
from risisac.paper_a import unfolding as uf

EPOCHS, LAYERS = 5, 2


@pytest.fixture(autouse=True)
def one_thread_float64():
    """One thread and float64 for these tests, restored afterwards (other tests keep theirs)."""
    n, dt = torch.get_num_threads(), torch.get_default_dtype()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_num_threads(n)
    torch.set_default_dtype(dt)


@pytest.fixture
def prob(one_thread_float64):
    b = sm.sample_batch(sm.SLPConfig(N=8, L=4), 4, make_rng(0, "ckpt"))
    X0, phi0 = pu.start_point(b, "ris")
    return pu.DetectionProblem(b, X0, phi0), phi0


class Stop(Exception):
    pass


def run(prob, ckpt=None, stop_after=None, lr=0.05, every_s=0.0, seed=0):
    """Train a fresh 2-layer network (mini-batches of 2 of 4 instances, drawn by a generator);
    ``stop_after`` Adam steps raise :class:`Stop` (the job is killed)."""
    pr, phi0 = prob
    torch.manual_seed(seed)
    net = uf.UnfoldedADMM(LAYERS, 1, 1)
    s0 = uf.UnfoldedADMM.init_state(pr, pr.xb0, phi0)
    calls = [0]

    def loss(p, s):
        if torch.is_grad_enabled():
            calls[0] += 1
            if stop_after is not None and calls[0] > stop_after:
                raise Stop
        return pu.loss_sinr(p, s)

    ck = None if ckpt is None else ckm.Checkpoint(ckpt, every_s=every_s, log=lambda line: logs.append(line))
    hist = uf.train_layerwise(net, pr, s0, loss, EPOCHS, lr=lr, batch_size=2,
                              generator=torch.Generator().manual_seed(7), checkpoint=ck)
    return net, hist


logs: list = []


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.mark.parametrize("stop_after,every_s", [(3, 0.0), (7, 0.0), (7, 1e9)])
def test_interrupted_training_resumes_to_the_uninterrupted_result(prob, tmp_path, stop_after, every_s):
    """Stopped within layer 0 (step 3), within layer 1 (step 7, checkpoint after every step),
    and within layer 1 with only the layer-boundary checkpoint (every_s huge): resumed, the
    final weights and the loss history equal the uninterrupted run's."""
    ref_net, ref_hist = run(prob)
    path = tmp_path / "net.pt.ckpt"
    with pytest.raises(Stop):
        run(prob, path, stop_after=stop_after, every_s=every_s)
    assert path.exists()
    saved = ckm.load(path)["position"]
    if every_s:
        assert saved == dict(layer=1, step=0)              # the layer boundary
    (tmp_path / "net.pt.ckpt.x1y2.tmp").write_bytes(b"half")    # a save killed while writing
    logs.clear()
    net, hist = run(prob, path, every_s=every_s)
    assert any("resuming" in line for line in logs)
    assert hist == ref_hist                                 # same floats, in the same order
    assert same(net, ref_net)
    assert not path.exists()                                # removed when the job completes
    assert not list(tmp_path.glob("*.tmp"))                 # no temporary file left behind


def test_a_checkpoint_of_another_configuration_is_not_used(prob, tmp_path):
    path = tmp_path / "c.ckpt"
    with pytest.raises(Stop):
        run(prob, path, stop_after=6, lr=0.05)
    ref_net, ref_hist = run(prob, lr=0.02)
    logs.clear()
    net, hist = run(prob, path, lr=0.02)                    # another learning rate: starts afresh
    assert any("another configuration" in line and "lr" in line for line in logs)
    assert hist == ref_hist and same(net, ref_net)
    with pytest.raises(Stop):                               # another initialisation seed
        run(prob, path, stop_after=6)
    logs.clear()
    run(prob, path, seed=1)
    assert any("weights0" in line for line in logs)


def test_a_damaged_checkpoint_is_refused_naming_the_file(prob, tmp_path):
    path = tmp_path / "d.ckpt"
    with pytest.raises(Stop):
        run(prob, path, stop_after=6)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])                # truncated
    with pytest.raises(ckm.CheckpointError, match=r"d\.ckpt: damaged checkpoint"):
        run(prob, path)
    torch.save({"weights": 1}, path)                        # readable, but not a checkpoint
    with pytest.raises(ckm.CheckpointError, match=r"d\.ckpt: not a training checkpoint"):
        run(prob, path)


def test_atomic_save_and_random_states_round_trip(tmp_path):
    import random
    g = torch.Generator().manual_seed(3)
    torch.manual_seed(1), np.random.seed(2), random.seed(4)
    st = ckm.rng_state([g])
    ckm.save(tmp_path / "r.ckpt", dict(rng=st))
    a = (torch.rand(3), np.random.rand(3), random.random(), torch.rand(2, generator=g))
    torch.manual_seed(9), np.random.seed(9), random.seed(9), g.manual_seed(9)
    ckm.set_rng_state(ckm.load(tmp_path / "r.ckpt")["rng"], [g])
    b = (torch.rand(3), np.random.rand(3), random.random(), torch.rand(2, generator=g))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2] and torch.equal(a[3], b[3])
    assert [p.name for p in tmp_path.iterdir()] == ["r.ckpt"]


def test_time_policy(monkeypatch):
    monkeypatch.setenv("RISISAC_CHECKPOINT_S", "120")
    assert ckm.Checkpoint("x").every_s == 120.0
    monkeypatch.delenv("RISISAC_CHECKPOINT_S")
    c = ckm.Checkpoint("x")
    assert c.every_s == 600.0 and not c.due()
    assert ckm.Checkpoint("x", every_s=0).due()
    monkeypatch.setenv("RISISAC_CHECKPOINT_S", "-1")
    with pytest.raises(ValueError, match="RISISAC_CHECKPOINT_S"):
        ckm.Checkpoint("x")


def test_a_doa_training_job_killed_and_rerun_writes_the_uninterrupted_network(monkeypatch, tmp_path):
    """The workflow's job (train_doa net ... --checkpoint <out>.ckpt) on a tiny profile: stopped
    inside its second layer, rerun, it writes the same network and losses, records where it
    resumed and deletes the checkpoint."""
    from risisac.paper_a import doa_net
    from risisac.paper_a import train_doa as td
    monkeypatch.setitem(td.PROFILES, "mid", dict(td.PROFILES["smoke"], kinds=["phr"], seeds=1, batch=2, n_train=4,
                                                 T=2, J=1, R=1, epochs=3))
    quiet = dict(log=lambda *a: None, check_clean=False)
    td.train_net("mid", "phr-s0", tmp_path / "a.pt", **quiet)
    orig, calls = doa_net.loss_crb, [0]

    def stopping(p, s, w=1.0):
        if torch.is_grad_enabled():
            calls[0] += 1
            if calls[0] > 4:
                raise Stop
        return orig(p, s, w)

    monkeypatch.setattr(doa_net, "loss_crb", stopping)
    monkeypatch.setenv("RISISAC_CHECKPOINT_S", "0")
    ck = tmp_path / "b.pt.ckpt"
    with pytest.raises(Stop):
        td.train_net("mid", "phr-s0", tmp_path / "b.pt", checkpoint=ck, **quiet)
    assert ck.exists() and not (tmp_path / "b.pt").exists()
    monkeypatch.setattr(doa_net, "loss_crb", orig)
    rec = td.train_net("mid", "phr-s0", tmp_path / "b.pt", checkpoint=ck, **quiet)
    assert rec["resumed_from"] == dict(layer=1, step=1) and len(rec["seconds_after_layer"]) == 2
    assert not ck.exists()
    a, b = (torch.load(tmp_path / f, weights_only=True) for f in ("a.pt", "b.pt"))
    assert all(torch.equal(a["state"][k], b["state"][k]) for k in a["state"])
    assert a["record"]["loss_per_layer"] == b["record"]["loss_per_layer"]
