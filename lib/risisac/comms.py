"""Communication helpers: PSK, constructive interference (CI), SER, SINR/rate, water-filling."""

from __future__ import annotations

import numpy as np

from ._backend import xp_of


def psk(order: int) -> np.ndarray:
    """Omega-PSK constellation ``exp(j(pi/order + 2 pi k/order))`` (QPSK: (+-1 +-j)/sqrt 2)."""
    k = np.arange(order)
    return np.exp(1j * (np.pi / order + 2 * np.pi * k / order))


def random_symbols(rng: np.random.Generator, order: int, shape) -> np.ndarray:
    """i.i.d. uniform PSK symbols."""
    return psk(order)[rng.integers(order, size=shape)]


def ci_threshold(sigma, Gamma_lin, order: int = 4):
    """``gamma_{k,l} = sigma_k sqrt(Gamma_k) sin(Theta)``, ``Theta = pi/order`` (Paper A (2))."""
    return np.asarray(sigma) * np.sqrt(np.asarray(Gamma_lin)) * np.sin(np.pi / order)


def ci_margin(y, s, order: int = 4):
    """CI safety margin of Paper A (2): ``Re{y e^{-j angle s}} sin T - |Im{y e^{-j angle s}}| cos T``.

    It is the Euclidean distance from the noise-free received signal ``y`` to
    the nearest boundary of the constructive region of symbol ``s`` (a wedge
    of half-angle Theta around ``angle s``), signed: positive inside.
    """
    xp = xp_of(y, s)
    T = np.pi / order
    z = y * (s / abs(s)).conj()
    return z.real * np.sin(T) - abs(z.imag) * np.cos(T)


def ci_qos(y, s, sigma, Gamma_lin, order: int = 4):
    """``g_{k,l} = gamma_{k,l} - margin`` of Paper A (19); feasible iff ``<= 0``."""
    return ci_threshold(sigma, Gamma_lin, order) - ci_margin(y, s, order)


def psk_detect(y, order: int):
    """Nearest-symbol (minimum-distance) PSK decisions."""
    c = psk(order)
    return c[np.argmin(np.abs(np.asarray(y)[..., None] - c), axis=-1)]


def ser_monte_carlo(y, s, sigma, order: int, n_noise: int, rng: np.random.Generator) -> float:
    """Symbol error rate of noise-free receptions ``y`` of symbols ``s`` in CN(0, sigma^2) noise.

    ``y``, ``s`` broadcast; ``sigma`` broadcasts against them. ``n_noise``
    noise draws per symbol. Returns the average SER.
    """
    return float(np.mean(_symbol_errors(y, s, sigma, order, n_noise, rng)))


def ser_per_instance(y, s, sigma, order: int, n_noise: int, rng: np.random.Generator) -> np.ndarray:
    """The SER of :func:`ser_monte_carlo` (the same draws) per index of the leading axis of
    ``broadcast(y, s)`` (one instance each): shape ``(B,)``; their mean is that function's value."""
    err = _symbol_errors(y, s, sigma, order, n_noise, rng)
    return err.mean(axis=(0,) + tuple(range(2, err.ndim)))


def _symbol_errors(y, s, sigma, order, n_noise, rng):
    """Decision errors (n_noise, *broadcast(y, s).shape) of ``y`` + CN(0, sigma^2) noise."""
    y = np.asarray(y)
    s = np.asarray(s)
    shape = (n_noise,) + np.broadcast(y, s).shape
    noise = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * (np.asarray(sigma) / np.sqrt(2))
    return psk_detect(y + noise, order) != s


def ser_psk_awgn(snr_lin, order: int):
    """Exact symbol error rate of Omega-PSK in AWGN (QPSK closed form; else numerical)."""
    from scipy import integrate, special
    snr_lin = np.asarray(snr_lin, float)
    if order == 4:
        q = 0.5 * special.erfc(np.sqrt(snr_lin / 2))
        return 2 * q - q ** 2
    def one(g):
        f = lambda t: np.exp(-g * np.sin(np.pi / order) ** 2 / np.sin(t) ** 2)
        return integrate.quad(f, 0, np.pi - np.pi / order)[0] / np.pi
    return np.vectorize(one)(snr_lin)


def rate(sinr):
    """Achievable rate ``log2(1 + SINR)`` (bps/Hz)."""
    xp = xp_of(sinr)
    return xp.log2(1 + sinr)


def sinr_linear(h_eff, w, k: int, noise: float):
    """SINR of user ``k`` for effective channels ``h_eff`` (K x M) and beams ``w`` (M x K)."""
    g = np.abs(h_eff @ w) ** 2
    return g[k, k] / (g[k].sum() - g[k, k] + noise)


def waterfill(gains, power=1.0, noise=1.0):
    """Exact water-filling: maximise ``sum log(1 + g_i p_i / noise)`` s.t. ``sum p_i = power``, ``p >= 0``.

    ``gains`` is (n,) or a batch (B, n) (one problem per row; ``power`` scalar or (B,)).
    Returns ``(p, mu)`` with ``p_i = max(mu - noise/g_i, 0)``. The level ``mu`` is
    found over the set of *active* channels (the clipped ones are dropped): with
    the inverse gains sorted, ``s_1 <= ... <= s_n``, the active set is the longest
    prefix whose level ``(power + s_1 + ... + s_m)/m`` exceeds ``s_m``. This differs
    from a level that averages over all channels (Paper B's mu-hat under (38)),
    which overspends the budget whenever a channel is clipped.
    """
    g = np.asarray(gains, float)
    if np.any(np.asarray(power) < 0) or np.any(g < 0):
        raise ValueError("power and gains must be non-negative")
    single = g.ndim == 1
    g2 = g[None, :] if single else g
    inv = np.asarray(noise, float) / np.maximum(g2, 1e-300)
    s = np.sort(inv, axis=1)
    m = np.arange(1, g2.shape[1] + 1)
    mus = (np.asarray(power, float).reshape(-1, 1) + np.cumsum(s, axis=1)) / m
    ok = mus > s                                 # prefix m admissible: its level exceeds its largest s
    n_active = g2.shape[1] - np.argmax(ok[:, ::-1], axis=1)
    mu = mus[np.arange(g2.shape[0]), n_active - 1]
    p = np.maximum(mu[:, None] - inv, 0.0)
    return (p[0], float(mu[0])) if single else (p, mu)
