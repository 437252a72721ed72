"""Projections used by the algorithms (numpy or torch)."""

from __future__ import annotations

import numpy as np

from ._backend import xp_of


def proj_unit_modulus(z):
    """Nearest point of ``{|phi_n| = 1}``: ``z/|z|`` (``1`` where ``z = 0``)."""
    xp = xp_of(z)
    mag = abs(z)
    safe = xp.where(mag > 0, mag, xp.ones_like(mag))
    out = z / safe
    return xp.where(mag > 0, out, xp.ones_like(z))


def proj_constant_modulus(x, power: float, M: int):
    """Nearest point of ``{|x_i| = sqrt(P/M)}`` (Paper A (18c))."""
    return np.sqrt(power / M) * proj_unit_modulus(x)


def proj_box_modulus(z, radius=1.0):
    """Nearest point of the convex hull ``{|z_i| <= radius}`` (Paper A (22c)-(22d))."""
    xp = xp_of(z)
    mag = abs(z)
    scale = xp.where(mag > radius, radius / xp.where(mag > 0, mag, xp.ones_like(mag)), xp.ones_like(mag))
    return z * scale


def proj_ball(w, radius: float):
    """Nearest point of ``{||w||_F <= radius}``."""
    n = np.linalg.norm(w)
    return w if n <= radius else w * (radius / n)
