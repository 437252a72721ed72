"""The round-off perturbation switch (RISISAC_PERTURB): tiny, float-only, deterministic."""
import numpy as np

from risisac.book import rng, torchutil


def test_plain_stream_is_reproducible(monkeypatch):
    monkeypatch.setenv("RISISAC_PERTURB", "0")
    a, b = rng.make_rng(3, "x"), rng.make_rng(3, "x")
    assert type(a) is np.random.Generator
    assert np.array_equal(a.standard_normal(8), b.standard_normal(8))
    assert not np.array_equal(rng.make_rng(3, "x").random(4), rng.make_rng(3, "y").random(4))


def test_perturbation_moves_floats_at_round_off_only(monkeypatch):
    monkeypatch.setenv("RISISAC_PERTURB", "0")
    a = rng.make_rng(5, "s")
    monkeypatch.setenv("RISISAC_PERTURB", "1")
    b = rng.make_rng(5, "s")
    assert isinstance(b, np.random.Generator) and isinstance(b, rng.PerturbedGenerator)
    for draw in (lambda g: g.standard_normal((4, 3)), lambda g: g.normal(2.0, 3.0, 50),
                 lambda g: g.uniform(-1, 1, 7), lambda g: g.exponential(size=9)):
        x, y = draw(a), draw(b)
        rel = np.abs(y / x - 1)
        assert 0 < rel.max() <= rng.PERTURB_EPS          # moved, but only at round-off level
    assert np.array_equal(a.integers(0, 1000, 20), b.integers(0, 1000, 20))   # integers untouched
    assert np.array_equal(a.permutation(10), b.permutation(10))
    assert np.array_equal(a.choice(10, 4), b.choice(10, 4))
    qpsk = np.exp(1j * np.pi / 4 * np.array([1, 3, 5, 7]))
    assert np.array_equal(a.choice(qpsk, 6), b.choice(qpsk, 6))      # selected symbols stay exact
    assert type(b.random()) is float
    y = b.standard_normal(3, dtype=np.float32)
    assert y.dtype == np.float32
    out = np.empty(5)
    b.standard_normal(out=out)
    assert np.all(np.isfinite(out))


def test_perturbed_stream_is_itself_deterministic(monkeypatch):
    monkeypatch.setenv("RISISAC_PERTURB", "1")
    assert np.array_equal(rng.make_rng(1, "q").random(5), rng.make_rng(1, "q").random(5))


def test_perturbation_changes_torch_threads(monkeypatch):
    monkeypatch.setenv("RISISAC_PERTURB", "0")
    assert torchutil.threads_for(1) == 1 and torchutil.threads_for(2) == 2
    monkeypatch.setenv("RISISAC_PERTURB", "1")
    assert torchutil.threads_for(1) == 1 and torchutil.threads_for(2) == 1 and torchutil.threads_for(4) == 1
