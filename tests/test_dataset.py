"""The Dataset schema (docs/model.md) and its netCDF round trip."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import cloudsim
from cloudsim.scenario import Scenario


def test_schema(ds_small, scn):
    ds = ds_small
    assert dict(ds.sizes) == {"trial": 2000, "year": 8, "provider": 4}
    assert ds.trial.dtype == np.int64 and ds.trial.values[0] == 0
    assert ds.year.values.tolist() == list(range(2025, 2033))
    assert ds.provider.values.tolist() == ["aws", "azure", "gcp", "other"]
    for v in ("market_size", "spend", "cumulative_spend", "seller_revenue", "buyer_share_of_seller"):
        assert ds[v].dims == ("trial", "year")
    assert ds.share.dims == ("trial", "year", "provider")
    for name in [i.name for i in scn.inputs()]:
        assert ds[name].dims == ("trial",) and ds[name].attrs["role"] == "input"
    for v in list(ds.data_vars):
        assert ds[v].attrs["units"] and ds[v].attrs["long_name"], v
    assert ds.market_size.attrs["units"] == "USD" and ds.share.attrs["units"] == "1"
    for key in ("seed", "scenario", "cloudsim_version", "created_at", "method", "stream_version", "model", "sampler"):
        assert key in ds.attrs
    assert Scenario.from_toml(ds.attrs["scenario"]) == scn
    assert ds.attrs["seed"] == "7"
    assert (ds.attrs["model"], ds.attrs["buyer"], ds.attrs["seller"]) == ("deal", "OpenAI", "AWS")
    assert ds.spend.attrs["long_name"] == "OpenAI's annual AWS spend"


def test_derived_variables(ds_small):
    ds = ds_small
    aws = ds.share.sel(provider="aws")
    np.testing.assert_allclose(ds.seller_revenue, aws * ds.market_size, rtol=1e-15)
    np.testing.assert_allclose(ds.buyer_share_of_seller, ds.spend / ds.seller_revenue, rtol=1e-15)
    total = ds.commitment_shortfall.attrs["commitment_total"]
    cum = ds.cumulative_spend.sel(year=2032)
    np.testing.assert_allclose(ds.commitment_shortfall, np.maximum(total - cum, 0), rtol=1e-12, atol=1e-3)


def test_netcdf_round_trip(ds_small, tmp_path):
    path = tmp_path / "run.nc"
    cloudsim.to_netcdf(ds_small, path)
    with xr.open_dataset(path) as back:
        back = back.load()
    xr.testing.assert_identical(back, ds_small)
    assert back.commitment_met.dtype == bool
    assert not list(tmp_path.glob(".*part"))


def test_start_sets_trial_coordinate(scn):
    ds = cloudsim.simulate(scn, 10, seed=1, start=750_000)
    assert ds.trial.values.tolist() == list(range(750_000, 750_010))
    assert ds.attrs["start"] == 750_000


@pytest.mark.parametrize("name", ["openai-aws-2025", "openai-compute-2025"])
def test_dataset_equals_the_one_xarray_builds(name):
    """The Dataset built variable by variable (no duck-array checks) is the one ``xr.Dataset(...)`` builds itself."""
    ds = cloudsim.simulate(cloudsim.load_scenario(name), 300, seed=7)
    plain = xr.Dataset(
        {k: (v.dims, v.values, v.attrs) for k, v in ds.data_vars.items()},
        coords={k: (v.dims, v.values, v.attrs) for k, v in ds.coords.items()},
        attrs=ds.attrs,
    )
    xr.testing.assert_identical(ds, plain)
    assert set(ds.xindexes) == set(plain.xindexes) >= {"trial", "year"}
    for dim in ds.xindexes:
        assert ds.indexes[dim].equals(plain.indexes[dim]) and ds.indexes[dim].dtype == plain.indexes[dim].dtype
        assert ds[dim].dtype == plain[dim].dtype
    for k in ds.variables:
        assert ds[k].dtype == plain[k].dtype and ds[k].encoding == plain[k].encoding, k
    assert ds.sel(year=2030).isel(trial=slice(0, 5)).sizes["trial"] == 5
