"""Checkpoints of long training jobs: an interrupted job resumes where it stopped.

A checkpoint is one file (``torch.save`` of plain containers and tensors, loaded with
``weights_only=True``) holding what a training loop needs to go on exactly as if it had not
been stopped: the weights, the optimiser state, the random states (torch's global generator,
numpy's and Python's global generators, and the loop's own torch generators), the loop
position and the history so far. It is written atomically (a temporary file in the same
folder, then :func:`os.replace`), so a job killed while writing leaves the previous
checkpoint intact.

:class:`Checkpoint` adds the policy: a save when :meth:`Checkpoint.due` (at least every
``every_s`` seconds, default 600 or ``$RISISAC_CHECKPOINT_S``; the training loops also save
at each layer boundary), and a *key*: the job's configuration (sizes, learning rate, the
hashes of the initial weights, start state and generators, and whatever the caller adds).
A checkpoint whose key differs from the job's is not used (the job starts afresh and
overwrites it); a file that cannot be read is refused with :class:`CheckpointError` naming
it. Resuming restores the saved state and runs the same operations in the same order, so
on the same machine and build the result equals that of an uninterrupted run bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

FORMAT = "risisac-checkpoint/1"
#: default time between two saves (seconds); ``$RISISAC_CHECKPOINT_S`` overrides it
EVERY_S = 600.0


class CheckpointError(RuntimeError):
    """A checkpoint file that exists but cannot be used (damaged or not a checkpoint)."""


def default_every_s() -> float:
    v = os.environ.get("RISISAC_CHECKPOINT_S", "").strip()
    if not v:
        return EVERY_S
    try:
        s = float(v)
    except ValueError:
        raise ValueError(f"RISISAC_CHECKPOINT_S = {v!r} is invalid: allowed values are numbers of seconds >= 0")
    if s < 0:
        raise ValueError(f"RISISAC_CHECKPOINT_S = {v!r} is invalid: allowed values are numbers of seconds >= 0")
    return s


# --------------------------------------------------------------------------- files
def save(path, payload: dict) -> Path:
    """Write ``payload`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    import torch
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(dict(payload, format=FORMAT), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def load(path) -> dict:
    """The payload of checkpoint ``path``; :class:`CheckpointError` (naming the file) when it is
    damaged or not a checkpoint. A missing file raises :class:`FileNotFoundError`."""
    import torch
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        d = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise CheckpointError(f"{path}: damaged checkpoint, not used ({type(e).__name__}: {e}); "
                              f"delete it to start the job afresh") from e
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a training checkpoint (format "
                              f"{d.get('format') if isinstance(d, dict) else type(d).__name__!r}, expected "
                              f"{FORMAT!r}); delete it to start the job afresh")
    return d


# --------------------------------------------------------------------------- random states
def rng_state(generators=()) -> dict:
    """The global random states (torch, numpy, Python) and those of the torch ``generators``."""
    import numpy as np
    import torch
    st = np.random.get_state(legacy=False)
    return dict(torch=torch.get_rng_state(),
                numpy=dict(bit_generator=st["bit_generator"], key=torch.as_tensor(st["state"]["key"].astype("int64")),
                           pos=int(st["state"]["pos"]), has_gauss=int(st["has_gauss"]),
                           gauss=float(st["gauss"])),
                python=_py_state(random.getstate()),
                generators=[g.get_state() for g in generators])


def set_rng_state(state: dict, generators=()) -> None:
    """Restore what :func:`rng_state` returned."""
    import numpy as np
    import torch
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state(dict(bit_generator=n["bit_generator"],
                             state=dict(key=n["key"].numpy().astype("uint32"), pos=n["pos"]),
                             has_gauss=n["has_gauss"], gauss=n["gauss"]))
    p = state["python"]
    random.setstate((p[0], tuple(p[1]), p[2]))
    if len(state["generators"]) != len(generators):
        raise ValueError(f"checkpoint has {len(state['generators'])} generator states, the job {len(generators)}")
    for g, s in zip(generators, state["generators"]):
        g.set_state(s)


def _py_state(s):
    return [s[0], list(s[1]), s[2]]


# --------------------------------------------------------------------------- keys
def digest(*objs) -> str:
    """A short hash of tensors, numbers, strings and (nested) lists/dicts of them."""
    import torch
    h = hashlib.sha256()

    def upd(o):
        if isinstance(o, torch.Tensor):
            t = o.detach().cpu().contiguous()
            h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
            h.update(t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
        elif isinstance(o, dict):
            h.update(b"{")
            for k in sorted(o, key=str):
                h.update(str(k).encode())
                upd(o[k])
            h.update(b"}")
        elif isinstance(o, (list, tuple)):
            h.update(b"[")
            for v in o:
                upd(v)
            h.update(b"]")
        elif o is None:
            h.update(b"N")
        else:
            h.update(f"{type(o).__name__}:{o!r}".encode())

    for o in objs:
        upd(o)
    return h.hexdigest()[:20]


def _jsonable(key: dict) -> dict:
    return json.loads(json.dumps(key, sort_keys=True, default=str))


# --------------------------------------------------------------------------- policy
class Checkpoint:
    """A job's checkpoint file with its policy.

    ``path``: the file (conventionally ``<output>.ckpt`` beside the job's output);
    ``key``: the job's configuration (JSON-able; the training loop adds its own entries): a
    checkpoint is used only when its key equals the job's; ``every_s``: seconds between two
    time-based saves (default :func:`default_every_s`); ``extra``: a dict the caller keeps
    across an interruption (saved with every checkpoint, replaced by the saved one on resume);
    ``remove_when_done``: whether the training loop deletes the file when it finishes (a job
    that still has to write its output deletes it itself afterwards, :meth:`remove`);
    ``log``: where the resume / start-afresh lines go (default stderr).
    """

    def __init__(self, path, key: dict | None = None, every_s: float | None = None, extra: dict | None = None,
                 remove_when_done: bool = True, log: Callable | None = None):
        self.path = Path(path)
        self.key = _jsonable(dict(key or {}))
        self.every_s = default_every_s() if every_s is None else float(every_s)
        if self.every_s < 0:
            raise ValueError(f"every_s = {every_s} is invalid: allowed values are seconds >= 0")
        self.extra = dict(extra or {})
        self.remove_when_done = remove_when_done
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.saves = 0
        self.resumed: dict | None = None         # loop position resumed from, if any
        self._elapsed0 = 0.0
        self._t0 = self._last = time.monotonic()

    @classmethod
    def of(cls, checkpoint) -> "Checkpoint | None":
        """``None``, a path or a :class:`Checkpoint` -> ``None`` or a :class:`Checkpoint`."""
        if checkpoint is None or isinstance(checkpoint, Checkpoint):
            return checkpoint
        return cls(checkpoint)

    def elapsed(self) -> float:
        """Seconds of this job so far, including those before the interruption."""
        return self._elapsed0 + time.monotonic() - self._t0

    def due(self) -> bool:
        """Whether the time since the last save (or the start) is at least ``every_s``."""
        return time.monotonic() - self._last >= self.every_s

    def resume(self, key: dict) -> dict | None:
        """The saved state when the file exists and its key equals ``key`` (merged with this
        checkpoint's own key), else ``None``; :class:`CheckpointError` for a damaged file."""
        self.key = _jsonable(dict(self.key, **key))
        self._remove_temporaries()
        if not self.path.exists():
            return None
        d = load(self.path)
        if d.get("key") != self.key:
            diff = sorted(k for k in set(self.key) | set(d.get("key") or {})
                          if (d.get("key") or {}).get(k) != self.key.get(k))
            self.log(f"[checkpoint] {self.path}: made for another configuration (differs in {', '.join(diff)}); "
                     f"not used, the job starts afresh")
            return None
        self.extra = d.get("extra", {})
        self._elapsed0 = float(d.get("elapsed_s", 0.0))
        self._t0 = self._last = time.monotonic()
        self.resumed = d.get("position")
        self.log(f"[checkpoint] {self.path}: resuming at {self.resumed} ({self._elapsed0:.0f} s done before)")
        return d["state"]

    def save(self, state: dict, position: dict) -> None:
        """Write ``state`` (and ``position``, for the log) now."""
        save(self.path, dict(key=self.key, state=state, position=dict(position), extra=self.extra,
                             elapsed_s=self.elapsed()))
        self.saves += 1
        self._last = time.monotonic()

    def remove(self) -> None:
        """Delete the file (the job is complete)."""
        self.path.unlink(missing_ok=True)
        self._remove_temporaries()

    def _remove_temporaries(self) -> None:
        """Temporary files of :func:`save` left by a job killed while writing (the checkpoint
        itself is intact: it is replaced only once the new one is complete)."""
        for f in self.path.parent.glob(self.path.name + ".*.tmp"):
            f.unlink(missing_ok=True)
