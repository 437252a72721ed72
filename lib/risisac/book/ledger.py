"""The claims ledger every chapter writes to ``results/<chapter>.json``.

File shape (stable, read by ``tools/gather.py`` and by tests)::

    {"chapter": str, "profile": str, "parameters": {...}, "commit": str,
     "claims": [{"id", "source", "statement", "paper", "measured", "unit",
                 "tolerance", "verdict", "note", "quote", "band_by", "band_reason",
                 "statistic", "n_declared", "artefact", "timing", "declaration",
                 "amended"}, ...],
     "checks": [...]}

``verdict`` is one of :data:`VERDICTS`. A verdict must follow from the
measured number: use :func:`within` / :func:`verdict` rather than writing it by
hand, and explain any ``partly`` / ``not reproduced`` in ``note``.

**Declared before measured.** Every claim is first *declared* in its chapter's spec
module as a :class:`Claim` (what the paper says, with the sentence of the paper it
comes from, the statistic, the band, the independent unit and n, and which artefact
carries the data), then *recorded* in the chapter by its id with the measurement.
A band that is not the paper's own words is the book's choice and says why
(``book_band``). A declaration changed after its data were produced keeps its
earlier version (:class:`Amendment`) and is shown as "amended after data". Every
stored artefact records the :func:`digests` of the declarations in force when it
was produced (:meth:`Ledger.produced_under` checks them on load).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

VERDICTS = ("reproduced", "partly", "not reproduced", "inconclusive", "not testable")
KEYS = ("id", "source", "statement", "paper", "measured", "unit", "tolerance", "verdict", "note",
        "quote", "band_by", "band_reason", "statistic", "n_declared", "artefact", "timing",
        "declaration", "amended")
#: the paper texts quotes are checked against (``../shared/papers/`` beside the checkout)
PAPER_TEXTS = {"A": "000_ebe4264abbcdcbaa.txt", "B": "002_44f20366b67f6561.txt",
               "C": "003_1fb50736b76aa71c.txt"}

#: the module holding each chapter's declarations (its ``CLAIMS``)
CHAPTER_SPECS = {"shared_models": "risisac.spec", "paperA_detection": "risisac.paper_a.spec_detection",
                 "paperA_doa": "risisac.paper_a.spec_doa", "paperB_uplink": "risisac.paper_b.spec",
                 "paperC_rydberg": "risisac.paper_c.spec"}


def chapter_claims(chapter: str) -> dict:
    """The declarations of a chapter (``CLAIMS`` of its spec module)."""
    import importlib
    return importlib.import_module(CHAPTER_SPECS[chapter]).CLAIMS


# ============================================================================ declarations

def _band_text(band) -> str:
    if band is None:
        return "-"
    lo, hi = band
    return f"[{'-inf' if lo is None else _fmt_value(lo)}, {'inf' if hi is None else _fmt_value(hi)}]"


@dataclass(frozen=True)
class Amendment:
    """An earlier version of a claim's declaration (what was declared before a change).

    ``after_data=True``: the change was made after data testing the claim had been
    produced (shown as "amended after data", with the earlier band). Fields left
    ``None`` were the same as in the current declaration."""
    band: Any
    reason: str
    value: Any = None
    statistic: str | None = None
    n: str | None = None
    artefact: str | None = None
    after_data: bool = True


@dataclass(frozen=True)
class Claim:
    """The declaration of one claim of a paper, written before the data that test it.

    * ``value``: the paper's value, a number or the paper's qualitative words
      ("about 6 dB", "comparable"); only what the paper's *text* states (a value read
      off a figure is not a paper value).
    * ``quote``: the sentence (or table cell) of paper ``paper`` ("A", "B", "C") that the
      value and band come from, verbatim up to whitespace (checked by a test against
      the paper texts).
    * ``band``: ``(lo, hi)`` (either end ``None``: open) for claims decided by an
      interval or a number; ``None`` for a qualitative test decided in the chapter.
    * ``book_band``: where the band (or the test) is the book's own choice and not the
      paper's words, the reason for it; shown as "book's band".
    * ``statistic``, ``n`` (independent unit and count) and ``artefact`` (which stored
      artefact, or ``live``, carries the data).
    * ``timing``: a ratio of CPU times (verdict kept out of the headline counts: it
      depends on the machine).
    * ``earlier``: the declarations this one replaced (:class:`Amendment`).
    """
    id: str
    source: str
    statement: str
    value: Any
    statistic: str
    band: Any = None
    unit: str = ""
    quote: str | None = None
    paper: str | None = None
    book_band: str | None = None
    n: str = ""
    artefact: str = "live"
    timing: bool = False
    earlier: tuple = field(default_factory=tuple)

    def __post_init__(self):
        if not (self.quote or self.book_band):
            raise ValueError(f"claim {self.id!r}: give the paper's words (quote=...) or declare the "
                             "band as the book's own (book_band='<reason>')")
        if self.quote and self.paper not in PAPER_TEXTS:
            raise ValueError(f"claim {self.id!r}: paper must be one of {sorted(PAPER_TEXTS)} "
                             f"(the text the quote comes from), got {self.paper!r}")
        if self.band is not None:
            lo, hi = self.band
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"claim {self.id!r}: empty band {self.band}")
        for a in self.earlier:
            if not isinstance(a, Amendment):
                raise TypeError(f"claim {self.id!r}: earlier versions must be Amendment objects")

    def _core(self, band=None, value=None, statistic=None, n=None, artefact=None) -> list:
        b = self.band if band is None else band
        return [self.id, _clean(self.value if value is None else value),
                None if b is None else _clean(list(b)),
                self.statistic if statistic is None else statistic,
                self.n if n is None else n, self.artefact if artefact is None else artefact]

    @property
    def digest(self) -> str:
        """Hash of what the declaration fixes: value, band, statistic, n and artefact."""
        return _digest(self._core())

    def earlier_digests(self) -> list[str]:
        return [_digest(self._core(a.band if a.band is not None else self.band, a.value,
                                   a.statistic, a.n, a.artefact)) for a in self.earlier]

    @property
    def amended_after_data(self) -> list[Amendment]:
        return [a for a in self.earlier if a.after_data]

    @property
    def band_by(self) -> str:
        return "book" if self.book_band else "paper"


def _digest(core: list) -> str:
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:12]


def declare(*claims: Claim) -> dict[str, Claim]:
    """A chapter's declarations, by id (ids unique)."""
    out: dict[str, Claim] = {}
    for c in claims:
        if c.id in out:
            raise ValueError(f"claim {c.id!r} declared twice")
        out[c.id] = c
    return out


