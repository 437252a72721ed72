"""The closed-form two-angle CRB against a brute-force Slepian-Bangs FIM (finite differences)."""
import numpy as np
import pytest

from risisac import arrays, channels, detection, estimation
from risisac.book.rng import make_rng


def scene(seed=0, M=5, N=8, L=6, Q=2):
    rng = make_rng(seed, "crb-test")
    G = channels.rayleigh(rng, (N, M))
    phi = np.exp(1j * rng.uniform(0, 2 * np.pi, N))
    X = channels.rayleigh(rng, (M, L))
    U = channels.rayleigh(rng, (M * L, Q))
    return G, phi, X, U


def mean_vec(theta, alpha, G, phi, X):
    M, N = X.shape[0], G.shape[0]
    H = arrays.two_way_channel(arrays.ula(M, theta[0]), G, phi, arrays.ula(N, theta[1]))
    return alpha * (H @ X).T.reshape(-1)


def test_crb_matches_brute_force_fim_with_clutter():
    G, phi, X, U = scene()
    sigma2 = 0.7
    C = sigma2 * np.eye(U.shape[0]) + U @ U.conj().T
    Cinv = np.linalg.inv(C)
    theta, alpha = np.array([0.2, -0.4]), 0.8 - 0.5j

    # brute force: real parameters [tB, tR, Re a, Im a], derivatives by central differences
    def mu(p):
        return mean_vec(p[:2], p[2] + 1j * p[3], G, phi, X)
    p0 = np.array([*theta, alpha.real, alpha.imag])
    h = 1e-6
    D = np.stack([(mu(p0 + h * e) - mu(p0 - h * e)) / (2 * h) for e in np.eye(4)], -1)
    F = estimation.fim_gaussian_mean(D, Cinv)
    crb_brute = np.linalg.inv(F)[:2, :2]
    assert np.allclose(np.linalg.inv(estimation.schur(F, [0, 1])), crb_brute, rtol=1e-6)

    # closed form from the 3x3 Gram matrix, C^{-1} applied by Woodbury
    M, N = X.shape[0], G.shape[0]
    hd, hr = arrays.ula(M, theta[0]), arrays.ula(N, theta[1])
    H = arrays.two_way_channel(hd, G, phi, hr)
    dB, dR = arrays.two_way_derivatives(hd, arrays.ula_deriv(M, theta[0]), G, phi, hr,
                                        arrays.ula_deriv(N, theta[1]))
    B = np.stack([(A @ X).T.reshape(-1) for A in (H, dB, dR)], -1)
    CinvB = np.stack([detection.woodbury_solve(B[:, i], U, sigma2) for i in range(3)], -1)
    Gram = estimation.gram(B, CinvB)
    crb = estimation.crb_two_angles(Gram, abs(alpha) ** 2)
    assert np.allclose(crb, crb_brute, rtol=1e-5)
    assert np.isclose(estimation.crb_trace(Gram, abs(alpha) ** 2), np.trace(crb_brute), rtol=1e-5)


def test_crb_batched_numpy_and_torch():
    torch = pytest.importorskip("torch")
    rng = make_rng(1, "gram")
    B = channels.rayleigh(rng, (4, 20, 3))
    Gram = estimation.gram(B)
    c_np = estimation.crb_two_angles(Gram, np.array([1.0, 2.0, 0.5, 1.0]))
    c_t = estimation.crb_two_angles(torch.as_tensor(Gram), torch.tensor([1.0, 2.0, 0.5, 1.0]))
    assert np.allclose(c_np, c_t.numpy())
    for i in range(4):  # each equals the inverse of the Schur complement of the full FIM
        b = B[i]
        D = np.stack([b[:, 1], b[:, 2], b[:, 0], 1j * b[:, 0]], -1)
        a2 = [1.0, 2.0, 0.5, 1.0][i]
        D[:, :2] *= np.sqrt(a2)  # |alpha| scaling of the angle derivatives (phase irrelevant)
        F = estimation.fim_gaussian_mean(D)
        assert np.allclose(c_np[i], np.linalg.inv(F)[:2, :2], rtol=1e-8)


def test_inv2x2():
    rng = make_rng(2, "inv")
    A = rng.standard_normal((5, 2, 2)) + 3 * np.eye(2)
    assert np.allclose(estimation.inv2x2(A), np.linalg.inv(A))


def test_real_observation_fim():
    rng = make_rng(3, "real")
    D = rng.standard_normal((10, 3))
    assert np.allclose(estimation.fim_gaussian_mean(D, real=True), D.T @ D)
