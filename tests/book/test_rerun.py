"""risisac.book.rerun: what a run needs, the stop message, the opt-ins, the re-run box."""
import json
import time

import pytest

from risisac.book import params as rp
from risisac.book import rerun


def _spec():
    return rp.Spec("demo", {"seed": rp.Int(lo=0), "N": rp.Int(lo=1), "live": rp.Bool(), "reuse_nets": rp.Bool()},
                   profiles={"book": dict(seed=1, N=64, live=False, reuse_nets=False),
                             "smoke": dict(seed=1, N=8, live=True, reuse_nets=False),
                             "paper": dict(seed=1, N=64, live=False, reuse_nets=False)})


def _need(seconds=(1200.0, 600.0), train=False, command=None):
    return rerun.Need("the evaluation at N = 128", "stored for N = 64, this run N = 128",
                      [(f"job{i}", s) for i, s in enumerate(seconds)], command=command, train=train)


def test_missing_artefact_stops_with_what_command_and_time():
    P = _spec().resolve(N=128)
    plan = rerun.decide("demo", P, [_need(command="make train CHAPTER=demo PROFILE=book")])
    with pytest.raises(rerun.ArtefactsNeeded) as e:
        plan.require()
    lines = str(e.value).splitlines()
    assert "not stored" in lines[0] and "N = 128" in lines[0]                  # what is missing
    assert "make train CHAPTER=demo PROFILE=book" in lines[1]                   # the command that makes it
    assert "make run CHAPTER=demo ARGS='-p N 128 -p live True'" in lines[1]     # or live, exactly
    assert "20 min on one core" not in lines[2] and "30 min on one core" in lines[2]
    assert "20 min on 2 cores" in lines[2] and "per job" in lines[2]            # per job and on 2 cores
    assert isinstance(e.value, rp.ParameterError) and len(e.value._render_traceback_()) >= 3


def test_live_true_is_accepted_and_says_so():
    P = _spec().resolve(N=128, live=True)
    plan = rerun.decide("demo", P, [_need()]).require()
    assert plan.mode == "live" and "computed live in this run" in plan.text()
    assert _spec().resolve(profile="smoke").live is True                     # smoke computes everything live


def test_short_evaluations_run_live_but_training_never_without_asking():
    P = _spec().resolve(seed=3)
    assert rerun.decide("demo", P, [_need((100.0, 50.0))]).require().mode == "live"
    with pytest.raises(rerun.ArtefactsNeeded):
        rerun.decide("demo", P, [_need((100.0,), train=True)]).require()
    with pytest.raises(rerun.ArtefactsNeeded, match="not measured"):      # no record: no guess, a stop
        rerun.decide("demo", P, [_need((None,))]).require()


def test_reuse_for_other_parameters_is_refused_unless_chosen_and_then_recorded():
    reuse = rerun.Reuse("the stored networks", {"N": 64}, {"N": 128})
    P = _spec().resolve(N=128)
    with pytest.raises(rerun.ArtefactsNeeded) as e:
        rerun.decide("demo", P, reuse=[reuse]).require()
    assert "refused" in str(e.value) and "-p reuse_nets True" in str(e.value)
    plan = rerun.decide("demo", _spec().resolve(N=128, reuse_nets=True), reuse=[reuse]).require()
    assert "reused by choice" in plan.text() and "made for N = 64, used at N = 128" in plan.text()

    class L:
        checks = []

        def check(self, id, statement, passed, detail=""):
            self.checks.append((id, statement, passed))
    led = L()
    plan.record(led)
    assert led.checks and "N = 64" in led.checks[0][1] and led.checks[0][2] is True


def test_command_helper_and_durations():
    assert rerun.artefact_command("paperB_uplink", "paper") == "make train CHAPTER=paperB_uplink PROFILE=paper"
    assert rerun.artefact_command("paperA_detection", job="eval", part="nets").endswith("eval_detection nets")
    with pytest.raises(ValueError):
        rerun.artefact_command("shared_models", job="eval")
    assert rerun.duration(45) == "40 s" or rerun.duration(45) == "50 s"
    assert rerun.duration(3196) == "55 min" and rerun.duration(7200) == "2.0 h"
    assert rerun.on_cores([10, 10, 10], 2) == 20 and rerun.on_cores([30, 10, 10], 2) == 30
    P = _spec().resolve(N=128, seed=3)
    assert rerun.given_args(P, {"live": True}) == "-p seed 3 -p N 128 -p live True"


def test_record_seconds_reads_the_stored_records(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"meta": {"seconds": 12.5}}))
    (tmp_path / "b.json").write_text(json.dumps({"nets": {}, "total_time_s": 7}))
    (tmp_path / "c.json").write_text(json.dumps({"meta": {"seconds": {"x": 1.0, "y": {"z": 2.0}}}}))
    assert rerun.record_seconds(tmp_path / "a.json") == 12.5
    assert rerun.record_seconds(tmp_path / "b.json") == 7.0
    assert rerun.record_seconds(tmp_path / "c.json") == 3.0
    assert rerun.record_seconds(tmp_path / "missing.json") is None


