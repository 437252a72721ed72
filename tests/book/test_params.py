"""Parameter profiles and validation: unknown or invalid values stop with a clear message."""
import pytest

from risisac.book import params as rp


def spec():
    def check(p):
        rp.require(p.K <= p.M, "K", f"must not exceed M = {p.M}")
    return rp.Spec(
        "demo",
        {"seed": rp.Int(lo=0), "M": rp.Int(lo=1, hi=64), "K": rp.Int(lo=1),
         "snr_db": rp.FloatList(lo=-40, hi=80), "mode": rp.Choice(choices=["a", "b"]),
         "fast": rp.Bool(), "gamma": rp.Float(lo=0.0)},
        profiles={"book": dict(seed=1, M=6, K=3, snr_db=[0, 10], mode="a", fast=True, gamma=1.0),
                  "smoke": dict(seed=1, M=4, K=2, snr_db=[0], mode="a", fast=True, gamma=1.0),
                  "paper": dict(seed=1, M=6, K=3, snr_db=[0, 10, 20], mode="b", fast=False, gamma=1.0)},
        check=check)


def ns(**kw):
    base = dict(profile="book", seed=None, M=None, K=None, snr_db=None, mode=None, fast=None, gamma=None)
    base.update(kw)
    return base


def test_profiles_and_overrides():
    p = rp.resolve(spec(), ns())
    assert (p.M, p.K, p.snr_db, p.profile) == (6, 3, [0.0, 10.0], "book")
    p = rp.resolve(spec(), ns(profile="smoke", M=8))
    assert (p.M, p.K) == (8, 2)
    p = rp.resolve(spec(), ns(snr_db="0, 5,10"))
    assert p.snr_db == [0.0, 5.0, 10.0]
    assert rp.resolve(spec(), ns(fast="false")).fast is False


@pytest.mark.parametrize("kw, name", [
    (dict(snr_db="banana"), "snr_db"), (dict(M=0), "M"), (dict(M=2.5), "M"),
    (dict(mode="c"), "mode"), (dict(profile="fast"), "profile"), (dict(K=9), "K"),
    (dict(gamma=-1.0), "gamma"), (dict(fast=3), "fast"), (dict(M=True), "M"),
])
def test_invalid_values_name_the_parameter_and_allowed_values(kw, name):
    with pytest.raises(rp.ParameterError) as e:
        rp.resolve(spec(), ns(**kw))
    msg = str(e.value)
    assert repr(name) in msg and "allowed" in msg or "must" in msg


def test_unknown_parameter_is_rejected():
    with pytest.raises(rp.ParameterError, match="unknown parameter.*'N'"):
        rp.resolve(spec(), ns(N=128))
    with pytest.raises(rp.ParameterError, match="unknown parameter"):
        rp.resolve(spec(), ns(), N=3)


def test_namespace_ignores_modules_and_functions():
    import math
    p = rp.resolve(spec(), {**ns(), "math": math, "f": lambda: 0, "_x": 1, "In": [], "SPEC": spec()})
    assert p.M == 6


def test_spec_requires_complete_profiles():
    with pytest.raises(ValueError):
        rp.Spec("x", {"a": rp.Int()}, profiles={"book": {"a": 1}, "smoke": {}, "paper": {"a": 1}})


def test_live_kernel_rerun_ignores_the_chapters_own_variables():
    """Re-running the parameters cell after "Run all": only its names are parameters."""
    params_cell = 'profile = "smoke"  # book, smoke or paper\nM = None\nK = 2\n'
    history = ["", params_cell, "P = SPEC.resolve(globals())", "x = compute(P)",
               "L.write()", params_cell, "P = SPEC.resolve(globals())"]
    namespace = {**ns(profile="smoke", K=2), "In": history, "x": 3.5, "th_r": [1, 2], "Bm": 0.1}
    p = spec().resolve(namespace)
    assert (p.profile, p.K, p.M) == ("smoke", 2, 4)


def test_papermill_injected_cell_counts_and_unknown_names_still_fail():
    params_cell = 'profile = "book"\nM = None\n'
    injected = "# Parameters\nM = 5\nNx = 3\n"
    namespace = {**ns(M=5), "Nx": 3, "In": ["", params_cell, injected, "P = resolve(...)"]}
    with pytest.raises(rp.ParameterError, match="unknown parameter.*'Nx'"):
        rp.resolve(spec(), namespace)
    namespace.pop("Nx")
    namespace["In"][2] = "# Parameters\nM = 5\n"
    assert rp.resolve(spec(), namespace).M == 5


def test_literal_assignment_cells_only():
    assert rp._literal_assignments("a = 1\nb = [1, -2.5]\nc = None  # x\n") == {"a", "b", "c"}
    assert rp._literal_assignments("a = f(1)") is None
    assert rp._literal_assignments("import numpy as np") is None


def test_derived_default_follows_the_other_parameter():
    s = rp.Spec("d", {"N": rp.Int(lo=1), "N_sweep": rp.IntList(lo=1)},
                profiles={p: dict(N=64, N_sweep=rp.Derived(lambda q: sorted({32, 64, q.N}), "32, 64 and N"))
                          for p in rp.PROFILES})
    assert s.resolve(N=None).N_sweep == [32, 64]
    p = s.resolve(N=128)
    assert p.N_sweep == [32, 64, 128]
    assert rp.resolve(s, N=128, N_sweep=[16]).N_sweep == [16]          # given wins
    assert "derived" in repr(p.table())
    assert "_sources" not in p.as_dict()


def test_require_names_value_and_fix_and_renders_short():
    with pytest.raises(rp.ParameterError) as e:
        rp.require(False, "N_sweep", "must contain N = 128", value=[32, 64],
                   fix="leave N_sweep unset or add 128 to it")
    msg = str(e.value)
    assert "'N_sweep' = [32, 64]" in msg and "fix:" in msg
    lines = e.value._render_traceback_()
    assert 1 < len(lines) <= 5 and "N_sweep" in lines[0]


def test_rerun_box_shows_command_profiles_and_parameters(tmp_path, monkeypatch):
    p = spec().resolve(profile="smoke")
    box = p.rerun_box()
    text = repr(box)
    assert "make run CHAPTER=demo ARGS='-p seed 2'" in text and "parameter" in text
    assert "Re-run this chapter" in box._repr_html_()
