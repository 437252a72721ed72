"""Timing reported as ratios measured in one run (cells using it: nbval-ignore-output)."""

from __future__ import annotations

import time
from typing import Callable, Mapping

import numpy as np


def time_call(fn: Callable[[], object], repeats: int = 3, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


class Stopwatch:
    """``with Stopwatch() as sw: ...``; ``sw.seconds`` afterwards."""

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        return False


def ratio_table(times: Mapping[str, float], reference: str, unit: str = "s",
                title: str | None = None) -> str:
    """Absolute times and their ratio to ``times[reference]``, as text."""
    from .plotting import text_table
    ref = times[reference]
    rows = [[name, t, t / ref] for name, t in times.items()]
    text = text_table(["scheme", f"time [{unit}]", f"ratio to {reference}"], rows, digits=3)
    return (title + "\n" + text) if title else text
