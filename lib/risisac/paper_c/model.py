"""Rydberg atomic receivers (RARs) in RIS-ISAC: reception model, atomic physics, channels.

Paper C (Jeon & Chae, "RIS-aided ISAC with K-Rydberg atomic receivers") builds on
the atomic-MIMO model of Cui et al. (JSAC 2025; arXiv 2408.14366). The extraction
of Paper C lost its eqs. (1)-(10); this module implements the reconstruction used
in the book:

* vapor cell ``m`` of user ``k`` sees the superposition of the LO reference field
  ``b_{k,m}`` and the signal field ``(H_eff,k x)_m + n_{k,m}``; the atoms respond
  to the Rabi frequency ``Omega = mu_eg . E / hbar`` and the optical read-out
  measures its magnitude::

      y_{k,m} = | b_{k,m} + (H_eff,k x)_m + n_{k,m} |                (exact RAR)

* for a strong reference (large RSR, (105)) the first-order expansion
  ``|b + s| = |b| + Re{e^{-j angle b} s} + O(|s|^2/|b|)`` gives, after removing
  the known bias ``|b|``, Paper C (11)::

      z_k = Re{ D_{b,k} H_eff,k(Phi) x } + eta_k,   eta_k ~ N(0, sigma_q^2/2 I_M)

  with ``D_{b,k} = diag(e^{-j angle b_{k,m}})`` and
  ``H_eff,k(Phi) = H_BU,k + H_RU,k Phi H_BR`` (Paper C (47)).

All channels here are in Rabi-frequency units (rad/s per sqrt(W)), i.e. field
channels multiplied by the projection ``mu_eg . eps / hbar`` of the transition
dipole on the field polarisation ``eps`` (Cui et al.). The common factor
``|mu_eg| / hbar`` cancels from the SNR- and RSR-normalised quantities (23),
(104), (105), but it is what converts a field into the RAR's signal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from scipy import constants as sc

from ..arrays import ula, ula_deriv
from ..channels import db2lin, pathloss, rayleigh

HBAR = sc.hbar
Q_E = sc.e
A0 = sc.physical_constants["Bohr radius"][0]
PAPER_DIPOLE_QA0 = 1785.916          # Paper C Sec. V-A, 52D5/2 -> 53P3/2 of Caesium
PAPER_FREQ_HZ = 5e9                  # Paper C Sec. V-A ("f = 5 GHz")


# --------------------------------------------------------------------------- BLAS threads
def limit_blas_threads(n: int = 1) -> int:
    """Set the OpenBLAS thread count of numpy's and scipy's BLAS at run time.

    The algorithms here work on small matrices (tens to a few hundred rows), where
    multi-threaded OpenBLAS is slower, and on a loaded 2-core machine dramatically so
    (a 100 x 100 Cholesky went from 0.6 ms to 0.4 s). Returns how many libraries were set.
    """
    import ctypes
    import scipy.linalg  # noqa: F401  (make sure scipy's BLAS is loaded)
    names = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
             "openblas_set_num_threads64_", "openblas_set_num_threads")
    done = 0
    try:
        paths = {ln.split()[-1] for ln in open("/proc/self/maps") if "openblas" in ln.lower()}
    except OSError:  # pragma: no cover - not Linux
        return 0
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:  # pragma: no cover
            continue
        for nm in names:
            if hasattr(lib, nm):
                getattr(lib, nm)(int(n))
                done += 1
                break
    return done


# --------------------------------------------------------------------------- atomic physics
@functools.lru_cache(maxsize=8)
def arc_transition(n1: int = 52, l1: int = 2, j1: float = 2.5, mj1: float = 0.5,
                   n2: int = 53, l2: int = 1, j2: float = 1.5, mj2: float = 0.5,
                   q: int = 0) -> dict:
    """Dipole matrix element and frequency of a Caesium Rydberg transition, from ARC.

    Defaults: ``52 D_{5/2}, m_j=1/2 -> 53 P_{3/2}, m_j=1/2`` with pi (``q=0``)
    polarisation (Paper C Sec. V-A). ARC reads its bundled data files only (no
    network). Returns ``dipole_qa0`` (units of e a0), ``dipole_Cm`` (C m) and
    ``freq_hz`` (absolute transition frequency). ARC changes matplotlib's rcParams when it is
    imported; the import runs inside ``rc_context`` so that every setting is restored.
    """
    import matplotlib
    with matplotlib.rc_context():
        from arc import Caesium
    atom = Caesium()
    d = float(atom.getDipoleMatrixElement(n1, l1, j1, mj1, n2, l2, j2, mj2, q))
    f = float(atom.getTransitionFrequency(n1, l1, j1, n2, l2, j2))
    return {"dipole_qa0": abs(d), "dipole_Cm": abs(d) * Q_E * A0, "freq_hz": abs(f)}


def rabi_per_field(dipole_Cm: float) -> float:
    """Rabi angular frequency per unit field, ``|mu_eg| / hbar`` in rad/s per (V/m)."""
    return dipole_Cm / HBAR


def polarisation_projection(rng: np.random.Generator, incident_az, shape) -> np.ndarray:
    """``mu_hat . eps`` for polarisations drawn uniformly on the circle orthogonal to the
    incident direction (Paper C Sec. V-A), with the dipole ``mu_eg = [0, mu, 0]``.

    The wave travels in the x-y plane at azimuth ``incident_az``; the circle
    orthogonal to it is spanned by ``(-sin az, cos az, 0)`` and ``(0, 0, 1)``, so
    ``eps_y = cos(chi) cos(az)`` with ``chi ~ U[0, 2 pi)``. ``shape`` must
    broadcast with ``incident_az``.
    """
    chi = rng.uniform(0, 2 * np.pi, shape)
    return np.cos(chi) * np.cos(incident_az)


# --------------------------------------------------------------------------- receiver models
def exact_rar(b, s):
    """Exact (magnitude) RAR output with the known bias removed: ``|b + s| - |b|``."""
    return np.abs(b + s) - np.abs(b)


def linear_rar(b, s):
    """Paper C (10)-(11): ``Re{e^{-j angle b} s}`` (first-order expansion of :func:`exact_rar`)."""
    return (np.exp(-1j * np.angle(b)) * s).real


def linearisation_nmse(rsr_db, n: int = 20000, rng=None) -> np.ndarray:
    """Normalised MSE of the linear model against the exact magnitude, per RSR (dB).

    Unit-power complex Gaussian signal-plus-noise ``s``, reference ``|b|^2 = RSR``
    (Paper C (105) per cell). Returns ``E|exact - linear|^2 / E|linear|^2``.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    s = rayleigh(rng, n)
    out = []
    for r in np.atleast_1d(rsr_db):
        b = np.sqrt(db2lin(r)) * np.exp(1j * rng.uniform(0, 2 * np.pi, n))
        e, l = exact_rar(b, s), linear_rar(b, s)
        out.append(np.mean((e - l) ** 2) / np.mean(l ** 2))
    return np.array(out)


