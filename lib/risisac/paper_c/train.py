"""Precompute the chapter's sweeps: ``make train CHAPTER=paperC_rydberg [PROFILE=book]``.

Runs every figure point of Paper C (Figs. 3b, 4a-c, 5a-c) over ``trials`` channel realisations
with the four schemes and stores the per-realisation numbers in ``out/sweeps.json``, with a
record (commit, seed, parameters, run time, and the digests of the claim declarations in force,
:func:`risisac.book.ledger.digests`) in ``out/record.json``. The chapter loads them and
re-solves ``n_live`` realisations of the default point live to check that they match.
"""

from __future__ import annotations

import json
import pathlib
import platform
import time

import numpy as np

from ..book import artefacts
from ..book.ledger import digests
from ..book.ledger import git_commit as _commit
from . import experiment as ex
from . import model as ry
from .spec import CLAIMS, SPEC, rp

RESTORE = "make train CHAPTER=paperC_rydberg"


def points(P) -> list:
    """``(key, value, overrides, eps)`` of every point (the default point first)."""
    pts = [("default", None, {}, None)]
    pts += [("snr_db", v, {"snr_db": v}, None) for v in P.snr_sweep if v != P.snr_db]
    pts += [("N", v, {"N": v}, None) for v in P.N_sweep if v != P.N]
    pts += [("M", v, {"M": v}, None) for v in P.M_sweep if v != P.M]
    pts += [("K", v, {"K": v}, None) for v in P.K_sweep if v != P.K]
    pts += [("eps", v, {}, v) for v in P.eps_sweep if not np.isclose(v, P.eps)]
    return pts


def _round(x):
    if isinstance(x, float):
        return float(f"{x:.6g}")
    if isinstance(x, (list, tuple)):
        return [_round(v) for v in x]
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    if isinstance(x, (np.floating,)):
        return float(f"{float(x):.6g}")
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def exact_block(P, designs: dict, dip) -> dict:
    """Exact-receiver rates of stored designs ``{scheme: [(W, phi), ...]}``."""
    out = {}
    for s, lst in designs.items():
        for mode in ("drawn", "design"):
            out[f"{s}|{mode}"] = [ex.exact_rates(P, ex.scenario(P, t, dip), W, phi, P.rsr_sweep,
                                                 t, mode == "design")
                                  for t, (W, phi) in enumerate(lst)]
    return out


def compute(P, dip, log=print) -> tuple[dict, dict]:
    """Every point over ``P.trials`` realisations, plus the exact-receiver block: ``(data, seconds)``."""
    ry.limit_blas_threads(1)
    data, times, designs = {}, {}, {}
    for key, val, over, eps in points(P):
        t1 = time.perf_counter()
        name = "default" if key == "default" else f"{key}={val:g}"
        reuse = {"Comm-only": data["default"]["Comm-only"]} if key == "eps" else None
        data[name] = ex.solve_point(P, P.trials, dipole_Cm=dip, eps=eps, reuse=reuse,
                                    designs=designs if key == "default" else None, **over)
        times[name] = time.perf_counter() - t1
        log(f"{name}: {times[name]:.1f} s")
    t1 = time.perf_counter()
    data["exact"] = exact_block(P, designs, dip)
    times["exact"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    data["design_snr"] = design_snr_block(P, dip)
    times["design_snr"] = time.perf_counter() - t1
    return _round(data), times


def design_snr_block(P, dip) -> dict:
    """The default point with the SNR (104) set at each design (:func:`.experiment.solve_at_design_snr`)."""
    out: dict = {}
    for t in range(P.trials):
        for s, rec in ex.solve_at_design_snr(P, t, dipole_Cm=dip).items():
            for k, v in rec.items():
                out.setdefault(s, {}).setdefault(k, []).append(v)
    return _round(out)


def main(profile: str, out: pathlib.Path) -> dict:
    """Entry point of ``tools/train.py``: writes ``sweeps.json`` and ``record.json`` in ``out``."""
    import os

    import torch
    from ..book import provenance
    source = provenance.check_clean()
    clock = provenance.Clock()
    torch.set_num_threads(int(os.environ.get("RISISAC_THREADS", 1)))   # one thread unless declared (BLAS: compute)
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    P = rp.resolve(SPEC, None, profile=profile)
    t0 = time.perf_counter()
    dip = ry.arc_transition()["dipole_Cm"]
    data, times = compute(P, dip, log=lambda s: print(s, flush=True))
    (out / "sweeps.json").write_text(json.dumps(data))
    rec = dict(chapter="paperC_rydberg", profile=profile, commit=_commit(), seed=P.seed,
               parameters=P.as_dict(), seconds=round(time.perf_counter() - t0, 1),
               seconds_per_point={k: round(v, 1) for k, v in times.items()},
               machine=platform.machine(), python=platform.python_version(),
               declarations=digests(CLAIMS),
               provenance=provenance.record("paperC_rydberg", f"paper_c.train {profile}", P.as_dict(), clock=clock,
                                            claims=CLAIMS, source=source))
    (out / "record.json").write_text(json.dumps(rec, indent=1))
    return data


def load_or_compute(P, dip, root: pathlib.Path | None = None) -> tuple[dict, dict | None]:
    """The chapter's data: ``models/paperC_rydberg/sweeps.json`` if ``P.precomputed`` (its record
    must carry the same parameters), else computed now (only where the parameters ask for it).
    A missing or damaged file stops with its name and the command that regenerates it
    (:mod:`risisac.book.artefacts`). Returns ``(data, record)``."""
    if not P.precomputed:
        return compute(P, dip, log=lambda s: None)[0], None
    from ..book.ledger import repo_root
    folder = (root or repo_root()) / "models" / "paperC_rydberg"
    rec = artefacts.load_json(folder / "record.json", "the record of the stored Paper C sweeps", RESTORE)
    mine = {k: v for k, v in P.as_dict().items() if k not in ("n_live", "precomputed", "profile")}
    theirs = {k: v for k, v in rec.get("parameters", {}).items() if k in mine}
    if theirs != mine:
        diff = sorted(k for k in mine if theirs.get(k) != mine[k])
        raise artefacts.ArtefactError(
            f"models/paperC_rydberg was computed with other parameters ({diff}); regenerate it with "
            f"`{RESTORE}` or set precomputed=False")
    data = artefacts.load_json(folder / "sweeps.json", "the stored Paper C sweeps (every figure point "
                               "over the channel realisations)", RESTORE)
    return data, rec


if __name__ == "__main__":  # pragma: no cover
    import sys
    main(sys.argv[1], pathlib.Path(sys.argv[2]))
