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


def test_liu_residual_rule():
    tr = [torch.tensor([10.0, 10.0])] + [torch.tensor([20.0, 10.0 + 0.01 * k]) for k in range(1, 30)]
    r1 = am.liu_residual(tr, 1)
    assert torch.allclose(r1, torch.tensor([1.0, 0.001]))             # |1 - cur/prev|
    r25 = am.liu_residual(tr, 25)
    # instance 0: constant -> both residuals 0; instance 1: the 20-iteration average is used
    avg = torch.stack(tr[5:25], -1).mean(-1)[1]
    assert float(r25[0]) == 0.0 and torch.isclose(r25[1], (1 - avg / tr[25][1]).abs())
    assert float(r25[1]) > float((1 - tr[25][1] / tr[24][1]).abs())


def test_admm_mm_stops_each_instance_on_its_own(small):
    b = small
    X0, phi0 = pu.start_point(b, "ris")
    out = am.admm_mm(b, X0, phi0, iters=60, tol=5e-4, trace=True, clock=True)
    it = out["iters"]
    assert out["converged"].all() and (it >= 2).all() and (it < 60).all()
    tr = out["trace"]
    for i in range(b.B):                                            # frozen after its own stop
        assert torch.all(tr[i, int(it[i]):] == tr[i, int(it[i])])
    assert len(out["seconds"]) == tr.shape[1] and out["seconds"][-1] > 0
    loose = am.admm_mm(b, X0, phi0, iters=60, tol=5e-2)
    assert (loose["iters"] <= it).all() and (loose["iters"] < it).any()


def test_admm_mm_result_of_an_instance_does_not_depend_on_the_batch(small):
    b = small
    X0, phi0 = pu.start_point(b, "ris")
    full = am.admm_mm(b, X0, phi0, iters=6, tol=5e-4)
    one = am.admm_mm(b.subset(slice(1, 2)), X0[1:2], phi0[1:2], iters=6, tol=5e-4)
    assert torch.allclose(one["sinr"][0], full["sinr"][1], rtol=1e-9) and int(one["iters"][0]) == int(full["iters"][1])
