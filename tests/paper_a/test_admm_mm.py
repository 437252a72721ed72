"""risisac.paper_a.admm_mm: polyhedron projection, ADMM on the modulus set, the MM baseline."""

import numpy as np
import pytest
import torch

from risisac.book.torchutil import setup_torch

setup_torch()

from risisac.book.rng import make_rng  # noqa: E402
from risisac.paper_a import admm_mm as am  # noqa: E402
from risisac.paper_a import detection_net as pu  # noqa: E402
from risisac.paper_a import model as sm  # noqa: E402


@pytest.fixture(scope="module")
def small():
    b = sm.sample_batch(sm.SLPConfig(N=8, L=6), 3, make_rng(0, "test"))
    return b


def test_polyhedron_projection_kkt():
    rng = make_rng(7, "poly")
    V = torch.as_tensor(rng.standard_normal((2, 5, 4)) + 1j * rng.standard_normal((2, 5, 4)))
    d = torch.as_tensor(rng.uniform(-1, 0, (2, 5)))
    c = torch.as_tensor(rng.standard_normal((2, 4)) + 1j * rng.standard_normal((2, 4)))
    z = am.proj_polyhedron(c, V, d, iters=3000)
    assert ((V @ z[..., None])[..., 0].real - d).max() < 1e-6
    import cvxpy as cp
    for i in range(2):
        zr = cp.Variable(8)
        A = np.hstack([V[i].real.numpy(), -V[i].imag.numpy()])
        cc = np.concatenate([c[i].real.numpy(), c[i].imag.numpy()])
        cp.Problem(cp.Minimize(cp.sum_squares(zr - cc)), [A @ zr <= d[i].numpy()]).solve(solver=cp.CLARABEL)
        assert np.allclose(np.concatenate([z[i].real, z[i].imag]), zr.value, atol=1e-4)


def test_admm_linear_without_constraints_is_the_phase_of_b():
    b = torch.tensor([[1.0 + 1.0j, -2.0 + 0.0j]])
    w = am.admm_linear(b, b, None, None, 2.0)
    assert torch.allclose(w, 2.0 * b / b.abs())


def test_feasible_start_meets_ci(small):
    b = small
    X0, phi0 = pu.start_point(b, "ris", feasible=False)
    Xf = am.feasible_start(b, X0, phi0)
    assert (sm.ci_values(b, Xf, phi0) <= 1e-12).all()
    assert torch.allclose(Xf.abs(), torch.full(Xf.shape, np.sqrt(b.P / b.M)))


def test_admm_mm_monotone_and_feasible(small):
    b = small
    X0, phi0 = pu.start_point(b, "ris")
    out = am.admm_mm(b, X0, phi0, iters=3, trace=True)
    tr = out["trace"]
    assert (tr[:, 1:] >= tr[:, :-1] * (1 - 1e-12)).all()
    assert (tr[:, -1] > tr[:, 0]).all()
    assert (sm.ci_values(b, out["X"], out["phi"]) <= 1e-12).all()


def test_admm_mm_radar_only_beats_qos(small):
    b = small
    X0, phi0 = pu.start_point(b, "ris")
    ro = am.admm_mm(b, X0, phi0, iters=4, qos=False)
    assert torch.allclose(ro["X"].abs(), torch.full(ro["X"].shape, np.sqrt(b.P / b.M)))
    assert (ro["sinr"] >= sm.fast_sinr(b, X0, phi0)).all()
