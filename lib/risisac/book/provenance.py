"""Provenance of a stored artefact: one record every heavy job builds with :func:`record`.

What it holds: the commit and whether the working tree was dirty (a dirty tree is refused
unless ``RISISAC_ALLOW_DIRTY=1``, and is then recorded as dirty), the job and its parameters,
the library versions (python, torch, numpy, scipy), the CPU model and the GPU name if any, the
wall and CPU time of the job, and the digests of the chapter's claim declarations in force
(:func:`risisac.book.ledger.digests`).

Usage::

    clock = provenance.Clock()                      # at the start of the job
    ...                                             # the work
    rec = provenance.record("paperA_doa", "train_doa.net", params, clock=clock, claims=CLAIMS)
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

#: the environment variable that lets a job run on a working tree with uncommitted changes
ALLOW_DIRTY = "RISISAC_ALLOW_DIRTY"
#: folders of the jobs' outputs: changes there do not make the code dirty
ARTEFACT_DIRS = ("models/", "results/")


class DirtyTreeError(RuntimeError):
    """The working tree has uncommitted changes to tracked files and no one allowed it."""


class Clock:
    """Wall time (``time.perf_counter``) and CPU time of this process (``time.process_time``)."""

    def __init__(self):
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        self.started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def seconds(self) -> dict:
        return dict(wall_s=round(time.perf_counter() - self.wall0, 3),
                    cpu_s=round(time.process_time() - self.cpu0, 3))


def code_root() -> Path:
    """The checkout holding the library that runs (jobs may run in another folder)."""
    return Path(__file__).resolve().parents[3]


def _git(*args, root: Path | None = None) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=root or code_root(), capture_output=True, text=True, timeout=20)
    except Exception:  # pragma: no cover - no git
        return None
    return out.stdout if out.returncode == 0 else None


def source_state(root: Path | None = None) -> dict:
    """``{"commit": short id, "dirty": bool | None, "changed": [paths]}`` of the working tree
    (tracked files outside :data:`ARTEFACT_DIRS`, which jobs write; ``dirty`` is None where git cannot tell, e.g. a copy without ``.git``;
    ``$RISISAC_COMMIT`` names the commit there)."""
    commit = os.environ.get("RISISAC_COMMIT") or (_git("rev-parse", "--short", "HEAD", root=root) or "").strip() \
        or "unknown"
    status = _git("status", "--porcelain", "--untracked-files=no", root=root)
    if status is None:
        return dict(commit=commit, dirty=None, changed=[])
    changed = [ln[3:] for ln in status.splitlines() if ln.strip() and not ln[3:].startswith(ARTEFACT_DIRS)]
    return dict(commit=commit, dirty=bool(changed), changed=changed[:20])


def check_clean(root: Path | None = None) -> dict:
    """:func:`source_state`, refusing a dirty tree unless ``RISISAC_ALLOW_DIRTY=1``."""
    st = source_state(root)
    if st["dirty"] and os.environ.get(ALLOW_DIRTY) != "1":
        raise DirtyTreeError(
            "the working tree has uncommitted changes (" + ", ".join(st["changed"][:5])
            + (", ..." if len(st["changed"]) > 5 else "") + "): commit them so that the artefact names the "
            f"code that made it, or set {ALLOW_DIRTY}=1 to record it as made from a dirty tree")
    return st


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``, else :func:`platform.processor`) and core count."""
    name = ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.lower().startswith(("model name", "hardware", "cpu model")):
                name = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    name = name or platform.processor() or platform.machine()
    return f"{name}, {os.cpu_count()} logical CPUs"


def gpu_name() -> str | None:
    """The name of the first CUDA device, if torch sees one; else None."""
    try:
        import torch
        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except Exception:  # pragma: no cover
        pass
    return None


def versions() -> dict:
    """python, torch, numpy and scipy versions (None for a library that is not installed)."""
    out = dict(python=platform.python_version())
    for lib in ("torch", "numpy", "scipy"):
        try:
            out[lib] = __import__(lib).__version__
        except ImportError:  # pragma: no cover
            out[lib] = None
    return out


def record(chapter: str, job: str, params: dict, clock: Clock | None = None, claims=None,
           claim_ids=None, source: dict | None = None) -> dict:
    """The provenance record of one job's artefact (module docstring). ``source``: a
    :func:`check_clean` result taken when the job started (else it is checked now); ``claims``:
    the chapter's declared claims (``CLAIMS``), of which ``claim_ids`` (default all) are digested."""
    from .ledger import digests
    st = source or check_clean()
    rec = dict(chapter=chapter, job=job, commit=st["commit"], dirty=st["dirty"], params=params,
               versions=versions(), cpu=cpu_model(), gpu=gpu_name(), machine=platform.machine(),
               threads=_threads())
    if st.get("dirty"):
        rec["changed"] = st["changed"]
    if clock is not None:
        rec.update(started=clock.started, **clock.seconds())
    if claims is not None:
        rec["declarations"] = digests(claims, claim_ids)
    return rec


def _threads() -> int | None:
    try:
        import torch
        return torch.get_num_threads()
    except Exception:  # pragma: no cover
        return None
