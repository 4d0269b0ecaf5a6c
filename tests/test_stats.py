"""Percentile bands, Wilson intervals, claim checks, the accessor."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import cloudsim
from cloudsim.risk import wilson_interval


def test_bands_equal_numpy_quantile(ds_small):
    q = (0.05, 0.25, 0.5, 0.75, 0.95)
    bands = cloudsim.percentile_bands(ds_small, q)
    assert isinstance(bands, xr.Dataset)
    for v in ("spend", "share", "market_size", "spend_target"):
        axis = ds_small[v].get_axis_num("trial")
        ref = np.quantile(ds_small[v].values, q, axis=axis)
        np.testing.assert_array_equal(bands[v].values, ref)
        assert bands[v].dims[0] == "quantile"
        assert "trial" not in bands[v].dims
        assert bands[v].attrs["units"] == ds_small[v].attrs["units"]
    assert bands["quantile"].values.tolist() == list(q)
    assert bands.share.sel(provider="aws").dims == ("quantile", "year")


def test_bands_dataarray_and_accessor(ds_small):
    da = ds_small.spend
    a = cloudsim.percentile_bands(da, [0.1, 0.9])
    b = da.cloudsim.percentile_bands([0.1, 0.9])
    c = ds_small.cloudsim.percentile_bands([0.1, 0.9]).spend
    xr.testing.assert_identical(a, b)
    xr.testing.assert_identical(a, c)
    np.testing.assert_array_equal(a.values, np.quantile(da.values, [0.1, 0.9], axis=0))


@given(st.lists(st.floats(0, 1), min_size=1, max_size=6, unique=True))
def test_bands_are_monotone_in_q(qs):
    rng = np.random.default_rng(0)
    da = xr.DataArray(rng.lognormal(size=(500, 3)), dims=("trial", "year"))
    qs = sorted(qs)
    b = cloudsim.percentile_bands(da, qs).values
    assert np.all(np.diff(b, axis=0) >= 0)


@pytest.mark.parametrize("q", [[1.5], [-0.1], [float("nan")], [], [[0.1, 0.2]]])
def test_bands_bad_q(ds_small, q):
    with pytest.raises(ValueError, match="q"):
        cloudsim.percentile_bands(ds_small.market_size, q)


def test_bands_bad_dim(ds_small):
    with pytest.raises(ValueError, match="dim"):
        cloudsim.percentile_bands(ds_small.market_size, dim="scenario")
    with pytest.raises(TypeError, match="obj"):
        cloudsim.percentile_bands(np.zeros(3))


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (800, 1000), (160_000, 200_000)])
def test_wilson_matches_scipy(k, n):
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = wilson_interval(k, n, 0.95)
    assert lo == pytest.approx(ref.low, abs=1e-12)
    assert hi == pytest.approx(ref.high, abs=1e-12)


def test_check_claims_table(ds_small, scn):
    t = cloudsim.check_claims(ds_small, scn)
    assert list(t.columns) == [
        "claim",
        "metric",
        "which",
        "statement",
        "year",
        "stated",
        "simulated",
        "ci_lower",
        "ci_upper",
        "holds",
        "ci_lower_row",
        "ci_upper_row",
        "holds_row",
        "rule",
    ]
    assert set(t.claim) == {"spend", "seller_share", "market_growth"}
    assert (t.ci_lower <= t.simulated).all() and (t.simulated <= t.ci_upper).all()
    row = t[(t.claim == "spend") & (t.which == "target")].iloc[0]
    expected = float((ds_small.spend.sel(year=2028) >= 1.5e9).mean())
    assert row.simulated == expected and row.stated == 0.8 and row.year == 2028
    assert row.statement == "P(X >= $1.5 Billion) = 0.80"
    # the accessor reads the scenario from the Dataset's attrs
    assert ds_small.cloudsim.check_claims().equals(t)


def test_check_claims_family_wise_rule(ds_small, scn):
    """``holds`` uses Bonferroni-adjusted Wilson intervals (scipy's at 1 - 0.05/m); the per-row verdict is kept."""
    t = cloudsim.check_claims(ds_small, scn)
    m = len(t)
    assert m >= 2 and t.attrs["family"] == "bonferroni" and "Bonferroni" in t.attrs["rule"]
    assert t.attrs["row_ci_prob"] == pytest.approx(1 - 0.05 / m)
    assert (t["rule"] == t.attrs["rule"]).all()
    for r in t.itertuples():
        k, n = round(r.simulated * ds_small.sizes["trial"]), ds_small.sizes["trial"]
        adj = stats.binomtest(k, n).proportion_ci(confidence_level=1 - 0.05 / m, method="wilson")
        row = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert r.ci_lower == pytest.approx(adj.low, abs=1e-12) and r.ci_upper == pytest.approx(adj.high, abs=1e-12)
        assert r.ci_lower_row == pytest.approx(row.low, abs=1e-12)
        assert r.ci_upper_row == pytest.approx(row.high, abs=1e-12)
        assert r.holds == (adj.low <= r.stated <= adj.high) and r.holds_row == (row.low <= r.stated <= row.high)
    per_row = cloudsim.check_claims(ds_small, scn, family="none")
    assert (per_row["holds"] == t["holds_row"]).all() and per_row.attrs["row_ci_prob"] == 0.95
    with pytest.raises(ValueError, match="family"):
        cloudsim.check_claims(ds_small, scn, family="holm")


def test_check_claims_reads_the_scenario_from_the_attrs(ds_small, scn):
    t = cloudsim.check_claims(ds_small)
    assert t.equals(cloudsim.check_claims(ds_small, scn))
    row = t[(t.claim == "spend") & (t.which == "target")].iloc[0]
    assert row.simulated == float((ds_small.spend.sel(year=2028) >= 1.5e9).mean())
    bare = ds_small.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match=r"scenario: not given, and ds records none"):
        cloudsim.check_claims(bare)