# --------------------------------------------------------------------------- scenario
@dataclass
class Geometry:
    """Paper C Sec. V-A: angles and distances (metres, radians)."""
    d_BR: float = 50.0
    d_RT: float = 3.0
    d_RU: float = 8.0
    phi_Bt: float = np.pi / 4      # BS -> RIS DoD
    phi_Rt: float = -np.pi / 4     # BS -> RIS DoA at the RIS
    theta_R: float = np.pi / 4     # target DoA at the RIS

    @property
    def theta_B(self) -> float:
        """Paper C Sec. V-A formula for the target DoA at the BS."""
        return float(np.arctan((self.d_BR * np.sin(self.phi_Bt) - self.d_RT * np.cos(self.theta_R))
                               / (self.d_BR * np.cos(self.phi_Bt) + self.d_RT * np.sin(self.theta_R))))

    @property
    def d_BT(self) -> float:
        x = self.d_BR * np.cos(self.phi_Bt) + self.d_RT * np.sin(self.theta_R)
        y = self.d_BR * np.sin(self.phi_Bt) - self.d_RT * np.cos(self.theta_R)
        return float(np.hypot(x, y))


@dataclass
class Scenario:
    """One channel realisation, normalised for the algorithms.

    Communication (noise-normalised, LO-phase aligned): ``E_bu[k] = D_b,k H_BU,k / sigma_q,k``
    (M x Nt), ``E_ru[k] = D_b,k H_RU,k / sigma_q,k`` (M x N), ``H_BR`` (N x Nt), so that
    ``G_k = (E_bu[k] + E_ru[k] diag(phi) H_BR) W`` and SINR (23) has noise ``M``.

    Sensing (FIM-normalised): ``h_d, dh_d`` (Nt), ``h_r, dh_r`` (N) are the target
    channels and their angle derivatives scaled by ``(2 L / sigma_r^2)^(1/4)`` so that
    ``F_i = tr(R_x A_i)`` of (66)-(68) *is* the FIM entry of (60) (no 2L/sigma_r^2 factors).
    """
    E_bu: np.ndarray
    E_ru: np.ndarray
    H_BR: np.ndarray
    h_d: np.ndarray
    dh_d: np.ndarray
    h_r: np.ndarray
    dh_r: np.ndarray
    P: float = 1.0
    alpha: complex = 1.0
    eps: float = 0.025
    # physical extras (for the exact receiver and reporting)
    b: np.ndarray | None = None          # LO reference (K x M), same units as sigma_q-normalised fields
    extras: dict = field(default_factory=dict)

    @property
    def K(self):
        return self.E_bu.shape[0]

    @property
    def M(self):
        return self.E_bu.shape[1]

    @property
    def Nt(self):
        return self.E_bu.shape[2]

    @property
    def N(self):
        return self.E_ru.shape[2]

    def with_eps(self, eps: float) -> "Scenario":
        import copy
        s = copy.copy(self)
        s.eps = float(eps)
        return s

    def E_eff(self, phi):
        """``D_b,k H_eff,k(Phi) / sigma_q,k`` for all k: (K, M, Nt)."""
        return self.E_bu + (self.E_ru * phi) @ self.H_BR


