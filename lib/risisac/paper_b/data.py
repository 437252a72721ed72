"""Paper B chapter: the seeded scenario draws shared by the chapter and its training job.

Every batch is drawn from its own named stream ``make_rng(P.seed, name, *sorted overrides)``,
so the training job (:mod:`risisac.paper_b.train`) and the chapter draw exactly the same
channels for the same name and parameters.
"""

from __future__ import annotations

from ..book.rng import make_rng
from . import model as U


def draw(P, name: str, B: int, paired: bool = False, **over) -> U.UplinkBatch:
    """``B`` scenarios at the resolved parameters ``P`` (overridden by ``over``).

    ``rep=r`` selects repetition ``r``'s stream (it is not a model parameter); ``paired=True``:
    the stream ignores the SNR overrides, so an SNR sweep shares its channel draws.
    """
    kw = dict(Nt=P.Nt, Nr=P.Nr, K=P.K, L=P.L, d0=P.d0, d_max=P.d_max,
              snr_s_db=P.snr_s_db, snr_c_db=P.snr_c_db)
    kw.update({k: v for k, v in over.items() if k != "rep"})
    key = sorted((k, v) for k, v in over.items() if not (paired and k.startswith("snr")))
    return U.draw_batch(make_rng(P.seed, name, *key), B, **kw)