def test_check_claims_refuses_another_scenarios_claims(ds_small, scn):
    other = scn.replace({"claims.spend.post_deal": "$3 Billion+"})
    with pytest.raises(ValueError, match=r"scenario: its claims differ .*: spend;"):
        cloudsim.check_claims(ds_small, other)
    # the same claims with another name or description are the same claims
    renamed = scn.replace({"description": "the same claims"})
    assert cloudsim.check_claims(ds_small, renamed).equals(cloudsim.check_claims(ds_small))


def test_check_claims_detects_a_wrong_claim(ds_small, scn):
    """A run with no recorded scenario, checked against other claims: the stated 80% floor no longer holds."""
    bare = ds_small.copy()
    bare.attrs = {k: v for k, v in bare.attrs.items() if k != "scenario"}
    other = scn.replace({"claims.spend.post_deal": "$3 Billion+"})
    t = cloudsim.check_claims(bare, other)
    row = t[(t.claim == "spend") & (t.which == "target")].iloc[0]
    assert row.simulated == float((ds_small.spend.sel(year=2028) >= 3e9).mean())
    assert not row.holds


def test_check_claims_bad_input(ds_small, scn):
    with pytest.raises(ValueError, match="missing variables"):
        cloudsim.check_claims(ds_small[["market_size"]], scn)
    with pytest.raises(TypeError, match="scenario"):
        cloudsim.check_claims(ds_small, "openai-aws-2025")


@pytest.fixture(scope="module")
def two_commitments():
    scn = cloudsim.load_scenario().replace(
        {
            "commitments": [
                {"name": "a", "total": 2e10, "first_year": 2026, "last_year": 2030},
                {
                    "name": "b",
                    "tranches": [{"year": 2030, "amount": 1e10}, {"year": 2032, "amount": 2e10}],
                    "first_year": 2027,
                },
            ]
        }
    )
    return scn, cloudsim.simulate(scn, 20_000, seed=4)


def test_commitment_report_two_commitments(two_commitments):
    scn, ds = two_commitments
    assert [c.name for c in scn.commitments] == ["a", "b"] and scn.commitments[1].due_years == (2030, 2032)
    assert ds.commitment_met.dims == ("trial", "commitment")
    rep = cloudsim.commitment_report(ds)
    assert rep["commitment"].values.tolist() == ["a", "b"]
    assert rep.probability_met.dims == ("commitment",)
    assert rep.commitment_total.values.tolist() == [2e10, 3e10]
    assert rep.commitment_years.values.tolist() == ["2026-2030", "2027-2032"]
    np.testing.assert_array_equal(rep.probability_met.values, ds.commitment_met.mean("trial").values)
    # by hand from annual spend: a needs 20B over 2026-2030; b needs 10B over 2027-2030 and 30B over 2027-2032
    spend = ds.spend
    a = spend.sel(year=slice(2026, 2030)).values.sum(axis=1) >= 2e10
    cum_b = np.cumsum(spend.sel(year=slice(2027, 2032)).values, axis=1)
    b = (cum_b[:, 3] >= 1e10) & (cum_b[:, 5] >= 3e10)
    assert float(rep.probability_met.sel(commitment="a")) == pytest.approx(a.mean(), abs=1e-12)
    assert float(rep.probability_met.sel(commitment="b")) == pytest.approx(b.mean(), abs=1e-12)
    short_b = np.maximum(np.maximum(1e10 - cum_b[:, 3], 0.0), np.maximum(3e10 - cum_b[:, 5], 0.0))
    np.testing.assert_allclose(rep.mean_shortfall.sel(commitment="b"), short_b.mean(), rtol=1e-9)
    # each commitment's yearly statistics cover its own years, NaN elsewhere
    assert np.isnan(rep.met_by.sel(commitment="a", year=2032))
    assert np.isnan(rep.met_by.sel(commitment="b", year=2026))
    # one commitment, selected, reads the same
    one = cloudsim.commitment_report(ds.sel(commitment="b"))
    assert float(one.probability_met) == float(rep.probability_met.sel(commitment="b"))
    assert one.attrs["commitment"] == "b" and one.attrs["commitment_years"] == "2027-2032"
    c = cloudsim.commitment_probability(ds.sel(commitment="a"))
    assert c["probability"] == a.mean() and c["total"] == 2e10
    with pytest.raises(ValueError, match="select one"):
        cloudsim.commitment_probability(ds)