@dataclass
class ScenarioConfig:
    """Everything that defines how a realisation is drawn (documented assumptions)."""
    K: int = 3
    M: int = 35
    N: int = 100
    Nt: int = 8
    snr_db: float = 25.0
    rsr_db: float = 10.0
    eps: float = 0.025
    L: int = 1024
    kappa: float = 2.0               # Rician factor of H_BR (Table I)
    n_paths: int = 4                 # multipath clusters per user link (our choice)
    kappa_u: float = 2.0             # LoS-to-scatter power ratio of the RIS-user link (our choice)
    ple_BR: float = 2.2              # path-loss exponents (our choice; C0 = -30 dB at 1 m)
    ple_RU: float = 2.2
    ple_BU: float = 3.5
    ple_BT: float = 2.2
    ple_RT: float = 2.0
    sigma_r2_rel_db: float = 8.0     # radar noise, see make_scenario (our choice)
    user_sector: float = np.pi / 3   # users within +-60 deg of the RIS broadside
    geometry: Geometry = field(default_factory=Geometry)


def _user_channel(rng, n_rx, tx_resp_fn, n_tx, n_paths, los_az, los_weight, pl):
    """Multipath field channel (n_rx x n_tx) with random polarisation projections.

    ``H[m, n] = sqrt(pl) sum_l gamma_l (mu_hat . eps_{m,l}) a_rx(vartheta_l)[m] a_tx(psi_l)[n]``
    (the cluster model of Cui et al.: each path has its own gain, departure and
    arrival angles; its polarisation at cell ``m`` is random on the circle orthogonal
    to the arrival direction). Paper C draws ``eps_{m,n,k,l}`` also per transmit
    antenna ``n``; a path's polarisation cannot depend on which antenna fed it, and
    per-antenna draws make every channel full rank (see the chapter's errata). Path 0 is
    the LoS path at departure ``los_az`` with power ``los_weight``; the others are
    scattered with CN gains sharing the rest of the power.
    """
    psi = np.concatenate([[los_az], los_az + rng.uniform(-np.pi / 3, np.pi / 3, n_paths - 1)])
    arr = rng.uniform(-np.pi / 2, np.pi / 2, n_paths)             # arrival azimuths at the cells
    gam = np.concatenate([[np.sqrt(los_weight) * np.exp(1j * rng.uniform(0, 2 * np.pi))],
                          np.sqrt((1 - los_weight) / max(n_paths - 1, 1)) * rayleigh(rng, n_paths - 1)])
    a_rx = ula(n_rx, arr)                                         # (P, n_rx) vapor-cell line, lambda/2
    a_tx = tx_resp_fn(psi)                                        # (P, n_tx)
    pol = polarisation_projection(rng, arr[:, None, None], (n_paths, n_rx, 1))
    H = np.einsum("p,pmn,pm,pn->mn", gam, pol, a_rx, a_tx)
    return np.sqrt(pl) * np.sqrt(2.0) * H                         # sqrt(2): E[(mu_hat.eps)^2] ~ 1/2


