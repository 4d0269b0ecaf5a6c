"""First contact: what a new user meets in a fresh session (accessors, free functions, errors that point somewhere)."""

from __future__ import annotations

import inspect

import pytest
import xarray as xr

import cloudsim

DATASET_ONLY = ("check_claims", "commitment_probability", "commitment_report")


@pytest.fixture(scope="module")
def run():
    return cloudsim.simulate(cloudsim.load_scenario(), 2000, seed=5)


@pytest.fixture(scope="module")
def comparison():
    scns = {"a": cloudsim.load_scenario(), "b": cloudsim.load_scenario("analyst-trend-2025")}
    return cloudsim.compare(scns, 500, seed=1)


def test_dataarray_accessor_lists_only_what_takes_one_variable(run):
    da = run["spend"]
    names = [n for n in dir(da.cloudsim) if not n.startswith("_")]
    for name in DATASET_ONLY:
        assert name not in names
        assert not hasattr(da.cloudsim, name)
    for name in names:  # every listed method's target takes a DataArray as its first argument
        if name == "plot":
            continue
        first = next(iter(inspect.signature(getattr(cloudsim.risk, name)).parameters.values()))
        assert "DataArray" in str(first.annotation), (name, first.annotation)
    ds_names = [n for n in dir(run.cloudsim) if not n.startswith("_")]
    assert set(DATASET_ONLY) <= set(ds_names)


def test_dataarray_accessor_methods_run_on_a_variable(run):
    x = run["cumulative_spend"].sel(year=2032)
    assert float(x.cloudsim.exceedance_probability(38e9)["probability"]) == pytest.approx(float((x >= 38e9).mean()))
    assert "quantile" in x.cloudsim.percentile_bands().dims


def test_free_check_claims_reads_the_scenario_recorded_in_the_dataset(run):
    scn = cloudsim.load_scenario()
    free = cloudsim.check_claims(run)
    given = cloudsim.check_claims(run, scn)
    accessor = run.cloudsim.check_claims()
    assert free.equals(given) and free.equals(accessor)
    assert len(free) > 0


def test_check_claims_of_another_scenario_is_refused(run):
    other = cloudsim.load_scenario("analyst-trend-2025")
    with pytest.raises(ValueError, match="claims differ from those of the scenario ds simulates"):
        cloudsim.check_claims(run, other)


def test_comparison_errors_point_to_the_right_function(comparison):
    with pytest.raises(ValueError, match="call check_claims once per scenario") as err:
        cloudsim.check_claims(comparison)
    assert "commitment_report" not in str(err.value)  # it checks no claims
    with pytest.raises(ValueError, match="commitment_report for all at once"):
        cloudsim.commitment_probability(comparison)
    one = comparison.sel(scenario="a").assign_attrs(scenario=cloudsim.load_scenario().to_toml())
    assert len(cloudsim.check_claims(one)) > 0


def test_check_claims_without_any_scenario_says_what_to_pass(run):
    bare = xr.Dataset(run.data_vars, coords=run.coords)
    with pytest.raises(ValueError, match="ds records none"):
        cloudsim.check_claims(bare)
