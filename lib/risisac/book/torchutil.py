"""Torch set-up: device choice (CUDA when present) and a fixed thread count for determinism."""

from __future__ import annotations

import os


def setup_torch(threads: int | None = None, dtype: str = "float64"):
    """Fix torch's CPU thread count (default ``$RISISAC_THREADS`` or 2) and default dtype.

    A fixed thread count keeps floating-point reductions in the same order, so
    a re-execution reproduces the stored outputs digit for digit.
    """
    import torch
    n = int(threads or os.environ.get("RISISAC_THREADS", 2))
    torch.set_num_threads(n)
    torch.set_default_dtype(getattr(torch, dtype))
    return torch


def device(prefer: str = "auto"):
    """``cuda`` if available (and not ``prefer='cpu'``), else ``cpu``."""
    import torch
    if prefer == "cpu":
        return torch.device("cpu")
    if prefer == "cuda" or (prefer == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise RuntimeError("prefer='cuda' but no CUDA device is available")
        return torch.device("cuda")
    return torch.device("cpu")