def test_box_lists_paper_time_and_rebuild_commands():
    P = _spec().resolve()
    box = P.rerun_box(paper="not measured", rebuild=[("the networks", "make train CHAPTER=demo PROFILE=book", "5 min")],
                      show_params=False)
    text = repr(box)
    assert "paper profile: not measured" in text and "make train CHAPTER=demo PROFILE=book (5 min)" in text
    assert "parameter" not in text.split("this run")[-1]          # no parameters table with show_params=False
    assert "make train CHAPTER=demo PROFILE=book" in box._repr_html_()
    assert repr(box) == repr(P.rerun_box(paper="not measured", rebuild=[("the networks", "make train CHAPTER=demo PROFILE=book", "5 min")],
                                         show_params=False))


def test_chapter_plans_decide_in_seconds():
    """The deciding functions of every chapter with stored artefacts: the stored grid loads, an
    off-grid run stops naming the artefact and the command, within seconds."""
    from risisac.paper_a import spec_detection as sd
    t0 = time.perf_counter()
    assert sd.plan(sd.resolve(None)).require().mode == "stored"
    assert sd.plan(sd.resolve(None, seed=3)).require().mode == "stored"          # seed alone: stored networks
    with pytest.raises(rerun.ArtefactsNeeded) as e:
        sd.plan(sd.resolve(None, N=128, seed=3)).require()
    msg = str(e.value).splitlines()
    assert "evaluation" in msg[0] and "N = 64" in msg[0] and "stored networks" in msg[0]
    assert "make run CHAPTER=paperA_detection ARGS='-p seed 3 -p N 128 -p live True -p reuse_nets True'" in msg[1]
    assert "on 2 cores" in msg[2] and "per job" in msg[2]
    with pytest.raises(rerun.ArtefactsNeeded, match="refused"):                   # live alone: still no reuse
        sd.plan(sd.resolve(None, N=128, seed=3, live=True)).require()
    plan = sd.plan(sd.resolve(None, N=128, seed=3, live=True, reuse_nets=True)).require()
    assert plan.mode == "live" and "reused by choice" in plan.text()
    with pytest.raises(rerun.ArtefactsNeeded):
        sd.plan(sd.resolve(None, profile="paper")).require()
    assert time.perf_counter() - t0 < 20


def test_doa_seed_runs_live_but_a_long_evaluation_stops():
    from risisac.paper_a import spec_doa as s
    assert s.plan(s.resolve(None)).require().mode == "stored"
    assert s.plan(s.resolve(None, seed=3)).require().mode == "live"          # about 3 min by the records
    with pytest.raises(rerun.ArtefactsNeeded) as e:
        s.plan(s.resolve(None, n_test=100)).require()
    lines = str(e.value).splitlines()
    assert "eval_" in lines[0] and "n_test = 16" in lines[0]
    assert "make run CHAPTER=paperA_doa ARGS='-p n_test 100 -p live True'" in lines[1]
    assert "on 2 cores" in lines[2]
    assert s.plan(s.resolve(None, n_test=100, live=True)).require().mode == "live"


def test_paper_b_networks_of_other_parameters_stop_unless_live():
    from risisac.paper_b import spec as s
    assert s.plan(s.resolve(None)).require().mode == "stored"
    with pytest.raises(rerun.ArtefactsNeeded) as e:
        s.plan(s.resolve(None, seed=3)).require()
    assert "book_record.json" in str(e.value) and "seed = 7" in str(e.value)
    with pytest.raises(rerun.ArtefactsNeeded, match="make train CHAPTER=paperB_uplink PROFILE=paper"):
        s.plan(s.resolve(None, profile="paper")).require()
    assert s.plan(s.resolve(None, seed=3, live=True)).require().live


def test_paper_c_sweeps_of_other_parameters_stop_unless_live():
    from risisac.paper_c import spec as s
    assert s.plan(s.resolve(None)).require().mode == "stored"
    assert s.plan(s.resolve(None, n_live=8)).require().mode == "stored"       # n_live is not stored
    with pytest.raises(rerun.ArtefactsNeeded) as e:
        s.plan(s.resolve(None, seed=3)).require()
    assert "sweeps.json" in str(e.value).splitlines()[0] and "-p live True" in str(e.value).splitlines()[1]
    with pytest.raises(rerun.ArtefactsNeeded, match="make train CHAPTER=paperC_rydberg PROFILE=paper"):
        s.plan(s.resolve(None, profile="paper")).require()
    assert s.plan(s.resolve(None, profile="smoke")).require().mode == "live"
    assert "live" not in s.stored_params(s.resolve(None)).as_dict()
