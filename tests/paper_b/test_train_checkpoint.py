"""Paper B's training job survives an interruption: stopped after some networks and rerun, it
resumes after the last saved network and writes the networks and the record of an uninterrupted
run (smoke profile, seconds). Exact equality: one process, the same operations in the same order
(each network seeds its own initialisation and shuffling by name), saved tensors restored bit
for bit."""
import pytest
import torch

from risisac.paper_b import spec, train as T

STRIP = ("seconds",)


class Stop(Exception):
    pass


def nets_of(rec):
    return {n: {k: v for k, v in inf.items() if k not in STRIP} for n, inf in rec["nets"].items()}


def same_files(a, b, rec):
    for f in rec["files"]:
        x, y = torch.load(a / f, weights_only=True), torch.load(b / f, weights_only=True)
        assert x.keys() == y.keys(), f
        for name in x:
            assert all(torch.equal(x[name][k], y[name][k]) for k in x[name]), (f, name)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("paperB_ref")
    return out, T.train_all(spec.resolve(None, profile="smoke"), out, tag="smoke")


@pytest.mark.parametrize("stop_after,every_s", [(5, "0"), (17, "1e9")])
def test_interrupted_training_resumes_to_the_uninterrupted_networks(reference, tmp_path, monkeypatch,
                                                                    stop_after, every_s):
    """Stopped inside repetition 0 (a save after every network), and inside repetition 1 with only
    the repetition-boundary save: rerun, the files and the record equal the uninterrupted run's."""
    ref_out, ref = reference
    P = spec.resolve(None, profile="smoke")
    monkeypatch.setenv("RISISAC_CHECKPOINT_S", every_s)
    ck = tmp_path / "smoke.ckpt"
    orig, calls = T._fit_one, [0]

    def stopping(*a, **kw):
        calls[0] += 1
        if calls[0] > stop_after:
            raise Stop
        return orig(*a, **kw)

    monkeypatch.setattr(T, "_fit_one", stopping)
    with pytest.raises(Stop):
        T.train_all(P, tmp_path, tag="smoke", checkpoint=ck)
    assert ck.exists()
    for f in tmp_path.glob("smoke_rep*.pt"):              # Snakemake deletes an interrupted job's outputs
        f.unlink()
    monkeypatch.setattr(T, "_fit_one", orig)
    rec = T.train_all(P, tmp_path, tag="smoke", checkpoint=ck)
    assert not ck.exists()
    assert nets_of(rec) == nets_of(ref) and rec["files"] == ref["files"] and rec["sha256"] == ref["sha256"]
    same_files(ref_out, tmp_path, ref)
