"""Loading the stored artefacts a chapter rests on, with a clear stop when one is bad.

Every artefact a chapter loads (a trained network, an evaluation or timing file, a
training record) goes through :func:`load_json` / :func:`load_torch` /
:func:`require`, which name the file, say what it is and give the command that
restores it when the file is missing, truncated, unreadable or differs from the hash
its record expects. Nothing is recomputed silently: a chapter that can compute an
artefact live does so only where its parameters say so, never because a file is bad.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


class ArtefactError(RuntimeError):
    """A stored artefact is missing or damaged (the message names it and its fix)."""


def _short(path: Path) -> str:
    from .ledger import repo_root
    try:
        return Path(path).resolve().relative_to(repo_root()).as_posix()
    except ValueError:
        return str(path)


def _fail(path: Path, what: str, restore: str, problem: str) -> ArtefactError:
    return ArtefactError(f"{_short(path)} ({what}) {problem}. Restore it with `git checkout -- "
                         f"{_short(path)}` or regenerate it with `{restore}`.")


def sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def require(path: Path | str, what: str, restore: str, sha: str | None = None) -> Path:
    """``path`` exists, is not empty and (if ``sha`` is given: full hex or a prefix) has that
    SHA-256; else :class:`ArtefactError` naming the file, what it is and ``restore``."""
    path = Path(path)
    if not path.is_file():
        raise _fail(path, what, restore, "is missing")
    if path.stat().st_size == 0:
        raise _fail(path, what, restore, "is empty")
    if sha is not None and not sha256(path).startswith(sha):
        raise _fail(path, what, restore, f"differs from the stored hash {sha[:12]}")
    return path


def load_json(path: Path | str, what: str, restore: str, sha: str | None = None) -> Any:
    """A stored JSON artefact (see :func:`require`); a truncated or invalid file stops here."""
    path = require(path, what, restore, sha)
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise _fail(path, what, restore, f"is damaged (not valid JSON: {e.msg} at line {e.lineno})"
                    if isinstance(e, json.JSONDecodeError) else "is damaged (not text)") from None


def load_torch(path: Path | str, what: str, restore: str, sha: str | None = None) -> Any:
    """A stored torch file (``weights_only``, on the CPU); a truncated file stops here."""
    import torch
    path = require(path, what, restore, sha)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises RuntimeError / UnpicklingError / EOFError on damage
        raise _fail(path, what, restore, f"is damaged ({type(e).__name__})") from None
