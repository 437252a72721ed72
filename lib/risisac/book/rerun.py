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
from typing import Any


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

    def __init__(self, chapter: str, params: Any):
        self.chapter = chapter
        self.params = params
        self.record = execution_record(chapter)

    def _lines(self) -> list[str]:
        d = self.params.as_dict()
        cmd = f"make run CHAPTER={self.chapter} ARGS='{_example_args(d)}'"
        rec = self.record
        if rec:
            times = (f"book: recorded run time {rec['book_s']:.0f} s; smoke: recorded run time "
                     f"{rec['smoke_s']:.0f} s" if rec.get("smoke_s") is not None else
                     f"book: recorded run time {rec['book_s']:.0f} s")
            times += f" ({rec.get('machine', '')}, commit {rec.get('commit', 'unknown')}); paper: longer, not timed"
        else:
            times = "book, smoke, paper: run times not recorded yet (make execute)"
        return [f"Re-run this chapter: {cmd}",
                "  add HTML=1 to render the run; -p profile smoke|book|paper picks a profile",
                f"  profiles: {times}",
                f"  this run: profile {d.get('profile')!r}"]

    def __repr__(self) -> str:
        return "\n".join(self._lines()) + "\n" + repr(self.params.table())

    def _repr_html_(self) -> str:
        lines = self._lines()
        e = html.escape
        cmd = lines[0].split(": ", 1)[1]
        return ('<div class="admonition tip rerun-box"><p class="admonition-title">Re-run this chapter</p>'
                f"<p><code>{e(cmd)}</code> (from a clone of the repository; add <code>HTML=1</code> "
                "to render the run, <code>-p profile smoke|book|paper</code> to pick a profile; "
                "or edit the parameters cell above and run it and the next cell again).</p>"
                f"<p>Profiles: {e(lines[2].split(': ', 1)[1])}.</p>"
                "<details><summary>Resolved parameters of this run</summary>"
                f"{self.params.table()._repr_html_()}</details></div>")
