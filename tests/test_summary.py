"""summarize(): the statistics of a run without its trials, equal to the full-run functions, chunk-invariant."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import cloudsim
import cloudsim._summary
from cloudsim.engine.sketch import ExactSums, gamma_of, sketch_block

N = 12_000
SEED = 99


@pytest.fixture(scope="module")
def full(scn):
    return cloudsim.simulate(scn, N, seed=SEED)


@pytest.fixture(scope="module")
def exact(scn):
    return cloudsim.summarize(scn, N, seed=SEED, bands="exact", chunk=5_000, thresholds={"spend": [1.5e9, 3e9]})


@pytest.fixture(scope="module")
def sketch(scn):
    return cloudsim.summarize(scn, N, seed=SEED, chunk=N, thresholds={"spend": [1.5e9, 3e9]})


def _variables(ds):
    return [k for k, v in ds.data_vars.items() if "trial" in v.dims]


def _strip(ds: xr.Dataset) -> xr.Dataset:
    return ds.assign_attrs(created_at="")


# ---- exact mode = the full-run functions ---------------------------------------------------------------
def test_exact_bands_equal_percentile_bands_of_the_full_run(full, exact):
    for v in _variables(full):
        expected = cloudsim.percentile_bands(full[v])
        assert exact[v].dims == expected.dims, v
        xr.testing.assert_equal(exact[v].reset_coords(drop=True), expected.reset_coords(drop=True))
        for c in expected.coords:
            np.testing.assert_array_equal(exact[v][c].values, expected[c].values)


def test_exact_intervals_equal_quantile_intervals_of_the_full_run(full, exact):
    for v in _variables(full):
        expected = cloudsim.quantile_intervals(full[v], ci=0.95)
        np.testing.assert_array_equal(exact[f"{v}_ci"].values, expected.values, err_msg=v)
        assert exact[f"{v}_ci"].dims == expected.dims


def test_bands_match_numpy_quantile_directly(full, exact):
    q = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    expected = np.quantile(full["spend"].values, q, axis=0)
    np.testing.assert_array_equal(exact["spend"].values, expected)


def test_mean_is_fsum_over_n_and_sd_matches_numpy(full, exact):
    x = full["cumulative_spend"].values
    fsum = np.array([math.fsum(x[:, j]) / N for j in range(x.shape[1])])
    np.testing.assert_array_equal(exact["cumulative_spend_mean"].values, fsum)
    np.testing.assert_allclose(exact["cumulative_spend_sd"].values, x.std(axis=0, ddof=1), rtol=1e-12, atol=0)
    np.testing.assert_allclose(exact["cumulative_spend_mean_mcse"].values, x.std(axis=0, ddof=1) / math.sqrt(N),
                               rtol=1e-12)  # fmt: skip
    np.testing.assert_array_equal(exact["share_min"].values, full["share"].min("trial").values)
    np.testing.assert_array_equal(exact["share_max"].values, full["share"].max("trial").values)


def test_exceedance_equals_exceedance_probability(full, exact, scn):
    ep = cloudsim.exceedance_probability(full["spend"], [1.5e9, 3e9])
    np.testing.assert_array_equal(exact["spend_exceedance"].values, ep["probability"].values)
    np.testing.assert_array_equal(exact["spend_exceedance_ci"].values, ep["probability_ci"].values)
    total = scn.commitments[0].total
    ec = cloudsim.exceedance_probability(full["cumulative_spend"], [total])
    np.testing.assert_array_equal(exact["cumulative_spend_exceedance"].values, ec["probability"].values)


def test_commitment_probability_and_claims(full, exact):
    met = cloudsim.exceedance_probability(full["commitment_met"])
    np.testing.assert_array_equal(exact["commitment_met_probability"].values, met["probability"].values)
    np.testing.assert_array_equal(exact["commitment_met_probability_ci"].values, met["probability_ci"].values)
    table = cloudsim.check_claims(full)
    np.testing.assert_array_equal(exact["claim_probability"].values, table["simulated"].values)
    np.testing.assert_array_equal(
        exact["claim_probability_ci"].values, table[["ci_lower_row", "ci_upper_row"]].values
    )  # per-claim Wilson
    assert list(exact["statement"].values) == list(table["statement"])


def test_histogram_counts_the_trials_inside_its_range(full, sketch):
    hist = sketch["spend_hist"].sel(year=2028).values
    edges = sketch["spend_bin_edges"].sel(year=2028).values
    expected, _ = np.histogram(full["spend"].sel(year=2028).values, edges)
    # bucket representatives move a value by at most rel_error: only trials next to an edge can change bins
    assert abs(hist - expected).sum() <= 0.01 * N
    assert 0.99 * N <= hist.sum() + 0.002 * N <= 1.01 * N


# ---- sketch mode: the relative error guarantee ----------------------------------------------------------
def test_sketch_bands_within_rel_error_of_exact(sketch, exact, full):
    for v in _variables(full):
        a, b = sketch[v].values, exact[v].values
        ok = b != 0
        assert np.all(np.abs(a[ok] - b[ok]) <= 1e-4 * np.abs(b[ok])), v
        np.testing.assert_array_equal(a[~ok], b[~ok])


values = arrays(np.float64, st.integers(1, 400), elements=st.floats(-1e12, 1e12, allow_nan=False, width=64))


@given(values, st.sampled_from([1e-4, 1e-3, 0.05]), st.integers(1, 5))
def test_sketch_order_statistics_within_rel_error(x, rel, parts):
    lg, inv = gamma_of(rel)
    pieces = np.array_split(x, parts)
    sk = None
    for p in pieces:
        if p.size == 0:
            continue
        s = sketch_block(np.ascontiguousarray(p[None, :]), inv)[0][0]
        sk = s if sk is None else sk.merge(s)
    ranks = np.arange(x.size)
    est = sk.order_stats(ranks, lg)
    exact_ = np.sort(x)
    assert np.all(np.abs(est - exact_) <= rel * np.abs(exact_))
    whole = sketch_block(np.ascontiguousarray(x[None, :]), inv)[0][0]
    np.testing.assert_array_equal(whole.order_stats(ranks, lg), est)


@given(arrays(np.float64, st.integers(1, 300), elements=st.floats(-1e150, 1e150, allow_nan=False)), st.integers(1, 6))
def test_exact_sums_are_fsum_in_any_split(x, parts):
    whole = ExactSums.of_block(np.ascontiguousarray(x[None, :]))
    acc = None
    for p in np.array_split(x[::-1], parts):
        s = ExactSums.of_block(np.ascontiguousarray(p[None, :]))
        acc = s if acc is None else acc.merge(s)
    n = np.array([x.size])
    mean, sd = acc.moments(n)
    assert mean[0] == math.fsum(x) / x.size
    assert (mean[0], sd[0]) == tuple(v[0] for v in whole.moments(n)) or np.isnan(sd[0])
    if x.size > 1:
        xs = x / 1e140  # the exact variance, in exact rationals, for comparison
        from fractions import Fraction

        fr = [Fraction(v) for v in x]
        m = sum(fr) / len(fr)
        var = sum((v - m) ** 2 for v in fr) / (len(fr) - 1)
        assert sd[0] == math.sqrt(float(var)), xs[:1]


# ---- invariance -----------------------------------------------------------------------------------------
@settings(max_examples=4)
@given(st.integers(1_500, 6_000))
def test_bit_identical_for_any_chunk(scn, sketch, chunk):
    got = cloudsim.summarize(scn, N, seed=SEED, chunk=chunk, thresholds={"spend": [1.5e9, 3e9]})
    xr.testing.assert_identical(_strip(got), _strip(sketch))


def test_bit_identical_on_dask_threads(scn, sketch):
    got = cloudsim.summarize(scn, N, seed=SEED, chunk=2_500, scheduler="threads", thresholds={"spend": [1.5e9, 3e9]})
    xr.testing.assert_identical(_strip(got), _strip(sketch))


def test_start_offsets_the_trials(scn):
    sm = cloudsim.summarize(scn, 3_000, seed=5, start=1_000, bands="exact")
    ds = cloudsim.simulate(scn, 4_000, seed=5).isel(trial=slice(1_000, None))
    np.testing.assert_array_equal(sm["spend"].values, cloudsim.percentile_bands(ds["spend"]).values)


# ---- memory, progress, errors ----------------------------------------------------------------------------
def test_peak_memory_does_not_grow_with_trials(scn, monkeypatch):
    block = 4_096
    monkeypatch.setattr(cloudsim._summary, "BLOCK", block)  # small blocks keep the test short
    cloudsim.summarize(scn, block, seed=1, chunk=block)  # warm caches
    peaks = []
    for blocks in (3, 12):
        tracemalloc.start()
        cloudsim.summarize(scn, blocks * block, seed=1, chunk=block)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.25 * peaks[0]  # four times the trials, (nearly) the same peak: the sketches' buckets
    assert peaks[1] < 64 * 2**20


def test_progress_bar_on_request(scn, capsys):
    cloudsim.summarize(scn, 2_000, seed=1, progress=True)
    assert "summarize" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rel_error": 0.0}, ValueError, "rel_error"),
        ({"rel_error": 0.2}, ValueError, "rel_error"),
        ({"chunk": 0}, ValueError, "chunk"),
        ({"chunk": 10.0}, TypeError, "chunk"),
        ({"bands": "median"}, ValueError, "bands"),
        ({"thresholds": {"nope": 1.0}}, ValueError, "nope"),
        ({"thresholds": {"spend": [float("nan")]}}, ValueError, "spend"),
        ({"scheduler": "nowhere"}, ValueError, "scheduler"),
        ({"scheduler": 3}, TypeError, "scheduler"),
        ({"q": [1.5]}, ValueError, "q"),
        ({"sampler": "qmc"}, ValueError, "sampler: must be one of"),
        ({"sampler": "sobol"}, ValueError, "sampler: summarize supports 'mc' only"),
    ],
)
def test_bad_arguments(scn, kwargs, error, match):
    with pytest.raises(error, match=match):
        cloudsim.summarize(scn, 100, seed=1, **kwargs)


def test_sampler_mc_is_the_default(scn):
    a = cloudsim.summarize(scn, 500, seed=4, sampler="mc")
    b = cloudsim.summarize(scn, 500, seed=4)
    np.testing.assert_array_equal(a["spend"].values, b["spend"].values)


def test_unreachable_scheduler_address(scn):
    with pytest.raises(ValueError, match="cannot reach"):
        cloudsim.summarize(scn, 100, seed=1, scheduler="tcp://127.0.0.1:9")