def digests(claims: Mapping[str, Claim], ids=None) -> dict[str, str]:
    """``{id: digest}`` of the declarations in force: stored in every evaluation artefact."""
    return {k: c.digest for k, c in claims.items() if ids is None or k in ids}


def normalise_text(t: str) -> str:
    """Whitespace collapsed and typographic dashes/quotes made plain (quote matching)."""
    import re
    t = (t.replace("\u2010", "-").replace("\u2011", "-").replace("\u2013", "-").replace("\u2014", "-")
         .replace("\u2212", "-").replace("\u2018", "'").replace("\u2019", "'")
         .replace("\u201c", '"').replace("\u201d", '"'))
    return re.sub(r"\s+", " ", t).strip()


def paper_text(paper: str, folder: Path | None = None) -> str | None:
    """The normalised text of paper ``A``/``B``/``C``, or ``None`` where the texts are absent."""
    folder = folder or (repo_root().parent / "shared" / "papers")
    path = Path(folder) / PAPER_TEXTS[paper]
    return normalise_text(path.read_text(errors="replace")) if path.exists() else None


def quote_found(claim: Claim, text: str) -> bool:
    """Whether ``claim.quote`` occurs in the (normalised) paper text."""
    return normalise_text(claim.quote) in text
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


def _fmt_value(v: Any, band: Any = None) -> str:
    """Printed value; against a ``band``, with enough digits to be compared with its edges."""
    from .plotting import fmt
    from .stats import Estimate, exact, fmt_est
    if isinstance(v, Estimate):
        return fmt_est(v, band=band)
    if v is None:
        return "-"
    if band is not None and isinstance(v, float) and not isinstance(v, bool):
        return fmt_est(exact(v), band=band)
    return fmt(v)


