"""DoA Cramer-Rao bound of Paper A (Sec. IV, (39)-(42), App. A (56)-(58)) and its gradients.

Observation (Paper A (8), Sec. IV): ``r ~ CN(alpha_0 vec(H_0 X), C)`` with

* ``H_0 = u_0 u_0^T``, ``u_0 = h_b0 + G^T diag(phi) h_r0`` (reciprocal two-way
  channel, :func:`risisac.arrays.two_way_channel`; ``h_b0`` depends on the BS
  DoA ``theta_0``, ``h_r0`` on the RIS DoA ``theta_RIS``);
* ``X = [x[1] ... x[L]]`` (M x L), ``vec`` slot-major as Paper A stacks ``r``;
* ``C = sigma_z^2 I + U U^H``, ``U = [xi_q vec(H_q X J_q)]_q`` (ML x Q), the
  clutter echoes of (4) with delay ``d_q`` (:func:`risisac.detection.echo`).

Everything is done on M x L matrices and Q x Q / 3 x 3 systems (Woodbury), never
on ML x ML matrices.

CRB (41): with ``B = [a, p_1, p_2] = [vec(H_0 X), vec(dH_0/dtheta_0 X), vec(dH_0/dtheta_RIS X)]``
and ``Gram = B^H C^{-1} B`` (3 x 3), the reduced FIM of the two angles after the
complex ``alpha_0`` is eliminated is ``J = 2|alpha_0|^2 Re{E Gram E^H}`` with
``E = [-g/gamma, I_2]`` (``gamma = Gram[0,0]``, ``g = Gram[1:,0]``), which is
:func:`risisac.estimation.reduced_fim_two_angles`; ``f_2 = Tr J^{-1}``.

Gradient (derived in the DoA chapter): ``df = Re tr(Omega dGram)`` with
``Omega = -2|alpha_0|^2 E^H J^{-2} E`` (Hermitian 3 x 3). With ``Y = C^{-1} B``
the "adjoints" ``V_i = (Y Omega)_{:,i}`` of ``a, p_1, p_2`` and
``V_q = -Y Omega Y^H U_q`` of the clutter echoes give
``df = 2 Re{ sum_i V_i^H dB_i + sum_q V_q^H dU_q }``, from which the gradients in
``X`` (adjoint of ``X -> H X J_d`` is ``V -> H^H V J_d^T``) and in ``phi`` (through
the M-vectors ``u_0``, ``dh_b0``-term, ``e_r = G^T(phi*dh_r0)``, ``u_q``) follow.

Gradient convention: for a real ``f`` of a complex ``z`` we return
``df/dRe z + j df/dIm z = 2 df/dz^*``, the same as ``torch.autograd``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
import torch

from ..detection import woodbury_solve
from ..estimation import reduced_fim_two_angles, inv2x2


@dataclass
class DoaChannels:
    """Channel set of one batch of scenarios (torch, complex128), batch axis first.

    ``G`` (B,N,M) BS-RIS; ``hb0, dhb0`` (B,M) BS->target response and its
    theta_0 derivative; ``hr0, dhr0`` (B,N) RIS->target response and its
    theta_RIS derivative; ``hbq`` (B,Q,M), ``hrq`` (B,Q,N) clutter responses;
    ``delays`` (Q ints) clutter range bins ``d_q``; ``xi2`` (Q,) clutter powers
    ``xi_q^2``; ``sigma2`` radar noise power ``xi_z^2``; ``alpha2`` = |alpha_0|^2.
    Paths with large-scale gains folded into the vectors (amplitude sqrt(PL)).
    """

    G: torch.Tensor
    hb0: torch.Tensor
    dhb0: torch.Tensor
    hr0: torch.Tensor
    dhr0: torch.Tensor
    hbq: torch.Tensor
    hrq: torch.Tensor
    delays: Sequence[int]
    xi2: torch.Tensor
    sigma2: float
    alpha2: float = 1.0

    @property
    def batch(self) -> int:
        return self.G.shape[0]

    def index(self, idx) -> "DoaChannels":
        """Sub-batch ``idx`` (slice or index tensor)."""
        return replace(self, G=self.G[idx], hb0=self.hb0[idx], dhb0=self.dhb0[idx],
                       hr0=self.hr0[idx], dhr0=self.dhr0[idx], hbq=self.hbq[idx], hrq=self.hrq[idx])


def channels_from_batch(b) -> "DoaChannels":
    """The radar part of a :class:`risisac.paper_a.model.SLPBatch` as :class:`DoaChannels`
    (``alpha2 = xi_0^2``: the CRB is evaluated at ``|alpha_0|^2 = E|alpha_0|^2``)."""
    return DoaChannels(G=b.G, hb0=b.h_bt, dhb0=b.dh_bt, hr0=b.h_rt, dhr0=b.dh_rt, hbq=b.h_bq,
                       hrq=b.h_rq, delays=tuple(b.bins), xi2=torch.as_tensor(b.xiq_2, dtype=torch.float64),
                       sigma2=float(b.sigma2), alpha2=float(b.xi0_2))


# ----------------------------------------------------------------------------- helpers

def _casc(G, phi, h):
    """``G^T (phi * h)`` batched: G (B,N,M), phi (B,N), h (B,...,N) -> (B,...,M)."""
    if h.dim() == 2:
        return torch.einsum("bnm,bn->bm", G, phi * h)
    return torch.einsum("bnm,bqn->bqm", G, phi[:, None, :] * h)


def _delay(X, d: int):
    """``X J_d``: columns delayed by d slots (zeros in), last axis = slots."""
    if d == 0:
        return X
    return torch.cat([torch.zeros_like(X[..., :d]), X[..., :-d]], -1)


def _advance(V, d: int):
    """Adjoint of :func:`_delay`: ``V J_d^T`` (columns advanced by d, zeros at the end)."""
    if d == 0:
        return V
    return torch.cat([V[..., d:], torch.zeros_like(V[..., :d])], -1)


def _ip(A, Bm):
    """Frobenius inner products ``<A_i, B_j> = sum conj(A_i) B_j`` over the last two axes.

    A (B,p,M,L), Bm (B,s,M,L) -> (B,p,s).
    """
    return torch.einsum("bpml,bsml->bps", A.conj(), Bm)


def _outer_apply(u, w, X):
    """``(u w^T) X`` for u, w (B,M), X (B,M,L) -> (B,M,L)."""
    return u[:, :, None] * torch.einsum("bm,bml->bl", w, X)[:, None, :]


# ----------------------------------------------------------------------------- model

def target_vectors(ch: DoaChannels, phi):
    """``u_0``, ``du_0/dtheta_0 = dh_b0`` and ``du_0/dtheta_RIS = G^T(phi*dh_r0)``."""
    u0 = ch.hb0 + _casc(ch.G, phi, ch.hr0)
    er = _casc(ch.G, phi, ch.dhr0)
    return u0, ch.dhb0, er


def clutter_vectors(ch: DoaChannels, phi):
    """``u_q = h_bq + G^T(phi*h_rq)`` (B,Q,M)."""
    return ch.hbq + _casc(ch.G, phi, ch.hrq)


def columns(ch: DoaChannels, X, phi):
    """``B = [H_0 X, dH_0/dtheta_0 X, dH_0/dtheta_RIS X]`` (B,3,M,L) and clutter echoes
    ``U_q = xi_q H_q X J_q`` (B,Q,M,L) (Paper A (8), (56))."""
    u0, eb, er = target_vectors(ch, phi)
    a = _outer_apply(u0, u0, X)
    p1 = _outer_apply(eb, u0, X) + _outer_apply(u0, eb, X)
    p2 = _outer_apply(er, u0, X) + _outer_apply(u0, er, X)
    Bm = torch.stack([a, p1, p2], 1)
    uq = clutter_vectors(ch, phi)
    xi = torch.sqrt(torch.as_tensor(ch.xi2, dtype=X.real.dtype))
    U = torch.stack([xi[q] * _outer_apply(uq[:, q], uq[:, q], _delay(X, d))
                     for q, d in enumerate(ch.delays)], 1)
    return Bm, U, (u0, eb, er, uq)


def woodbury_apply(Bm, U, sigma2):
    """``C^{-1} B`` and ``B^H C^{-1} B`` for ``C = sigma2 I + U U^H``.

    ``Bm`` (B,p,M,L) holds p space-time columns, ``U`` (B,Q,M,L) the clutter echoes.
    The inverse is :func:`risisac.detection.woodbury_solve` (a Q x Q solve); this
    function only flattens the (M, L) axes and forms the p x p Gram matrix.
    """
    n = Bm.shape[-2] * Bm.shape[-1]
    Bv = Bm.reshape(*Bm.shape[:-2], n)                              # (B,p,n)
    Uv = U.reshape(*U.shape[:-2], n).mT[:, None]                    # (B,1,n,Q)
    Yv = woodbury_solve(Bv, Uv, sigma2)                             # (B,p,n) = C^{-1} B
    Gram = Bv.conj() @ Yv.mT                                        # (B,p,p)
    Gram = 0.5 * (Gram + Gram.conj().mT)
    return Yv.reshape(Bm.shape), Gram


def gram_matrix(ch: DoaChannels, X, phi):
    """The 3 x 3 Gram matrix ``[a,p1,p2]^H C^{-1} [a,p1,p2]`` (App. A (57))."""
    Bm, U, _ = columns(ch, X, phi)
    return woodbury_apply(Bm, U, ch.sigma2)[1]


def crb(ch: DoaChannels, X, phi):
    """``f_2(x, phi) = Tr{CRB_theta}`` of (41)/(42a), shape (B,)."""
    J = reduced_fim_two_angles(gram_matrix(ch, X, phi), ch.alpha2)
    Ji = inv2x2(J)
    return Ji[..., 0, 0] + Ji[..., 1, 1]


def crb_matrix(ch: DoaChannels, X, phi):
    """The 2 x 2 CRB matrix of ``[theta_0, theta_RIS]`` (40)."""
    return inv2x2(reduced_fim_two_angles(gram_matrix(ch, X, phi), ch.alpha2))


def crb_and_grad(ch: DoaChannels, X, phi, want_phi: bool = True):
    """``f_2``, its gradient in ``X`` (B,M,L) and in ``phi`` (B,N) (closed form, see module doc).

    Differentiable by torch (the formulas are torch ops), so an unfolded network
    built on it can be trained by back-propagation.
    """
    Bm, U, (u0, eb, er, uq) = columns(ch, X, phi)
    Y, Gram = woodbury_apply(Bm, U, ch.sigma2)
    J = reduced_fim_two_angles(Gram, ch.alpha2)
    Ji = inv2x2(J)
    f = Ji[..., 0, 0] + Ji[..., 1, 1]
    K = Ji @ Ji                                                     # J^{-2}
    gamma = Gram[..., 0, 0].real
    g = Gram[..., 1:, 0]
    Bsz = X.shape[0]
    E = torch.cat([(-g / gamma[:, None])[..., None], torch.eye(2, dtype=Gram.dtype).expand(Bsz, 2, 2)], -1)
    Omega = -2 * ch.alpha2 * (E.conj().mT @ K.to(Gram.dtype) @ E)   # (B,3,3) Hermitian
    V = torch.einsum("biml,bij->bjml", Y, Omega)                    # adjoints of a, p1, p2
    YU = _ip(Y, U)                                                  # (B,3,Q) = Y^H U
    Vq = -torch.einsum("biml,bij,bjq->bqml", Y, Omega, YU)           # adjoints of U_q
    xi = torch.sqrt(torch.as_tensor(ch.xi2, dtype=X.real.dtype))
    # --- gradient in X: sum_i A_i^H V_i + sum_q A_q^H V_q  (times 2: torch convention)
    H0 = u0[:, :, None] * u0[:, None, :]
    dHb = eb[:, :, None] * u0[:, None, :] + u0[:, :, None] * eb[:, None, :]
    dHr = er[:, :, None] * u0[:, None, :] + u0[:, :, None] * er[:, None, :]
    gX = (H0.conj().mT @ V[:, 0] + dHb.conj().mT @ V[:, 1] + dHr.conj().mT @ V[:, 2])
    for q, d in enumerate(ch.delays):
        Hq = uq[:, q, :, None] * uq[:, q, None, :]
        gX = gX + xi[q] * _advance(Hq.conj().mT @ Vq[:, q], d)
    gX = 2 * gX
    if not want_phi:
        return f, gX, None

    # --- gradient in phi through the M-vectors (holomorphic in phi)
    def Ssym(Xt, Vt):                                               # m + m^T, m = Xt V^H
        m = Xt @ Vt.conj().mT
        return m + m.mT

    Sa, S1, S2 = Ssym(X, V[:, 0]), Ssym(X, V[:, 1]), Ssym(X, V[:, 2])
    mv = lambda S, w: torch.einsum("bij,bj->bi", S, w)
    g_u0 = (mv(Sa, u0) + mv(S1, eb) + mv(S2, er)).conj()
    g_er = mv(S2, u0).conj()
    Gc = ch.G.conj()
    gphi = ch.hr0.conj() * torch.einsum("bnm,bm->bn", Gc, g_u0) \
        + ch.dhr0.conj() * torch.einsum("bnm,bm->bn", Gc, g_er)
    for q, d in enumerate(ch.delays):
        Sq = Ssym(_delay(X, d), Vq[:, q])
        g_uq = xi[q] * mv(Sq, uq[:, q]).conj()
        gphi = gphi + ch.hrq[:, q].conj() * torch.einsum("bnm,bm->bn", Gc, g_uq)
    return f, gX, 2 * gphi


# ----------------------------------------------------------------------------- checks

def fim_full_dense(ch: DoaChannels, X, phi, b: int = 0):
    """Reference: the full 4 x 4 FIM (39) of ``[theta_0, theta_RIS, Re a0, Im a0]`` for
    scenario ``b`` with a dense ``C`` (ML x ML; tests only). ``alpha_0 = sqrt(alpha2)``."""
    Bm, U, _ = columns(ch, X, phi)
    vec = lambda A: A.mT.reshape(*A.shape[:-2], -1)                 # slot-major vec
    Bv = vec(Bm[b])                                                 # (3, ML)
    Uv = vec(U[b])                                                  # (Q, ML)
    n = Bv.shape[-1]
    C = ch.sigma2 * torch.eye(n, dtype=Bv.dtype) + Uv.T @ Uv.conj()
    alpha = np.sqrt(ch.alpha2)
    dmu = torch.stack([alpha * Bv[1], alpha * Bv[2], Bv[0], 1j * Bv[0]], -1)   # (56)
    return 2 * (dmu.conj().T @ torch.linalg.solve(C, dmu)).real     # (39), C independent of eps


def crb_from_full_fim(F):
    """Tr of the theta block of ``F^{-1}`` (40)-(41)."""
    E = torch.linalg.inv(F)
    return E[0, 0] + E[1, 1]
