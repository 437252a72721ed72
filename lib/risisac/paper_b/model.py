"""Paper B: uplink ISAC model, sensing MI, MMSE receive beams, the reduced problem (28)
and an exact (certified) global solver of (28).

Conventions (Paper B, Sec. II-III):

* ``Y = S G + X P H^T + N`` (1); ``S`` is ``L x Nt``, ``G`` is ``Nt x Nr`` with i.i.d.
  columns of correlation ``R_T = U_T diag(sigma_t) U_T^H``.
* Everything batched over a leading axis ``B`` (Monte-Carlo samples).
* Internally the problem is written in *normalised* units:
  ``a_i = sigma_t,i P_s / sigma_n^2`` (sensing SNR of eigen-mode i),
  ``x_i = sigma_s,i / P_s`` (fraction of the sensing budget, constraint (15) is
  ``x >= 0, sum x <= 1``) and ``g_k = sqrt(p_k / sigma_n^2) h_k`` (normalised channels).
  Then (14) is ``(1/L) sum_ij log2(1 + a_i x_i e_j)`` with ``e_j = sigma_n^2 sigma_h,j``
  and (26) depends on ``x`` only through ``tau = a^T x = sigma_t^T sigma_s / sigma_n^2``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..channels import db2lin, pathloss_3gpp_db, rayleigh
from ..comms import waterfill as waterfill_batch  # exact, batched (rows); see risisac.comms

LN2 = np.log(2.0)


# --------------------------------------------------------------------------- model
@dataclass
class UplinkBatch:
    """A batch of uplink-ISAC scenarios (Paper B (1)-(2), Sec. V).

    Normalised quantities used by all algorithms: ``a`` (B, Nt) sorted descending,
    ``Gn`` (B, Nr, K). Physical ones (for the recover module): ``sigma_t``, ``H``, ``p``,
    ``Ps``, ``noise``, ``U_T`` (may be ``None`` when not drawn).
    """

    a: np.ndarray
    Gn: np.ndarray
    L: int
    sigma_t: np.ndarray
    H: np.ndarray
    p: np.ndarray
    Ps: float
    noise: float
    U_T: np.ndarray | None = None
    dist: np.ndarray | None = None
    xi: np.ndarray | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def B(self):
        return self.a.shape[0]

    @property
    def Nt(self):
        return self.a.shape[1]

    @property
    def Nr(self):
        return self.Gn.shape[1]

    @property
    def K(self):
        return self.Gn.shape[2]

    def subset(self, idx) -> "UplinkBatch":
        sel = lambda z: None if z is None else z[idx]
        return UplinkBatch(self.a[idx], self.Gn[idx], self.L, self.sigma_t[idx], self.H[idx],
                           self.p[idx], self.Ps, self.noise, sel(self.U_T), sel(self.dist),
                           sel(self.xi))


def xi0(d0_m: float) -> float:
    """Path-loss coefficient at the cell radius, ``xi_0 = 10^(-PL(d0)/10)`` (Sec. V)."""
    return float(db2lin(-pathloss_3gpp_db(d0_m)))


def random_unitary(rng: np.random.Generator, B: int, n: int) -> np.ndarray:
    """Eigenvectors of ``R_T`` as in ref. [31]: the left singular vectors of an i.i.d. CN matrix."""
    Z = rayleigh(rng, (B, n, n))
    U, _, _ = np.linalg.svd(Z)
    return U


def draw_batch(rng: np.random.Generator, B: int, Nt: int = 16, Nr: int = 16, K: int = 5,
               L: int = 20, snr_s_db: float = 10.0, snr_c_db: float = 0.0, d0: float = 200.0,
               d_max: float = 400.0, noise: float = 1.0, with_UT: bool = False) -> UplinkBatch:
    """Draw ``B`` scenarios with the Table II set-up.

    * ``R_T`` eigenvalues ``sigma_t,i = xi_0 u_i``, ``u_i ~ U(0, 1)`` i.i.d. (ref. [31]); sorted
      descending. Eigenvectors random unitary (only drawn if ``with_UT``).
    * users uniform in area on the annulus ``d0 <= d <= d_max``; ``h_k = sqrt(xi_k) hbar_k``,
      ``hbar_k ~ CN(0, I)`` (Rayleigh); path loss ``128.1 + 37.6 log10(d/km)``.
    * ``SNR_s = P_s xi_0 / sigma_n^2`` fixes ``P_s``; ``SNR_c = p_k xi_k / sigma_n^2`` fixes each ``p_k``.
    """
    for name, v, lo in (("B", B, 1), ("Nt", Nt, 1), ("Nr", Nr, 1), ("K", K, 1)):
        if int(v) != v or v < lo:
            raise ValueError(f"draw_batch: {name} = {v!r} is invalid: an integer >= {lo} is allowed")
    if L <= Nt:
        raise ValueError(f"draw_batch: L = {L} is invalid with Nt = {Nt}: Paper B needs L > Nt")
    if not (0 < d0 < d_max):
        raise ValueError(f"draw_batch: d0 = {d0}, d_max = {d_max} are invalid: need 0 < d0 < d_max")
    x0 = xi0(d0)
    u = np.sort(rng.uniform(0.0, 1.0, (B, Nt)), axis=1)[:, ::-1]
    u = np.maximum(u, 1e-12)
    sigma_t = x0 * u
    r = np.sqrt(rng.uniform(d0 ** 2, d_max ** 2, (B, K)))
    xik = db2lin(-pathloss_3gpp_db(r))
    hbar = rayleigh(rng, (B, Nr, K))
    H = np.sqrt(xik)[:, None, :] * hbar
    snr_s, snr_c = float(db2lin(snr_s_db)), float(db2lin(snr_c_db))
    Ps = snr_s * noise / x0
    p = snr_c * noise / xik
    a = sigma_t * Ps / noise
    Gn = np.sqrt(p / noise)[:, None, :] * H
    UT = random_unitary(rng, B, Nt) if with_UT else None
    return UplinkBatch(np.ascontiguousarray(a), Gn, L, sigma_t, H, p, Ps, noise, UT, r, xik)


def subset_users(batch: UplinkBatch, k: int) -> UplinkBatch:
    """The same scenarios with only the first ``k`` users (paired comparisons over ``K``)."""
    if not 1 <= k <= batch.K:
        raise ValueError(f"subset_users: k = {k!r} is invalid: allowed values are 1..{batch.K}")
    sel = lambda z: None if z is None else z[:, :k]
    return UplinkBatch(batch.a, batch.Gn[:, :, :k], batch.L, batch.sigma_t, batch.H[:, :, :k],
                       batch.p[:, :k], batch.Ps, batch.noise, batch.U_T, sel(batch.dist),
                       sel(batch.xi))


def scale_sigma_t(batch: UplinkBatch, factor: float) -> UplinkBatch:
    """The same scenarios with the target-response eigenvalues ``sigma_t`` scaled by ``factor``.

    Paper B gives no scale for ``sigma_t`` (Errata): scaling it by ``c`` multiplies every
    ``a_i = sigma_t,i P_s / sigma_n^2`` by ``c``, i.e. shifts the effective sensing SNR by
    ``10 log10(c)`` dB. Used for the sensitivity study of Fig. 10(a).
    """
    if not factor > 0:
        raise ValueError(f"scale_sigma_t: factor = {factor!r} is invalid: a number > 0 is allowed")
    return UplinkBatch(batch.a * factor, batch.Gn, batch.L, batch.sigma_t * factor, batch.H,
                       batch.p, batch.Ps, batch.noise, batch.U_T, batch.dist, batch.xi)


def imperfect_csi(rng: np.random.Generator, batch: UplinkBatch, beta: float, true_given: bool = False):
    """Imperfect-CSI model of Sec. V: ``H = sqrt(beta) Hhat + E``, ``E ~ CN(0, (1-beta) I)``.

    Applied to the small-scale fading (path loss kept): the estimate ``hbar_hat`` is drawn
    CN(0, I) and the true channel is ``sqrt(beta) hbar_hat + E``, so both have unit-variance
    entries. ``true_given=True``: the batch's own fading is the true channel and the estimate
    is drawn from it as ``sqrt(beta) hbar + E'``, ``E' ~ CN(0, (1-beta) I)``: the same joint law
    (both unit variance, correlation ``sqrt(beta)``), so several ``beta`` can share one true
    channel. Returns ``(true_batch, estimated_batch)`` sharing ``a`` and ``p``.
    """
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"imperfect_csi: beta = {beta!r} is invalid: allowed values are [0, 1]")
    amp = np.sqrt(batch.p * batch.xi / batch.noise)[:, None, :]  # Gn = amp * hbar
    if true_given:
        htrue = batch.Gn / amp
        hhat = np.sqrt(beta) * htrue + np.sqrt(1.0 - beta) * rayleigh(rng, batch.Gn.shape)
    else:
        hhat = rayleigh(rng, batch.Gn.shape)
        htrue = np.sqrt(beta) * hhat + np.sqrt(1.0 - beta) * rayleigh(rng, batch.Gn.shape)

    def mk(hb):
        return UplinkBatch(batch.a, amp * hb, batch.L, batch.sigma_t,
                           np.sqrt(batch.xi)[:, None, :] * hb, batch.p, batch.Ps, batch.noise,
                           batch.U_T, batch.dist, batch.xi)
    return mk(htrue), mk(hhat)


# --------------------------------------------------------------------------- sensing
def sensing_mi_full(S, R_T, H, p, noise):
    """Sensing MI (4) in bits by brute force, ``log2|I + R_I^{-1} S~ R_g S~^H|`` (LNr x LNr).

    One scenario (no batch). For verification of Lemmas 1-2 and of (11)-(14).
    """
    L, Nt = S.shape
    Nr = H.shape[0]
    St = np.kron(np.eye(Nr), S)
    Rg = np.kron(np.eye(Nr), R_T)
    RI = np.kron(H @ np.diag(p) @ H.conj().T, np.eye(L)) + noise * np.eye(L * Nr)
    M = np.eye(L * Nr) + np.linalg.solve(RI, St @ Rg @ St.conj().T)
    return float(np.linalg.slogdet(M)[1] / LN2)


def sensing_mi_kron(S, R_T, H, p, noise):
    """Sensing MI (11): ``log2|I + R_H (x) S R_T S^H|`` = sum over eigen-pairs (one scenario)."""
    RH = np.linalg.inv(H @ np.diag(p) @ H.conj().T + noise * np.eye(H.shape[0]))
    eh = np.linalg.eigvalsh((RH + RH.conj().T) / 2)
    A = S @ R_T @ S.conj().T
    ea = np.linalg.eigvalsh((A + A.conj().T) / 2)
    return float(np.sum(np.log2(1.0 + np.outer(eh, np.maximum(ea, 0)))))


def sensing_eigs(Gn: np.ndarray) -> np.ndarray:
    """``e_j = sigma_n^2 sigma_h,j``: eigenvalues of ``(G G^H + I)^{-1}``, (B, Nr), descending.

    Computed from the K x K Gram ``G^H G``: ``Nr - min(K, Nr)`` of them equal 1.
    """
    B, Nr, K = Gn.shape
    mu = np.linalg.eigvalsh(np.conj(np.swapaxes(Gn, 1, 2)) @ Gn)[:, ::-1][:, :min(K, Nr)]
    e = np.ones((B, Nr))
    e[:, Nr - min(K, Nr):] = np.sort(1.0 / (1.0 + np.maximum(mu, 0.0)), axis=1)[:, ::-1]
    return e


def sensing_rate(x, a, e, L):
    """Reduced sensing rate (14) in bit/s/Hz per sample: ``(1/L) sum_ij log2(1 + a_i x_i e_j)``.

    ``x`` (B, Nt) or (B, G, Nt) fractions of ``P_s``; ``a`` (B, Nt); ``e`` (B, Nr).
    """
    lam = a * x if x.ndim == 2 else a[:, None, :] * x
    ee = e if x.ndim == 2 else e[:, None, :]
    return np.log2(1.0 + lam[..., :, None] * ee[..., None, :]).sum((-1, -2)) / L


def waterfill_paper(gains: np.ndarray, power=1.0, noise=1.0):
    """Paper B's level under (38): ``mu_hat = (P_s + sum_i noise/g_i)/Nt`` over *all* channels,
    then ``max(mu_hat - noise/g_i, 0)``. Overspends the budget whenever a channel is clipped."""
    g = np.asarray(gains, float)
    inv = noise / np.maximum(g, 1e-300)
    mu = (np.asarray(power, float).reshape(-1, 1) + inv.sum(1, keepdims=True)) / g.shape[1]
    return np.maximum(mu - inv, 0.0), mu[:, 0]


def max_sensing_rate(a, Nr, L, paper_level=False):
    """``M_s`` of (35)-(39): interference-free sensing rate ``(Nr/L) sum log2(1 + a_i x_i)`` with the
    water-filling ``x``. ``paper_level=True`` uses the level of (38) (see Errata). Returns ``(Ms, x)``."""
    x, _ = (waterfill_paper if paper_level else waterfill_batch)(a, 1.0, 1.0)
    return Nr / L * np.log2(1.0 + a * x).sum(1), x


# --------------------------------------------------------------------------- communication
@dataclass
class CommModel:
    """Spectral data making ``gamma_k^opt`` of (26) cheap for any sensing interference.

    ``gamma_k(c) = sum_m W[k, m] / (D[k, m] + c)`` with ``c = 1 + tau/L`` (normalised noise plus
    sensing interference), from the EVD of ``A_k = sum_{i != k} g_i^* g_i^T``.
    ``zf[k] = 1/[(G^T G^*)^{-1}]_kk`` gives the zero-forcing SINR ``zf_k / c``.
    """

    D: np.ndarray
    W: np.ndarray
    zf: np.ndarray
    L: int

    @classmethod
    def from_channels(cls, Gn: np.ndarray, L: int) -> "CommModel":
        B, Nr, K = Gn.shape
        gs = np.conj(Gn)  # columns g_k^*
        outer = gs[:, :, None, :] * np.conj(gs)[:, None, :, :]  # (B, Nr, Nr, K): g_i^* g_i^T
        tot = outer.sum(-1)
        A = tot[:, None] - np.moveaxis(outer, -1, 1)  # (B, K, Nr, Nr)
        d, U = np.linalg.eigh(A)
        proj = np.einsum("bkmn,bmk->bkn", np.conj(U), gs)  # U^H g_k^*
        W = np.abs(proj) ** 2
        Gram = np.conj(np.swapaxes(Gn, 1, 2)) @ Gn
        if K <= Nr:
            zf = 1.0 / np.real(np.diagonal(np.linalg.inv(Gram), axis1=1, axis2=2))
        else:
            zf = np.zeros((B, K))
        return cls(np.maximum(d, 0.0), W, zf, L)

    def sinr(self, tau, zf=False):
        """``gamma_k`` (B, ..., K) for ``tau`` of shape (B,) or (B, G)."""
        tau = np.asarray(tau, float)
        c = 1.0 + tau / self.L
        if zf:
            return self.zf.reshape(self.zf.shape[0], *([1] * (c.ndim - 1)), -1) / c[..., None]
        D = self.D.reshape(self.D.shape[0], *([1] * (c.ndim - 1)), *self.D.shape[1:])
        W = self.W.reshape(D.shape)
        return (W / (D + c[..., None, None])).sum(-1)

    def rate(self, tau, zf=False):
        """Average communication rate (8)/(26) in bit/s/Hz: ``(1/K) sum_k log2(1 + gamma_k)``."""
        return np.log2(1.0 + self.sinr(tau, zf)).mean(-1)


def max_comm_rate(cm: CommModel, zf=False):
    """``M_c`` of (40): the rate with no sensing signal (MMSE beams)."""
    return cm.rate(np.zeros(cm.D.shape[0]), zf)


def mmse_beams(batch: UplinkBatch, sigma_s: np.ndarray) -> np.ndarray:
    """Optimal receive beams (25)/(32), physical units; returns ``w`` (B, Nr, K).

    ``R~_k = sum_{i != k} p_i h_i^* h_i^T + (sigma_t^T sigma_s / L + sigma_n^2) I``,
    ``w_k = R~_k^{-1} h_k^* / (sqrt(p_k) h_k^T R~_k^{-1} h_k^*)``.
    """
    H, p = batch.H, batch.p
    B, Nr, K = H.shape
    interf = (batch.sigma_t * sigma_s).sum(1) / batch.L + batch.noise
    hs = np.conj(H) * np.sqrt(p)[:, None, :]
    tot = hs @ np.conj(np.swapaxes(hs, 1, 2))  # sum_i p_i h_i^* h_i^T
    W = np.empty((B, Nr, K), complex)
    for k in range(K):
        Rk = tot - hs[:, :, k, None] * np.conj(hs[:, None, :, k]) + interf[:, None, None] * np.eye(Nr)
        v = np.linalg.solve(Rk, np.conj(H[:, :, k])[..., None])[..., 0]
        den = np.sqrt(p[:, k]) * np.einsum("bn,bn->b", H[:, :, k], v)
        W[:, :, k] = v / den[:, None]
    return W


def sinr_of_beams(batch: UplinkBatch, W: np.ndarray, S: np.ndarray | None = None,
                  R_T: np.ndarray | None = None, sigma_s=None, H=None) -> np.ndarray:
    """SINR (7) of receive beams ``W`` (B, Nr, K); sensing interference ``tr(S R_T S^H)/L``
    (from ``S`` and ``R_T`` if given, else ``sigma_t^T sigma_s / L``). ``H`` overrides the
    channel (imperfect CSI: beams from the estimate, SINR on the true channel)."""
    H = batch.H if H is None else H
    p = batch.p
    if S is not None:
        interf = np.real(np.einsum("bij,bjk,bik->b", S, R_T, np.conj(S))) / batch.L
    else:
        interf = (batch.sigma_t * sigma_s).sum(1) / batch.L
    g = np.abs(np.swapaxes(H, 1, 2) @ W) ** 2 * p[:, :, None]  # g[b, i, k] = p_i |h_i^T w_k|^2
    sig = np.diagonal(g, axis1=1, axis2=2)
    iu = g.sum(1) - sig
    nw = (np.abs(W) ** 2).sum(1)
    return sig / (iu + (interf + batch.noise)[:, None] * nw)


def recover(batch: UplinkBatch, sigma_s: np.ndarray, U_s: np.ndarray | None = None):
    """Recover module (31)-(32): ``S = U_s Sigma_s U_T^H`` and the beams ``w_k``.

    ``sigma_s`` (B, Nt) physical (sum <= P_s), paired with the descending eigenvalues of R_T.
    ``U_s``: any L x L unitary (identity if None). Returns ``(S, W)``.
    """
    if batch.U_T is None:
        raise ValueError("recover: the batch was drawn without U_T; use draw_batch(..., with_UT=True)")
    B, Nt = sigma_s.shape
    L = batch.L
    Sig = np.zeros((B, L, Nt))
    Sig[:, np.arange(Nt), np.arange(Nt)] = np.sqrt(np.maximum(sigma_s, 0.0))
    Us = np.eye(L) if U_s is None else U_s
    S = Us @ Sig @ np.conj(np.swapaxes(batch.U_T, 1, 2))
    return S, mmse_beams(batch, sigma_s)


def R_T_of(batch: UplinkBatch) -> np.ndarray:
    """``R_T = U_T diag(sigma_t) U_T^H`` (B, Nt, Nt)."""
    U = batch.U_T
    return (U * batch.sigma_t[:, None, :]) @ np.conj(np.swapaxes(U, 1, 2))


# --------------------------------------------------------------------------- problem (28)
@dataclass
class Problem:
    """Everything (28) needs for a batch: ``a``, ``e``, ``L``, ``CommModel``, ``M_s``, ``M_c``."""

    a: np.ndarray
    e: np.ndarray
    L: int
    cm: CommModel
    Ms: np.ndarray
    Mc: np.ndarray
    Nr: int

    @classmethod
    def from_batch(cls, batch: UplinkBatch, paper_level=False, zf=False) -> "Problem":
        e = sensing_eigs(batch.Gn)
        cm = CommModel.from_channels(batch.Gn, batch.L)
        Ms, _ = max_sensing_rate(batch.a, batch.Nr, batch.L, paper_level)
        Mc = max_comm_rate(cm)
        return cls(batch.a, e, batch.L, cm, Ms, Mc, batch.Nr)

    def sr(self, x):
        return sensing_rate(x, self.a, self.e, self.L)

    def tau(self, x):
        return (self.a * x).sum(-1) if x.ndim == 2 else (self.a[:, None, :] * x).sum(-1)

    def cr(self, x, zf=False):
        return self.cm.rate(self.tau(x), zf)

    def wsnr(self, x, alpha, zf=False):
        """Objective (28): ``alpha R_s/M_s + (1-alpha) R_c/M_c`` per sample."""
        Ms = self.Ms if x.ndim == 2 else self.Ms[:, None]
        Mc = self.Mc if x.ndim == 2 else self.Mc[:, None]
        return alpha * self.sr(x) / Ms + (1 - alpha) * self.cr(x, zf) / Mc


def _grouped_e(e, K):
    """Distinct ``e_j`` with multiplicities: ``(values, mult)``, each (B, m+1)."""
    B, Nr = e.shape
    m = min(K, Nr)
    vals = np.concatenate([np.ones((B, 1)), e[:, Nr - m:]], axis=1)
    mult = np.concatenate([np.full((B, 1), Nr - m), np.ones((B, m))], axis=1).astype(float)
    return vals, mult


class Frontier:
    """The sensing/interference frontier of (28), and its exact 1-D global search.

    Beyond the paper: by (19)/(26), ``R_c`` depends on ``sigma_s`` only through
    ``tau = sigma_t^T sigma_s / sigma_n^2``. Hence
    ``max (28) = max_tau [alpha/M_s S(tau) + (1-alpha)/M_c C(tau)]`` where
    ``S(tau) = max {R_s(x) : x >= 0, 1^T x <= 1, a^T x <= tau}`` is concave nondecreasing
    (convex inner problem) and ``C`` is decreasing and convex. The frontier is traced by the
    penalty ``kappa`` (``max R_s(x) - kappa a^T x`` s.t. ``1^T x <= 1``, solved exactly by its KKT
    conditions: ``psi'(lambda_i) = kappa + nu/a_i``). Between two frontier points, tangents of
    ``S`` and the chord of ``C`` bound the objective (:meth:`_interval_bounds`), which gives a
    branch-and-bound *certificate* of global optimality.
    """

    def __init__(self, prob: Problem, n_grid: int = 32, newton: int = 10, bisect: int = 20):
        self.prob = prob
        self.newton, self.bisect = newton, bisect
        K = prob.cm.D.shape[1]
        self.ev, self.em = _grouped_e(prob.e, K)
        L = prob.L
        self.dpsi0 = (self.ev * self.em).sum(1) / (L * LN2)  # psi'(0)
        self._table()  # interpolation table of (psi')^{-1}: fixed per problem, built once
        s = np.linspace(0.0, 1.0, n_grid)
        kap = self.dpsi0[:, None] * s[None, :] ** 2  # denser near kappa = 0
        self.kappa = kap
        self.x, self.tau, self.sens = self.solve_kappa(kap)

    # psi(l) = (1/L) sum_j m_j log2(1 + e_j l); psi'(l) = (1/(L ln2)) sum_j m_j e_j/(1+e_j l)
    @staticmethod
    def _phis(lam, ev, em):
        """``sum_j m_j e_j/(1+e_j l)`` and ``sum_j m_j e_j^2/(1+e_j l)^2``; ``ev``, ``em`` are lists of
        arrays broadcasting against ``lam`` (a loop over the few distinct ``e_j`` is much faster
        than a reduction over a short trailing axis)."""
        phi = np.zeros_like(lam)
        dphi = np.zeros_like(lam)
        for e, m in zip(ev, em):
            t = e / (1.0 + e * lam)
            mt = m * t
            phi += mt
            dphi += mt * t
        return phi, dphi

    def _lists(self, ndim_extra, rows=None):
        sh = (-1,) + (1,) * ndim_extra
        ev = self.ev if rows is None else self.ev[rows]
        em = self.em if rows is None else self.em[rows]
        return ([ev[:, j].reshape(sh) for j in range(ev.shape[1])],
                [em[:, j].reshape(sh) for j in range(em.shape[1])])

    def _inv_dpsi(self, c, ev, em, lam=None, iters=None):
        """``lambda = (psi')^{-1}(c)`` (0 where ``c >= psi'(0)``): Newton on ``1/psi'``, which is
        concave increasing, so the iterates approach the root from the left (after at most one
        overshoot from a warm start ``lam`` on the right). Also returns ``psi''(lambda)``."""
        cp = np.maximum(c * self.prob.L * LN2, 1e-12)
        lam = np.zeros_like(cp) if lam is None else lam
        for _ in range(self.newton if iters is None else iters):
            phi, dphi = self._phis(lam, ev, em)
            lam = np.maximum(lam + phi * (phi - cp) / np.maximum(cp * dphi, 1e-300), 0.0)
        _, dphi = self._phis(lam, ev, em)
        return lam, -dphi / (self.prob.L * LN2)

    def _table(self, n=384):
        """Per-sample table of ``f(u) = u (psi')^{-1}(u psi'(0))`` on a common log grid of ``u``
        (smooth and bounded), for O(1) approximate inversion; exact Newton polishes later."""
        self.logu = np.linspace(np.log(1e-9), 0.0, n)
        c = np.exp(self.logu)[None, :] * self.dpsi0[:, None]
        ev, em = self._lists(1)
        lam, _ = self._inv_dpsi(c, ev, em, iters=14)
        self.ftab = lam * np.exp(self.logu)[None, :]

    def _inv_dpsi_fast(self, c, bidx):
        """Approximate ``(psi')^{-1}(c)`` by table interpolation; ``bidx`` broadcasts sample index."""
        u = c / self.dpsi0[bidx]
        lu = np.log(np.clip(u, 1e-9, 1.0))
        n = self.logu.size
        h = self.logu[1] - self.logu[0]
        pos = np.clip((lu - self.logu[0]) / h, 0.0, n - 1 - 1e-9)
        i0 = pos.astype(int)
        fr = pos - i0
        f = (1 - fr) * self.ftab[bidx, i0] + fr * self.ftab[bidx, i0 + 1]
        return np.where(u >= 1.0, 0.0, f / np.maximum(u, 1e-300))

    def _d2psi(self, lam, ev, em):
        return -self._phis(lam, ev, em)[1] / (self.prob.L * LN2)

    def solve_kappa(self, kappa, rows=None, return_nu=False):
        """Solve ``max R_s(x) - kappa a^T x`` s.t. ``x >= 0, 1^T x <= 1`` for kappa (B, G).

        KKT: ``psi'(lambda_i) = kappa + nu/a_i`` (``lambda_i = a_i x_i``) with ``nu >= 0`` the power
        multiplier, the root of the decreasing ``h(nu) = sum_i lambda_i(nu)/a_i - 1``:
        safeguarded Newton with table inversion, then exact Newton polishing of ``lambda`` and
        ``nu``. Returns ``x`` (B, G, Nt), ``tau`` (B, G), ``R_s`` (B, G) (and ``nu`` (B, G) if
        ``return_nu``). The solver keeps no state between calls."""
        rows = np.arange(self.prob.a.shape[0]) if rows is None else np.asarray(rows)
        a = self.prob.a[rows][:, None, :]
        ev, em = self._lists(2, rows)
        kap = kappa[..., None]
        bidx = rows[:, None, None]
        lam_free, _ = self._inv_dpsi(kap + 0.0 * a, ev, em, self._inv_dpsi_fast(kap + 0.0 * a, bidx),
                                     iters=4)  # exact optimum without the budget (nu = 0)
        lam = lam_free
        need = (lam_free / a).sum(-1) > 1.0  # budget (15) active: nu > 0
        lo = np.zeros_like(kappa)
        hi = np.maximum(self.dpsi0[rows][:, None] - kappa, 0.0) * a[:, :, 0]
        nu = 0.5 * hi
        hi0 = hi.copy()
        for it in range(self.bisect + 4):
            exact = it >= self.bisect
            if it == self.bisect:  # the table phase's bracket may be off by its error: reset
                lo, hi = np.zeros_like(kappa), hi0
            if exact:
                lam, d2 = self._inv_dpsi(kap + nu[..., None] / a, ev, em, lam0, iters=4)
            else:
                lam = self._inv_dpsi_fast(kap + nu[..., None] / a, bidx)
                d2 = self._d2psi(lam, ev, em)
            h = (lam / a).sum(-1) - 1.0
            lo = np.where(h > 0, nu, lo)
            hi = np.where(h > 0, hi, nu)
            dh = np.where(lam > 0, 1.0 / (a * a * np.minimum(d2, -1e-300)), 0.0).sum(-1)
            cand = nu - h / np.minimum(dh, -1e-300)
            ok = (cand >= lo) & (cand <= hi)
            nu = np.where(ok, cand, 0.5 * (lo + hi))
            lam0 = lam
        nu = np.where(need, nu, 0.0)
        lam, _ = self._inv_dpsi(kap + nu[..., None] / a, ev, em,
                                np.where(need[..., None], lam, lam_free), iters=4)
        pw = (lam / a).sum(-1)
        lam = lam / np.maximum(pw, 1.0)[..., None]  # exact feasibility of (15)
        x = lam / a
        tau = lam.sum(-1)
        sens = sum(m * np.log2(1.0 + e * lam) for e, m in zip(ev, em)).sum(-1) / self.prob.L
        return (x, tau, sens, nu) if return_nu else (x, tau, sens)

    def kkt_residual(self, kappa, x, nu=None):
        """Max relative violation of the KKT conditions of :meth:`solve_kappa`,
        ``psi'(lambda_i) <= kappa + nu/a_i`` with equality where ``lambda_i > 0``, for ``x``
        (B, G, Nt) at ``kappa`` (B, G). A pure function of its arguments: ``nu`` (B, G) is the
        power multiplier; if ``None`` it is recovered from ``x`` (0 when the budget is slack,
        else the mean of ``a_i (psi'(lambda_i) - kappa)`` over the active modes)."""
        kappa = np.asarray(kappa, float)
        a = self.prob.a[:, None, :]
        lam = a * np.asarray(x, float)
        ev, em = self._lists(2)
        d1 = self._phis(lam, ev, em)[0] / (self.prob.L * LN2)
        act = lam > 0
        if nu is None:
            cand = np.where(act, a * (d1 - kappa[..., None]), 0.0)
            nu = cand.sum(-1) / np.maximum(act.sum(-1), 1)
            tight = np.asarray(x).sum(-1) >= 1.0 - 1e-9
            nu = np.where(tight, np.maximum(nu, 0.0), 0.0)
        price = kappa[..., None] + np.asarray(nu, float)[..., None] / a
        r = (d1 - price) / np.maximum(price, 1e-300)
        return float(np.max(np.where(act, np.abs(r), np.maximum(r, 0.0))))

    def solve(self, alpha: float, zf: bool = False, tol: float = 1e-6, rounds: int = 40,
              split: int = 4):
        """Global maximiser of (28) (``zf=True``: with zero-forcing beams instead of MMSE).

        Branch and bound over the frontier: each round the ``split`` intervals with the largest
        upper bounds are halved (in kappa), until ``upper bound - best value <= tol`` for every
        sample. Returns a dict: ``x`` (B, Nt), ``value`` (B,), ``gap`` (B,) (certified: no
        feasible point is better than ``value + gap``), ``tau``, ``rounds``."""
        p = self.prob
        B = self.kappa.shape[0]
        wS, wC = (alpha / p.Ms)[:, None], ((1 - alpha) / p.Mc)[:, None]
        kap, tau, sens, x = self.kappa, self.tau, self.sens, self.x
        C = p.cm.rate(tau, zf)
        ar = np.arange(B)[:, None]
        r = 0
        for r in range(rounds + 1):
            F = wS * sens + wC * C
            ub = self._interval_bounds(kap, tau, sens, C, wS, wC)
            gap = np.maximum(ub.max(1) - F.max(1), 0.0)
            active = np.nonzero(gap > tol)[0]
            if active.size == 0 or r == rounds:
                break
            m = min(split, ub.shape[1])
            j = np.argsort(-ub, axis=1, kind="stable")[:, :m]
            nk = 0.5 * (kap[ar, j] + kap[ar, j + 1])
            # inactive rows: duplicate existing points (no solve needed)
            nk[gap <= tol] = kap[gap <= tol, :m]
            nx = x[:, :m].copy()
            nt, ns, nc = tau[:, :m].copy(), sens[:, :m].copy(), C[:, :m].copy()
            sx, st, ss = self.solve_kappa(nk[active], rows=active)
            nx[active], nt[active], ns[active] = sx, st, ss
            nc[active] = self._rate_rows(st, active, zf)
            kap = np.concatenate([kap, nk], 1)
            o = np.argsort(kap, axis=1, kind="stable")
            kap = np.take_along_axis(kap, o, 1)
            tau = np.take_along_axis(np.concatenate([tau, nt], 1), o, 1)
            sens = np.take_along_axis(np.concatenate([sens, ns], 1), o, 1)
            C = np.take_along_axis(np.concatenate([C, nc], 1), o, 1)
            x = np.take_along_axis(np.concatenate([x, nx], 1), o[..., None], 1)
        i = F.argmax(1)
        b = np.arange(B)
        return dict(x=x[b, i], value=F[b, i], gap=gap, tau=tau[b, i], rounds=r)

    @staticmethod
    def _interval_bounds(kap, tau, sens, C, wS, wC):
        """Upper bound of (28) on each frontier interval (arrays sorted by ascending kappa, so
        tau and R_s descend). ``S(tau)`` is concave with supergradient ``kappa`` at ``tau(kappa)``
        (``kappa`` is the multiplier of ``a^T x <= tau``), so it lies below both end tangents;
        ``C(tau)`` is convex (``log(1 + gamma(c))`` with ``gamma(c) = sum W/(D + c)`` satisfies
        ``gamma'^2 <= gamma gamma''/2`` by Cauchy-Schwarz), so it lies below its chord. The bound
        is the max of the piecewise-linear sum: at an end or at the tangents' crossing."""
        k2, t2, s2, c2 = kap[:, :-1], tau[:, :-1], sens[:, :-1], C[:, :-1]  # larger tau
        k1, t1, s1, c1 = kap[:, 1:], tau[:, 1:], sens[:, 1:], C[:, 1:]      # smaller tau
        dt = t2 - t1
        safe = np.where(dt > 0, dt, 1.0)
        dk = np.where(k1 - k2 > 0, k1 - k2, 1.0)
        tk = np.clip((s2 - s1 - k2 * t2 + k1 * t1) / dk, t1, t2)

        def ub_at(t):
            st = np.minimum(s1 + k1 * (t - t1), s2 + k2 * (t - t2))
            ct = c1 + (c2 - c1) * (t - t1) / safe
            return wS * st + wC * ct
        ub = np.maximum(np.maximum(ub_at(t1), ub_at(t2)), ub_at(tk))
        return np.where(dt > 0, ub, np.maximum(wS * s1 + wC * c1, wS * s2 + wC * c2))

    def _rate_rows(self, tau, rows, zf):
        cm = self.prob.cm
        sub = CommModel(cm.D[rows], cm.W[rows], cm.zf[rows], cm.L)
        return sub.rate(tau, zf)



def concat_batches(batches) -> UplinkBatch:
    """Stack batches of equal sizes (Nt, Nr, K, L) drawn with different SNRs (physical ``P_s``
    then differs per sample; ``Ps`` is kept from the first batch and only the normalised
    quantities, which carry the SNRs, are meaningful for the stacked batch)."""
    cat = lambda name: (None if getattr(batches[0], name) is None
                        else np.concatenate([getattr(b, name) for b in batches]))
    b0 = batches[0]
    return UplinkBatch(cat("a"), cat("Gn"), b0.L, cat("sigma_t"), cat("H"), cat("p"), b0.Ps,
                       b0.noise, cat("U_T"), cat("dist"), cat("xi"))
