"""Seeding: every random stream is derived from the chapter's ``seed`` parameter and a name.

Round-off perturbation switch
-----------------------------
With the environment variable ``RISISAC_PERTURB=1`` (set by ``make test`` and
``make nbval PERTURB=1``), :func:`make_rng` returns a :class:`PerturbedGenerator`:
the same stream, but every floating-point draw is multiplied by ``1 + 1e-12 u``
with ``u`` uniform in ``[-1, 1]`` (drawn from a separate stream, so the main
stream's sequence is unchanged). Integer draws and selections (``integers``,
``choice``, ``permutation``, ``shuffle``: e.g. symbols drawn from a constellation
stay exact) are untouched. A printed, checked number that
changes under this perturbation depends on round-off and would differ on a
reader's machine: the perturbed strict-nbval run makes that show up on ours.
:func:`risisac.book.torchutil.setup_torch` changes torch's code path under the
same switch, and the Makefile sets ``MKL_CBWR`` for that run.
"""

from __future__ import annotations

import os
import zlib

import numpy as np

#: relative size of the round-off perturbation of every floating-point draw
PERTURB_EPS = 1e-12


def perturbed() -> bool:
    """True when the round-off perturbation switch ``RISISAC_PERTURB`` is on."""
    return os.environ.get("RISISAC_PERTURB", "0").strip().lower() not in ("", "0", "false", "no")


def _key(*names) -> list[int]:
    return [zlib.crc32(str(n).encode()) for n in names]


# Generator methods whose draws are floating point (perturbed under the switch).
_FLOAT_METHODS = (
    "random", "standard_normal", "normal", "uniform", "standard_exponential", "exponential",
    "standard_gamma", "gamma", "beta", "chisquare", "noncentral_chisquare", "f", "noncentral_f",
    "standard_cauchy", "standard_t", "vonmises", "pareto", "weibull", "power", "laplace",
    "gumbel", "logistic", "lognormal", "rayleigh", "wald", "triangular",
    "multivariate_normal", "dirichlet",
)
# Not perturbed: ``choice``, ``permutation``, ``shuffle`` select existing values (e.g. symbols of
# a constellation, which must stay exact), and every integer draw.


class PerturbedGenerator(np.random.Generator):
    """A numpy Generator whose floating-point draws carry a relative ``1e-12`` jitter.

    Same stream as the plain generator with the same bit generator; integer draws
    identical. Only used when :func:`perturbed` is true.
    """

    def __init__(self, bit_generator, perturb_rng: np.random.Generator, eps: float = PERTURB_EPS):
        super().__init__(bit_generator)
        self._perturb_rng = perturb_rng
        self._eps = eps

    def _jitter(self, x):
        arr = np.asarray(x)
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.complexfloating)):
            return x
        u = self._perturb_rng.uniform(-1.0, 1.0, size=arr.shape)
        out = arr * (1.0 + self._eps * u)
        out = out.astype(arr.dtype, copy=False)
        return out if isinstance(x, np.ndarray) else out[()] if out.ndim == 0 else out

    def __reduce__(self):  # pragma: no cover - pickling falls back to a plain generator
        return (np.random.default_rng, (self.bit_generator,))


def _make_method(name):
    base = getattr(np.random.Generator, name)

    def method(self, *args, **kwargs):
        out = kwargs.get("out")
        res = base(self, *args, **kwargs)
        if out is not None:
            out[...] = self._jitter(np.asarray(out))
            return out
        j = self._jitter(res)
        return float(j) if type(res) is float else j

    method.__name__ = name
    method.__doc__ = base.__doc__
    return method


for _name in _FLOAT_METHODS:
    setattr(PerturbedGenerator, _name, _make_method(_name))


def make_rng(seed: int, *names) -> np.random.Generator:
    """An independent numpy Generator for stream ``names`` under master ``seed``.

    The same (seed, names) always gives the same stream, on any machine. Under
    ``RISISAC_PERTURB=1`` the floating-point draws carry a ``1e-12`` relative
    jitter (:class:`PerturbedGenerator`).
    """
    ss = np.random.SeedSequence(int(seed), spawn_key=_key(*names))
    if not perturbed():
        return np.random.default_rng(ss)
    pss = np.random.SeedSequence(int(seed), spawn_key=_key("round-off perturbation", *names))
    return PerturbedGenerator(np.random.PCG64(ss), np.random.default_rng(pss))


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
