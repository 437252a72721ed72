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

VERDICTS = ("reproduced", "partly", "not reproduced", "inconclusive", "not testable")
KEYS = ("id", "source", "statement", "paper", "measured", "unit", "tolerance", "verdict", "note")
CHECK_KEYS = ("id", "statement", "passed", "detail")


def repo_root(start: Path | None = None) -> Path:
    """The book's root (the folder holding ``_config.yml``), else the cwd."""
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "_config.yml").exists() and (p / "lib" / "risisac").exists():
            return p
    return here


def results_dir() -> Path:
    """Where ledgers go: ``$RISISAC_RESULTS_DIR``, else ``<root>/_build/results``.

    Only ``make book`` points this at the committed ``results/`` folder; every other
    run (papermill by hand, Jupyter, ``make run``) writes its ledger elsewhere, so the
    report page never publishes a smoke or interactive run.
    """
    env = os.environ.get("RISISAC_RESULTS_DIR")
    return Path(env) if env else repo_root() / "_build" / "results"


def git_commit() -> str:
    """The short id of the checked-out commit (``unknown`` without git): provenance of ledgers,
    training records and evaluation files. ``$RISISAC_COMMIT``, where set, names it instead
    (a job run on a machine given a copy of the working tree without its git folder)."""
    import os
    if os.environ.get("RISISAC_COMMIT"):
        return os.environ["RISISAC_COMMIT"]
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo_root(),
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except Exception:  # pragma: no cover - no git
        return "unknown"


_commit = git_commit


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


def round_sig(v, digits: int = 7) -> list:
    """``v`` (tensor, array or sequence) as a nested list of floats rounded to ``digits`` significant
    digits, booleans kept (the per-instance records of the evaluation jobs)."""
    import numpy as np
    a = v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)
    if a.dtype == bool:
        return a.tolist()
    return np.vectorize(lambda x: float(f"{float(x):.{digits}g}"), otypes=[float])(a).tolist()


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


def _fmt_value(v: Any) -> str:
    from .plotting import fmt
    from .stats import Estimate, fmt_est
    if isinstance(v, Estimate):
        return fmt_est(v)
    if v is None:
        return "-"
    return fmt(v)


def _html_escape(t: str) -> str:
    import html
    return html.escape(str(t))


_COLOURS = {"reproduced": "#1a7f37", "partly": "#9a6700", "not reproduced": "#cf222e",
            "inconclusive": "#6e7781", "not testable": "#6e7781", "pass": "#1a7f37",
            "FAIL": "#cf222e"}


class ClaimView:
    """What a chapter shows right after the evidence: one line per claim or check.

    Text (checked by nbval) and HTML (rendered, verdict coloured, anchored at
    ``claim-<id>`` so the report page can link to it) carry the same content.
    """

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def _line(self, r: dict) -> str:
        if r.get("kind") == "check":
            return f"[check {r['verdict']}] {r['id']}: {r['statement']}" + (
                f" ({r['detail']})" if r.get("detail") else "")
        return (f"[{r['verdict']}] {r['id']} ({r['source']}): {r['statement']} | paper: "
                f"{r['paper_text']} | ours: {r['measured_text']}{(' ' + r['unit']) if r['unit'] else ''}")

    def __repr__(self) -> str:
        return "\n".join(self._line(r) for r in self.rows)

    def _repr_html_(self) -> str:
        out = ['<table class="claims"><thead><tr><th>claim</th><th>paper</th><th>ours</th>'
               '<th>verdict</th></tr></thead><tbody>']
        for r in self.rows:
            col = _COLOURS.get(r["verdict"], "#000")
            if r.get("kind") == "check":
                what = f"<b>check</b> <code>{_html_escape(r['id'])}</code>: {_html_escape(r['statement'])}"
                paper, ours = "-", _html_escape(r.get("detail", ""))
            else:
                what = (f"<code>{_html_escape(r['id'])}</code> ({_html_escape(r['source'])}): "
                        f"{_html_escape(r['statement'])}")
                paper = _html_escape(r["paper_text"])
                ours = _html_escape(r["measured_text"] + ((" " + r["unit"]) if r["unit"] else ""))
            note = (f'<br><small>{_html_escape(r["note"])}</small>' if r.get("note") else "")
            out.append(f'<tr id="claim-{_html_escape(r["id"])}"><td>{what}{note}</td><td>{paper}</td>'
                       f'<td>{ours}</td><td style="color:{col};font-weight:bold">'
                       f'{_html_escape(r["verdict"])}</td></tr>')
        out.append("</tbody></table>")
        return "".join(out)


