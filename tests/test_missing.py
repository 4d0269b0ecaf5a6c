"""One missing-value rule for every estimator: NaN trials are left out, and ``n_valid`` says how many counted.

The invariant: an estimator on ``da.where(mask)`` equals the estimator on the trials the mask
keeps, for every estimator (conditioning with ``where`` gives the conditional estimate).  Also the
small pieces of the risk API: distinct numeric quantiles, numpy's quantile methods, no bands of
boolean variables, ``direction="below"``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudsim


def _data(seed: int, n: int, keep: float) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    rng = np.random.default_rng(seed)
    x = xr.DataArray(
        np.exp(rng.standard_normal((n, 3))), dims=("trial", "year"), coords={"year": [2026, 2027, 2028]}, name="x"
    )
    mask = xr.DataArray(rng.random(n) < keep, dims="trial")
    mask[0] = True  # at least one trial survives
    return x, x.where(mask), x.isel(trial=np.flatnonzero(mask.values))


def _same(a: xr.Dataset | xr.DataArray, b: xr.Dataset | xr.DataArray) -> None:
    a = a.to_dataset(name="v") if isinstance(a, xr.DataArray) else a
    b = b.to_dataset(name="v") if isinstance(b, xr.DataArray) else b
    assert set(a.data_vars) == set(b.data_vars)
    for k in b.data_vars:
        np.testing.assert_allclose(a[k].values, b[k].values, rtol=1e-12, atol=0, equal_nan=True, err_msg=k)


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 400), keep=st.floats(0.2, 0.9))
def test_masked_equals_subset_for_every_estimator(seed, n, keep):
    _, masked, sub = _data(seed, n, keep)
    thr = float(np.median(sub.values))
    _same(cloudsim.exceedance_probability(masked, thr), cloudsim.exceedance_probability(sub, thr))
    _same(cloudsim.first_passage(masked, thr), cloudsim.first_passage(sub, thr))
    _same(cloudsim.percentile_bands(masked, ci=0.9), cloudsim.percentile_bands(sub, ci=0.9))
    _same(cloudsim.quantile_intervals(masked, [0.1, 0.5]), cloudsim.quantile_intervals(sub, [0.1, 0.5]))
    _same(cloudsim.value_at_risk(masked, 0.9), cloudsim.value_at_risk(sub, 0.9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # small tails: the warning is tested elsewhere
        _same(cloudsim.expected_shortfall(masked, 0.8), cloudsim.expected_shortfall(sub, 0.8))
    for stat, kw in (("mean", {}), ("quantile", {"q": 0.3}), ("probability", {"threshold": thr})):
        _same(cloudsim.mcse(masked, stat, **kw), cloudsim.mcse(sub, stat, **kw))
    ref = cloudsim.exceedance_probability(sub, thr)
    assert (cloudsim.exceedance_probability(masked, thr)["n_valid"] == sub.sizes["trial"]).all()
    assert ref.attrs["trials"] == sub.sizes["trial"]
    assert cloudsim.percentile_bands(masked).attrs["n_valid"] == sub.sizes["trial"]


def test_conditioning_with_where_gives_the_conditional_probability():
    """The issue's case: masked trials counted as "not exceeding" gave P = 0.486 for a conditional 0.804."""
    rng = np.random.default_rng(3)
    x = xr.DataArray(rng.standard_normal(20_000), dims="trial")
    cond = x > 0
    p = cloudsim.exceedance_probability(x.where(cond), 0.5)
    expected = float((x > 0.5).sum() / cond.sum())  # the conditional probability, by counting
    assert float(p["probability"]) == pytest.approx(expected, rel=1e-12)
    assert int(p["n_valid"]) == int(cond.sum())
    lo, hi = p["probability_ci"].values
    assert lo < expected < hi


def test_masked_boolean_is_its_own_indicator():
    rng = np.random.default_rng(4)
    met = xr.DataArray(rng.random(500) < 0.3, dims="trial", name="commitment_met")
    cond = xr.DataArray(rng.random(500) < 0.5, dims="trial")
    p = cloudsim.exceedance_probability(met.where(cond))
    assert float(p["probability"]) == pytest.approx(float(met[cond.values].mean()), rel=1e-12)
    with pytest.raises(ValueError, match="threshold: required"):
        cloudsim.exceedance_probability(met.astype(float) * 2.0)