def make_scenario(cfg: ScenarioConfig, rng: np.random.Generator, dipole_Cm: float | None = None) -> Scenario:
    """Draw one realisation of Paper C's setting (Sec. V-A, Table I) and normalise it.

    * ``H_BR``: Rician (25) with ``kappa``, LoS ``a_R(phi_Rt) a_B(phi_Bt)^H``, path loss ``beta_t``.
    * ``h_d = beta_d a_B(theta_B)``, ``h_r = beta_r a_R(theta_R)`` (LoS, Sec. III-B).
    * user links: multipath clusters (:func:`_user_channel`), users at ``d_RU`` from the
      RIS inside its facing sector, direct BS-user links weaker (exponent ``ple_BU``).
    * ``sigma_q,k^2`` from the received SNR (104) averaged over random RIS phases:
      ``SNR = P E||H_eff,k||_F^2 / (Nt M sigma_q^2)`` (isotropic transmission).
    * LO reference ``b_{k,m} = rho_b (mu_hat . eps_b) e^{j phi_b}``, ``phi_b ~ U[0, 2pi)``,
      with ``rho_b`` from the RSR (105).
    * radar noise ``sigma_r^2`` relative to the direct two-way echo (``sigma_r2_rel_db``).
    """
    g = cfg.geometry
    K, M, N, Nt = cfg.K, cfg.M, cfg.N, cfg.Nt
    scale = rabi_per_field(dipole_Cm) if dipole_Cm is not None else 1.0
    beta_t = np.sqrt(pathloss(g.d_BR, cfg.ple_BR))
    beta_r = np.sqrt(pathloss(g.d_RT, cfg.ple_RT))
    beta_d = np.sqrt(pathloss(g.d_BT, cfg.ple_BT))
    los = ula(N, g.phi_Rt)[:, None] * ula(Nt, g.phi_Bt).conj()[None, :]
    H_BR = beta_t * (np.sqrt(cfg.kappa / (cfg.kappa + 1)) * los
                     + np.sqrt(1 / (cfg.kappa + 1)) * rayleigh(rng, (N, Nt)))
    th_B, th_R = g.theta_B, g.theta_R
    h_d, dh_d = beta_d * ula(Nt, th_B), beta_d * ula_deriv(Nt, th_B)
    h_r, dh_r = beta_r * ula(N, th_R), beta_r * ula_deriv(N, th_R)

    # users: angle seen from the RIS (same convention as theta_R), distance d_RU
    psi_u = rng.uniform(-cfg.user_sector, cfg.user_sector, K)
    ris = g.d_BR * np.array([np.cos(g.phi_Bt), np.sin(g.phi_Bt)])
    users = ris[None, :] + g.d_RU * np.stack([np.sin(psi_u), -np.cos(psi_u)], -1)
    d_BU = np.linalg.norm(users, axis=1)
    az_BU = np.arctan2(users[:, 1], users[:, 0])
    los_w = cfg.kappa_u / (cfg.kappa_u + 1)
    H_RU = np.stack([_user_channel(rng, M, lambda a: ula(N, a), N, cfg.n_paths, psi_u[k], los_w,
                                   pathloss(g.d_RU, cfg.ple_RU)) for k in range(K)]) * scale
    H_BU = np.stack([_user_channel(rng, M, lambda a: ula(Nt, a), Nt, cfg.n_paths, az_BU[k], 0.0,
                                   pathloss(d_BU[k], cfg.ple_BU)) for k in range(K)]) * scale

    P = 1.0
    # E over uniform RIS phases of ||H_BU + H_RU Phi H_BR||_F^2
    gain = (np.sum(np.abs(H_BU) ** 2, axis=(1, 2))
            + np.einsum("kmn,n->k", np.abs(H_RU) ** 2, np.sum(np.abs(H_BR) ** 2, axis=1)))
    sig_s = P * gain / Nt                              # E||H_eff x||^2 per user, isotropic x
    sigma_q2 = sig_s / (M * db2lin(cfg.snr_db))
    # LO reference
    pol_b = polarisation_projection(rng, rng.uniform(-np.pi / 2, np.pi / 2, (K, 1)), (K, M))
    ph_b = rng.uniform(0, 2 * np.pi, (K, M))
    rho_b2 = db2lin(cfg.rsr_db) * (sig_s + M * sigma_q2) / np.sum(pol_b ** 2, axis=1)
    b = np.sqrt(rho_b2)[:, None] * pol_b * np.exp(1j * ph_b)
    Db = np.exp(-1j * np.angle(b))
    sq = np.sqrt(sigma_q2)[:, None, None]
    E_bu = Db[:, :, None] * H_BU / sq
    E_ru = Db[:, :, None] * H_RU / sq

    # radar noise: sigma_r^2 = P L |beta_d|^4 Nt^2 / 10^(rel/10)  (rel = direct-path echo SNR)
    sigma_r2 = P * cfg.L * beta_d ** 4 * Nt ** 2 / db2lin(cfg.sigma_r2_rel_db)
    c = (2 * cfg.L / sigma_r2) ** 0.25
    extras = dict(sigma_q2=sigma_q2, sigma_r2=sigma_r2, theta=(th_B, th_R), users=users,
                  H_BU=H_BU, H_RU=H_RU, b_phys=b, rsr_db=cfg.rsr_db, snr_db=cfg.snr_db)
    return Scenario(E_bu=E_bu, E_ru=E_ru, H_BR=H_BR, h_d=c * h_d, dh_d=c * dh_d, h_r=c * h_r,
                    dh_r=c * dh_r, P=P, alpha=1.0, eps=cfg.eps, b=b / np.sqrt(sigma_q2)[:, None],
                    extras=extras)


