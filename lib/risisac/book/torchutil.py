"""Torch set-up: device choice (CUDA when present) and a fixed thread count for determinism."""

from __future__ import annotations

import os


def threads_for(requested: int) -> int:
    """The intra-op thread count actually used for ``requested`` threads.

    Under the round-off perturbation switch (``RISISAC_PERTURB=1``, see
    :mod:`risisac.book.rng`) a count above one is lowered to one, so torch's
    reductions run in another order: an output that depends on round-off then
    changes on the developer's own machine, as it would on a reader's. A count of
    one is kept (raising it made small-network chapters many times slower on a
    loaded 2-core machine); those chapters are perturbed by the draws and by
    ``MKL_CBWR`` alone.
    """
    from .rng import perturbed
    n = int(requested)
    if n < 1:
        raise ValueError(f"threads = {n} is invalid: allowed values are integers >= 1")
    if perturbed():
        return 1
    return n


def setup_torch(threads: int | None = None, dtype: str = "float64"):
    """Fix torch's CPU thread count (default ``$RISISAC_THREADS`` or 2) and default dtype.

    A fixed thread count keeps floating-point reductions in the same order, so
    a re-execution on the same machine reproduces the stored outputs digit for
    digit. Under ``RISISAC_PERTURB=1`` the count is changed (:func:`threads_for`).
    """
    import torch
    n = threads_for(int(threads or os.environ.get("RISISAC_THREADS", 2)))
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
