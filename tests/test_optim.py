import numpy as np
import pytest

from risisac import optim


def test_unit_modulus_projection_is_nearest_point():
    z = np.array([3 + 4j, -0.1j, 0.0])
    p = optim.proj_unit_modulus(z)
    assert np.allclose(np.abs(p), 1)
    assert np.allclose(p[:2], [0.6 + 0.8j, -1j])
    rng = np.random.default_rng(0)
    cand = np.exp(1j * rng.uniform(0, 2 * np.pi, 1000))
    assert np.abs(z[0] - p[0]) <= np.min(np.abs(z[0] - cand)) + 1e-12


def test_constant_modulus_and_box():
    x = np.array([1 + 1j, 0.01, -2j])
    p = optim.proj_constant_modulus(x, power=6.0, M=3)
    assert np.allclose(np.abs(p), np.sqrt(2.0))
    b = optim.proj_box_modulus(np.array([2.0, 0.5j]), 1.0)
    assert np.allclose(b, [1.0, 0.5j])
    w = optim.proj_ball(np.array([3.0, 4.0]), 1.0)
    assert np.isclose(np.linalg.norm(w), 1.0)


def test_torch_projection():
    torch = pytest.importorskip("torch")
    z = torch.tensor([3 + 4j, 0j])
    assert torch.allclose(optim.proj_unit_modulus(z), torch.tensor([0.6 + 0.8j, 1 + 0j]))
