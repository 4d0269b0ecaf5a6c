"""Stream version 2 (``cloudsim._rng_v2``) and the deal model's lock-step kernel that draws from it.

References: the bits and uniforms from SplitMix64 in plain Python integers; the normals'
distribution from scipy (moments, KS, tail counts) and correlation bounds; ``vexp``/``vlog``
from ``math``; the kernel from the NumPy reference engine (rtol 1e-10) and pinned values.
"""

from __future__ import annotations

import hashlib
import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import cloudsim
from cloudsim import _rng, _rng_v2
from cloudsim.engine import run as engine_run

_U64 = (1 << 64) - 1
_G = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
    return z ^ (z >> 31)


def _bits_py(key: int, trial: int, j: int) -> int:
    tk = _mix(((key ^ _mix((trial + _G) & _U64)) + _G) & _U64)
    return _mix((tk + (j + 1) * _G) & _U64)


@numba.njit
def _numba_uniforms(key, first, n, m):
    tk = np.empty(n, np.uint64)
    _rng_v2.trial_keys(key, first, n, tk)
    out = np.empty((m, n))
    for j in range(m):
        _rng_v2.fill_uniforms(tk, np.uint64(j), n, out[j])
    return out


@numba.njit
def _numba_exp_log(x):
    e = np.empty_like(x)
    lg = np.empty_like(x)
    for i in range(x.shape[0]):
        e[i] = _rng_v2.vexp(x[i])
        lg[i] = _rng_v2.vlog(abs(x[i]))
    return e, lg


def _normals(seed: int, n: int, m: int, start: int = 0) -> np.ndarray:
    key, _ = _rng.key_from_seed(seed)
    out = np.empty((n, m))
    _rng_v2.draw_normals_v2(np.uint64(key), np.int64(start), out)
    return out


# ---- the generator --------------------------------------------------------------
@pytest.mark.parametrize("trial", [0, 1, 999, 2**40 + 3])
def test_bits_and_uniforms_match_pure_python(trial):
    key, _ = _rng.key_from_seed(9)
    cs = _rng_v2.CounterStreams(key, np.array([trial]))
    for j in range(20):
        assert int(cs.bits()[0]) == _bits_py(key, trial, j)
    u = _numba_uniforms(np.uint64(key), np.int64(trial), 1, 20)[:, 0]
    expected = [(_bits_py(key, trial, j) >> 11) * 2.0**-53 for j in range(20)]
    np.testing.assert_array_equal(u, expected)


def test_counter_streams_equal_numba_normals():
    """The NumPy twin (slow steps in Python integers) equals the lanes, tail and wedge draws included."""
    key, _ = _rng.key_from_seed(3)
    out = _normals(3, 2000, 300, start=100)
    cs = _rng_v2.CounterStreams(key, np.arange(100, 2100))
    ref = np.column_stack([cs.normal() for _ in range(300)])
    assert (np.abs(out) > 3.6541528853610088).sum() > 100  # the ziggurat's tail layer was reached
    np.testing.assert_allclose(out, ref, rtol=1e-15, atol=0)


