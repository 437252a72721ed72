"""Paper A system model: SLP waveform, RIS, clutter, radar SINR and CI constraints (batched torch).

Paper A Sec. II, eqs. (1)-(9), (17)-(21). Everything here is batched over ``B``
CSI samples as complex torch tensors (numpy inputs are not needed); gradients
are analytic (checked against autograd in ``tests/test_paperA_detection.py``).

Conventions
-----------
* Waveform: ``X`` (B, M, L), column ``l`` is ``x[l]``; Paper A's stacked
  ``x = vec(X)`` (slot-major) is :func:`vec`. Constant modulus (18c):
  ``|X_ml| = sqrt(P/M)``.
* RIS: ``phi`` (B, N), unit modulus (18d).
* Two-way radar channel: the physical reciprocal form of (6),
  ``H(phi) = u u^T``, ``u = h_b + G^T diag(phi) h_r`` (:func:`risisac.arrays.two_way_channel`).
* Space-time echo (8)-(9): ``(I_L kron H) J_d x = vec(H X S_d)`` with ``S_d`` the
  ``d``-slot delay (:func:`risisac.detection.echo`); no ``ML x ML`` matrix is formed.
* Communications (1): ``y_k[l] = (h_k^H + h_rk^H Phi G) x[l]``, CI constraint
  ``g_{k,l} <= 0`` of (19) via :func:`risisac.comms.ci_qos`.
* Gradients are *conjugate* (Wirtinger) gradients ``g = df/dz^*`` of real
  functions, so ``df = 2 Re{sum conj(g) dz}``; the real gradient w.r.t.
  ``[Re z, Im z]`` is ``2 [Re g, Im g]`` (:func:`real_grad`). (torch's
  ``z.grad`` of a real loss equals ``2 g``.)

API summary
-----------
``SLPConfig``                  scenario constants (sizes, powers, geometry, path losses).
``geometry(cfg)``              positions / angles / distances actually used (dict).
``sample_batch(cfg, B, rng)``  -> :class:`SLPBatch` of ``B`` CSI samples (torch).
``SLPBatch``                   channels ``G, h_bt, h_rt, dh_bt, dh_rt, h_bq, h_rq, h_k, h_rk``,
                               symbols ``s``; ``.without_ris()``, ``.subset(idx)``, ``.to(dev)``,
                               ``.with_power(P)``, ``.with_gamma(G)``.
``radar_vectors(b, phi)``      ``u_0`` (B, M), ``u_q`` (B, Q, M).
``target_echo / clutter_echoes``  ``H_0 X`` (B, M, L), ``xi_q H_q X S_q`` (B, Q, M, L).
``radar_sinr(b, X, phi)``      SINR (17) with the MVDR filter (20) (Woodbury, Q x Q).
``mvdr(b, X, phi)``            the MVDR filter ``w`` (B, ML).
``sinr_and_grads(b, X, phi)``  SINR and its conjugate gradients w.r.t. X and phi (factored, fast).
``fast_sinr(b, X, phi)``       SINR by the same factored Q x Q form.
``effective_channels(b, phi)`` ``h_k^H + h_rk^H Phi G`` (B, K, M).
``received(b, X, phi)``        noise-free ``y_k[l]`` (B, K, L).
``ci_values(b, X, phi)``       ``g_{k,l}`` of (19) (B, K, L), feasible iff <= 0.
``ci_grads(b, X, phi, beta)``  conjugate gradients of ``sum beta_kl g_kl`` w.r.t. X and phi.
``ci_linear_x / ci_linear_phi`` the CI constraints as real-linear inequalities ``Re{V z} <= d``.
``project_x / project_phi``    constant-modulus / unit-modulus projections (30), (35).
``init_x / init_phi``          initial points (ZF symbol-level precoder projected; RIS aligned to target).
``vec / unvec / real_grad / c2r / r2c``  reshaping helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
import torch

from .. import channels as ch
from ..arrays import cascaded_vector, two_way_channel, ula, ula_deriv
from ..comms import ci_margin, ci_threshold, random_symbols
from ..detection import delay, echo, mvdr_filter, woodbury_solve

CDT = torch.complex128


# --------------------------------------------------------------------------- config / geometry
@dataclass
class SLPConfig:
    """Scenario of Paper A Sec. V (defaults = the paper's values; distances are our choice).

    Powers in linear units (W). ``Gamma_db`` is the users' SNR requirement of (2).
    Distances (m) follow the ADMM-MM reference's code: BS-target 30, RIS-target 3,
    BS-RIS 30, RIS-user 3 (BS-user then ~30).
    """
    M: int = 6
    N: int = 64
    K: int = 3
    L: int = 20
    order: int = 4                      # QPSK
    P_dbw: float = 20.0
    noise_dbm: float = -80.0            # xi_z^2 = sigma_k^2
    Gamma_db: float = 10.0
    xi0_2: float = 1.0
    xiq_2: Sequence[float] = (1.0, 1.0, 1.0)
    target_deg: float = 0.0
    clutter_deg: Sequence[float] = (-60.0, -20.0, 45.0)
    clutter_bins: Sequence[int] = (0, 1, 2)
    d_bt: float = 30.0
    d_rt: float = 3.0
    d_br: float = 30.0
    d_ru: float = 3.0
    user_offsets_deg: Sequence[float] = (-40.0, 0.0, 40.0)
    C0_db: float = -30.0
    exp_br: float = 2.3
    exp_rt: float = 2.3
    exp_ru: float = 2.5
    exp_bt: float = 2.8
    exp_bu: float = 3.0
    spacing: float = 0.5

    def __post_init__(self):
        if len(self.clutter_deg) != len(self.clutter_bins) or len(self.xiq_2) != len(self.clutter_deg):
            raise ValueError("clutter_deg, clutter_bins and xiq_2 must have the same length Q")
        if any(int(d) < 0 or int(d) >= self.L for d in self.clutter_bins):
            raise ValueError(f"clutter range bins must lie in 0..L-1 (L={self.L})")
        if self.K > len(self.user_offsets_deg):
            offs = np.linspace(-60, 60, self.K) if self.K > 1 else np.zeros(1)
            object.__setattr__(self, "user_offsets_deg", tuple(float(o) for o in offs))
        for name in ("M", "N", "K", "L"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1")

    @property
    def Q(self) -> int:
        return len(self.clutter_deg)

    @property
    def P(self) -> float:
        return float(ch.db2lin(self.P_dbw))

    @property
    def sigma2(self) -> float:
        return float(ch.dbm2watt(self.noise_dbm))

    @property
    def gamma(self) -> float:
        """CI threshold ``gamma = sigma sqrt(Gamma) sin(pi/Omega)`` of (2)."""
        return float(ci_threshold(np.sqrt(self.sigma2), ch.db2lin(self.Gamma_db), self.order))


def geometry(cfg: SLPConfig) -> dict:
    """2-D layout: BS at the origin (ULA broadside +x), target at (d_bt, target angle).

    The RIS is placed ``d_br`` from the BS and ``d_rt`` from the target (the
    isosceles triangle of the reference distances), its broadside along the
    bisector of its directions to the BS and the target; clutter patches at
    the target's distance from the BS in their own directions (range bins only
    delay them, (9)); user k ``d_ru`` from the RIS at the bisector direction
    plus ``user_offsets_deg[k]``. Returns positions and every angle used.
    """
    t0 = np.deg2rad(cfg.target_deg)
    bs = np.zeros(2)
    tgt = ch.polar(bs, cfg.d_bt, t0)
    # RIS on the circle of radius d_br around the BS, at distance d_rt from the target
    cosang = (cfg.d_br ** 2 + cfg.d_bt ** 2 - cfg.d_rt ** 2) / (2 * cfg.d_br * cfg.d_bt)
    ris = ch.polar(bs, cfg.d_br, t0 + np.arccos(np.clip(cosang, -1, 1)))
    dir_b = np.arctan2(*(bs - ris)[::-1])
    dir_t = np.arctan2(*(tgt - ris)[::-1])
    bis = np.angle(np.exp(1j * dir_b) + np.exp(1j * dir_t))
    clut = np.stack([ch.polar(bs, cfg.d_bt, np.deg2rad(a)) for a in cfg.clutter_deg])
    users = np.stack([ch.polar(ris, cfg.d_ru, bis + np.deg2rad(o)) for o in cfg.user_offsets_deg[:cfg.K]])
    return dict(
        bs=bs, ris=ris, target=tgt, clutter=clut, users=users, ris_broadside=bis,
        th_bt=ch.angle(bs, tgt), th_br=ch.angle(bs, ris),
        th_rb=ch.angle(ris, bs, bis), th_rt=ch.angle(ris, tgt, bis),
        th_bq=ch.angle(bs, clut), th_rq=ch.angle(ris, clut, bis),
        th_ru=ch.angle(ris, users, bis),
        d_bt=ch.distance(bs, tgt), d_br=ch.distance(bs, ris), d_rt=ch.distance(ris, tgt),
        d_bq=ch.distance(bs, clut), d_rq=ch.distance(ris, clut),
        d_bu=ch.distance(bs, users), d_ru=ch.distance(ris, users),
    )


# --------------------------------------------------------------------------- batch
@dataclass
class SLPBatch:
    """``B`` CSI samples (torch, complex128). Shapes in the field comments.

    Radar channels include the one-way path-loss amplitude; ``alpha_0, alpha_q``
    carry only the RCS (variance ``xi^2``). ``dh_bt = d h_bt / d theta_0`` and
    ``dh_rt = d h_rt / d theta_RIS`` are provided for the DoA chapter.
    """
    G: torch.Tensor        # (B, N, M)  BS -> RIS
    h_bt: torch.Tensor     # (B, M)     BS <-> target
    h_rt: torch.Tensor     # (B, N)     RIS <-> target
    dh_bt: torch.Tensor    # (B, M)
    dh_rt: torch.Tensor    # (B, N)
    h_bq: torch.Tensor     # (B, Q, M)  BS <-> clutter q
    h_rq: torch.Tensor     # (B, Q, N)  RIS <-> clutter q
    h_k: torch.Tensor      # (B, K, M)  BS -> user k   (y uses h_k^H)
    h_rk: torch.Tensor     # (B, K, N)  RIS -> user k  (y uses h_rk^H Phi G)
    s: torch.Tensor        # (B, K, L)  PSK symbols
    P: float
    sigma2: float
    gamma: float
    xi0_2: float
    xiq_2: tuple
    bins: tuple
    order: int = 4
    ris: bool = True

    @property
    def B(self): return self.G.shape[0]
    @property
    def N(self): return self.G.shape[1]
    @property
    def M(self): return self.G.shape[2]
    @property
    def K(self): return self.h_k.shape[1]
    @property
    def L(self): return self.s.shape[2]
    @property
    def Q(self): return self.h_bq.shape[1]
    @property
    def device(self): return self.G.device

    _TENSORS = ("G", "h_bt", "h_rt", "dh_bt", "dh_rt", "h_bq", "h_rq", "h_k", "h_rk", "s")

    def _map(self, fn):
        return replace(self, **{k: fn(getattr(self, k)) for k in self._TENSORS})

    def to(self, device):
        return self._map(lambda t: t.to(device))

    def subset(self, idx):
        return self._map(lambda t: t[idx])

    def without_ris(self):
        """The 'w/o RIS' system: every RIS path removed (G = 0)."""
        z = self._map(lambda t: t)
        return replace(z, G=torch.zeros_like(self.G), ris=False)

    def with_power(self, P_dbw: float):
        return replace(self, P=float(ch.db2lin(P_dbw)))

    def with_gamma(self, Gamma_db: float):
        return replace(self, gamma=float(ci_threshold(np.sqrt(self.sigma2), ch.db2lin(Gamma_db), self.order)))


def sample_batch(cfg: SLPConfig, B: int, rng: np.random.Generator, device="cpu") -> SLPBatch:
    """Draw ``B`` CSI samples: Rayleigh user channels (BS-user, RIS-user) and QPSK symbols.

    The BS-RIS channel is rank-one LoS and the target/clutter channels are LoS
    steering vectors (fixed geometry, Paper A Sec. V), each scaled by the
    path-loss amplitude ``sqrt(C0 (d0/d)^rho)``.
    """
    if B < 1:
        raise ValueError("B must be >= 1")
    g = geometry(cfg)
    M, N, K, L, sp = cfg.M, cfg.N, cfg.K, cfg.L, cfg.spacing
    pl = lambda d, e: np.sqrt(ch.pathloss(d, e, cfg.C0_db))
    G = pl(g["d_br"], cfg.exp_br) * np.outer(ula(N, g["th_rb"], sp), ula(M, g["th_br"], sp))
    h_bt = pl(g["d_bt"], cfg.exp_bt) * ula(M, g["th_bt"], sp)
    h_rt = pl(g["d_rt"], cfg.exp_rt) * ula(N, g["th_rt"], sp)
    dh_bt = pl(g["d_bt"], cfg.exp_bt) * ula_deriv(M, g["th_bt"], sp)
    dh_rt = pl(g["d_rt"], cfg.exp_rt) * ula_deriv(N, g["th_rt"], sp)
    h_bq = pl(g["d_bq"], cfg.exp_bt)[:, None] * ula(M, g["th_bq"], sp)
    h_rq = pl(g["d_rq"], cfg.exp_rt)[:, None] * ula(N, g["th_rq"], sp)
    h_k = pl(g["d_bu"], cfg.exp_bu)[None, :, None] * ch.rayleigh(rng, (B, K, M))
    h_rk = pl(g["d_ru"], cfg.exp_ru)[None, :, None] * ch.rayleigh(rng, (B, K, N))
    s = random_symbols(rng, cfg.order, (B, K, L))
    T = lambda a, rep=True: (torch.as_tensor(a, dtype=CDT, device=device).expand(B, *np.shape(a)).clone()
                             if rep else torch.as_tensor(a, dtype=CDT, device=device))
    return SLPBatch(G=T(G), h_bt=T(h_bt), h_rt=T(h_rt), dh_bt=T(dh_bt), dh_rt=T(dh_rt),
                    h_bq=T(h_bq), h_rq=T(h_rq), h_k=T(h_k, False), h_rk=T(h_rk, False),
                    s=T(s, False), P=cfg.P, sigma2=cfg.sigma2, gamma=cfg.gamma,
                    xi0_2=float(cfg.xi0_2), xiq_2=tuple(float(v) for v in cfg.xiq_2),
                    bins=tuple(int(d) for d in cfg.clutter_bins), order=cfg.order)


# --------------------------------------------------------------------------- helpers
def vec(X):
    """Slot-major stacking ``x = [x[1]; ...; x[L]]`` of (..., M, L) -> (..., ML)."""
    return X.mT.reshape(*X.shape[:-2], -1)


def unvec(x, M: int):
    """Inverse of :func:`vec`: (..., ML) -> (..., M, L)."""
    return x.reshape(*x.shape[:-1], -1, M).mT


def advance(X, d: int):
    """Adjoint of :func:`risisac.detection.delay`: columns moved ``d`` slots earlier, zeros in."""
    if d == 0:
        return X
    return torch.cat([X[..., d:], torch.zeros_like(X[..., :d])], -1)


def c2r(z):
    """Complex (B, n...) -> real (B, 2n) as ``[Re z, Im z]`` (flattened)."""
    z = z.reshape(z.shape[0], -1)
    return torch.cat([z.real, z.imag], -1)


def r2c(r, shape):
    """Inverse of :func:`c2r` to complex of ``shape`` (without the batch axis)."""
    n = r.shape[-1] // 2
    return torch.complex(r[..., :n], r[..., n:]).reshape(r.shape[0], *shape)


def real_grad(g):
    """Real gradient ``2 [Re g, Im g]`` (flattened) from a conjugate gradient ``g``."""
    return 2 * c2r(g)


def project_x(X, P: float):
    """Constant modulus ``|x_i| = sqrt(P/M)`` (18c)/(30)."""
    M = X.shape[-2]
    mag = X.abs()
    return np.sqrt(P / M) * torch.where(mag > 0, X / torch.where(mag > 0, mag, torch.ones_like(mag)),
                                        torch.ones_like(X))


def project_phi(phi):
    """Unit modulus ``|phi_n| = 1`` (18d)/(35)."""
    mag = phi.abs()
    return torch.where(mag > 0, phi / torch.where(mag > 0, mag, torch.ones_like(mag)), torch.ones_like(phi))


# --------------------------------------------------------------------------- radar
def radar_vectors(b: SLPBatch, phi):
    """``u_0 = h_bt + G^T(phi h_rt)`` (B, M) and ``u_q`` (B, Q, M) (the factors of (6))."""
    u0 = cascaded_vector(b.h_bt, b.G, phi, b.h_rt)
    uq = cascaded_vector(b.h_bq, b.G[:, None], phi[:, None], b.h_rq)
    return u0, uq


def _H(u):
    return u[..., :, None] * u[..., None, :]


def target_echo(b: SLPBatch, X, phi):
    """``H_0(phi) X`` (B, M, L) = unvec of ``Ht_0 x`` (8)."""
    H0 = two_way_channel(b.h_bt, b.G, phi, b.h_rt)
    return echo(H0, X, 0)


def clutter_echoes(b: SLPBatch, X, phi):
    """``xi_q H_q(phi) X S_{d_q}`` (B, Q, M, L) = unvec of ``xi_q Ht_q x`` (8)-(9)."""
    _, uq = radar_vectors(b, phi)
    out = []
    for q, d in enumerate(b.bins):
        out.append(np.sqrt(b.xiq_2[q]) * echo(_H(uq[:, q]), X, d))
    return torch.stack(out, 1)


def _a_U(b, X, phi):
    A0 = target_echo(b, X, phi)
    Uq = clutter_echoes(b, X, phi)
    a = vec(A0)
    U = vec(Uq).mT                        # (B, ML, Q)
    return A0, Uq, a, U


def radar_sinr(b: SLPBatch, X, phi):
    """Radar output SINR (17) with the MVDR filter (20): ``xi0^2 a^H R^{-1} a`` (21a), by Woodbury."""
    _, _, a, U = _a_U(b, X, phi)
    wb = woodbury_solve(a, U, b.sigma2)
    return b.xi0_2 * (a.conj() * wb).sum(-1).real


def mvdr(b: SLPBatch, X, phi):
    """MVDR filter (20), (B, ML) (:func:`risisac.detection.mvdr_filter`)."""
    _, _, a, U = _a_U(b, X, phi)
    return mvdr_filter(a, U, b.sigma2)


def _shift_index(L: int, bins, device="cpu"):
    """Gather indices / masks of the ``d_q``-slot delays (9): ``(X S_q)[..., l] = X[..., l - d_q]``.

    Returns ``(idx_fwd, m_fwd, idx_adj, m_adj)`` each (Q, L): delay ``v[idx_fwd] * m_fwd``,
    its adjoint (advance) ``v[idx_adj] * m_adj``. Cached per ``(L, bins)``.
    """
    key = (int(L), tuple(int(d) for d in bins), str(device))
    out = _SHIFT_CACHE.get(key)
    if out is None:
        l = torch.arange(L, device=device)
        d = torch.tensor([int(x) for x in bins], device=device)[:, None]
        fwd, adj = l - d, l + d
        out = (fwd.clamp(0, L - 1), (fwd >= 0).to(torch.float64), adj.clamp(0, L - 1),
               (adj < L).to(torch.float64))
        _SHIFT_CACHE[key] = out
    return out


_SHIFT_CACHE: dict = {}


def _radar_consts(xiq_2, device):
    """``xi_q`` (Q,) and the complex ``I_Q`` (cached: building them per call costs more than the maths)."""
    key = (tuple(xiq_2), str(device))
    out = _SHIFT_CACHE.get(key)
    if out is None:
        out = (torch.tensor(np.sqrt(xiq_2), dtype=torch.float64, device=device),
               torch.eye(len(xiq_2), dtype=CDT, device=device))
        _SHIFT_CACHE[key] = out
    return out


def _shift(V, idx, mask):
    """``V`` (B, Q, L) with each row q re-indexed by ``idx[q]`` and masked (a delay or its adjoint)."""
    return V.gather(-1, idx.expand(V.shape[0], -1, -1)) * mask


def radar_cache(b: SLPBatch, phi, u=None) -> dict:
    """What the SINR needs from ``phi`` alone: ``ua = [u_0; u_q]`` (B, Q+1, M), its conjugate and
    its Gram matrix ``u_i^H u_j`` (computed once per x block of the network)."""
    u0, uq = radar_vectors(b, phi) if u is None else u
    ua = torch.cat([u0[:, None], uq], 1)
    uac = ua.conj().resolve_conj()
    return dict(ua=ua, uac=uac, gram=uac @ ua.mT)


def sinr_and_grads(b: SLPBatch, X, phi, want_x: bool = True, want_phi: bool = True, u=None):
    """SINR (21a) and its conjugate gradients ``dSINR/dX^*`` (B, M, L), ``dSINR/dphi^*`` (B, N).

    Uses the rank-one echoes ``a = vec(u_0 c_0^T)``, ``U_q = xi_q vec(u_q e_q^T)``
    (inner products factor: ``<vec(u c^T), vec(v e^T)> = (u^H v)(c^H e)``), so the
    Woodbury system is Q x Q and nothing of size ML x ML or ML x Q is formed.
    With ``wb = R^{-1} a`` (unnormalised MVDR), ``W = unvec(wb)``, ``c_q = U_q^H wb``:

    * ``g_X = xi0^2 [H_0^H W - sum_q xi_q conj(c_q) H_q^H W S_q^T]``
    * ``g_phi = xi0^2 conj(l_0 - sum_q xi_q c_q l_q)``, ``l_q = J_q^T (Z_q + Z_q^T) u_q``,
      ``Z_q = (X S_q) W^H``, ``J_q = G^T diag(h_rq)`` (u is holomorphic in phi).

    Vectorised over the target and the ``Q`` clutter patches (delays as ``L x L`` shift
    as gathers, :func:`_shift_index`): a few batched tensor operations, no loop.
    ``u`` (a :func:`radar_cache` dict or ``(u0, uq)``) may be passed when ``phi`` is fixed (x block).
    """
    s2 = b.sigma2
    rc = radar_cache(b, phi) if u is None else (u if isinstance(u, dict) else radar_cache(b, phi, u))
    ua, ip_u = rc["ua"], rc["gram"]
    i_f, m_f, i_a, m_a = _shift_index(b.L, b.bins, X.device)
    xiq, eyeQ = _radar_consts(b.xiq_2, X.device)
    UX = ua @ X                                                             # (B, Q+1, L): u^T X
    c0 = UX[:, 0]
    e = _shift(UX[:, 1:], i_f, m_f)                                         # (B, Q, L) = u_q^T X S_q
    ec = torch.cat([c0[:, None], e], 1)                                     # (B, Q+1, L)
    ipc = ec.conj() @ ec.mT                                                 # (B, Q+1, Q+1) c^H e products
    ipx = ip_u * ipc                                                        # Gram of [a, U_q / xi_q]
    aa = ipx[:, 0, 0].real                                                  # (B,)
    Ua = xiq * ipx[:, 1:, 0]                                                # (B, Q) = U^H a
    UU = (xiq[:, None] * xiq) * ipx[:, 1:, 1:]                              # (B, Q, Q) = U^H U
    y = torch.linalg.solve_ex(s2 * eyeQ + UU, Ua[..., None])[0][..., 0]     # (B, Q)
    sinr = b.xi0_2 * (aa - (Ua.conj() * y).sum(-1).real) / s2
    gX = gphi = None
    if not (want_x or want_phi):
        return sinr, gX, gphi
    # W = (u0 c0^T - sum_q xi_q y_q u_q e_q^T) / s2 ;  c_q = U_q^H wb = (Ua - UU y)_q / s2
    cq = (Ua - (UU @ y[..., None])[..., 0]) / s2
    yq = xiq * y / s2                                                       # (B, Q)
    coefW = torch.cat([torch.full_like(yq[:, :1], 1.0 / s2), -yq], 1)       # (B, Q+1)
    W = ua.mT @ (coefW[..., None] * ec)                                     # (B, M, L)
    coef = torch.cat([torch.ones_like(cq[:, :1]), -xiq * cq], 1)            # (B, Q+1)
    if want_x:
        # H^H W S^T = conj(u) (u^H W S^T)
        uW = rc["uac"] @ W                                                  # (B, Q+1, L)
        adv = torch.cat([uW[:, :1], _shift(uW[:, 1:], i_a, m_a)], 1)
        gX = b.xi0_2 * (rc["uac"].mT @ (coef.conj()[..., None] * adv))
    if want_phi:
        # l_q = J_q^T v_q,  v_q = X S_q (W^H u_q)... written as (Z + Z^T) u = Xd (W^H u) + conj(W) (Xd^T u)
        WHu = ua @ W.conj()                                                 # (B, Q+1, L)
        sW = torch.cat([WHu[:, :1], _shift(WHu[:, 1:], i_a, m_a)], 1)           # S_q W^H u_q
        v = (sW @ X.mT) + (ec @ W.conj().mT)                                # (B, Q+1, M)
        hr = torch.cat([b.h_rt[:, None], b.h_rq], 1)                        # (B, Q+1, N)
        Gv = v @ b.G.mT                                                     # (B, Q+1, N)
        l = ((coef[..., None] * hr) * Gv).sum(1)
        gphi = b.xi0_2 * l.conj()
    return sinr, gX, gphi


def fast_sinr(b: SLPBatch, X, phi):
    """SINR (21a) by the factored Q x Q form of :func:`sinr_and_grads` (no gradients)."""
    return sinr_and_grads(b, X, phi, False, False)[0]


# --------------------------------------------------------------------------- communications
def effective_channels(b: SLPBatch, phi):
    """``h_k^H + h_rk^H Phi G`` (B, K, M) of (1)."""
    return b.h_k.conj() + (b.h_rk.conj() * phi[:, None, :]) @ b.G


def received(b: SLPBatch, X, phi):
    """Noise-free received signals ``y_k[l]`` (B, K, L) of (1)."""
    return effective_channels(b, phi) @ X


def ci_values(b: SLPBatch, X, phi):
    """CI QoS functions ``g_{k,l}`` (19) (B, K, L); feasible iff ``<= 0``."""
    return b.gamma - ci_margin(received(b, X, phi), b.s, b.order)


def _ci_coef(b, y):
    """``c`` with ``dg = Re{conj(c) conj(s_hat) dy}``: ``c = -sin T + j cos T sgn(Im z)``."""
    T = np.pi / b.order
    sh = b.s / b.s.abs()
    z = y * sh.conj()
    sg = torch.sign(z.imag)
    return torch.complex(-np.sin(T) * torch.ones_like(sg), np.cos(T) * sg), sh


def ci_grads(b: SLPBatch, X, phi, beta, want_x: bool = True, want_phi: bool = True):
    """Conjugate gradients of ``sum_{k,l} beta_kl g_kl`` w.r.t. X (B, M, L) and phi (B, N)."""
    Heff = effective_channels(b, phi)
    y = Heff @ X
    c, sh = _ci_coef(b, y)
    wgt = beta * c * sh                                   # (B, K, L)
    gX = 0.5 * Heff.conj().mT @ wgt if want_x else None
    gphi = None
    if want_phi:
        GX = b.G @ X                                      # (B, N, L)
        # v_n = sum_kl beta conj(c) conj(sh) conj(h_rk,n) GX_nl ;  g = v^*/2
        v = (b.h_rk.conj() * ((wgt.conj()) @ GX.mT)).sum(1)   # (B, N)
        gphi = 0.5 * v.conj()
    return gX, gphi


def ci_linear_x(b: SLPBatch, phi):
    """CI constraints as ``Re{V_l x[l]} <= d`` per slot: V (B, L, 2K, M), d (B, L, 2K).

    ``Re{z} sin T -/+ Im{z} cos T >= gamma`` with ``z = conj(s_hat) h_eff x[l]`` is
    ``Re{-(sin T +/- j cos T) conj(s_hat) h_eff x} <= -gamma``.
    """
    T = np.pi / b.order
    Heff = effective_channels(b, phi)                     # (B, K, M)
    sh = (b.s / b.s.abs()).conj().mT                      # (B, L, K)
    cp = complex(np.sin(T), np.cos(T))
    cm = complex(np.sin(T), -np.cos(T))
    E = sh[..., None] * Heff[:, None]                     # (B, L, K, M)
    V = torch.cat([-cp * E, -cm * E], -2)
    d = torch.full(V.shape[:-1], -b.gamma, dtype=torch.float64, device=V.device)
    return V, d


def ci_linear_phi(b: SLPBatch, X):
    """CI constraints as ``Re{V phi} <= d``: V (B, 2KL, N), d (B, 2KL) (y is affine in phi)."""
    T = np.pi / b.order
    GX = b.G @ X                                          # (B, N, L)
    E = b.h_rk.conj()[:, :, None, :] * GX.mT[:, None]     # (B, K, L, N) : dy_kl/dphi
    y0 = b.h_k.conj() @ X                                 # (B, K, L)
    sh = (b.s / b.s.abs()).conj()
    cp = complex(np.sin(T), np.cos(T))
    cm = complex(np.sin(T), -np.cos(T))
    V, d = [], []
    for cc in (cp, cm):
        V.append((-cc * sh)[..., None] * E)
        d.append(-b.gamma + (cc * sh * y0).real)
    V = torch.cat([v.reshape(b.B, -1, b.N) for v in V], 1)
    d = torch.cat([x.reshape(b.B, -1) for x in d], 1)
    return V, d


# --------------------------------------------------------------------------- initial points
def init_phi(b: SLPBatch, mode: str = "target", rng: np.random.Generator | None = None):
    """RIS start: ``'target'`` co-phases the RIS path with the direct target path; ``'random'``; ``'ones'``."""
    if mode == "random":
        if rng is None:
            raise ValueError("mode='random' needs rng")
        ang = torch.as_tensor(rng.uniform(0, 2 * np.pi, (b.B, b.N)), device=b.device)
        return torch.polar(torch.ones_like(ang), ang)
    if mode == "ones" or not b.ris:
        return torch.ones(b.B, b.N, dtype=CDT, device=b.device)
    if mode != "target":
        raise ValueError("mode must be 'target', 'random' or 'ones'")
    # u0 = h_bt + G^T diag(h_rt) phi: align every RIS term with the direct path (MRT on |u0|)
    J = b.G.mT * b.h_rt[:, None, :]                       # (B, M, N)
    ref = b.h_bt
    return project_phi((J.conj() * ref[..., None]).sum(1))


def init_x(b: SLPBatch, phi):
    """Waveform start: zero-forcing symbol-level precoder ``Heff^+ s[l]`` projected on (18c)."""
    Heff = effective_channels(b, phi)
    Xzf = torch.linalg.pinv(Heff) @ b.s
    return project_x(Xzf, b.P)
