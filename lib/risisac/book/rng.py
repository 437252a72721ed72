"""Seeding: every random stream is derived from the chapter's ``seed`` parameter and a name."""

from __future__ import annotations

import zlib

import numpy as np


def _key(*names) -> list[int]:
    return [zlib.crc32(str(n).encode()) for n in names]


def make_rng(seed: int, *names) -> np.random.Generator:
    """An independent numpy Generator for stream ``names`` under master ``seed``.

    The same (seed, names) always gives the same stream, on any machine.
    """
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=_key(*names)))


def torch_generator(seed: int, *names):
    """A torch.Generator seeded from (seed, names) (CPU)."""
    import torch
    g = torch.Generator()
    g.manual_seed(int(make_rng(seed, "torch", *names).integers(2**62)))
    return g


def seed_torch(seed: int, *names) -> None:
    """Seed torch's global generator from (seed, names)."""
    import torch
    torch.manual_seed(int(make_rng(seed, "torch-global", *names).integers(2**62)))
