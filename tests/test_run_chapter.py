"""tools/run_chapter.py (``make run``): the chapter is checked, ARGS never reach a shell, every
run has a folder of its own."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import run_chapter  # noqa: E402


def test_unknown_or_injected_chapter_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("RUN_CHAPTER", "shared_models; touch /tmp/risisac-pwned")
    monkeypatch.setenv("RUN_ARGS", "")
    assert run_chapter.main(["--from-env"]) == 2
    assert "unknown chapter" in capsys.readouterr().err


def test_make_run_passes_chapter_and_args_through_the_environment():
    out = subprocess.run(["make", "-n", "run", "CHAPTER=x; echo injected", "ARGS=-p a 'b c'"], cwd=ROOT,
                         capture_output=True, text=True).stdout
    assert "injected" not in out and "--from-env" in out


def test_args_are_split_like_a_shell(monkeypatch):
    monkeypatch.setenv("RUN_ARGS", "-p snr_db '[1, 2]' -p seed 3")
    import shlex
    assert run_chapter.parse_params(shlex.split("-p snr_db '[1, 2]' -p seed 3")) == {"snr_db": "[1, 2]", "seed": 3}
    with pytest.raises(SystemExit):
        run_chapter.parse_params(["-p", "seed"])


def test_two_runs_in_the_same_second_get_their_own_folders(monkeypatch, tmp_path):
    monkeypatch.setattr(run_chapter, "ROOT", tmp_path)
    a, b = run_chapter.new_run_folder("shared_models"), run_chapter.new_run_folder("shared_models")
    assert a != b and a.is_dir() and b.is_dir()


def test_make_train_passes_its_variables_through_the_environment():
    out = subprocess.run(["make", "-n", "train", "CHAPTER=x; echo injected", "PROFILE=book"], cwd=ROOT,
                         capture_output=True, text=True).stdout
    assert "injected" not in out and '"$TRAIN_CHAPTER"' in out
