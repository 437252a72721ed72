"""Tests of the fractional-programming blocks (risisac.paper_c.fp)."""

import numpy as np

from risisac.paper_c import fp
from risisac.paper_c import model as ry


def test_fp_closed_forms_and_quadratic_forms(small):
    sc, W, phi, rng = small
    r, C, E = fp.fp_update(sc, W, phi)
    assert np.allclose(r, ry.sinr(sc, W, phi))
    # (36)-(42): at the optimal r, c the FP objective equals U_com in nats
    assert np.isclose(fp.fp_objective(sc, W, phi, r, C), ry.sum_rate(sc, W, phi, bits=False))
    # (43)-(45): FP(W) = Re{a^H w} - sum_j w_j^H T w_j + const
    T, a = fp.fp_W_terms(sc, E, r, C)
    W2 = W + 0.3 * (rng.standard_normal(W.shape) + 1j * rng.standard_normal(W.shape))

    def quadW(X):
        return np.real(np.vdot(a, X)) - np.real(np.vdot(X, T @ X))
    lhs = fp.fp_objective(sc, W2, phi, r, C) - fp.fp_objective(sc, W, phi, r, C)
    assert np.isclose(lhs, quadW(W2) - quadW(W))
    # (46)-(47) with ||c_k||^2: FP(phi) = Re{g^H phi} - phi^H D phi + const
    EE = np.einsum("kmn,kml->knl", sc.E_ru.conj(), sc.E_ru)
    D, g = fp.fp_phi_terms(sc, W, r, C, EE)
    p2 = np.exp(1j * rng.uniform(0, 2 * np.pi, sc.N))

    def quadP(p):
        return np.real(np.vdot(g, p)) - np.real(np.vdot(p, D @ p))
    lhs = fp.fp_objective(sc, W, p2, r, C) - fp.fp_objective(sc, W, phi, r, C)
    assert np.isclose(lhs, quadP(p2) - quadP(phi))
