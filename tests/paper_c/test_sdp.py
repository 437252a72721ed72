"""Tests of the (J_aux, f) projection (risisac.paper_c.sdp)."""

import numpy as np

from risisac.paper_c import crb, sdp


def test_sdp_newton_matches_cvxpy(small):
    sc, W, phi, rng = small
    y = sc.eps * crb.F_values(sc, W, phi)
    # scale y so that the constraint is active / inactive
    c = crb.crb_trace_f(y)
    y_act = y * c / 2.0          # tr(A^-1) = 2 > 1
    f1, J1, info = sdp.project_crb_set(y_act, 1.0, 1.0, return_info=True)
    f2, J2 = sdp.project_crb_set_cvxpy(y_act, 1.0, 1.0)
    assert info["active"]
    assert crb.crb_trace_f(f1) <= 1 + 1e-8
    assert abs(np.linalg.norm(f1 - y_act) - np.linalg.norm(f2 - y_act)) < 1e-4 * np.linalg.norm(y_act)
    y_in = y * c * 2.0
    f3, _, info3 = sdp.project_crb_set(y_in, 1.0, 1.0, return_info=True)
    assert not info3["active"] and np.allclose(f3, y_in)
