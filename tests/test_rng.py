"""The per-trial streams: independent references and the randomness contract."""

from __future__ import annotations

import numpy as np
import pytest

from cloudsim import _rng

MASK = (1 << 64) - 1


def _splitmix64_py(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _sfc64_py(s: list[int]) -> int:
    tmp = (s[0] + s[1] + s[3]) & MASK
    s[3] = (s[3] + 1) & MASK
    s[0] = s[1] ^ (s[1] >> 11)
    s[1] = (s[2] + (s[2] << 3)) & MASK
    s[2] = (((s[2] << 24) | (s[2] >> 40)) + tmp) & MASK
    return tmp


def _trial_state_py(key: int, trial: int) -> list[int]:
    h = _splitmix64_py(key ^ _splitmix64_py(trial))
    s = [
        _splitmix64_py(h),
        _splitmix64_py((h + 0x9E3779B97F4A7C15) & MASK),
        _splitmix64_py((h + 0x3C6EF372FE94F82A) & MASK),
        1,
    ]
    for _ in range(12):
        _sfc64_py(s)
    return s


@pytest.mark.parametrize("trial", [0, 1, 999, 2**40 + 3])
def test_trial_state_matches_pure_python(trial):
    key, _ = _rng.key_from_seed(42)
    assert _rng.trial_state(key, trial).tolist() == _trial_state_py(key, trial)


@pytest.mark.parametrize("trial", [0, 5, 123_456])
def test_normals_match_numpy_ziggurat(trial):
    """Our stream reproduces numpy.random.Generator(SFC64) started from the same state."""
    key, _ = _rng.key_from_seed(2025)
    out = np.empty((1, 5000))
    _rng.draw_normals(np.uint64(key), np.int64(trial), out)
    bg = np.random.SFC64()
    state = bg.state
    state["state"]["state"] = _rng.trial_state(key, trial)
    bg.state = state
    ref = np.random.Generator(bg).standard_normal(5000)
    # tables are computed here in double precision, NumPy's were computed in higher precision
    np.testing.assert_allclose(out[0], ref, rtol=1e-13, atol=1e-14)


def test_vector_streams_equal_numba_streams():
    key, _ = _rng.key_from_seed(3)
    trials = np.arange(100, 2100)
    out = np.empty((trials.size, 300))
    _rng.draw_normals(np.uint64(key), np.int64(100), out)
    vs = _rng.VectorStreams(key, trials)
    ref = np.column_stack([vs.normal() for _ in range(300)])
    np.testing.assert_array_equal(out, ref)  # includes ziggurat tail and wedge draws


def test_normal_distribution_moments_and_ks():
    from scipy import stats

    key, _ = _rng.key_from_seed(11)
    out = np.empty((20_000, 50))
    _rng.draw_normals(np.uint64(key), np.int64(0), out)
    x = out.ravel()
    assert abs(x.mean()) < 5 * 1 / np.sqrt(x.size)
    assert abs(x.var() - 1) < 5 * np.sqrt(2 / x.size)
    assert stats.kstest(x, "norm").pvalue > 1e-4


def test_streams_of_neighbouring_trials_are_uncorrelated():
    key, _ = _rng.key_from_seed(5)
    out = np.empty((50_000, 8))
    _rng.draw_normals(np.uint64(key), np.int64(0), out)
    r = np.corrcoef(out[:-1, 0], out[1:, 0])[0, 1]
    assert abs(r) < 5 / np.sqrt(out.shape[0])


def test_key_from_seed():
    assert _rng.key_from_seed(1)[0] == _rng.key_from_seed(1)[0]
    assert _rng.key_from_seed(1)[0] != _rng.key_from_seed(2)[0]
    ss = np.random.SeedSequence(77)
    assert _rng.key_from_seed(ss) == _rng.key_from_seed(77)
    key, recorded = _rng.key_from_seed(None)
    assert _rng.key_from_seed(int(recorded))[0] == key
    spawned = np.random.SeedSequence(5).spawn(2)[1]
    key, recorded = _rng.key_from_seed(spawned)
    assert "spawn_key=(1,)" in recorded
    assert key != _rng.key_from_seed(5)[0]
    key, recorded = _rng.key_from_seed(np.random.SeedSequence([1, 2, 3]))
    assert recorded.startswith("SeedSequence(entropy=[1, 2, 3]")
    with pytest.raises(ValueError, match="seed"):
        _rng.key_from_seed(-1)
    with pytest.raises(TypeError, match="seed"):
        _rng.key_from_seed(1.5)
    with pytest.raises(TypeError, match="seed"):
        _rng.key_from_seed(True)
