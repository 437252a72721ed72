"""Array responses and the RIS two-way cascaded channel.

Conventions (used throughout the book):

* A ULA of ``n`` elements with spacing ``spacing`` wavelengths, phase reference
  at element 0, angle ``theta`` (rad) measured from broadside:
  ``a(theta)[m] = exp(j 2 pi spacing m sin(theta))``  (Paper A Sec. II, Paper C (22)).
* A UPA of ``ny x nz`` elements: ``a = a_y(sin az cos el) kron a_z(sin el)``.
* The two-way channel BS -> (direct + RIS) -> target -> (direct + RIS) -> BS is
  the outer product ``H = u u^T`` with ``u = h_d + G^T diag(phi) h_r`` where
  ``h_d`` (M) is the BS response, ``h_r`` (N) the RIS response towards the
  target and ``G`` (N x M) the BS-RIS channel. This is Paper C (26) and the
  reciprocal form of Paper A (6a); see the Shared models chapter for why the
  transpose (not the Hermitian) is the physical one.
"""

from __future__ import annotations

import numpy as np

from ._backend import mT, xp_of


def ula(n: int, theta, spacing: float = 0.5) -> np.ndarray:
    """ULA steering vector(s), shape ``theta.shape + (n,)``."""
    theta = np.asarray(theta, dtype=float)
    m = np.arange(n)
    return np.exp(1j * 2 * np.pi * spacing * np.sin(theta)[..., None] * m)


def ula_deriv(n: int, theta, spacing: float = 0.5) -> np.ndarray:
    """d a(theta) / d theta = j 2 pi spacing m cos(theta) a(theta)."""
    theta = np.asarray(theta, dtype=float)
    m = np.arange(n)
    return (1j * 2 * np.pi * spacing * np.cos(theta)[..., None] * m) * ula(n, theta, spacing)


def upa(ny: int, nz: int, az, el, spacing: float = 0.5) -> np.ndarray:
    """UPA response (``ny*nz``), element index ``iy*nz + iz``: a_y(az, el) kron a_z(el)."""
    az = np.asarray(az, dtype=float)
    el = np.asarray(el, dtype=float)
    ay = np.exp(1j * 2 * np.pi * spacing * (np.sin(az) * np.cos(el))[..., None] * np.arange(ny))
    az_ = np.exp(1j * 2 * np.pi * spacing * np.sin(el)[..., None] * np.arange(nz))
    return (ay[..., :, None] * az_[..., None, :]).reshape(*ay.shape[:-1], ny * nz)


def cascaded_vector(h_d, G, phi, h_r):
    """``u = h_d + G^T diag(phi) h_r`` (batched over leading axes; numpy or torch)."""
    return h_d + (mT(G) @ (phi * h_r)[..., None])[..., 0]


def two_way_channel(h_d, G, phi, h_r):
    """``H = u u^T`` with ``u`` from :func:`cascaded_vector` (Paper C (26), Paper A (6))."""
    u = cascaded_vector(h_d, G, phi, h_r)
    return u[..., :, None] * u[..., None, :]


def two_way_derivatives(h_d, dh_d, G, phi, h_r, dh_r):
    """Derivatives of ``H = u u^T`` in the BS angle and the RIS angle.

    ``dh_d = d h_d / d theta_B`` and ``dh_r = d h_r / d theta_R``. Returns
    ``(dH_dthetaB, dH_dthetaR)``, each ``du u^T + u du^T`` (Paper C (27)).
    """
    u = cascaded_vector(h_d, G, phi, h_r)
    du_b = dh_d
    du_r = (mT(G) @ (phi * dh_r)[..., None])[..., 0]

    def sym(du):
        return du[..., :, None] * u[..., None, :] + u[..., :, None] * du[..., None, :]

    return sym(du_b), sym(du_r)


def cascaded_jacobian_phi(G, h_r):
    """``d u / d phi = G^T diag(h_r)`` (M x N): u is linear (holomorphic) in phi."""
    return mT(G) * h_r[..., None, :]