def rescale_rsr(sc_: Scenario, rsr_db: float) -> np.ndarray:
    """The LO reference of ``sc_`` rescaled to another RSR (phases/polarisations kept)."""
    old = sc_.extras["rsr_db"]
    return sc_.b * np.sqrt(db2lin(rsr_db - old))


# --------------------------------------------------------------------------- communication utility
def sinr(sc_: Scenario, W, phi):
    """Per-user SINR (23) of the linearised RAR model: (K,)."""
    G = sc_.E_eff(phi) @ W                                   # (K, M, K): column j = g_{k,j}
    p = np.sum(np.abs(G) ** 2, axis=1)                       # (K, K): ||g_{k,j}||^2
    sig = np.diagonal(p)
    return sig / (p.sum(1) - sig + sc_.M)


def sum_rate(sc_: Scenario, W, phi, bits: bool = True) -> float:
    """U_com (24); in bps/Hz if ``bits`` (the paper's plots) else nats."""
    r = np.sum(np.log1p(sinr(sc_, W, phi)))
    return float(r / np.log(2) if bits else r)


def gaussian_rate(sc_: Scenario, W, phi) -> float:
    """Achievable sum rate (bits per symbol) of the linearised *real* channel (11), Gaussian
    inputs, interference treated as noise.

    User k observes ``z_k = sum_j A_kj u_j + eta_k`` with ``A_kj = [Re g_kj, -Im g_kj]`` (M x 2),
    ``u_j = [Re s_j, Im s_j] ~ N(0, I/2)`` and ``eta_k ~ N(0, I/2)`` (noise-normalised units), so
    ``R_k = 1/2 log2 det(Sigma_all) - 1/2 log2 det(Sigma_int)`` with
    ``Sigma = I/2 + 1/2 sum_j A_kj A_kj^T`` over all j, resp. j != k. Unlike (24) this is an
    achievable rate of the linearised RAR link (Gaussian codebooks, single-user decoding).
    """
    G = sc_.E_eff(phi) @ W                                   # (K, M, K)
    K, M = sc_.K, sc_.M
    total = 0.0
    for k in range(K):
        A = np.concatenate([G[k].real, -G[k].imag], axis=1)  # (M, 2K): columns u_j parts
        own = [k, K + k]
        other = [j for j in range(2 * K) if j not in own]
        S_all = 0.5 * (np.eye(M) + A @ A.T)
        S_int = 0.5 * (np.eye(M) + A[:, other] @ A[:, other].T)
        total += 0.5 * (np.linalg.slogdet(S_all)[1] - np.linalg.slogdet(S_int)[1]) / np.log(2)
    return float(total)