def test_paired_difference_leaves_out_trials_missing_in_either_scenario():
    rng = np.random.default_rng(5)
    z = rng.standard_normal(600)
    da = xr.DataArray(
        np.stack([np.exp(z), 0.9 * np.exp(z + 0.1 * rng.standard_normal(600))]),
        dims=("scenario", "trial"),
        coords={"scenario": ["a", "b"]},
    )
    keep = rng.random(600) < 0.7
    holes = da.copy()
    holes[0, ~keep] = np.nan  # missing in scenario a only: the pair is left out
    sub = da.isel(trial=np.flatnonzero(keep))
    for kw in ({"stat": "quantile", "q": [0.1, 0.9]}, {"stat": "mean"}, {"stat": "probability", "threshold": 1.0}):
        got = cloudsim.paired_difference(holes, a="a", b="b", **kw)
        _same(got, cloudsim.paired_difference(sub, a="a", b="b", **kw))
        assert int(got["n_valid"]) == int(keep.sum())


def test_commitment_probability_counts_valid_trials_and_never_assumes_the_default(ds_small):
    cond = ds_small["spend"].sel(year=2028) >= float(ds_small["spend"].sel(year=2028).median())
    masked = ds_small.copy()
    masked["commitment_met"] = ds_small["commitment_met"].where(cond)
    got = cloudsim.commitment_probability(masked)
    assert got["n_valid"] == int(cond.sum())
    assert got["probability"] == pytest.approx(float(ds_small["commitment_met"][cond.values].mean()), rel=1e-12)
    stripped = ds_small.copy()
    stripped.attrs = {}
    for v in stripped.variables.values():
        v.attrs = {}
    bare = cloudsim.commitment_probability(stripped)
    assert np.isnan(bare["total"]) and bare["years"] == ""  # no commitment recorded: none assumed
    with pytest.raises(ValueError, match="records no commitment"):
        cloudsim.commitment_report(stripped)


def test_commitment_report_leaves_out_nan_paths(ds_small):
    keep = np.arange(ds_small.sizes["trial"]) % 3 != 0
    masked = ds_small.copy()
    masked["spend"] = ds_small["spend"].where(xr.DataArray(keep, dims="trial"))
    masked = masked.drop_vars("cumulative_spend")
    sub = ds_small.isel(trial=np.flatnonzero(keep)).drop_vars("cumulative_spend")
    got, ref = cloudsim.commitment_report(masked), cloudsim.commitment_report(sub)
    _same(got, ref)
    assert got.attrs["n_valid"] == int(keep.sum()) and got.attrs["trials"] == ds_small.sizes["trial"]


# ---- the small pieces -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("q", "exc", "match"),
    [([0.5, 0.5], ValueError, "distinct"), ("0.5", TypeError, "numbers"), (["0.5", 0.9], TypeError, "numbers")],
)
def test_percentile_bands_refuses_repeated_or_text_quantiles(q, exc, match):
    x = xr.DataArray(np.arange(10.0), dims="trial")
    with pytest.raises(exc, match=match):
        cloudsim.percentile_bands(x, q)


@pytest.mark.parametrize("method", ["hazen", "weibull", "inverted_cdf", "nearest", "median_unbiased"])
def test_percentile_bands_method_is_numpys(method):
    rng = np.random.default_rng(6)
    x = xr.DataArray(rng.standard_normal((301, 2)), dims=("trial", "year"))
    qs = [0.05, 0.5, 0.95]
    got = cloudsim.percentile_bands(x, qs, method=method)
    np.testing.assert_array_equal(got.values, np.quantile(x.values, qs, axis=0, method=method))
    assert got.attrs["quantile_method"] == method
    with pytest.raises(ValueError, match="method: must be one of"):
        cloudsim.percentile_bands(x, qs, method="cubic")


def test_percentile_bands_of_a_dataset_leave_booleans_out(ds_small):
    bands = cloudsim.percentile_bands(ds_small)
    assert "commitment_met" not in bands and "spend" in bands
    with_ci = cloudsim.percentile_bands(ds_small, ci=0.95)
    assert "commitment_met" not in with_ci and "commitment_met_ci" not in with_ci
    assert "commitment_met" not in cloudsim.quantile_intervals(ds_small)


def test_direction_below_counts_at_or_below():
    rng = np.random.default_rng(7)
    x = xr.DataArray(rng.integers(0, 10, (1000, 4)).astype(float), dims=("trial", "year"), coords={"year": range(4)})
    below = cloudsim.exceedance_probability(x, 3.0, direction="below")
    np.testing.assert_array_equal(below["probability"].values, (x.values <= 3.0).mean(axis=0))
    assert below.attrs["relation"].endswith("<= threshold")
    fp = cloudsim.first_passage(x, 1.0, direction="below")
    ever = (x.values <= 1.0).cumsum(axis=1) > 0
    np.testing.assert_array_equal(fp["crossed_by"].values, ever.mean(axis=0))
    with pytest.raises(ValueError, match="direction: must be one of"):
        cloudsim.exceedance_probability(x, 3.0, direction="<=")
