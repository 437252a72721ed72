"""Progress bars for long loops (tqdm on stderr; ``RISISAC_PROGRESS=0`` turns them off)."""

from __future__ import annotations

import os
import sys


def progress(iterable=None, desc: str = "", total: int | None = None, leave: bool = False, **kw):
    """A tqdm progress bar. Text-mode, on stderr, cleared when done (``leave=False``)."""
    from tqdm import tqdm
    disable = os.environ.get("RISISAC_PROGRESS", "1") == "0"
    return tqdm(iterable, desc=desc, total=total, leave=leave, file=sys.stderr,
                disable=disable, mininterval=1.0, dynamic_ncols=False, ncols=80, **kw)