def show(*views: ClaimView) -> ClaimView:
    """Several claims recorded in one cell, shown as one table (one header)."""
    return ClaimView([r for v in views for r in v.rows])


class Ledger:
    """Collects a chapter's claims and checks and writes them as JSON.

    Record each claim in the section whose figure or table tests it, with one of
    :meth:`interval` (stochastic, verdict from a 95 % interval), :meth:`compare`
    (a deterministic number against a tolerance), :meth:`holds` (a qualitative
    statement decided by a computed test), :meth:`not_testable`; record a
    statement true by construction with :meth:`check`. Each returns a
    :class:`ClaimView` that the notebook shows as the cell's last expression. The
    chapter's last cell calls :meth:`write` and shows :meth:`summary`.
    """
    def __init__(self, chapter: str, params: Any):
        self.chapter = chapter
        self.params = params.as_dict() if hasattr(params, "as_dict") else dict(params)
        self.profile = self.params.get("profile", "book")
        self.claims: list[dict] = []
        self.checks: list[dict] = []
        self.volatile: set[str] = set()

    def claim(self, id: str, source: str, statement: str, paper: Any, measured: Any,
              unit: str = "", tolerance: Any = None, verdict: str = "reproduced",
              note: str = "", volatile: bool = False, estimate: Any = None) -> ClaimView:
        """Add a claim with an already decided verdict (prefer the helpers below).

        ``volatile=True`` marks a measurement that changes run to run (a timing):
        the JSON keeps the number and verdict, the printed line shows ``(timing)``.
        ``estimate`` (a :class:`risisac.book.stats.Estimate`) stores ``n`` and the
        95 % interval.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        if any(c["id"] == id for c in self.claims + self.checks):
            raise ValueError(f"duplicate claim id {id!r}")
        if verdict != "reproduced" and not note:
            raise ValueError(f"claim {id!r}: a {verdict!r} verdict needs a note giving the reason")
        c = dict(id=id, source=source, statement=statement, paper=_clean(paper),
                 measured=_clean(estimate.mean if estimate is not None and measured is None
                                 else measured),
                 unit=unit, tolerance=_clean(tolerance), verdict=verdict, note=note)
        if estimate is not None:
            c["n"] = int(estimate.n)
            c["ci95"] = _clean([estimate.lo, estimate.hi])
            c["estimate_kind"] = estimate.kind
        self.claims.append(c)
        if volatile:
            self.volatile.add(id)
        row = dict(c, kind="claim",
                   paper_text=paper if isinstance(paper, str) else _fmt_value(paper),
                   measured_text="(timing)" if volatile else _fmt_value(
                       estimate if estimate is not None else measured))
        if volatile:
            row["verdict"] = "(timing)"
            row["note"] = ""
        return ClaimView([row])

    def interval(self, id: str, source: str, statement: str, paper: Any, estimate: Any,
                 band: tuple, unit: str = "", volatile: bool = False) -> ClaimView:
        """A stochastic claim: the verdict follows from the estimate's 95 % interval
        against ``band = (lo, hi)`` (either may be ``None``): inside -> reproduced,
        outside -> not reproduced, straddling -> inconclusive. The note is computed."""
        from .stats import band_verdict, fmt_est
        lo, hi = band
        v = band_verdict(estimate, lo, hi)
        where = {"reproduced": "lies inside", "not reproduced": "lies outside",
                 "inconclusive": "straddles"}[v]
        band_text = f"[{'-inf' if lo is None else _fmt_value(lo)}, {'inf' if hi is None else _fmt_value(hi)}]"
        note = f"ours {fmt_est(estimate)}: the 95 % interval {where} the band {band_text}"
        return self.claim(id, source, statement, paper, None, unit=unit, tolerance=band_text,
                          verdict=v, note=note, volatile=volatile, estimate=estimate)

    def compare(self, id: str, source: str, statement: str, paper: float, measured: float,
                tol: float, relative: bool = False, unit: str = "",
                partly_tol: float | None = None, volatile: bool = False) -> ClaimView:
        """A deterministic number against the paper's within ``tol`` (absolute or relative)."""
        v = within(measured, paper, tol, partly_tol, relative)
        err = abs(measured - paper) / (max(abs(paper), 1e-300) if relative else 1.0)
        note = (f"{'relative ' if relative else ''}difference {_fmt_value(err)} "
                f"{'<=' if v == 'reproduced' else '>'} tolerance {_fmt_value(tol)}")
        return self.claim(id, source, statement, paper, measured, unit=unit,
                          tolerance=(f"{tol:g} relative" if relative else tol), verdict=v,
                          note=note, volatile=volatile)

    def holds(self, id: str, source: str, statement: str, paper: Any, holds: bool,
              evidence: str, partly: bool = False, measured: Any = None,
              unit: str = "") -> ClaimView:
        """A qualitative claim (trend, ordering) decided by a computed test. ``evidence``
        must be built from the measured numbers (it becomes the note)."""
        v = verdict(bool(holds), bool(partly))
        return self.claim(id, source, statement, paper,
                          evidence if measured is None else measured, unit=unit,
                          verdict=v, note=evidence)

    def not_testable(self, id: str, source: str, statement: str, paper: Any,
                     reason: str) -> ClaimView:
        """A claim whose paper quantity is undefined or unavailable here (``reason`` says why)."""
        return self.claim(id, source, statement, paper, None, verdict="not testable", note=reason)

    def check(self, id: str, statement: str, passed: bool, detail: str = "") -> ClaimView:
        """A statement true by construction (or a verification): shown and tested, but
        not a reproduced claim of the paper. ``detail`` says what was compared (never a
        round-off residual: state the tolerance)."""
        if any(c["id"] == id for c in self.claims + self.checks):
            raise ValueError(f"duplicate claim id {id!r}")
        c = dict(id=id, statement=statement, passed=bool(passed), detail=detail)
        self.checks.append(c)
        return ClaimView([dict(c, kind="check", verdict="pass" if passed else "FAIL")])

    def as_dict(self) -> dict:
        return {"chapter": self.chapter, "profile": self.profile,
                "parameters": _clean(self.params, 6), "commit": _commit(),
                "claims": self.claims, "checks": self.checks}

    def write(self, path: Path | None = None) -> Path:
        path = Path(path) if path else results_dir() / f"{self.chapter}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=1) + "\n")
        return path

    def view(self) -> ClaimView:
        """All claims (then all checks) as one :class:`ClaimView` (for a closing summary)."""
        rows = []
        for c in self.claims:
            vol = c["id"] in self.volatile
            est_text = None
            if "ci95" in c and not vol:
                from .stats import Estimate, fmt_est
                est_text = fmt_est(Estimate(c["measured"], c["ci95"][0], c["ci95"][1], c["n"],
                                            kind=c.get("estimate_kind", "mean")))
            rows.append(dict(c, kind="claim",
                             paper_text=c["paper"] if isinstance(c["paper"], str) else _fmt_value(c["paper"]),
                             measured_text="(timing)" if vol else (est_text or _fmt_value(c["measured"])),
                             verdict="(timing)" if vol else c["verdict"], note="" if vol else c["note"]))
        rows += [dict(c, kind="check", verdict="pass" if c["passed"] else "FAIL") for c in self.checks]
        return ClaimView(rows)

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
        text = ", ".join(f"{n} {v}" for v, n in counts.items() if n or v in VERDICTS[:3])
        if self.checks:
            bad = sum(not c["passed"] for c in self.checks)
            text += f"; checks: {len(self.checks) - bad} pass, {bad} fail"
        if self.volatile:
            text += f"; {len(self.volatile)} timing claim(s): see the JSON ledger / reproduction report"
        return text