def _html_escape(t: str) -> str:
    import html
    return html.escape(str(t))


def tex_html(t: str) -> str:
    """Text with the paper's maths as MathJax spans, the rest HTML-escaped: ``$...$`` pairs; in a
    quote without dollars, a quote that is all TeX (an equation) or else each TeX command
    with its braces (``\\mathcal{S}``): the paper's words rendered as the paper prints them."""
    import html
    import re
    span = lambda m: f'<span class="math notranslate nohighlight">\\({html.escape(m)}\\)</span>'  # noqa: E731
    t = str(t)
    if "$" not in t:
        cmd = r"\\[a-zA-Z]+(?:\{[^{}]*\})*"
        words = re.findall(r"\b[a-zA-Z]{3,}\b", re.sub(cmd, " ", t))
        if re.search(cmd, t) and len(words) < 3:
            return span(t)
        parts = re.split(f"({cmd})", t)
    else:
        parts = re.split(r"\$\$?(.+?)\$\$?", t)
    return "".join(html.escape(p) if i % 2 == 0 else span(p) for i, p in enumerate(parts))


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

    @staticmethod
    def _paper_cell(r: dict) -> str:
        text = r["paper_text"]
        if r.get("tolerance") not in (None, "-"):
            text += f"; band {r['tolerance']}"
        if r.get("band_by") == "book":
            text += " (book's band)"
        if r.get("amended"):
            a = r["amended"][0]
            text += (f" (amended after data; earlier band {a['band']})" if a["band"] != r.get("tolerance")
                     else f" (amended after data: {a['reason']})")
        return text

    def _line(self, r: dict) -> str:
        if r.get("kind") == "check":
            return f"[check {r['verdict']}] {r['id']}: {r['statement']}" + (
                f" ({r['detail']})" if r.get("detail") else "")
        return (f"[{r['verdict']}] {r['id']} ({r['source']}): {r['statement']} | paper: "
                f"{self._paper_cell(r)} | ours: {r['measured_text']}{(' ' + r['unit']) if r['unit'] else ''}")

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
                paper = _html_escape(self._paper_cell(r))
                if r.get("quote"):
                    paper += f'<br><small><i>&ldquo;{tex_html(r["quote"])}&rdquo;</i></small>'
                if r.get("band_reason"):
                    paper += f"<br><small>book's band: {_html_escape(r['band_reason'])}</small>"
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

    ``claims`` are the chapter's declarations (:func:`declare` in its spec module).
    Record each claim by its id in the section whose figure or table tests it, with
    one of :meth:`interval` (stochastic, verdict from a 95 % interval against the
    declared band), :meth:`compare` (a deterministic number against the declared
    band), :meth:`holds` (a qualitative statement decided by a computed test),
    :meth:`not_testable`, or :meth:`claim` (a verdict decided in the chapter); record a
    statement true by construction with :meth:`check`. Each returns a
    :class:`ClaimView` that the notebook shows as the cell's last expression. The
    chapter's last cell calls :meth:`write` and shows :meth:`summary`.
    """
    def __init__(self, chapter: str, params: Any, claims: Mapping[str, Claim] | None = None):
        self.chapter = chapter
        self.params = params.as_dict() if hasattr(params, "as_dict") else dict(params)
        self.profile = self.params.get("profile", "book")
        self.declared: dict[str, Claim] = dict(claims or {})
        self.claims: list[dict] = []
        self.checks: list[dict] = []
        self.volatile: set[str] = set()

    # ------------------------------------------------------------------ declarations
    def decl(self, id: str) -> Claim:
        """The declaration of claim ``id`` (an undeclared claim is an error)."""
        try:
            return self.declared[id]
        except KeyError:
            raise KeyError(f"claim {id!r} is not declared: add Claim({id!r}, ...) to the "
                           f"declarations of chapter {self.chapter!r} before recording it") from None

    def produced_under(self, record: Mapping, what: str = "artefact") -> None:
        """Check that the declarations recorded in an artefact (``record['declarations']``,
        ``{id: digest}``) are the current ones or an earlier version listed in the
        claim's ``earlier``; anything else means a declaration changed after its data
        were produced without saying so, and stops the chapter."""
        for cid, dg in (record.get("declarations") or {}).items():
            c = self.declared.get(cid)
            if c is None or dg == c.digest:
                continue
            if dg in c.earlier_digests():
                if not c.amended_after_data:
                    raise ValueError(f"claim {cid!r}: {what} was produced under an earlier declaration; "
                                     "mark that Amendment after_data=True")
                continue
            raise ValueError(f"claim {cid!r}: its declaration changed after {what} was produced "
                             "(digest unknown): record the earlier version as an Amendment in "
                             "its declaration, or regenerate the artefact")

    # ------------------------------------------------------------------ recording
    def claim(self, id: str, measured: Any, verdict: str, note: str = "", *,
              statement: str | None = None, estimate: Any = None,
              volatile: bool | None = None) -> ClaimView:
        """Record claim ``id`` with a verdict decided in the chapter (prefer the helpers
        below). ``statement`` refines the declared one (e.g. with the values used).

        A timing claim (declared ``timing=True``) is volatile: the JSON keeps the number
        and verdict, the printed line shows ``(timing)``. ``estimate`` (a
        :class:`risisac.book.stats.Estimate`) stores ``n`` and the 95 % interval.
        """
        d = self.decl(id)
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        if any(c["id"] == id for c in self.claims + self.checks):
            raise ValueError(f"duplicate claim id {id!r}")
        if verdict != "reproduced" and not note:
            raise ValueError(f"claim {id!r}: a {verdict!r} verdict needs a note giving the reason")
        volatile = d.timing if volatile is None else volatile
        c = dict(id=id, source=d.source, statement=statement or d.statement, paper=_clean(d.value, 7),
                 measured=_clean(estimate.mean if estimate is not None and measured is None
                                 else measured),
                 unit=d.unit, tolerance=_band_text(d.band), verdict=verdict, note=note,
                 quote=d.quote, band_by=d.band_by, band_reason=d.book_band, statistic=d.statistic,
                 n_declared=d.n, artefact=d.artefact, timing=bool(d.timing), declaration=d.digest,
                 amended=[dict(band=_band_text(a.band if a.band is not None else d.band),
                               value=_clean(a.value, 7), reason=a.reason)
                          for a in d.amended_after_data])
        if estimate is not None:
            c["n"] = int(estimate.n)
            c["ci95"] = _clean([estimate.lo, estimate.hi])
            c["estimate_kind"] = estimate.kind
        self.claims.append(c)
        if volatile:
            self.volatile.add(id)
        row = dict(c, kind="claim", paper_text=_paper_value_text(_clean(d.value, 7)),
                   measured_text="(timing)" if volatile else _fmt_value(
                       estimate if estimate is not None else measured, d.band))
        if volatile:
            row["verdict"] = "(timing)"
            row["note"] = ""
        return ClaimView([row])

    def interval(self, id: str, estimate: Any, *, statement: str | None = None,
                 volatile: bool | None = None) -> ClaimView:
        """A stochastic claim: the verdict follows from the estimate's 95 % interval
        against the declared band: inside -> reproduced, outside -> not reproduced,
        straddling -> inconclusive. The note is computed."""
        from .stats import band_verdict, fmt_est
        d = self.decl(id)
        if d.band is None:
            raise ValueError(f"claim {id!r}: interval() needs a declared band")
        lo, hi = d.band
        v = band_verdict(estimate, lo, hi)
        where = {"reproduced": "lies inside", "not reproduced": "lies outside",
                 "inconclusive": "straddles"}[v]
        note = f"ours {fmt_est(estimate, band=d.band)}: the 95 % interval {where} the band {_band_text(d.band)}"
        return self.claim(id, None, v, note, statement=statement, estimate=estimate, volatile=volatile)

    def compare(self, id: str, measured: float, *, statement: str | None = None,
                volatile: bool | None = None) -> ClaimView:
        """A deterministic number against the declared band."""
        from .stats import band_verdict, exact
        d = self.decl(id)
        if d.band is None:
            raise ValueError(f"claim {id!r}: compare() needs a declared band")
        v = band_verdict(exact(measured), *d.band)
        note = f"ours {_fmt_value(measured, d.band)} {'inside' if v == 'reproduced' else 'outside'} the band {_band_text(d.band)}"
        return self.claim(id, measured, v, note, statement=statement, volatile=volatile)

    def holds(self, id: str, holds: bool, evidence: str, *, partly: bool = False,
              measured: Any = None, statement: str | None = None) -> ClaimView:
        """A qualitative claim (trend, ordering) decided by a computed test. ``evidence``
        must be built from the measured numbers (it becomes the note)."""
        v = verdict(bool(holds), bool(partly))
        return self.claim(id, evidence if measured is None else measured, v, evidence,
                          statement=statement)

    def not_testable(self, id: str, reason: str, *, statement: str | None = None) -> ClaimView:
        """A claim whose paper quantity is undefined or unavailable here (``reason`` says why)."""
        return self.claim(id, None, "not testable", reason, statement=statement)

    def check(self, id: str, statement: str, passed: bool, detail: str = "") -> ClaimView:
        """A statement true by construction (or a verification): shown and tested, but
        not a reproduced claim of the paper. ``detail`` says what was compared (never a
        round-off residual: state the tolerance)."""
        if any(c["id"] == id for c in self.claims + self.checks):
            raise ValueError(f"duplicate claim id {id!r}")
        c = dict(id=id, statement=statement, passed=bool(passed), detail=detail)
        self.checks.append(c)
        return ClaimView([dict(c, kind="check", verdict="pass" if passed else "FAIL")])

    # ------------------------------------------------------------------ captions
    def verdicts(self, *ids: str) -> "Words":
        """The verdicts of recorded claims as caption text: ``"Verdicts: fig4-ris-gain not
        reproduced; fig4-close-to-admm-mm reproduced."`` (a timing claim: "see the
        report"). Glue it (:meth:`glue_verdicts`) and cite it in the figure's caption, so a
        caption can never disagree with the verdicts."""
        rec = {c["id"]: c for c in self.claims}
        parts = []
        for i in ids:
            if i not in rec:
                raise KeyError(f"claim {i!r} has not been recorded yet: record it before its caption")
            parts.append(f"{i} {'(timing, see the reproduction report)' if i in self.volatile else rec[i]['verdict']}")
        return Words("Verdicts: " + "; ".join(parts) + ".")

    def glue_verdicts(self, name: str, *ids: str) -> None:
        """Glue :meth:`verdicts` under ``name`` for ``{glue:text}`name``` in a caption."""
        from myst_nb import glue
        glue(name, self.verdicts(*ids), display=False)

    # ------------------------------------------------------------------ output
    def as_dict(self) -> dict:
        return {"chapter": self.chapter, "profile": self.profile,
                "parameters": _clean(self.params, 6), "commit": _commit(),
                "claims": self.claims, "checks": self.checks}

    def write(self, path: Path | None = None) -> Path:
        missing = [k for k in self.declared if not any(c["id"] == k for c in self.claims)]
        if missing and self.profile != "smoke":
            raise ValueError(f"declared claim(s) never recorded: {', '.join(missing)} (record them, "
                             "as not_testable with the reason where they cannot be measured)")
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
            rows.append(dict(c, kind="claim", paper_text=_paper_value_text(c["paper"]),
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
        """Verdict counts of the non-timing claims (deterministic text)."""
        stable = [c for c in self.claims if c["id"] not in self.volatile]
        counts = {v: sum(c["verdict"] == v for c in stable) for v in VERDICTS}
        text = ", ".join(f"{n} {v}" for v, n in counts.items() if n or v in VERDICTS[:3])
        if self.checks:
            bad = sum(not c["passed"] for c in self.checks)
            text += f"; checks: {len(self.checks) - bad} pass, {bad} fail"
        if self.volatile:
            text += f"; {len(self.volatile)} timing claim(s): see the JSON ledger / reproduction report"
        return text


class Words(str):
    """Text glued into prose: its repr is the text itself (no quotes in the rendered page)."""

    def __repr__(self) -> str:
        return str(self)


def _paper_value_text(v: Any) -> str:
    """The paper's value as the paper prints it (up to 7 significant digits)."""
    from .plotting import fmt
    return v if isinstance(v, str) else (fmt(v, 7) if isinstance(v, float) else _fmt_value(v))
