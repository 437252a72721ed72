"""The claims ledger every chapter writes to ``results/<chapter>.json``.

File shape (stable, read by ``tools/gather.py`` and by tests)::

    {"chapter": str, "profile": str, "parameters": {...}, "commit": str,
     "claims": [{"id", "source", "statement", "paper", "measured", "unit",
                 "tolerance", "verdict", "note"}, ...]}

``verdict`` is one of :data:`VERDICTS`. A verdict must follow from the
measured number: use :func:`within` / :func:`verdict` rather than writing it by
hand, and explain any ``partly`` / ``not reproduced`` in ``note``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path
from typing import Any

VERDICTS = ("reproduced", "partly", "not reproduced")
KEYS = ("id", "source", "statement", "paper", "measured", "unit", "tolerance", "verdict", "note")


def repo_root(start: Path | None = None) -> Path:
    """The book's root (the folder holding ``_config.yml``), else the cwd."""
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "_config.yml").exists() and (p / "lib" / "risisac").exists():
            return p
    return here


def results_dir() -> Path:
    """Where ledgers go: ``$RISISAC_RESULTS_DIR`` or ``<root>/results``."""
    env = os.environ.get("RISISAC_RESULTS_DIR")
    return Path(env) if env else repo_root() / "results"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo_root(),
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except Exception:  # pragma: no cover - no git
        return "unknown"


def _clean(x: Any, digits: int = 4) -> Any:
    """JSON-safe value with floats rounded to ``digits`` significant digits."""
    try:
        import numpy as np
        if isinstance(x, np.ndarray):
            x = x.tolist()
        elif isinstance(x, np.generic):
            x = x.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, bool) or x is None or isinstance(x, (int, str)):
        return x
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return float(f"{x:.{digits}g}")
    if isinstance(x, dict):
        return {str(k): _clean(v, digits) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v, digits) for v in x]
    return str(x)


def within(measured: float, paper: float, tol: float, partly_tol: float | None = None,
           relative: bool = False) -> str:
    """Verdict of a numeric claim: |measured - paper| <= tol (relative to |paper| if asked)."""
    err = abs(measured - paper)
    if relative:
        err = err / max(abs(paper), 1e-300)
    if err <= tol:
        return "reproduced"
    if partly_tol is not None and err <= partly_tol:
        return "partly"
    return "not reproduced"


def verdict(holds: bool, partly: bool = False) -> str:
    """Verdict of a qualitative claim (a trend, an ordering) from its test."""
    return "reproduced" if holds else ("partly" if partly else "not reproduced")


class Ledger:
    """Collects a chapter's claims and writes them as JSON."""

    def __init__(self, chapter: str, params: Any):
        self.chapter = chapter
        self.params = params.as_dict() if hasattr(params, "as_dict") else dict(params)
        self.profile = self.params.get("profile", "book")
        self.claims: list[dict] = []
        self.volatile: set[str] = set()

    def claim(self, id: str, source: str, statement: str, paper: Any, measured: Any,
              unit: str = "", tolerance: Any = None, verdict: str = "reproduced",
              note: str = "", volatile: bool = False) -> dict:
        """Add a claim. ``volatile=True`` marks a measurement that changes run to run
        (a timing): the JSON keeps the number and verdict, the printed table (which
        nbval checks) shows ``(timing)`` instead."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        if any(c["id"] == id for c in self.claims):
            raise ValueError(f"duplicate claim id {id!r}")
        if verdict != "reproduced" and not note:
            raise ValueError(f"claim {id!r}: a {verdict!r} verdict needs a note giving the reason")
        c = dict(id=id, source=source, statement=statement, paper=_clean(paper),
                 measured=_clean(measured), unit=unit, tolerance=_clean(tolerance),
                 verdict=verdict, note=note)
        self.claims.append(c)
        if volatile:
            self.volatile.add(id)
        return c

    def as_dict(self) -> dict:
        return {"chapter": self.chapter, "profile": self.profile,
                "parameters": _clean(self.params, 6), "commit": _commit(),
                "claims": self.claims}

    def write(self, path: Path | None = None) -> Path:
        path = Path(path) if path else results_dir() / f"{self.chapter}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=1) + "\n")
        return path

    def table(self) -> str:
        """The claims as a text table (deterministic: no commit, no paths)."""
        from .plotting import text_table
        rows = []
        for c in self.claims:
            vol = c["id"] in self.volatile
            rows.append([c["id"], c["source"], c["paper"], "(timing)" if vol else c["measured"],
                         c["unit"], "(timing)" if vol else c["verdict"]])
        return text_table(["id", "source", "paper", "measured", "unit", "verdict"], rows)

    def summary(self) -> str:
        """Verdict counts of the non-volatile claims (deterministic text)."""
        stable = [c for c in self.claims if c["id"] not in self.volatile]
        counts = {v: sum(c["verdict"] == v for c in stable) for v in VERDICTS}
        text = ", ".join(f"{n} {v}" for v, n in counts.items())
        if self.volatile:
            text += f"; {len(self.volatile)} timing claim(s): see the JSON ledger / reproduction report"
        return text
