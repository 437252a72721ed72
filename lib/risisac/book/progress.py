"""Progress bars for long loops (tqdm on stderr; ``RISISAC_PROGRESS=0`` turns them off)."""

from __future__ import annotations

import os
import sys


def progress(iterable=None, desc: str = "", total: int | None = None, leave: bool | None = None, **kw):
    """A tqdm progress bar. Text-mode, on stderr, cleared when done unless ``leave``.

    ``RISISAC_PROGRESS=0`` disables it (records and tests); ``make run`` sets
    ``RISISAC_PROGRESS_LEAVE=1`` so that each bar's final state stays in the run's
    notebook (its rendered HTML then shows every bar once, completed).
    """
    from tqdm import tqdm
    disable = os.environ.get("RISISAC_PROGRESS", "1") == "0"
    if leave is None:
        leave = os.environ.get("RISISAC_PROGRESS_LEAVE", "0") == "1"
    return tqdm(iterable, desc=desc, total=total, leave=leave, file=sys.stderr,
                disable=disable, mininterval=1.0, dynamic_ncols=False, ncols=80, **kw)
