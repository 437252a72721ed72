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
    import jupytext
    md_tags = [list(c.metadata.get("tags", [])) for c in jupytext.read(ROOT / "notebooks" / f"{name}.md").cells
               if c.cell_type == "code"]
    nb_tags = [list(c["metadata"].get("tags", [])) for c in nb["cells"] if c["cell_type"] == "code"]
    assert md_tags == nb_tags, f"{name}: cell tags of the .md and .ipynb differ - run `make execute CHAPTER={name}`"


@pytest.mark.parametrize("name", chapters())
def test_committed_notebook_is_executed_and_clean(name):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), f"{name}: unexecuted cells"
    outs = [o for c in code for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outs), f"{name}: stored error"
    png = ("image/png", "application/papermill.record/image/png")  # shown, or glued for a {glue:figure}
    assert any(k in o.get("data", {}) for o in outs for k in png), f"{name}: no figure"
    assert "papermill" not in nb["metadata"], f"{name}: papermill metadata not stripped"
    assert not any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert "## Errata and assumptions" in (ROOT / "notebooks" / f"{name}.md").read_text()


@pytest.mark.parametrize("name", chapters())
def test_committed_ledger_shape(name):
    data = json.loads((ROOT / "results" / f"{name}.json").read_text())
    assert list(data) in (["chapter", "profile", "parameters", "commit", "claims"],
                          ["chapter", "profile", "parameters", "commit", "claims", "checks"])
    assert data["chapter"] == name and data["profile"] == "book"
    assert data["claims"], f"{name}: empty ledger"
    for c in data["claims"]:
        assert list(c)[:len(ledger.KEYS)] == list(ledger.KEYS), (name, c["id"])
        assert set(list(c)[len(ledger.KEYS):]) <= {"n", "ci95", "estimate_kind"}, c["id"]
        assert c["verdict"] in ledger.VERDICTS
        assert c["verdict"] == "reproduced" or c["note"], f"{name}/{c['id']}: unexplained verdict"
        if "ci95" in c:
            lo, hi = c["ci95"]
            assert c["n"] >= 1 and lo <= hi, f"{name}/{c['id']}: bad interval"
    for c in data.get("checks", []):
        assert list(c) == list(ledger.CHECK_KEYS)


# The nbval-ignore-output rule (book/contributing.md, "Timings"): a cell whose output nbval does
# not compare must be a timing cell. Its source calls a timing function (risisac.book.timing's
# time_call / Stopwatch / ratio_table, or any function whose name contains "time") or names a
# time (a unit, "time", "timing", "speed-up"), it draws no figure, records no check, every ledger
# claim it records is volatile=True, and its text output speaks of times.
TIMING_CALL = re.compile(r"\b(?:\w*time\w*|Stopwatch|ratio_table|perf_counter)\s*\(|\btiming\.")
NOT_IN_TIMING_CELLS = ("plot_curves(", "plt.", "figure(", "curves_table(", ".check(", "glue(")
LEDGER_CALLS = re.compile(r"\.(?:interval|compare|holds|claim|not_testable)\(\s*f?[\"']([^\"'{]+)")
TIME_WORDS = re.compile(r"(?i)time|timing|speed-?up|ratio|\b(?:ms|us|µs|s)\b")


def ignore_output_cells(name):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    out = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code" and "nbval-ignore-output" in c["metadata"].get("tags", []):
            text = "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                           for o in c.get("outputs", []))
            out.append(("".join(c["source"]), i, text))
    return out


def timing_cell_problems(src, output=None, timing_ids=()):
    bad = []
    if not (TIMING_CALL.search(src) or TIME_WORDS.search(src)):
        bad.append("neither calls a timing function (time_call, Stopwatch, ratio_table, *time*) nor names a time")
    bad += [f"uses {t!r}" for t in NOT_IN_TIMING_CELLS if t in src]
    for cid in LEDGER_CALLS.findall(src):
        if not any(t.startswith(cid) for t in timing_ids):
            bad.append(f"records claim {cid!r}, which is not declared timing=True")
    if output is not None and output.strip() and not TIME_WORDS.search(output):
        bad.append("its output does not speak of times")
    return bad


@pytest.mark.parametrize("name", chapters())
def test_ignore_output_cells_are_timings(name):
    cells = ignore_output_cells(name)
    timing = [k for k, c in ledger.chapter_claims(name).items() if c.timing]
    problems = [f"cell {i}: " + "; ".join(p) for src, i, out in cells
                if (p := timing_cell_problems(src, out, timing))]
    print(f"{name}: {len(cells)} nbval-ignore-output cell(s)")
    assert not problems, f"{name}: nbval-ignore-output on a cell that is not a timing:\n" + "\n".join(problems)


