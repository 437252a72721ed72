"""The stored artefacts stay small: the tracked files under models/ within a budget, and no
network file that the workflow declares not stored is committed."""
import subprocess
from pathlib import Path

import pytest

from risisac.book import workflow as W

ROOT = Path(__file__).resolve().parents[1]
MIB = 2 ** 20
#: the budget of the tracked files under models/: 40 MB (35.6 MiB now: the network files of the
#: DoA profiles whose verdicts rest on their stored evaluations are not kept, see
#: risisac.book.workflow.NETS_NOT_STORED). The weights are float64; float32 would halve the rest
#: but needs every network re-evaluated to show that no verdict changes.
BUDGET_MIB = 40e6 / MIB


def tracked(folder="models"):
    out = subprocess.run(["git", "ls-files", "-z", folder], cwd=ROOT, capture_output=True, text=True)
    files = [f for f in out.stdout.split("\0") if f]
    if out.returncode != 0 or not files:
        pytest.skip("not a git checkout")
    return files


def test_models_within_budget():
    sizes = {f: (ROOT / f).stat().st_size for f in tracked() if (ROOT / f).exists()}
    total = sum(sizes.values())
    top = ", ".join(f"{f} {s / MIB:.1f} MiB" for f, s in sorted(sizes.items(), key=lambda kv: -kv[1])[:3])
    assert total <= BUDGET_MIB * MIB, f"models/ holds {total / MIB:.1f} MiB > {BUDGET_MIB:.1f} MiB (largest: {top})"


def test_networks_declared_not_stored_are_not_committed():
    committed = set(tracked())
    for chapter, profiles in W.NETS_NOT_STORED.items():
        for profile in profiles:
            nets = W.net_files(chapter, profile)
            assert nets and not committed & set(nets), f"{chapter} {profile}: networks committed"
            assert set(W.targets(chapter, profile)) - set(nets) <= committed     # record and evaluation are
