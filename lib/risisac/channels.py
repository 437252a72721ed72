"""Large-scale path loss, small-scale fading and geometry."""

from __future__ import annotations

import numpy as np


def db2lin(db):
    return 10.0 ** (np.asarray(db, dtype=float) / 10.0)


def lin2db(x):
    return 10.0 * np.log10(np.asarray(x, dtype=float))


def dbm2watt(dbm):
    return 10.0 ** ((np.asarray(dbm, dtype=float) - 30.0) / 10.0)


def pathloss(d, exponent: float, C0_db: float = -30.0, d0: float = 1.0):
    """Power gain ``C0 (d0/d)^rho`` (Paper A Sec. V; Paper C Sec. V). Linear scale."""
    d = np.asarray(d, dtype=float)
    if np.any(d <= 0):
        raise ValueError(f"pathloss: d = {d.min()!r} is invalid: distances must be > 0")
    return db2lin(C0_db) * (d0 / d) ** exponent


def pathloss_3gpp_db(d_m):
    """Path loss in dB, ``128.1 + 37.6 log10(d / 1 km)`` (Paper B Table II)."""
    d_m = np.asarray(d_m, dtype=float)
    return 128.1 + 37.6 * np.log10(d_m / 1000.0)


def rayleigh(rng: np.random.Generator, shape) -> np.ndarray:
    """i.i.d. CN(0, 1) entries."""
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def rician(rng: np.random.Generator, los: np.ndarray, kappa: float) -> np.ndarray:
    """``sqrt(k/(k+1)) los + sqrt(1/(k+1)) CN(0, I)`` (Paper C (25)); ``kappa`` linear."""
    los = np.asarray(los)
    return np.sqrt(kappa / (kappa + 1.0)) * los + np.sqrt(1.0 / (kappa + 1.0)) * rayleigh(rng, los.shape)


def distance(a, b) -> np.ndarray:
    """Euclidean distance between points (last axis = coordinates)."""
    return np.linalg.norm(np.asarray(b, float) - np.asarray(a, float), axis=-1)


def angle(frm, to, broadside: float = 0.0) -> np.ndarray:
    """Angle (rad) of ``to`` seen from ``frm`` in the x-y plane, relative to ``broadside``.

    The direction angle is ``atan2(dy, dx)``; an array whose broadside points
    along angle ``broadside`` sees the point at ``atan2(dy, dx) - broadside``,
    wrapped to (-pi, pi].
    """
    d = np.asarray(to, float) - np.asarray(frm, float)
    ang = np.arctan2(d[..., 1], d[..., 0]) - broadside
    return (ang + np.pi) % (2 * np.pi) - np.pi


def polar(origin, r, theta) -> np.ndarray:
    """Point at distance ``r`` and angle ``theta`` (from the x axis) from ``origin``."""
    return np.asarray(origin, float) + np.stack([r * np.cos(theta), r * np.sin(theta)], axis=-1)
