"""The Snakemake workflow (workflow/Snakefile): a checkout with the committed artefacts has nothing
to do, a missing network is rebuilt with exactly what depends on it, every committed heavy
artefact is a rule's output, and `make train` knows every profile of a chapter's job."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from risisac.book import workflow as W

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
#: committed files under models/ that no rule makes: a benchmark, a record of another machine
NOT_RULE_OUTPUTS = re.compile(r"bench\.jsonl$|eval_mid_xeon16\.json$")

pytestmark = pytest.mark.skipif(not SNAKEMAKE.exists() and shutil.which("snakemake") is None,
                                reason="snakemake is not installed")


def _tree(tmp_path, drop=()):
    """A book root of links to the committed artefacts (without ``drop``)."""
    for f in (ROOT / "models").rglob("*"):
        rel = f.relative_to(ROOT)
        if f.is_file() and str(rel) not in drop:
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).symlink_to(f)
    return tmp_path


def dry_run(folder, *targets):
    """``snakemake -n`` in ``folder``: {rule: number of jobs}."""
    exe = str(SNAKEMAKE) if SNAKEMAKE.exists() else "snakemake"
    out = subprocess.run([exe, *targets, "-n", "-s", str(ROOT / "workflow" / "Snakefile"), "--profile",
                          str(ROOT / "workflow" / "profiles" / "default"), "--directory", str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout + out.stderr
    if "Nothing to be done" in text:
        return {}
    table = text.split("Job stats:", 1)[1]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)
            if m.group(1) not in ("total",)}


def test_committed_artefacts_are_current_and_a_missing_network_rebuilds_what_depends_on_it(tmp_path):
    assert dry_run(_tree(tmp_path / "fresh")) == {}                 # no .snakemake metadata, as a clone
    jobs = dry_run(_tree(tmp_path / "two", drop=("models/paperA_doa/paper-alm-s0.pt", "models/paperA_doa/alm-s0.pt")))
    # a scale network: its profile's record and the evaluation of that network, merged into
    # eval_paper.json; a book network: the record and the three parts (each tied to record.json)
    assert jobs == dict(doa_net_scale=1, doa_record_scale=1, doa_eval_net=1, doa_eval_scale=1,
                        doa_net_book=1, doa_record_book=1, doa_eval_book=3, all=1)


def test_a_profile_whose_networks_are_not_stored_is_rebuilt_only_on_request(tmp_path):
    """The mid networks are not committed: their record and evaluation are leaves of the default
    run; ``make train ... PROFILE=mid`` (``--config rebuild=mid``) retrains and re-evaluates them."""
    from risisac.paper_a import train_doa as td
    sys.path.insert(0, str(ROOT / "tools"))
    import train
    assert W.NETS_NOT_STORED["paperA_doa"] == td.NETS_NOT_STORED
    cmd = train.command("paperA_doa", "mid", dry=True)
    assert "rebuild=mid" in cmd
    n = len(td.net_names("mid"))
    assert not set(W.net_files("paperA_doa", "mid")) & set(W.stored())             # default: leaves
    assert dry_run(_tree(tmp_path), *cmd[1:cmd.index("-s")], "--config", "rebuild=mid") == dict(
        doa_net_scale=n, doa_record_scale=1, doa_eval_net=n, doa_eval_scale=1)


def test_every_committed_heavy_artefact_is_a_rule_output():
    committed = subprocess.run(["git", "ls-files", "models"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not committed:
        pytest.skip("not a git checkout")
    stored = set(W.stored())
    assert {f for f in committed if not NOT_RULE_OUTPUTS.search(f)} == stored
    assert len(stored) == len(W.stored())                            # no artefact made by two profiles


def test_every_profile_of_a_job_has_targets():
    for chapter in W.CHAPTERS:
        for profile in W.profiles(chapter):
            assert W.targets(chapter, profile)
    assert {"mid", "midtau", "paper", "papertau"} <= set(W.profiles("paperA_doa"))
    with pytest.raises(ValueError, match="allowed values"):
        W.targets("paperA_doa", "huge")
    with pytest.raises(ValueError, match="no heavy job"):
        W.profiles("shared_models")
