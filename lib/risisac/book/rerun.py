"""The "Re-run this chapter" box: the command, the profiles with their recorded run times, and
the resolved parameters.

Shown by a chapter right after its parameters are resolved (``P.rerun_box()``). The run
times and the commit come from ``results/execution/<chapter>.json`` (written by
``make execute``); they change from one execution to the next, so their text carries the
markers ``recorded run time N s`` and ``commit <id>`` that ``tests/sanitize.cfg`` masks
for nbval.
"""

from __future__ import annotations

import html
import json
from typing import Any, Sequence


def execution_record(chapter: str) -> dict | None:
    from .ledger import repo_root
    path = repo_root() / "results" / "execution" / f"{chapter}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _example_args(params: dict) -> str:
    """A short example of overriding one parameter (the seed if there is one)."""
    if "seed" in params and isinstance(params["seed"], int):
        return f"-p seed {params['seed'] + 1}"
    for k, v in params.items():
        if k != "profile" and isinstance(v, int) and not isinstance(v, bool):
            return f"-p {k} {v}"
    return "-p profile smoke"


class RerunBox:
    """Text (stable, for nbval) and HTML (a box in the book) of how to re-run a chapter."""

    def __init__(self, chapter: str, params: Any, paper: str | None = None,
                 rebuild: Sequence[tuple[str, str, str]] = (), show_params: bool = True,
                 example: str | None = None):
        self.chapter = chapter
        self.params = params
        self.record = execution_record(chapter)
        self.paper = paper
        self.rebuild = list(rebuild)
        self.show_params = show_params
        self.example = example

    def _lines(self) -> list[str]:
        d = self.params.as_dict()
        cmd = f"make run CHAPTER={self.chapter} ARGS='{self.example or _example_args(d)}'"
        rec = self.record
        if rec:
            times = (f"book: recorded run time {rec['book_s']:.0f} s; smoke: recorded run time "
                     f"{rec['smoke_s']:.0f} s" if rec.get("smoke_s") is not None else
                     f"book: recorded run time {rec['book_s']:.0f} s")
            times += f" ({rec.get('machine', '')}, commit {rec.get('commit', 'unknown')}); paper: longer, not timed"
        else:
            times = "book, smoke, paper: run times not recorded yet (make execute)"
        if self.paper is not None:
            times = times.replace("; paper: longer, not timed", "")
        lines = [f"Re-run this chapter: {cmd}",
                 "  add HTML=1 to render the run; -p profile smoke|book|paper picks a profile",
                 f"  profiles: {times}"]
        if self.paper is not None:
            lines.append(f"  paper profile: {self.paper}")
        if self.rebuild:
            lines.append("  stored artefacts and the commands that rebuild them:")
            lines += [f"    {what}: {cmd_} ({t})" for what, cmd_, t in self.rebuild]
        lines.append(f"  this run: profile {d.get('profile')!r}")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._lines()) + ("\n" + repr(self.params.table()) if self.show_params else "")

    def _repr_html_(self) -> str:
        lines = self._lines()
        e = html.escape
        cmd = lines[0].split(": ", 1)[1]
        return ('<div class="admonition tip rerun-box"><p class="admonition-title">Re-run this chapter</p>'
                f"<p><code>{e(cmd)}</code> (from a clone of the repository; add <code>HTML=1</code> "
                "to render the run, <code>-p profile smoke|book|paper</code> to pick a profile; "
                "or edit the parameters cell above and run it and the next cell again).</p>"
                f"<p>Profiles: {e(lines[2].split(': ', 1)[1])}"
                + (f"; paper: {e(self.paper)}" if self.paper is not None else "") + ".</p>"
                + ("<p>Stored artefacts and the commands that rebuild them:</p><ul>"
                   + "".join(f"<li>{e(w)}: <code>{e(c)}</code> ({e(t)})</li>" for w, c, t in self.rebuild)
                   + "</ul>" if self.rebuild else "")
                + ("<details><summary>Resolved parameters of this run</summary>"
                   f"{self.params.table()._repr_html_()}</details>" if self.show_params else "")
                + "</div>")


