"""Intervals and interval verdicts (risisac.book.stats): checked against closed forms."""
import math

import numpy as np
import pytest

from risisac.book import stats


def test_mean_ci_is_the_student_t_interval():
    x = [1.0, 2.0, 3.0, 4.0]
    e = stats.mean_ci(x)
    half = 3.182446305284263 * np.std(x, ddof=1) / 2      # t_{0.975, 3} * s / sqrt(4)
    assert e.n == 4 and e.mean == 2.5
    assert math.isclose(e.hi - e.mean, half, rel_tol=1e-9) and math.isclose(e.mean - e.lo, half, rel_tol=1e-9)
    with pytest.raises(ValueError):
        stats.mean_ci([1.0])
    with pytest.raises(ValueError):
        stats.mean_ci([1.0, float("nan")])


def test_paired_ci_is_the_interval_of_differences():
    a, b = np.array([3.0, 4.0, 6.0]), np.array([1.0, 1.5, 2.0])
    e = stats.paired_ci(a, b)
    f = stats.mean_ci(a - b)
    assert (e.mean, e.lo, e.hi, e.kind) == (f.mean, f.lo, f.hi, "paired difference")
    with pytest.raises(ValueError):
        stats.paired_ci([1, 2], [1, 2, 3])


def test_wilson_interval():
    e = stats.proportion_ci(8, 10)
    z = 1.959963984540054
    c = (0.8 + z * z / 20) / (1 + z * z / 10)
    h = z * math.sqrt(0.8 * 0.2 / 10 + z * z / 400) / (1 + z * z / 10)
    assert math.isclose(e.lo, c - h, rel_tol=1e-12) and math.isclose(e.hi, c + h, rel_tol=1e-12)
    assert stats.proportion_ci([True, False, True, True]).mean == 0.75
    assert stats.proportion_ci(0, 5).lo == 0.0 and stats.proportion_ci(5, 5).hi == 1.0


@pytest.mark.parametrize("lo, hi, band, verdict", [
    (2.0, 3.0, (1.0, 4.0), "reproduced"), (5.0, 6.0, (1.0, 4.0), "not reproduced"),
    (-1.0, 0.5, (1.0, 4.0), "not reproduced"), (3.0, 5.0, (1.0, 4.0), "inconclusive"),
    (2.0, 3.0, (None, 4.0), "reproduced"), (2.0, 3.0, (2.5, None), "inconclusive"),
])
def test_band_verdict(lo, hi, band, verdict):
    e = stats.Estimate(0.5 * (lo + hi), lo, hi, 10)
    assert stats.band_verdict(e, *band) == verdict


def test_fmt_est_precision_follows_the_interval():
    assert stats.fmt_est(stats.Estimate(1.23456, 1.2, 1.27, 8)) == "1.23 [1.20, 1.27] (n = 8)"
    assert stats.fmt_est(stats.Estimate(12.3456, 10.3, 14.3, 8)) == "12 [10, 14] (n = 8)"
    assert stats.fmt_est(stats.proportion_ci(3, 4)).startswith("3/4 = 0.75 [")
    assert stats.fmt_est(stats.exact(0.123456)) == "0.1235"
    assert stats.fmt_num(-0.0001, 2) == "0.00"