def test_normal_moments_ks_and_tail_counts():
    x = _normals(11, 20_000, 50).ravel()
    n = x.size
    assert abs(x.mean()) < 5 / np.sqrt(n)
    assert abs(x.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(stats.skew(x)) < 5 * np.sqrt(6 / n)
    assert abs(stats.kurtosis(x)) < 5 * np.sqrt(24 / n)
    assert stats.kstest(x, "norm").pvalue > 1e-4
    for c in (2.0, 3.0, 3.6541528853610088, 4.0, 4.5):  # beyond the ziggurat's base layer too
        p = 2 * stats.norm.sf(c)
        count = int((np.abs(x) > c).sum())
        assert abs(count - n * p) < 5 * np.sqrt(n * p) + 1, c


def test_uniform_ks():
    key, _ = _rng.key_from_seed(12)
    u = _numba_uniforms(np.uint64(key), np.int64(0), 20_000, 20).ravel()
    assert stats.kstest(u, "uniform").pvalue > 1e-4


def test_neighbouring_trials_draws_and_seeds_are_uncorrelated():
    a = _normals(5, 50_000, 8)
    bound = 5 / np.sqrt(a.shape[0])
    assert abs(np.corrcoef(a[:-1, 0], a[1:, 0])[0, 1]) < bound  # inter-trial
    assert abs(np.corrcoef(a[:, 0], a[:, 1])[0, 1]) < bound  # draw j and j + 1 of a trial
    b = _normals(6, 50_000, 8)
    assert abs(np.corrcoef(a[:, 0], b[:, 0])[0, 1]) < bound  # inter-seed, same trial
    c = _normals(5, 50_000, 8, start=1)
    np.testing.assert_array_equal(a[1:], c[:-1])  # trial i is trial i, whatever the first row


def test_vexp_vlog_against_math():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-700, 700, 20_000), rng.uniform(-1, 1, 20_000), [0.0, 1e-300, -1e-300]])
    e, lg = _numba_exp_log(x)
    ref_e = np.array([math.exp(v) for v in x])
    assert np.all(np.abs(e - ref_e) <= 2 * np.spacing(ref_e))
    pos = np.abs(x) > 0
    ref_l = np.array([math.log(abs(v)) for v in x[pos]])
    assert np.all(np.abs(lg[pos] - ref_l) <= np.spacing(np.abs(ref_l)) + 1e-300)
    e2, lg2 = _numba_exp_log(np.array([800.0, -800.0, np.nan, np.inf, 0.0]))
    assert e2[0] == np.inf and e2[1] == 0.0 and np.isnan(e2[2]) and e2[3] == np.inf and e2[4] == 1.0
    assert abs(lg2[1] - math.log(800.0)) <= np.spacing(math.log(800.0))
    assert np.isnan(lg2[2]) and lg2[3] == np.inf and lg2[4] == -np.inf


# ---- the kernel (numba against NumPy on stream 2: tests/test_engine.py) ---------------------------
def test_v2_student_copula_and_correlated_shocks_agree_with_numpy(scn):
    s = scn.replace({"dependence.copula": "student", "dependence.df": 5})
    a = cloudsim.simulate(s, 1500, seed=4, stream=2)
    b = cloudsim.simulate(s, 1500, seed=4, engine="numpy", stream=2)
    for v in ("spend", "share", "market_size", "market_growth"):
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-10, err_msg=v)


@settings(max_examples=8, deadline=None)
@given(start=st.integers(0, 5000), n=st.integers(1, 700), cut=st.integers(0, 700))
def test_v2_offset_invariance(scn, start, n, cut):
    cut = min(cut, n)
    whole = cloudsim.simulate(scn, n, seed=8, start=start, stream=2, progress=False)
    part = cloudsim.simulate(scn, n - cut, seed=8, start=start + cut, stream=2, progress=False) if cut < n else None
    if part is not None:
        for v in whole.data_vars:
            np.testing.assert_array_equal(whole[v].values[cut:], part[v].values, err_msg=v)


def test_v2_thread_and_chunk_invariance(scn, monkeypatch):
    ref = cloudsim.simulate(scn, 5000, seed=21, stream=2)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = cloudsim.simulate(scn, 5000, seed=21, stream=2)
    finally:
        numba.set_num_threads(before)
    monkeypatch.setattr(engine_run, "CHUNK", 777)
    chunked = cloudsim.simulate(scn, 5000, seed=21, stream=2)
    for v in ref.data_vars:
        np.testing.assert_array_equal(ref[v].values, one[v].values, err_msg=v)
        np.testing.assert_array_equal(ref[v].values, chunked[v].values, err_msg=v)


