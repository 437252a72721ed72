"""Timing helpers and progress bars (risisac.book.timing, risisac.book.progress)."""
import time

from risisac.book import progress, timing


def test_time_call_and_ratio_table():
    t = timing.time_call(lambda: time.sleep(0.05), repeats=3, warmup=0, clock="wall")
    assert 0.045 <= t < 1.0
    # CPU time: a sleep costs (almost) none, a busy loop does
    assert timing.time_call(lambda: time.sleep(0.05), repeats=3, warmup=0) < 0.5 * t
    busy = timing.time_call(lambda: sum(i * i for i in range(200_000)), repeats=3, warmup=0)
    assert busy > 1e-3
    with timing.Stopwatch() as sw:
        time.sleep(0.05)
    assert sw.seconds >= 0.045 and sw.cpu_seconds < 0.5 * sw.seconds
    text = timing.ratio_table({"a": 2.0, "b": 1.0}, "b", title="Table")
    assert text.splitlines()[0] == "Table" and "ratio to b" in text and "2" in text.splitlines()[-2]


def test_progress_switch(monkeypatch):
    monkeypatch.setenv("RISISAC_PROGRESS", "0")
    assert progress.progress(range(3)).disable
    monkeypatch.setenv("RISISAC_PROGRESS", "1")
    monkeypatch.setenv("RISISAC_PROGRESS_LEAVE", "1")
    bar = progress.progress(range(3))
    assert not bar.disable and bar.leave
    bar.close()