def test_commitment_report_reads_coords_without_a_scenario(two_commitments):
    _, ds = two_commitments
    bare = ds.copy()
    bare.attrs = {}
    rep = cloudsim.commitment_report(bare)  # one tranche each, from the commitment_total/commitment_years coords
    assert rep.commitment_total.values.tolist() == [2e10, 3e10]
    cum_b = ds.spend.sel(year=slice(2027, 2032)).values.sum(axis=1)
    assert float(rep.probability_met.sel(commitment="b")) == pytest.approx(np.mean(cum_b >= 3e10), abs=1e-12)


def test_commitment_probability(ds_small):
    c = cloudsim.commitment_probability(ds_small)
    met = ds_small.cumulative_spend.sel(year=2032).values >= 38e9
    assert c["probability"] == met.mean()
    assert c["ci_lower"] <= c["probability"] <= c["ci_upper"]
    assert c["total"] == 38e9 and c["years"] == "2026-2032"


@given(
    st.integers(1, 60),
    st.integers(1, 4),
    st.lists(st.floats(0, 1), min_size=1, max_size=5, unique=True),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_bands_equal_numpy_bit_for_bit(n, m, qs, seed, ties):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(n, m)).astype(float) if ties else rng.standard_normal((n, m))
    da = xr.DataArray(x, dims=("trial", "year"))
    np.testing.assert_array_equal(cloudsim.percentile_bands(da, qs).values, np.quantile(x, qs, axis=0))
    # another dim order and a third dim
    y = rng.standard_normal((m, n, 2))
    db = xr.DataArray(y, dims=("year", "trial", "provider"))
    np.testing.assert_array_equal(
        cloudsim.percentile_bands(db, qs).transpose("quantile", "year", "provider").values,
        np.quantile(y, qs, axis=1),
    )


def test_bands_nan_and_dtypes():
    x = np.arange(20.0).reshape(10, 2)
    x[3, 1] = np.nan
    b = cloudsim.percentile_bands(xr.DataArray(x, dims=("trial", "year")), [0.5]).values
    # the missing-value rule: NaN trials are left out, as numpy.nanquantile
    assert b[0, 0] == np.quantile(x[:, 0], 0.5) and b[0, 1] == np.nanquantile(x[:, 1], 0.5)
    empty = xr.DataArray(np.full((4, 1), np.nan), dims=("trial", "year"))
    assert np.isnan(cloudsim.percentile_bands(empty).values).all()
    f32 = np.random.default_rng(0).standard_normal((101, 3)).astype(np.float32)
    b = cloudsim.percentile_bands(xr.DataArray(f32, dims=("trial", "year")), [0.1, 0.9])
    np.testing.assert_array_equal(b.values, np.quantile(f32.astype(np.float64), [0.1, 0.9], axis=0))
    with pytest.raises(TypeError, match="dtype"):
        cloudsim.percentile_bands(xr.DataArray(np.array(["a", "b"]), dims=("trial",)))


def test_check_claims_covers_ranges_ceilings_and_about(scn):
    s = scn.replace(
        {
            "claims.spend.post_deal": "$1–2 Billion",
            "claims.seller_share.post_deal": "up to 35%",
            "claims.market_growth.pre_deal": "about 25%",
        }
    )
    ds = cloudsim.simulate(s, 100_000, seed=12)
    t = cloudsim.check_claims(ds, s)
    assert len(t) == 7  # the range is checked twice: inside the interval, and above its lower end
    spend = t[(t.claim == "spend") & (t.which == "target")]
    assert spend.statement.tolist() == ["P($1B <= X <= $2B) = 0.80", "P(X >= $1B) = 0.90"]
    inside = ((ds.spend.sel(year=2028) >= 1e9) & (ds.spend.sel(year=2028) <= 2e9)).mean()
    assert spend.simulated.iloc[0] == float(inside)
    share = t[(t.claim == "seller_share") & (t.which == "target")].iloc[0]
    assert share.statement == "P(X <= 35%) = 0.80"
    assert abs(share.simulated - 0.8) < 0.01
    assert t.holds.sum() >= 6


def test_more_bad_input():
    with pytest.raises(TypeError, match="q: expected"):
        cloudsim.percentile_bands(xr.DataArray(np.zeros(3), dims=("trial",)), "abc")
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 3)
