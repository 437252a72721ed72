"""risisac.spec: the shared_models chapter's profiles and checks."""

import pytest

from risisac import spec
from risisac.book import params as rp


def test_profiles_and_table():
    for prof in ("book", "smoke", "paper"):
        P = spec.resolve(profile=prof)
        assert P.profile == prof
        assert "bias_tol" in repr(spec.table(P)) and "<table" in spec.table(P)._repr_html_()


def test_bad_parameter_is_named():
    with pytest.raises(rp.ParameterError, match="theta_b_deg"):
        spec.resolve(profile="book", theta_b_deg=70.0)
    with pytest.raises(rp.ParameterError, match="n_mc"):
        spec.resolve(profile="book", n_mc=1)
