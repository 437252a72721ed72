"""risisac.channels: path loss, fading statistics and geometry."""

import numpy as np
import pytest

from risisac import channels as C
from risisac.book.rng import make_rng


def test_db_conversions_and_pathloss():
    assert np.allclose(C.db2lin([0, 10, -30]), [1, 10, 1e-3])
    assert np.allclose(C.lin2db(C.db2lin(7.3)), 7.3)
    assert np.isclose(C.dbm2watt(30), 1.0)
    assert np.isclose(C.pathloss(10.0, 2.0), 1e-3 * 1e-2)          # C0 (d0/d)^rho
    assert np.isclose(C.pathloss(2.0, 3.0, C0_db=0, d0=1.0), 1 / 8)
    assert np.isclose(C.pathloss_3gpp_db(1000.0), 128.1)
    assert np.isclose(C.pathloss_3gpp_db(200.0), 128.1 + 37.6 * np.log10(0.2))
    with pytest.raises(ValueError, match="d ="):
        C.pathloss(0.0, 2.0)


def test_fading_statistics():
    rng = make_rng(0, "fading")
    h = C.rayleigh(rng, 200_000)
    assert abs(np.mean(np.abs(h) ** 2) - 1) < 0.01 and abs(np.mean(h)) < 0.01
    assert abs(np.mean(h.real ** 2) - 0.5) < 0.01 and abs(np.mean(h.real * h.imag)) < 0.01
    los = np.exp(1j * np.linspace(0, 3, 100_000))
    r = C.rician(rng, los, 4.0)
    assert np.allclose(np.mean(r / los), np.sqrt(4 / 5), atol=0.01)
    assert abs(np.mean(np.abs(r) ** 2) - 1) < 0.01


def test_geometry():
    assert np.isclose(C.distance([0, 0], [3, 4]), 5)
    assert np.isclose(C.angle([0, 0], [1, 1]), np.pi / 4)
    assert np.isclose(C.angle([0, 0], [1, 1], broadside=np.pi / 2), -np.pi / 4)
    assert np.isclose(C.angle([0, 0], [-1, -1e-12]), -np.pi, atol=1e-9) or np.isclose(C.angle([0, 0], [-1, -1e-12]), np.pi)
    p = C.polar([1, 1], 2.0, np.pi / 2)
    assert np.allclose(p, [1, 3])
