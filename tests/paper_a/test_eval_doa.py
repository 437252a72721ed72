"""Tests of risisac.paper_a.eval_doa (the DoA chapter's evaluation job): a tiny grid of untrained
networks of the smoke sizes, written into tmp_path."""

import json

import numpy as np
import pytest
import torch

from risisac import comms
from risisac.book.rng import make_rng, seed_torch
from risisac.paper_a import eval_doa as ev
from risisac.paper_a import train_doa as td
from risisac.paper_a.detection_net import FEAS_TOL
from risisac.paper_a.doa_net import make_net
from risisac.paper_a.unsupervised import UnsupervisedNet

TINY = dict(seed=3, n_test=4, P_list_dbw=[10.0, 20.0], n_noise=5)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Untrained networks of every kind the smoke plan names (the job does not care whether
    they are trained) and their record."""
    out = tmp_path_factory.mktemp("doa_nets")
    p = td.PROFILES["smoke"]
    rec = dict(profile="smoke", sizes=p, nets={})
    for job in td.plan(p):
        seed_torch(11, job["name"])
        if job["kind"].startswith("unsup"):
            net = UnsupervisedNet(job.get("K", p["K"]), p["M"], p["N"], p["L"], hidden=p["unsup_hidden"])
        else:
            net = make_net("alm" if job["kind"] == "alm" else "phr", p["T"], p["J"], p["R"])
        td.save_net(net, out / f"{job['name']}.pt")
        rec["nets"][job["name"]] = dict(job, file=f"{job['name']}.pt", time_s=0.0, commit="test")
    (out / "record.json").write_text(json.dumps(rec))
    ev.main("all", out, g=TINY, log=lambda *a: None)
    return out


def test_writes_every_part_and_loads_only_its_own_grid(folder):
    assert sorted(f.name for f in folder.glob("eval_*.json")) == [f"eval_{p}.json" for p in sorted(ev.PARTS)]
    E = ev.load(folder, TINY)
    assert E is not None and set(E) == set(ev.PARTS)
    assert ev.load(folder, dict(TINY, n_test=5)) is None          # another grid: the chapter evaluates live
    assert ev.load(folder / "nowhere", TINY) is None


def test_stale_record_is_not_loaded(folder, tmp_path):
    for f in folder.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    assert ev.load(tmp_path, TINY) is not None
    rec = json.loads((tmp_path / "record.json").read_text())
    rec["nets"]["phr-s0"]["time_s"] = 1.0                          # retrained networks -> new record
    (tmp_path / "record.json").write_text(json.dumps(rec))
    assert ev.load(tmp_path, TINY) is None


def test_records_are_per_instance_and_consistent(folder):
    E = ev.load(folder, TINY)
    p = td.PROFILES["smoke"]
    n = TINY["n_test"]
    f8 = E["fig8"]["fig8"]
    for k in ev.SCHEMES8.values():
        for s in range(p["seeds"] if k in ("phr", "unsup") else p["seeds_aux"]):
            for Pd in TINY["P_list_dbw"]:
                r = f8[f"{k}-s{s}"][f"{Pd:g}"]
                assert all(len(r[key]) == n for key in ("crb", "crb_rep", "viol", "ok", "fallback"))
                assert r["ok"] == [v <= FEAS_TOL for v in r["viol"]]
                assert all(c > 0 for c in r["crb"])
                if k == "radar" or all(r["ok"]):                   # nothing to repair: repaired = raw
                    assert r["crb_rep"] == r["crb"] and not any(r["fallback"])
    tr = f8["phr-s0"]["20"]["trace"]                               # CRB after each layer, start first
    assert np.shape(tr) == (n, p["T"] + 1)
    assert np.allclose(np.asarray(tr)[:, -1], f8["phr-s0"]["20"]["crb"], rtol=1e-6)
    assert set(E["fig8"]["transfer"]) == {f"{k}-s{s}" for k in ("phr", "phrK", "unsup", "unsupK") for s in range(p["seeds"])}
    f9 = E["fig9"]
    for k in ("prop", "unsup"):
        for rs in f9[k].values():
            for r in rs.values():
                assert len(r["ser"]) == n and all(0 <= v <= 1 for v in r["ser"])
    r0, r1 = (f9["radar"]["s0"][f"{G:g}"] for G in p["Gamma_fig9_db"])
    assert r0["crb"] == r1["crb"]                                  # the same radar-only designs ...
    # ... checked against a higher Gamma: violated stays violated, feasible there was feasible before
    assert all(v1 > 0 for v0, v1 in zip(r0["viol"], r1["viol"]) if v0 > 0)
    assert all(o0 for o0, o1 in zip(r0["ok"], r1["ok"]) if o1)
    c = E["conv"]
    assert set(c) == {f"{k}-s{s}" for k in ("phr", "alm", "untrained") for s in range(p["seeds"])}
    assert np.shape(c["alm-s1"]["trace"]) == (n, p["T"] + 1)
    # the start point is common to every network of the convergence figure
    assert np.allclose(np.asarray(c["phr-s0"]["trace"])[:, 0], np.asarray(c["alm-s1"]["trace"])[:, 0])


def test_in_memory_evaluation_equals_the_stored_files(folder):
    su = ev.Setup(folder, TINY)
    E = ev.load(folder, TINY)
    assert ev.part_conv(su, log=lambda *a: None) == E["conv"]


def test_live_slice_passes_for_the_network_and_fails_for_another(folder):
    su = ev.Setup(folder, TINY)
    E = ev.load(folder, TINY)
    live, sto = ev.live_slice(su, E["fig8"]["fig8"], 3)
    rel = np.abs(np.asarray(live["crb"]) / np.asarray(sto["crb"]) - 1)
    assert np.median(rel) <= 1e-2 and live["ok"] == sto["ok"]
    other, _ = ev.live_slice(su, E["fig8"]["fig8"], 3, "phr-s1")    # another network, live ...
    rel = np.abs(np.asarray(other["crb"]) / np.asarray(sto["crb"]) - 1)  # ... against phr-s0 stored
    assert np.median(rel) > 1e-2


def test_bad_part_names_allowed_values(tmp_path):
    with pytest.raises(ValueError, match="part = 'fig7'.*fig8"):
        ev.main("fig7", tmp_path)


# ---------------------------------------------------------------- bad input: the book's grid stops
def test_required_evaluation_stops_naming_the_file(folder, tmp_path):
    """With ``required`` (the chapter's book grid) a missing, damaged or stale evaluation stops
    with the file and the command that regenerates it; nothing is evaluated silently."""
    from risisac.book.artefacts import ArtefactError
    import shutil
    for f in folder.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "eval_conv.json").unlink()
    with pytest.raises(ArtefactError, match=r"eval_conv\.json .*missing.*snakemake --cores 2 models/paperA_doa/eval_conv\.json"):
        ev.load(tmp_path, TINY, required=True)
    assert ev.load(tmp_path, TINY) is None                       # not required: live evaluation
    text = (folder / "eval_conv.json").read_text()
    (tmp_path / "eval_conv.json").write_text(text[: len(text) // 2])   # truncated
    with pytest.raises(ArtefactError, match="damaged"):
        ev.load(tmp_path, TINY)
    (tmp_path / "eval_conv.json").write_text(text)
    with pytest.raises(ArtefactError, match="another training record or grid"):
        ev.load(tmp_path, dict(TINY, n_test=5), required=True)


# ---------------------------------------------------------------- the declared bands fail broken designs
# Computed from the stored evaluation of the midtau ensemble (the one that carries the verdicts):
# each band must reject a plausible broken design, else it could not fail.
from risisac.book import stats  # noqa: E402
from risisac.book.ledger import repo_root  # noqa: E402
from risisac.paper_a.spec_doa import CLAIMS  # noqa: E402

MODELS = repo_root() / "models" / "paperA_doa"


@pytest.fixture(scope="module")
def midtau():
    return json.loads((MODELS / "eval_midtau.json").read_text())["data"]


def _seeds(d, kind):
    return sorted({int(k.split("@")[0].split("-s")[1]) for k in d if k.startswith(f"{kind}-s")})


def _db(a, b):
    return 10 * np.log10(np.mean(a) / np.mean(b))


def _verdict(cid, est):
    return stats.band_verdict(est, *CLAIMS[cid].band)


def test_near_radar_only_band_rejects_the_start_point_and_a_random_ris(midtau):
    """'slight loss' to radar-only: the non-optimised (CI-feasible) start point and the
    random-RIS design are not a slight loss."""
    ss = [s for s in _seeds(midtau, "phr") if f"radar-s{s}@P20" in midtau]
    start = stats.mean_ci([_db(np.asarray(midtau[f"phr-s{s}"]["trace"])[:, 0], midtau[f"radar-s{s}@P20"]["crb"])
                           for s in ss])
    assert _verdict("fig8-near-radar-only", start) == "not reproduced", start
    rand = stats.mean_ci([np.mean([_db(midtau[f"rand-s{s}@P{P:g}"]["crb"], midtau[f"radar-s{s}@P{P:g}"]["crb"])
                                   for P in ev.GRID["P_list_dbw"]]) for s in ss])
    assert _verdict("fig8-near-radar-only", rand) == "not reproduced", rand


def test_significance_bands_reject_a_design_against_itself(midtau):
    """'significantly lower' than the random RIS / than ALM: the compared design itself
    (exactly 0 dB) fails."""
    ss = _seeds(midtau, "alm")
    same = stats.mean_ci([_db(midtau[f"alm-s{s}"]["crb"], midtau[f"alm-s{s}"]["crb"]) for s in ss])
    for cid in ("fig8-better-than-rand", "fig9-phr-vs-alm", "fig9-phr-vs-alm-paper-depth", "fig8-better-than-unsup"):
        assert _verdict(cid, same) == "not reproduced", cid


def test_trend_bands_reject_a_design_that_ignores_the_parameter(midtau):
    """'the CRB increases with Gamma' / 'the SER decreases' / 'training lowers the CRB': a
    design that ignores Gamma (the radar-only design, checked against every Gamma) and the
    untrained network compared with itself give exactly 0 and fail."""
    G = sorted({float(k.split("@G")[1]) for k in midtau if "@G" in k})
    ss = [s for s in _seeds(midtau, "radar") if f"radar-s{s}@G{G[0]:g}" in midtau]
    flat = stats.mean_ci([_db(midtau[f"radar-s{s}@G{G[-1]:g}"]["crb"], midtau[f"radar-s{s}@G{G[0]:g}"]["crb"])
                          for s in ss])
    assert flat.hi == flat.lo == 0.0
    assert _verdict("fig9-crb-grows-with-gamma", flat) == "not reproduced"
    assert _verdict("fig9-better-than-unsup", flat) == "not reproduced"
    for cid in ("trained-vs-untrained", "trained-vs-untrained-paper-depth", "fig10-ser-falls-with-gamma",
                "fig10-ser-vs-unsup"):
        assert _verdict(cid, stats.exact(0.0)) == "not reproduced", cid


def test_convergence_band_rejects_a_non_convergent_iteration():
    """'stable convergence': the iteration with the book's step scale tau0 = 0.1 at J = R = 10,
    which does not settle (the chapter's step-scale section), is not reproduced."""
    d = json.loads((MODELS / "eval_mid.json").read_text())["data"]
    ss = _seeds(d, "phr")
    last = stats.mean_ci([abs(1 - np.mean(d[f"untrained-s{s}"]["crb"]) /
                              np.mean(np.asarray(d[f"untrained-s{s}"]["trace"])[:, -2])) for s in ss])
    assert _verdict("fig9-converges", last) != "reproduced", last


def test_feasibility_band_rejects_designs_without_the_constraints(midtau):
    """Feasibility: the radar-only designs (no QoS constraint) fail the band, with the same
    clustered interval over the channels as the chapter."""
    G = sorted({float(k.split("@G")[1]) for k in midtau if "@G" in k})
    ss = [s for s in _seeds(midtau, "radar") if f"radar-s{s}@G{G[-1]:g}" in midtau]
    ok = np.concatenate([np.asarray(midtau[f"radar-s{s}@G{G[-1]:g}"]["ok"], bool) for s in ss])
    est = stats.cluster_mean_ci(ok, np.tile(np.arange(len(ok) // len(ss)), len(ss)))
    assert _verdict("feasibility-proposed", est) == "not reproduced", est


# ---------------------------------------------------------------- an evaluation whose networks are not stored
def test_evaluation_of_networks_not_stored_is_checked_against_its_record(tmp_path):
    """The mid networks are not stored: their evaluations load when the stored evaluation is tied
    to the training record (its hash) and both evaluations record the same network hashes; an
    edited record, or a network file present with other contents, makes them stale."""
    from risisac.book.artefacts import ArtefactError
    import shutil
    assert "mid" in td.NETS_NOT_STORED
    assert not any(MODELS.glob("mid-*.pt")) or pytest.skip("the mid networks are present here")
    for f in ("mid_record.json", "eval_mid.json", "eval_mid_xeon16.json"):
        shutil.copy(MODELS / f, tmp_path / f)
    G = ev.GRID
    assert ev.load_scale(tmp_path, "mid", G, required=True)
    assert ev.load_scale(tmp_path, "mid", G, name="mid_xeon16", required=True)
    e = json.loads((tmp_path / "eval_mid_xeon16.json").read_text())
    e["meta"]["net_sha"]["phr-s0"] = "0" * 12                      # another file of one network
    (tmp_path / "eval_mid_xeon16.json").write_text(json.dumps(e))
    assert ev.load_scale(tmp_path, "mid", G, name="mid_xeon16") is None
    torch.save({"not": torch.zeros(1)}, tmp_path / "mid-phr-s0.pt")   # a file of another network
    assert ev.load_scale(tmp_path, "mid", G) is None                 # a present file is hashed
    (tmp_path / "mid-phr-s0.pt").unlink()
    rec = tmp_path / "mid_record.json"
    rec.write_text(rec.read_text() + "\n")                           # the record changed since
    with pytest.raises(ArtefactError, match="other network files"):
        ev.load_scale(tmp_path, "mid", G, required=True)
    assert ev.load_scale(tmp_path, "midtau", G) is None              # no evaluation of that profile