def test_timing_cell_rule_can_fail():
    assert timing_cell_problems("t = time_call(f)\nprint(ratio_table(t, 'a'))") == []
    assert timing_cell_problems("x = solve()\nprint(x)")
    assert timing_cell_problems("data_table(['N', 'SINR [dB]'], rows)")
    assert timing_cell_problems("t = time_call(f)\nplot_curves(x, y)")
    assert timing_cell_problems("t = time_call(f)\nL.compare('a', t)", timing_ids=("b",))
    assert timing_cell_problems("t = time_call(f)\nL.compare('a', t)", timing_ids=("a",)) == []
    assert timing_cell_problems("t = time_call(f)\nprint(t)", output="SINR 12.3 dB")
    assert timing_cell_problems("t = time_call(f)\nprint(t)", output="solve: 12 ms") == []


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
    # conda-forge's package `pytorch`, CPU build (build string cpu_*), is the distribution torch
    torch = env.pop("pytorch")
    version, _, build = torch.partition("=")
    assert build.startswith("cpu"), f"environment.yml: pytorch must be the CPU build, got {torch!r}"
    env["torch"] = version
    assert env == req


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()


def test_toc_lists_existing_chapters_only():
    for name in chapters():
        assert (ROOT / "notebooks" / f"{name}.md").exists(), name


def test_every_readme_and_intro_example_is_run_or_covered():
    import examples
    blocks, covered, neither = examples.plan()
    assert not neither, f"examples neither run by `make examples` nor covered: {neither}"
    assert blocks, "no runnable example found"
    cmds = [c for _, script in blocks for c in script]
    assert all("profile smoke" in c for c in cmds if "papermill" in c or c.startswith("make run"))
    assert any("-p N " in c for c in cmds), "the README's change of N must be run"


def test_repo_url_config(tmp_path):
    import subprocess
    out = tmp_path / "c.yml"
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "repo_config.py"), "https://github.com/me/fork",
                        str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "url: https://github.com/me/fork\n" in text and text.count("url: https://github.com") == 1
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "repo_config.py"), "not a url", str(out)],
                       capture_output=True, text=True)
    assert r.returncode and "REPO_URL" in r.stderr


def test_check_html_catches_raw_tex_and_myst():
    import check_html
    garbled = ('<main><p>receives (1) $<span class="math notranslate nohighlight">\\(y\\)</span>'
               '\\tilde{\\mathbf H}<em>q</em> with {cite:p}`x`</p></main>')
    found = check_html.raw_markup(garbled)
    assert any("$" in f for f in found) and any("tilde" in f for f in found) and any("cite" in f for f in found)
    clean = ('<main><section class="tex2jax_ignore mathjax_ignore"><p>the SINR <span class="math notranslate '
             'nohighlight">\\(\\mathbf x\\)</span> grows</p><pre>\\mathbf $x$</pre>'
             '<div class="highlight"><pre>a = "$"</pre></div></section></main>')
    assert check_html.raw_markup(clean) == []


def test_check_html_counts_mathjax_bundles():
    import check_html
    one = '<p class="math">x</p><script defer src="../_static/tex-chtml.js?v=1"></script>'
    many = one + '<script src="../_static/mathjax/input/tex/extensions/ams.js"></script>'
    assert check_html.mathjax_problems(one) == []
    assert check_html.mathjax_problems(many)


def test_rendered_run_shows_each_progress_bar_once():
    import render_run
    bar = "\r".join(f"SNR: {p}%|##| {i}/3" for i, p in ((0, 0), (1, 33), (3, 100))) + "\n"
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stderr", "text": bar[:20]},
        {"output_type": "stream", "name": "stderr", "text": bar[20:]},
        {"output_type": "stream", "name": "stdout", "text": "table\n"}]}]}
    outs = render_run.merge_streams(nb)["cells"][0]["outputs"]
    assert [o["name"] for o in outs] == ["stderr", "stdout"]
    assert outs[0]["text"] == "SNR: 100%|##| 3/3\n"
    cleared = render_run.settle("SNR: 33%|#| 1/3\r          \r")
    assert cleared.strip() == ""


def test_every_bib_file_is_registered_and_no_key_is_defined_twice():
    import gather
    cfg = (ROOT / "_config.yml").read_text()
    assert gather.config(cfg) == cfg, "run tools/gather.py: _config.yml does not list every book/refs/*.bib"
    keys = {}
    for bib in [ROOT / "book" / "references.bib", *sorted((ROOT / "book" / "refs").glob("*.bib"))]:
        for key in re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(), re.M):
            assert key not in keys, f"bib key {key!r} defined in {keys.get(key)} and {bib.name}"
            keys[key] = bib.name
    for key in ("jiang2025ris", "qi2024uplink", "jeon2025rydberg", "liu2022jstsp"):
        assert key in keys


def test_envcheck_accepts_this_environment_and_names_what_is_missing(monkeypatch):
    import envcheck
    assert envcheck.missing() == [], "the test environment lacks pins of requirements.txt"
    monkeypatch.setattr(envcheck, "pins", lambda: {"numpy": "0.0.1", "no-such-package-xyz": "1"})
    bad = envcheck.missing()
    assert any(b.startswith("numpy") for b in bad) and any("no-such-package-xyz" in b for b in bad)