def sinr_exact(sc_: Scenario, W, phi, b, n_samples: int = 4000, rng=None, linear: bool = False):
    """Per-user SINR of the *exact* magnitude receiver, by Monte Carlo + Bussgang.

    Simulates ``z = |b + H_eff x + n| - |b|`` (noise-normalised, ``n ~ CN(0, I)``),
    fits ``z_k ~ A_k [Re s_k; Im s_k]`` by least squares (the best linear
    'desired-signal' part, Bussgang decomposition), and returns the ratio of the
    empirical power of the fit to that of the residual. For the linear model
    (``linear=True``) this estimator is unbiased for (23) (check in the notebook).
    ``b`` is the (K, M) reference in the same normalised units as ``sc_.b``.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    K, M = sc_.K, sc_.M
    s = rayleigh(rng, (n_samples, K))                        # CN(0,1) symbols
    n = rayleigh(rng, (n_samples, K, M))
    # H_eff in non-LO-aligned form: E_eff = D_b H / sigma_q, so H/sigma_q = conj(D_b) E_eff
    Db = np.exp(-1j * np.angle(b))                           # (K, M)
    Heff = np.conj(Db)[:, :, None] * sc_.E_eff(phi)          # (K, M, Nt)
    x = s @ W.T                                              # (S, Nt)
    sig = np.einsum("kmt,st->skm", Heff, x) + n
    z = linear_rar(b[None], sig) if linear else exact_rar(b[None], sig)
    z = z - z.mean(0)
    out = np.empty(K)
    for k in range(K):
        X = np.stack([s[:, k].real, s[:, k].imag], 1)        # (S, 2)
        X = X - X.mean(0)
        A, *_ = np.linalg.lstsq(X, z[:, k, :], rcond=None)   # (2, M)
        fit = X @ A
        ps = np.mean(np.sum(fit ** 2, 1))                    # empirical powers: fit and residual
        pr = np.mean(np.sum((z[:, k, :] - fit) ** 2, 1))     # are orthogonal in-sample
        out[k] = ps / max(pr, 1e-300)
    return out


def sum_rate_exact(sc_: Scenario, W, phi, b, **kw) -> float:
    """U_com (bps/Hz) evaluated on the exact magnitude receiver (:func:`sinr_exact`)."""
    return float(np.sum(np.log2(1 + sinr_exact(sc_, W, phi, b, **kw))))