# ============================================================================ what a run needs
# A chapter decides, right after its parameters are resolved, whether the stored artefacts
# (models/<chapter>/) serve these parameters. What they do not serve is a :class:`Need`
# (an artefact to make, with the command and the expected time from the stored records);
# an artefact made for other parameters that the run would use anyway is a :class:`Reuse`.
# :func:`decide` turns them into a :class:`Plan` whose :meth:`Plan.require` stops the run
# within seconds (before any heavy work) unless the reader opted in: ``live`` computes the
# missing artefacts inside the notebook; a reuse needs its own parameter (``reuse_nets``).

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .params import ParameterError

#: an evaluation the stored records put under this many seconds on one core is computed live
#: without asking (a different seed of the DoA evaluation, say); training never is
LIVE_BELOW_S = 300.0

#: evaluation and timing jobs of the chapters that have them: ``python -m <module> <part>``
_JOBS = {("paperA_detection", "eval"): "risisac.paper_a.eval_detection",
         ("paperA_doa", "eval"): "risisac.paper_a.eval_doa",
         ("paperA_doa", "time"): "risisac.paper_a.time_doa"}


def artefact_command(chapter: str, profile: str = "book", job: str = "train", part: str | None = None) -> str:
    """The command that makes a chapter's stored artefacts: the one place that spells it.

    ``job="train"``: the chapter's training job for ``profile`` (``make train``); ``"eval"`` /
    ``"time"`` with ``part``: that evaluation or timing job of the stored grid."""
    if job == "train":
        return f"make train CHAPTER={chapter} PROFILE={profile}"
    module = _JOBS.get((chapter, job))
    if module is None:
        raise ValueError(f"chapter {chapter!r} has no {job!r} job")
    return f"python -m {module}" + (f" {part}" if part else "")


def differ_text(stored: Mapping[str, Any], here: Mapping[str, Any], most: int = 4) -> str:
    """'stored for N = 64, this run N = 128' (only the names when more than ``most`` differ)."""
    keys = [k for k in here if stored.get(k) != here[k]]
    if len(keys) > most:
        return "stored for another grid (differ: " + ", ".join(keys) + ")"
    return ("stored for " + ", ".join(f"{k} = {_arg(stored.get(k))}" for k in keys)
            + ", this run " + ", ".join(f"{k} = {_arg(here[k])}" for k in keys))


