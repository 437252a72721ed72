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


def test_crb_bands_reject_an_inefficient_estimator_and_wrong_bounds():
    """The bands of the chapter's CRB claims are not vacuous. On the chapter's scene (M = 4,
    N = 8, L = 8, 20 dB) the ML estimator's MSE/CRB, with the chapter's statistics and declared
    bands: an estimator that discards half of the block (its own bound is 2.3-2.8 times larger)
    fails the efficiency band; a CRB twice too large (Fisher information without the factor 2)
    fails the lower-bound and efficiency bands; a CRB that ignores the unknown reflection
    coefficient is not accepted; the efficient estimator with the right CRB is not rejected."""
    from risisac import spec
    from risisac.book.stats import band_verdict
    M, N, L, T = 4, 8, 8, 200
    deg = np.pi / 180
    th = np.array([10.0, -20.0]) * deg
    rng = make_rng(1, "crb-band-test")
    G = channels.rayleigh(rng, (N, M))
    phi = np.exp(1j * rng.uniform(0, 2 * np.pi, N))
    X = channels.rayleigh(rng, (M, L))

    def basis_of(Xb):
        def basis(t1, t2):
            H = arrays.two_way_channel(arrays.ula(M, t1), G, phi, arrays.ula(N, t2))
            return np.swapaxes(H @ Xb, -1, -2).reshape(*np.shape(t1), -1)
        return basis

    H0 = arrays.two_way_channel(arrays.ula(M, th[0]), G, phi, arrays.ula(N, th[1]))
    dB, dR = arrays.two_way_derivatives(arrays.ula(M, th[0]), arrays.ula_deriv(M, th[0]), G, phi,
                                        arrays.ula(N, th[1]), arrays.ula_deriv(N, th[1]))
    gram_w = estimation.gram(np.stack([(A @ X).T.reshape(-1) for A in (H0, dB, dR)], -1))
    h = basis_of(X)(np.array(th[0]), np.array(th[1]))
    sigma2 = np.linalg.norm(h) ** 2 / h.size / 10 ** (20 / 10)
    crb = np.diag(estimation.crb_two_angles(gram_w / sigma2, 1.0))
    R = h + channels.rayleigh(make_rng(1, "crb-band-noise"), (T, h.size)) * np.sqrt(sigma2)
    g1, g2 = th[0] + np.linspace(-3, 3, 13) * deg, th[1] + np.linspace(-3, 3, 13) * deg
    err = estimation.ml_two_angles(R, basis_of(X), g1, g2) - th
    half = R.reshape(T, L, M)[:, : L // 2].reshape(T, -1)           # slots 1..L/2 only
    err_half = estimation.ml_two_angles(half, basis_of(X[:, : L // 2]), g1, g2) - th

    eff_band = spec.CLAIMS["crb-efficiency-theta_B"].band
    assert eff_band == spec.CLAIMS["crb-efficiency-theta_R"].band
    low_band = spec.CLAIMS["crb-lower-bound"].band
    v = lambda e, band: band_verdict(e, *band)
    assert all(v(e, eff_band) != "not reproduced" for e in spec.mse_to_crb(err, crb))
    assert v(spec.mse_to_crb_per_trial(err, crb), low_band) != "not reproduced"
    assert all(v(e, eff_band) == "not reproduced" for e in spec.mse_to_crb(err_half, crb))
    assert all(v(e, eff_band) == "not reproduced" for e in spec.mse_to_crb(err, 2 * crb))
    assert v(spec.mse_to_crb_per_trial(err, 2 * crb), low_band) == "not reproduced"
    no_nuisance = np.diag(np.linalg.inv(2 * (gram_w / sigma2)[1:, 1:].real))   # alpha taken as known
    assert np.all(no_nuisance < 0.7 * crb)
    assert all(v(e, eff_band) != "reproduced" for e in spec.mse_to_crb(err, no_nuisance))
