"""``cloudsim.sensitivity``: the rank estimator against analytic indices, its intervals, the article run."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import cloudsim
from cloudsim.drivers.rank import rank_first_order

#: Ishigami (a=7, b=0.1), inputs uniform on [-pi, pi]: first-order indices in closed form.
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])


def _run_like(x: np.ndarray, y: np.ndarray) -> xr.Dataset:
    ds = xr.Dataset({f"x{i}": ("trial", x[:, i], {"role": "input"}) for i in range(x.shape[1])})
    ds["y"] = ("trial", y)
    return ds


def _ishigami(n: int, seed: int) -> xr.Dataset:
    x = np.random.default_rng(seed).uniform(-np.pi, np.pi, (n, 3))
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    return _run_like(x, y)


def test_ishigami_within_three_standard_errors():
    r = cloudsim.sensitivity(_ishigami(200_000, 1), "y", by=None)
    z = (r["S1"].values - ISHIGAMI_S1) / r["S1_se"].values
    assert np.all(np.abs(z) < 3), z
    assert r["S1_se"].max() < 0.005


def test_linear_model_indices_and_their_sum():
    a = np.array([1.0, 2.0, 0.5, 0.0])
    x = np.random.default_rng(2).standard_normal((100_000, 4))
    r = cloudsim.sensitivity(_run_like(x, x @ a), "y", by=None)
    exact = a**2 / np.sum(a**2)
    z = (r["S1"].values - exact) / r["S1_se"].values
    assert np.all(np.abs(z) < 3), z
    # additive: the first-order indices sum to 1 (within 3 standard errors of the sum, taken as independent)
    assert abs(r["S1"].sum() - 1) < 3 * np.sqrt(np.sum(r["S1_se"].values ** 2))


def test_intervals_cover_the_ishigami_indices_about_95_percent_of_the_time():
    hits = []
    for seed in range(200):
        ci = cloudsim.sensitivity(_ishigami(10_000, 100 + seed), "y", by=None, ci=0.95)["S1_ci"].values
        hits.append((ci[:, 0] <= ISHIGAMI_S1) & (ISHIGAMI_S1 <= ci[:, 1]))
    coverage = np.mean(hits, axis=0)
    assert np.all((coverage >= 0.9) & (coverage <= 0.99)), coverage


def test_estimator_matches_a_direct_loop():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(50), rng.standard_normal(50)
    order = np.argsort(x)
    ys = y[order]
    m, v = ys.mean(), ys.var()
    direct = sum((ys[j] - m) * (ys[j + 1] - m) for j in range(49)) / 50 / v
    assert rank_first_order(x, y[:, None])[0] == pytest.approx(direct, rel=1e-12)


def test_article_spend_in_its_claim_year_is_driven_by_the_spend_inputs(scn, ds200k):
    r = cloudsim.sensitivity(ds200k, "spend")
    year = scn.claim_years["spend"]
    s = r["S1"].sel(year=year)
    # the bridge pins spend to its target in the claim year: spend_target explains (almost) all of it
    assert s.sel(input="spend_target") > 0.95
    assert str(s.idxmax("input").values) == "spend_target"
    assert set(r.dims) == {"input", "year", "ci_bound"}
    assert r.attrs["ci_kind"].startswith("asymptotic normal")


def test_boolean_and_derived_outputs(ds200k):
    met = cloudsim.sensitivity(ds200k, "commitment_met")
    assert "input" in met.dims and np.isfinite(met["S1"]).any()
    derived = ds200k["spend"].sel(year=2028) > 3e9
    r = cloudsim.sensitivity(ds200k, derived, by=None)
    assert str(r["S1"].idxmax("input").values) == "spend_target"


def test_bad_arguments(ds_small):
    with pytest.raises(ValueError, match="method: must be 'rank'"):
        cloudsim.sensitivity(ds_small, "spend", method="sobol")
    with pytest.raises(ValueError, match="unknown variable 'nope'; allowed"):
        cloudsim.sensitivity(ds_small, "nope")
    with pytest.raises(ValueError, match="must have a 'trial' dim"):
        cloudsim.sensitivity(ds_small, ds_small["spend"].mean("trial"))
    with pytest.raises(ValueError, match="by=None"):
        cloudsim.sensitivity(ds_small, "spend", by=None)
    with pytest.raises(ValueError, match="no per-trial inputs"):
        cloudsim.sensitivity(ds_small[["spend"]], "spend")
    with pytest.raises(ValueError, match="at least 1000 trials"):
        cloudsim.sensitivity(ds_small.isel(trial=slice(0, 500)), "spend")
    with pytest.raises(ValueError, match="ci: must be in"):
        cloudsim.sensitivity(ds_small, "spend", ci=1.5)


def test_standard_error_at_a_zero_index_of_a_heteroscedastic_output_is_the_spread_over_replications():
    # Ishigami's x3 has S1 = 0 but the output's variance grows as x3**8, so the estimate's error
    # depends on how close neighbours in x3 are: batch means of 100-trial sub-runs gave 0.93 of
    # the spread here (and a 92.7% coverage in the validation), the full run's neighbours 1.00
    est, se = [], []
    for seed in range(3000):
        r = cloudsim.sensitivity(_ishigami(2_000, 5_000 + seed)[["x2", "y"]], "y", by=None)
        est.append(float(r["S1"][0]))
        se.append(float(r["S1_se"][0]))
    ratio = np.sqrt(np.mean(np.square(se))) / np.std(est)
    assert 0.95 < ratio < 1.05, ratio
    assert abs(np.mean(est)) < 3 * np.std(est) / np.sqrt(len(est))  # no bias at zero beyond the noise
