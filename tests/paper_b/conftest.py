import pytest

from risisac.book.rng import make_rng
from risisac.paper_b import model as U


@pytest.fixture(scope="module")
def small():
    """24 scenarios, Nt = 6, Nr = 5, K = 3, L = 8 (drawn with U_T)."""
    rng = make_rng(0, "test-uplink")
    b = U.draw_batch(rng, 24, Nt=6, Nr=5, K=3, L=8, snr_s_db=10, snr_c_db=0, with_UT=True)
    return b, U.Problem.from_batch(b)
