"""Timing reported as ratios of CPU time measured in one run (cells using it: nbval-ignore-output).

CPU time (``time.process_time``: the process's user + system time, all threads) is what
timing claims compare: on a loaded machine wall-clock time stretches long calls more
than short ones, CPU time does not. Wall time is kept beside it for reference."""

from __future__ import annotations

import time
from typing import Callable, Mapping

import numpy as np


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def time_call(fn: Callable[[], object], repeats: int = 3, warmup: int = 1, clock: str = "cpu") -> float:
    """Median time of ``fn()`` in seconds over ``repeats`` runs after ``warmup``: CPU time
    (``clock='cpu'``, the default) or wall time (``'wall'``)."""
    if clock not in CLOCKS:
        raise ValueError(f"clock must be one of {sorted(CLOCKS)}, got {clock!r}")
    now = CLOCKS[clock]
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = now()
        fn()
        ts.append(now() - t0)
    return float(np.median(ts))


class Stopwatch:
    """``with Stopwatch() as sw: ...``; ``sw.cpu_seconds`` (CPU time of the process) and
    ``sw.seconds`` (wall time) afterwards."""

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.c0
        return False


def ratio_table(times: Mapping[str, float], reference: str, unit: str = "s",
                title: str | None = None) -> str:
    """Absolute times and their ratio to ``times[reference]``, as text."""
    from .plotting import text_table
    ref = times[reference]
    rows = [[name, t, t / ref] for name, t in times.items()]
    text = text_table(["scheme", f"time [{unit}]", f"ratio to {reference}"], rows, digits=3)
    return (title + "\n" + text) if title else text
