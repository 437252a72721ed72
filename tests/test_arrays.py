"""Steering vectors, the RIS two-way channel and their derivatives vs finite differences."""
import numpy as np
import pytest

from risisac import arrays, channels
from risisac.book.rng import make_rng


def fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("theta", [-1.2, -0.3, 0.0, 0.7])
def test_ula_derivative_matches_fd(theta):
    n = 8
    assert np.allclose(arrays.ula_deriv(n, theta), fd(lambda t: arrays.ula(n, t), theta), atol=1e-7)


def test_ula_shape_broadcast_and_modulus():
    a = arrays.ula(6, np.array([0.1, 0.2, 0.3]))
    assert a.shape == (3, 6)
    assert np.allclose(np.abs(a), 1)
    assert np.allclose(a[:, 0], 1)


def test_upa_is_kron_and_reduces_to_ula():
    a = arrays.upa(4, 3, 0.4, 0.2)
    ay = np.exp(1j * np.pi * np.sin(0.4) * np.cos(0.2) * np.arange(4))
    az = np.exp(1j * np.pi * np.sin(0.2) * np.arange(3))
    assert np.allclose(a, np.kron(ay, az))
    assert np.allclose(arrays.upa(5, 1, 0.3, 0.0), arrays.ula(5, 0.3))


def _scene(seed=0, M=4, N=9):
    rng = make_rng(seed, "arrays-test")
    G = channels.rayleigh(rng, (N, M))
    phi = np.exp(1j * rng.uniform(0, 2 * np.pi, N))
    return G, phi


def test_two_way_channel_is_outer_product_of_cascade():
    G, phi = _scene()
    hd, hr = arrays.ula(4, 0.3), arrays.ula(9, -0.5)
    H = arrays.two_way_channel(hd, G, phi, hr)
    u = hd + G.T @ np.diag(phi) @ hr
    assert np.allclose(H, np.outer(u, u))
    assert np.allclose(H, H.T)  # reciprocity


def test_two_way_derivatives_match_fd():
    G, phi = _scene(1)
    M, N = 4, 9

    def H(tb, tr):
        return arrays.two_way_channel(arrays.ula(M, tb), G, phi, arrays.ula(N, tr))

    tb, tr = 0.25, -0.6
    dB, dR = arrays.two_way_derivatives(arrays.ula(M, tb), arrays.ula_deriv(M, tb), G, phi,
                                        arrays.ula(N, tr), arrays.ula_deriv(N, tr))
    assert np.allclose(dB, fd(lambda t: H(t, tr), tb), atol=1e-6)
    assert np.allclose(dR, fd(lambda t: H(tb, t), tr), atol=1e-6)


def test_cascade_jacobian_in_phi():
    G, phi = _scene(2)
    hd, hr = arrays.ula(4, 0.1), arrays.ula(9, 0.4)
    J = arrays.cascaded_jacobian_phi(G, hr)
    e = np.zeros(9, complex)
    e[3] = 1e-6
    du = (arrays.cascaded_vector(hd, G, phi + e, hr) - arrays.cascaded_vector(hd, G, phi - e, hr)) / 2e-6
    assert np.allclose(J[:, 3], du, atol=1e-8)


def test_batched_and_torch_agree():
    torch = pytest.importorskip("torch")
    G, phi = _scene(3)
    hd, hr = arrays.ula(4, 0.1), arrays.ula(9, 0.4)
    Hn = arrays.two_way_channel(hd, G, phi, hr)
    Ht = arrays.two_way_channel(*(torch.as_tensor(v) for v in (hd, G, phi, hr)))
    assert np.allclose(Hn, Ht.numpy())
    Gb = np.stack([G, 2 * G])
    Hb = arrays.two_way_channel(hd, Gb, phi, hr)
    assert np.allclose(Hb[0], Hn)


def test_geometry_helpers():
    assert np.isclose(channels.angle([0, 0], [1, 1]), np.pi / 4)
    assert np.isclose(channels.angle([0, 0], [1, 1], broadside=np.pi / 4), 0)
    p = channels.polar([1, 2], 5.0, 0.3)
    assert np.isclose(channels.distance([1, 2], p), 5.0)
    assert np.isclose(channels.angle([1, 2], p), 0.3)


def test_pathloss_laws():
    assert np.isclose(channels.lin2db(channels.pathloss(10.0, 2.0)), -50.0)
    assert np.isclose(channels.pathloss_3gpp_db(1000.0), 128.1)
    with pytest.raises(ValueError):
        channels.pathloss(0.0, 2.0)


def test_fading_statistics():
    rng = make_rng(0, "fading")
    h = channels.rayleigh(rng, 200_000)
    assert abs(np.mean(np.abs(h) ** 2) - 1) < 0.01
    los = np.exp(1j * 0.3) * np.ones(200_000)
    r = channels.rician(rng, los, kappa=2.0)
    assert abs(np.mean(r) - np.sqrt(2 / 3) * np.exp(1j * 0.3)) < 0.01
    assert abs(np.mean(np.abs(r) ** 2) - 1) < 0.01