def test_v2_differs_from_v1_with_the_same_distribution(scn):
    a = cloudsim.simulate(scn, 20_000, seed=2, stream=1)
    b = cloudsim.simulate(scn, 20_000, seed=2, stream=2)
    assert a.attrs["stream_version"] == 1 and b.attrs["stream_version"] == 2
    assert "SFC64" in a.attrs["method"] and "SplitMix64" in b.attrs["method"]
    assert not np.array_equal(a.spend.values, b.spend.values)
    for year in (2028, 2032):
        x, y = np.log(a.spend.sel(year=year).values), np.log(b.spend.sel(year=year).values)
        assert stats.ks_2samp(x, y).pvalue > 1e-4, year


# ---- pins -----------------------------------------------------------------------
#: spend at 2025, 2028, 2032 for trials 1,000,000..1,000,002 of the default scenario, seed 42, stream 2
SPEND_V2 = [
    [6.7206892780790314e07, 2.7832485432118149e09, 2.5518807619684868e09],
    [1.0776763144212732e08, 2.4760197380262780e09, 4.0397703774291253e09],
    [1.0153149170241666e08, 1.9303250125577669e09, 1.0134924776058563e10],
]
#: sha256 (first 16 hex digits) of every variable's bytes, trials 12,345..14,344, seed 42, stream 2, numba
#: engine (its exponentials and logarithms are plain arithmetic: the same bits on every x86-64 CPU)
HASHES_V2 = {
    "market_size": "172a7b76766eb9ce", "share": "07e521339f755b99", "spend": "ffc2dfb6e743a3df",
    "cumulative_spend": "c61d8b3e8047b21a", "seller_revenue": "6e46a14bebb4c7dd",
    "buyer_share_of_seller": "c1392615c71c8d5e", "commitment_shortfall": "f6aba75d12672231",
    "commitment_met": "c902e0f93d48ec79", "spend_start": "e1bf3c40900bcc5e", "spend_target": "7e45a5a0d26e67bc",
    "seller_share_start": "82cc1ad93602df4f", "seller_share_target": "852970084cb95160",
    "market_growth": "049da8850dd35e7e", "market_growth_late": "7605a6970a052c65",
    "spend_growth_late": "e65da5b33873735f",
}  # fmt: skip


def _hashes(ds) -> dict[str, str]:
    return {str(v): hashlib.sha256(np.ascontiguousarray(ds[v].values).tobytes()).hexdigest()[:16] for v in ds.data_vars}


def test_v2_known_answers(scn):
    for engine in ("numba", "numpy"):
        ds = cloudsim.simulate(scn, 3, seed=42, start=1_000_000, engine=engine, stream=2)
        np.testing.assert_allclose(ds.spend.values[:, [0, 3, 7]], SPEND_V2, rtol=1e-12)


def test_v2_hashes(scn):
    ds = cloudsim.simulate(scn, 2000, seed=42, start=12_345, stream=2)
    assert _hashes(ds) == HASHES_V2


# ---- refusals -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"stream": 3}, "stream"),
        ({"stream": 0}, "stream"),
        ({"sampler": "sobol"}, "sampler"),
        ({"inputs": {"market_growth": np.full(64, 0.3)}}, "inputs"),
        ({"second_seed": 2, "second_streams": ["market_growth"]}, "second_streams"),
        ({"chunks": 32}, "chunks"),
    ],
)
def test_v2_refuses_what_it_does_not_support(scn, kwargs, field):
    kw = {"stream": 2, **kwargs}
    with pytest.raises(ValueError, match=f"^{field}:"):
        cloudsim.simulate(scn, 64, seed=1, **kw)


@pytest.mark.parametrize("bad", ["2", 2.0, True, None])
def test_stream_type_is_checked(scn, bad):
    with pytest.raises(TypeError, match=r"^stream:"):
        cloudsim.simulate(scn, 64, seed=1, stream=bad)


def test_v2_refused_by_a_model_without_it():
    s = cloudsim.load_scenario("openai-compute-2025")
    if s.model.name == "deal":
        pytest.fail("expected a scenario of another model")
    with pytest.raises(ValueError, match=r"^stream: model"):
        cloudsim.simulate(s, 64, seed=1, stream=2)
