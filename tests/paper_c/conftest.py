"""Shared small instances of the Paper C tests."""

import numpy as np
import pytest

from risisac.book.rng import make_rng
from risisac.paper_c import bcd as rb
from risisac.paper_c import model as ry
from risisac.paper_c.crb import crb_trace, sensing_parts

ry.limit_blas_threads(1)


@pytest.fixture(scope="session")
def small():
    """A small realisation, a random precoder and random RIS phases."""
    cfg = ry.ScenarioConfig(K=2, M=6, N=12, Nt=4)
    sc = ry.make_scenario(cfg, make_rng(3, "test"))
    rng = make_rng(3, "test-point")
    phi = np.exp(1j * rng.uniform(0, 2 * np.pi, sc.N))
    W = rng.standard_normal((sc.Nt, sc.K)) + 1j * rng.standard_normal((sc.Nt, sc.K))
    W *= np.sqrt(sc.P) / np.linalg.norm(W)
    return sc, W, phi, rng


def binding_instances(n=4):
    """Small instances whose CRB bound binds: eps is the geometric mean of the CRB of a design
    beamed at the target (all power on span{v_t*, v_B*, v_R*}) and of the Comm-only design (so
    Comm-only violates it and a feasible design exists)."""
    cfg = ry.ScenarioConfig(K=2, M=6, N=16, Nt=4, sigma_r2_rel_db=3.0)
    out = []
    t = 0
    while len(out) < n:
        sc = ry.make_scenario(cfg, make_rng(3, "test", t))
        t += 1
        phi0 = rb.bf_only_phi(sc)
        W0 = rb.init_point(sc, phi0)
        v, vB, vR, _, _ = sensing_parts(sc, phi0)           # a feasible reference design:
        Q, _ = np.linalg.qr(np.conj(np.stack([v, vB, vR], 1)))  # all power on the FIM's span
        Ws = Q[:, : sc.K] * np.sqrt(sc.P / sc.K)
        cm = crb_trace(sc, Ws, phi0)
        rc = rb.bcd(sc, phi0, W0, rb.BCDOptions(sensing=False))
        cc = crb_trace(sc, rc.W, rc.phi)
        if cc > 2 * cm:
            out.append((sc.with_eps(float(np.sqrt(cm * cc))), phi0, W0, rc))
    return out


@pytest.fixture(scope="session")
def binding():
    return binding_instances()