def _arg(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ",".join(_arg(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return f"{v:g}" if abs(v) < 1e15 else repr(v)
    return str(v)


def given_args(params: Any, extra: Mapping[str, Any] | None = None) -> str:
    """The ``-p name value`` options that reproduce a run's given parameters (and ``extra``)."""
    d = params.as_dict()
    src = vars(params).get("_sources", {})
    opts = {}
    if d.get("profile", "book") != "book":
        opts["profile"] = d["profile"]
    opts.update({k: v for k, v in d.items() if src.get(k) == "given"})
    opts.update(extra or {})
    return " ".join(f"-p {k} {_arg(v)}" for k, v in opts.items())


def run_command(chapter: str, args: str = "") -> str:
    """``make run CHAPTER=<chapter> ARGS='<args>'``."""
    return f"make run CHAPTER={chapter}" + (f" ARGS='{args}'" if args else "")


def duration(seconds: float) -> str:
    """A rounded duration for prose: '40 s', '12 min', '1.6 h' (deterministic for given input)."""
    s = float(seconds)
    if s < 90:
        return f"{max(1, round(s, -1) if s >= 20 else round(s)):.0f} s"
    if s < 90 * 60:
        m = s / 60
        return f"{round(m) if m < 20 else 5 * round(m / 5):.0f} min"
    return f"{s / 3600:.1f} h"


def on_cores(seconds: Sequence[float], cores: int = 2) -> float:
    """Wall time of independent one-thread jobs on ``cores`` cores (longest job first, each to
    the least loaded core)."""
    load = [0.0] * max(1, cores)
    for s in sorted(seconds, reverse=True):
        load[load.index(min(load))] += s
    return max(load)


def record_seconds(path, *keys: str) -> float | None:
    """The seconds a stored record says a job took: ``meta.seconds`` / ``seconds`` /
    ``seconds_total`` / ``total_time_s`` (a dict of seconds is summed); ``keys`` first. None if
    the record is absent or says nothing."""
    from pathlib import Path
    try:
        d = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    for src in (d.get("meta") or {}, d, d.get("provenance") or {}):
        for k in (*keys, "seconds", "seconds_total", "total_time_s", "wall_s"):
            v = src.get(k) if isinstance(src, dict) else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
            if isinstance(v, dict):
                flat, stack = [], [v]
                while stack:
                    x = stack.pop()
                    for y in x.values():
                        (stack.append(y) if isinstance(y, dict) else
                         flat.append(float(y)) if isinstance(y, (int, float)) else None)
                if flat:
                    return sum(flat)
    return None


def jobs_time(jobs: Sequence[tuple[str, float | None]], basis: str = "", names: bool = True) -> str:
    """``(job, seconds on one core)`` as text: per job, on one core and on 2 cores (``names``:
    list the jobs' names)."""
    per = [s for _, s in jobs]
    if not per or any(s is None for s in per):
        return "not measured (no stored record of such a job)" + (f"; {basis}" if basis else "")
    lo, hi = min(per), max(per)
    each = duration(lo) if duration(lo) == duration(hi) else f"{duration(lo)} to {duration(hi)}"
    listed = f" ({', '.join(j for j, _ in jobs)})" if names and len(jobs) <= 6 else ""
    if len(per) == 1:
        return f"{each} on one core" + (f", from {basis}" if basis else "")
    return (f"{each} per job x {len(per)} jobs{listed}: {duration(sum(per))} on one core, "
            f"{duration(on_cores(per, 2))} on 2 cores" + (f", from {basis}" if basis else ""))


@dataclass
class Need:
    """An artefact these parameters need that is not stored.

    ``what``: the artefact in words; ``why``: what is stored instead (the parameters that differ);
    ``jobs``: ``(job, seconds on one core)`` expected from the stored records (``None`` where no
    record measures it); ``command``: the command that makes it for these parameters (``None``:
    no job takes them; the chapter computes it with ``live=True``); ``train``: it trains networks
    (never computed live without asking); ``basis``: which records the times come from."""
    what: str
    why: str
    jobs: Sequence[tuple[str, float | None]] = ()
    command: str | None = None
    train: bool = False
    basis: str = ""

    @property
    def measured(self) -> bool:
        return bool(self.jobs) and all(s is not None for _, s in self.jobs)

    def seconds(self, cores: int = 1) -> float | None:
        return on_cores([s for _, s in self.jobs], cores) if self.measured else None

    def time_text(self) -> str:
        return "expected time: " + jobs_time(self.jobs, self.basis)


@dataclass
class Reuse:
    """Stored artefacts made for other parameters that this run would use as they are.

    ``made``/``used``: the differing parameters' values at training and in this run; ``param``:
    the chapter parameter that allows it (refused unless it is True)."""
    what: str
    made: Mapping[str, Any]
    used: Mapping[str, Any]
    param: str = "reuse_nets"

    def text(self) -> str:
        made = ", ".join(f"{k} = {_arg(v)}" for k, v in self.made.items())
        used = ", ".join(f"{k} = {_arg(v)}" for k, v in self.used.items())
        return f"{self.what} made for {made}, used at {used}"


class ArtefactsNeeded(ParameterError):
    """The parameters need artefacts that are not stored (or reuse some made for other
    parameters without saying so). The first three lines say what, the command and the
    time (``make run`` prints those); IPython shows the whole message without a traceback."""

    def _render_traceback_(self) -> list[str]:
        lines = [ln for ln in str(self).splitlines() if ln.strip()] or [""]
        return ([f"\x1b[0;31mArtefactsNeeded\x1b[0m: {lines[0]}"] + lines[1:16]
                + ["(the chapter stopped here, before any heavy work)"])


@dataclass
class Plan:
    """What a run loads and what it computes (:func:`decide`). ``mode``: ``"stored"`` (every
    artefact it needs is stored) or ``"live"`` (some are computed in this run)."""
    chapter: str
    params: Any
    needs: list = field(default_factory=list)
    reuse: list = field(default_factory=list)
    stored_text: str = ""
    error: str | None = None

    @property
    def mode(self) -> str:
        return "live" if self.needs else "stored"

    @property
    def live(self) -> bool:
        return bool(self.needs)

    def text(self) -> str:
        """One line per decision, printed by the chapter (deterministic)."""
        out = [self.stored_text] if self.stored_text else []
        for n in self.needs:
            out.append(f"computed live in this run: {n.what} ({n.why}); {n.time_text()}")
        for r in self.reuse:
            out.append(f"reused by choice ({r.param} = True): {r.text()}")
        return "\n".join(out)

    def require(self) -> "Plan":
        """Stop (:class:`ArtefactsNeeded`) if the decision was to stop; else the plan."""
        if self.error:
            raise ArtefactsNeeded(self.error)
        return self

    def record(self, ledger) -> None:
        """Put every reuse the reader chose into the ledger (a check that names it)."""
        for i, r in enumerate(self.reuse):
            ledger.check(f"reused-artefacts-{i + 1}" if len(self.reuse) > 1 else "reused-artefacts",
                         f"Chosen with {r.param} = True: {r.text()}", True,
                         "the results rest on artefacts made for other parameters")

    def __repr__(self) -> str:
        return self.text()


def decide(chapter: str, params: Any, needs: Sequence[Need] = (), reuse: Sequence[Reuse] = (),
           stored_text: str = "") -> Plan:
    """The plan of a run: which needs it computes live, which reuses it accepts, or why it stops.

    A need is computed live when ``params.live`` is True, or when it evaluates (not trains)
    and its stored records put it under :data:`LIVE_BELOW_S` on one core; else the run stops.
    A reuse is accepted only when its parameter is True. The stop message's first line says
    what is missing, the second the command that makes it, the third the expected time."""
    live = bool(getattr(params, "live", False))
    blocked = [n for n in needs if not (live or (not n.train and n.measured
                                                and n.seconds() <= LIVE_BELOW_S))]
    refused = [r for r in reuse if not getattr(params, r.param, False)]
    plan = Plan(chapter, params, list(needs), list(reuse), stored_text)
    if not blocked and not refused:
        return plan
    optin = {**({"live": True} if blocked else {}), **{r.param: True for r in refused}}
    here = run_command(chapter, given_args(params, optin))
    lines = []
    if blocked:
        lines.append("these parameters need artefacts that are not stored: "
                     + "; ".join(f"{n.what} ({n.why})" for n in blocked)
                     + "".join(f"; and the run would reuse {r.text()}" for r in refused))
        cmds = [n.command for n in blocked if n.command]
        lines.append("make it with: " + (" && ".join(dict.fromkeys(cmds)) if cmds else
                                         "no job takes these parameters yet (the jobs make the stored ones)")
                     + f"; or compute it in this run: {here}")
        lines.append("; ".join(n.time_text() for n in blocked))
    else:
        lines.append("refused: " + "; ".join(r.text() for r in refused))
        lines.append(f"to use them anyway (printed and recorded in the ledger): {here}")
    for r in refused:
        lines.append(f"{r.param} = True evaluates {r.what} at this run's parameters as they are "
                     "(printed, and recorded in the ledger as a check)")
    if blocked:
        lines.append("live = True computes the missing artefacts inside the notebook; without it nothing heavy starts")
    plan.error = "\n".join(lines)
    return plan


def paper_profile_time(resolve, live_jobs, folder=None, what: str = "its evaluation is",
                       source: str = "the stored evaluation records, scaled", names: bool = True) -> str:
    """The ``paper`` profile's expected time where its artefacts are not stored: the jobs a live
    run would do (``live_jobs(P, folder)`` of the chapter's spec at the paper profile,
    ``resolve(None, profile="paper")``), timed from the stored records."""
    return (f"{what} not stored (it stops unless -p live True): "
            + jobs_time(live_jobs(resolve(None, profile="paper"), folder), source, names=names))

