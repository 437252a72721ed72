"""Repository-level checks: jupytext pairing, environment pins, committed ledgers, CI entry point."""
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from chapters import chapters  # noqa: E402

from risisac.book import ledger  # noqa: E402


def md_code_cells(text):
    return [m.group(1).strip("\n") for m in
            re.finditer(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", text, re.M | re.S)]


def strip_cell_options(src):
    lines = src.split("\n")
    while lines and lines[0].startswith(":"):   # MyST cell options, e.g. ":tags: [parameters]"
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines).strip()


@pytest.mark.parametrize("name", chapters())
def test_md_and_ipynb_are_paired(name):
    md = (ROOT / "notebooks" / f"{name}.md").read_text()
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    nb_code = ["".join(c["source"]).strip() for c in nb["cells"] if c["cell_type"] == "code"]
    md_code = [strip_cell_options(c) for c in md_code_cells(md)]
    assert md_code == nb_code, f"{name}: .md and .ipynb code cells differ - run `make execute CHAPTER={name}`"
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "parameters" in first["metadata"].get("tags", []), f"{name}: first code cell must be tagged parameters"


@pytest.mark.parametrize("name", chapters())
def test_committed_notebook_is_executed_and_clean(name):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), f"{name}: unexecuted cells"
    outs = [o for c in code for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outs), f"{name}: stored error"
    assert any("image/png" in o.get("data", {}) for o in outs), f"{name}: no figure"
    assert "papermill" not in nb["metadata"], f"{name}: papermill metadata not stripped"
    assert not any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert "## Errata and assumptions" in (ROOT / "notebooks" / f"{name}.md").read_text()


@pytest.mark.parametrize("name", chapters())
def test_committed_ledger_shape(name):
    data = json.loads((ROOT / "results" / f"{name}.json").read_text())
    assert list(data) == ["chapter", "profile", "parameters", "commit", "claims"]
    assert data["chapter"] == name and data["profile"] == "book"
    assert data["claims"], f"{name}: empty ledger"
    for c in data["claims"]:
        assert list(c) == list(ledger.KEYS)
        assert c["verdict"] in ledger.VERDICTS
        assert c["verdict"] == "reproduced" or c["note"], f"{name}/{c['id']}: unexplained verdict"


def parse_pins(lines):
    pins = {}
    for ln in lines:
        ln = ln.split("#")[0].strip().lstrip("- ").strip()
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(==|=)\s*([^\s]+)$", ln)
        if m:
            pins[m.group(1).lower()] = m.group(3)
    return pins


def test_environment_yml_pins_match_requirements():
    req = parse_pins((ROOT / "requirements.txt").read_text().splitlines())
    env_lines = (ROOT / "environment.yml").read_text().splitlines()
    env = parse_pins(env_lines)
    env.pop("python", None)
    if "pytorch-cpu" in env:                    # conda-forge's CPU build stands for torch
        env["torch"] = env.pop("pytorch-cpu")
    assert env == req


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()


def test_toc_lists_existing_chapters_only():
    for name in chapters():
        assert (ROOT / "notebooks" / f"{name}.md").exists(), name
