"""risisac.book.provenance: the record every job stores, and the refusal of a dirty tree."""

import subprocess

import pytest

from risisac.book import provenance


def _repo(tmp_path):
    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)
    run("init", "-q")
    run("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x")
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.json").write_text("{}")
    run("add", "code.py", "models/a.json")
    run("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "-m", "y")
    return tmp_path


def test_dirty_tree_is_refused_unless_allowed_and_then_recorded(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    monkeypatch.delenv("RISISAC_COMMIT", raising=False)
    monkeypatch.setenv(provenance.ALLOW_DIRTY, "0")
    assert provenance.check_clean(root)["dirty"] is False
    (root / "models" / "a.json").write_text('{"new": 1}')              # an artefact written by a job
    (root / "untracked.py").write_text("")                             # untracked files do not count
    assert provenance.check_clean(root)["dirty"] is False
    (root / "code.py").write_text("x = 2\n")
    with pytest.raises(provenance.DirtyTreeError, match="code.py.*RISISAC_ALLOW_DIRTY=1"):
        provenance.check_clean(root)
    monkeypatch.setenv(provenance.ALLOW_DIRTY, "1")
    st = provenance.check_clean(root)
    assert st["dirty"] is True and st["changed"] == ["code.py"]
    rec = provenance.record("ch", "job", dict(a=1), source=st)
    assert rec["dirty"] is True and rec["changed"] == ["code.py"] and len(rec["commit"]) >= 7


def test_record_holds_versions_machine_times_and_declarations():
    from risisac.paper_c.spec import CLAIMS
    clock = provenance.Clock()
    sum(i * i for i in range(20000))
    src = dict(commit="abc1234", dirty=False, changed=[])
    rec = provenance.record("paperC_rydberg", "train", dict(n=3), clock=clock, claims=CLAIMS, source=src)
    assert rec["commit"] == "abc1234" and rec["dirty"] is False and rec["params"] == dict(n=3)
    assert set(rec["versions"]) == {"python", "torch", "numpy", "scipy"} and all(rec["versions"].values())
    assert "logical CPUs" in rec["cpu"] and "gpu" in rec and rec["machine"]
    assert rec["wall_s"] >= 0 and rec["cpu_s"] >= 0 and rec["started"].endswith("Z")
    assert rec["declarations"] == {k: c.digest for k, c in CLAIMS.items()}
    some = sorted(CLAIMS)[:1]
    assert list(provenance.record("c", "j", {}, claims=CLAIMS, claim_ids=some, source=src)["declarations"]) == some


def test_source_state_without_git(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "_git", lambda *a, **k: None)
    monkeypatch.setenv("RISISAC_COMMIT", "feedbee")
    assert provenance.source_state(tmp_path) == dict(commit="feedbee", dirty=None, changed=[])
