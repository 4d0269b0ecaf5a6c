"""Risk analytics: interval coverage, VaR/ES, exceedance, convergence, scenario comparison."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

import cloudsim
import cloudsim.cli
from cloudsim import risk, runs
from cloudsim.risk import _intervals

REPS = 1_000  # replications of each coverage experiment
N = 1_000  # samples per replication


# ----------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lognormal_reps() -> xr.DataArray:
    """REPS independent samples of N draws of a standard lognormal, as dims (rep, trial)."""
    x = np.random.default_rng(20251103).lognormal(0.0, 1.0, size=(REPS, N))
    return xr.DataArray(x, dims=("rep", "trial"), name="x", attrs={"units": "USD", "long_name": "X"})


@pytest.fixture(scope="module")
def pair() -> dict[str, cloudsim.Scenario]:
    return {"article": cloudsim.load_scenario(), "analyst-trend": cloudsim.load_scenario("analyst-trend-2025")}


@pytest.fixture(scope="module")
def crn(pair) -> xr.Dataset:
    return runs.compare(pair, 100_000, seed=11)


def _covered(interval: xr.DataArray, truth) -> xr.DataArray:
    return (interval.sel(ci_bound="lower") <= truth) & (truth <= interval.sel(ci_bound="upper"))


def _width(interval: xr.DataArray) -> float:
    return float((interval.sel(ci_bound="upper") - interval.sel(ci_bound="lower")).squeeze())


# ----------------------------------------------------------------------------
# coverage by repetition (analytic lognormal, fixed seeds)
# ----------------------------------------------------------------------------
def test_quantile_interval_coverage(lognormal_reps):
    qs = [0.5, 0.95]
    iv = risk.quantile_intervals(lognormal_reps, qs)
    assert iv.dims == ("quantile", "rep", "ci_bound")
    assert iv.attrs["ci_kind"] == "order-statistic (binomial)" and iv.attrs["ci_prob"] == 0.95
    truth = xr.DataArray(np.exp(stats.norm.ppf(qs)), dims="quantile", coords={"quantile": qs})
    coverage = _covered(iv, truth).mean("rep").values
    assert np.all((coverage >= 0.93) & (coverage <= 0.97)), coverage


def test_order_statistic_interval_exact_coverage():
    # coverage of [X_(lo+1), X_(hi+1)] is P(lo < B <= hi), B ~ Binomial(n, q): at least ci, and close to it
    # once n q (1 - q) is large (the binomial's steps are small)
    for n, most in ((200, 0.99), (1_000, 0.98), (100_000, 0.952)):
        q = np.array([0.05, 0.5, 0.95, 0.99])
        lo, hi = _intervals.os_indices(n, q, 0.95)
        cov = stats.binom.cdf(hi, n, q) - stats.binom.cdf(lo, n, q)
        assert np.all(cov >= 0.95) and np.all(cov < most), (n, cov)


def test_probability_interval_coverage(lognormal_reps):
    threshold = math.e  # P(X >= e) = 1 - Phi(1) for a standard lognormal
    truth = stats.norm.sf(1.0)
    wilson = risk.exceedance_probability(lognormal_reps, threshold)
    exact = risk.exceedance_probability(lognormal_reps, threshold, method="exact")
    cov_w = float(_covered(wilson.probability_ci, truth).mean())
    cov_e = float(_covered(exact.probability_ci, truth).mean())
    assert 0.93 <= cov_w <= 0.97, cov_w
    assert 0.94 <= cov_e <= 0.98, cov_e  # Clopper-Pearson is conservative
    assert wilson.probability_ci.attrs["ci_kind"] == "Wilson score (binomial)"


def test_var_and_es_interval_coverage(lognormal_reps):
    # lower tail at level 0.9: VaR is the 10% quantile, ES = E[X | X <= VaR] = e^0.5 Phi(z - 1) / 0.1
    z = stats.norm.ppf(0.1)
    var = risk.value_at_risk(lognormal_reps, 0.9)
    es = risk.expected_shortfall(lognormal_reps, 0.9)
    cov_var = float(_covered(var.value_at_risk_ci, math.exp(z)).mean())
    cov_es = float(_covered(es.expected_shortfall_ci, math.exp(0.5) * stats.norm.cdf(z - 1.0) / 0.1).mean())
    assert 0.93 <= cov_var <= 0.97, cov_var
    assert 0.92 <= cov_es <= 0.97, cov_es  # asymptotic: 100 trials in the tail


# ----------------------------------------------------------------------------
# value at risk, expected shortfall
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [10_000, 9_999])
@pytest.mark.parametrize("tail", ["lower", "upper"])
def test_var_es_equal_numpy(rng, n, tail):
    x = rng.lognormal(0.0, 0.7, size=(n, 3))
    da = xr.DataArray(x, dims=("trial", "year"), coords={"year": [2030, 2031, 2032]}, attrs={"units": "USD"})
    levels = [0.9, 0.95, 0.99]
    var = risk.value_at_risk(da, levels, tail=tail)
    es = risk.expected_shortfall(da, levels, tail=tail)
    assert var.value_at_risk.dims == ("level", "year")
    assert es.expected_shortfall_ci.dims == ("level", "year", "ci_bound")
    xs = np.sort(x, axis=0)
    for i, level in enumerate(levels):
        q = round(1.0 - level, 12) if tail == "lower" else level  # 95% VaR is the 5% quantile, exactly
        np.testing.assert_array_equal(var.value_at_risk.values[i], np.quantile(x, q, axis=0))
        bands = cloudsim.percentile_bands(da, [q]).values[0]
        np.testing.assert_array_equal(var.value_at_risk.values[i], bands)
        p = 1.0 - level
        k = n * p  # trials in the tail, possibly fractional
        m = math.floor(k)
        tail_sorted = xs if tail == "lower" else xs[::-1]
        expected = (tail_sorted[:m].sum(axis=0) + (k - m) * tail_sorted[m]) / k
        np.testing.assert_allclose(es.expected_shortfall.values[i], expected, rtol=1e-12)
        if n == 10_000:  # k is a whole number: the plain mean of the k worst trials
            worst = tail_sorted[: round(k)]
            np.testing.assert_allclose(es.expected_shortfall.values[i], worst.mean(axis=0), rtol=1e-10)
    for ds, name in ((var, "value_at_risk"), (es, "expected_shortfall")):
        lo, hi = ds[f"{name}_ci"].sel(ci_bound="lower"), ds[f"{name}_ci"].sel(ci_bound="upper")
        assert bool(((lo <= ds[name]) & (ds[name] <= hi)).all())
        assert ds.attrs["tail"] == tail and ds.attrs["trials"] == n
    assert es.attrs["ci_kind"].startswith("asymptotic normal")
    assert var.attrs["ci_kind"] == "order-statistic (binomial)"


def test_var_scalar_level_and_es_order(ds200k):
    x = ds200k.cumulative_spend.sel(year=2032)
    var = risk.value_at_risk(x, 0.95)
    es = risk.expected_shortfall(x, 0.95)
    assert var.value_at_risk.dims == () and float(var.level) == 0.95
    assert float(es.expected_shortfall) < float(var.value_at_risk)  # the lower-tail mean lies below its quantile
    up = risk.expected_shortfall(x, 0.95, tail="upper")
    assert float(up.expected_shortfall) > float(risk.value_at_risk(x, 0.95, tail="upper").value_at_risk)


# ----------------------------------------------------------------------------
# quantile intervals, exceedance, first passage, mcse
# ----------------------------------------------------------------------------
def test_quantile_intervals_dataset_like_percentile_bands(ds_small):
    q = (0.05, 0.5, 0.95)
    bands = cloudsim.percentile_bands(ds_small, q)
    iv = risk.quantile_intervals(ds_small, q)
    assert set(iv.data_vars) == set(bands.data_vars)
    assert "commitment_met" not in iv  # booleans get no bands (their quantiles are 0 or 1)
    for v in ("spend", "share", "commitment_shortfall"):
        assert iv[v].dims == (*bands[v].dims, "ci_bound")
        assert iv[v]["ci_bound"].values.tolist() == ["lower", "upper"]
        assert bool((iv[v].sel(ci_bound="lower") <= bands[v]).all())
        assert bool((bands[v] <= iv[v].sel(ci_bound="upper")).all())
    assert iv.share.attrs["units"] == "1" and iv.attrs["ci_kind"] == "order-statistic (binomial)"
    # too few trials for an extreme quantile: the bound is infinite, not a wrong finite number
    tiny = risk.quantile_intervals(ds_small.spend.isel(trial=slice(0, 20)), 0.99)
    assert np.isinf(tiny.sel(ci_bound="upper")).all()


@given(
    data=arrays(np.float64, st.integers(1, 300), elements=st.floats(-1e6, 1e6, allow_nan=False)),
    thresholds=st.lists(st.floats(-2e6, 2e6, allow_nan=False), min_size=2, max_size=12),
    method=st.sampled_from(["wilson", "exact"]),
)
def test_exceedance_non_increasing_in_threshold(data, thresholds, method):
    t = np.sort(np.asarray(thresholds))
    res = risk.exceedance_probability(xr.DataArray(data, dims="trial"), t, method=method)
    p = res.probability.values
    assert res.probability.dims == ("threshold",)
    assert np.all(np.diff(p) <= 0)
    bounds = res.probability_ci.values
    assert np.all(np.diff(bounds, axis=0) <= 1e-12)  # both bounds non-increasing too
    assert np.all((bounds[:, 0] <= p) & (p <= bounds[:, 1]))
    np.testing.assert_array_equal(res["count"].values, [(data >= v).sum() for v in t])


def test_exceedance_per_year_matches_wilson(ds200k):
    spend = ds200k.spend
    res = risk.exceedance_probability(spend, 1.5e9)
    assert res.probability.dims == ("year",) and res.probability_ci.dims == ("year", "ci_bound")
    k = int((spend.sel(year=2028) >= 1.5e9).sum())
    lo, hi = risk.wilson_interval(k, spend.sizes["trial"])
    np.testing.assert_allclose(res.probability_ci.sel(year=2028).values, [lo, hi], rtol=1e-12)
    assert float(res.probability.sel(year=2028)) == pytest.approx(0.8, abs=0.005)  # the claim, honoured
    # boolean variables need no threshold
    met = risk.exceedance_probability(ds200k.commitment_met)
    assert float(met.probability) == cloudsim.commitment_probability(ds200k)["probability"]


def test_first_passage(ds_small):
    spend = ds_small.spend
    fp = risk.first_passage(spend, 1.5e9)
    x = spend.values >= 1.5e9  # (trial, year)
    crossed = np.logical_or.accumulate(x, axis=1)
    np.testing.assert_allclose(fp.crossed_by.values, crossed.mean(axis=0))
    first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
    for j in range(x.shape[1]):
        assert float(fp.first_year.isel(year=j)) == pytest.approx(np.mean(first == j))
    assert float(fp.never) == pytest.approx(np.mean(first == -1))
    assert float(fp.first_year.sum("year") + fp.never) == pytest.approx(1.0)
    assert np.all(np.diff(fp.crossed_by.values) >= 0)
    assert fp.crossed_by_ci.dims == ("year", "ci_bound")


def test_mcse(rng):
    n = 200_000
    x = rng.lognormal(0.0, 0.5, size=n)
    da = xr.DataArray(x, dims="trial")
    assert float(risk.mcse(da)) == pytest.approx(x.std(ddof=1) / math.sqrt(n), rel=1e-12)
    p = np.mean(x >= 1.0)
    assert float(risk.mcse(da, "probability", threshold=1.0)) == pytest.approx(math.sqrt(p * (1 - p) / n))
    se = risk.mcse(da, "quantile", q=[0.5, 0.9])
    assert se.dims == ("quantile",)
    q = np.array([0.5, 0.9])
    xi = np.exp(0.5 * stats.norm.ppf(q))
    asymptotic = np.sqrt(q * (1 - q) / n) / stats.lognorm.pdf(xi, 0.5)
    np.testing.assert_allclose(se.values, asymptotic, rtol=0.15)


# ----------------------------------------------------------------------------
# the commitment
# ----------------------------------------------------------------------------
def test_commitment_report_defaults(ds200k):
    rep = risk.commitment_report(ds200k)
    ref = cloudsim.commitment_probability(ds200k)
    assert float(rep.probability_met) == ref["probability"]
    np.testing.assert_allclose(rep.probability_met_ci.values, [ref["ci_lower"], ref["ci_upper"]])
    assert rep.attrs["commitment_total"] == 38e9 and rep.attrs["commitment_years"] == "2026-2032"
    assert rep.met_by["year"].values.tolist() == list(range(2026, 2033))
    assert float(rep.met_by.sel(year=2032)) == float(rep.probability_met)
    assert float(rep.first_year_met.sum() + rep.never_met) == pytest.approx(1.0)
    short = ds200k.commitment_shortfall.values
    np.testing.assert_allclose(rep.shortfall.values, np.quantile(short, rep["quantile"].values))
    assert float(rep.mean_shortfall_given_miss) == pytest.approx(short[short > 0].mean())
    cum = ds200k.cumulative_spend.sel(year=2032).values
    np.testing.assert_array_equal(rep.cumulative_spend.values, np.quantile(cum, rep["quantile"].values))
    assert rep.shortfall_ci.attrs["ci_kind"] == "order-statistic (binomial)"


def test_commitment_report_overrides(ds_small):
    same = risk.commitment_report(ds_small, 38e9, "2026-2032")
    xr.testing.assert_allclose(same, risk.commitment_report(ds_small))
    rep = risk.commitment_report(ds_small, total=20e9, years=(2027, 2031))
    cum = ds_small.spend.sel(year=slice(2027, 2031)).sum("year").values
    assert float(rep.probability_met) == pytest.approx(np.mean(cum >= 20e9))
    assert rep.met_by["year"].values.tolist() == [2027, 2028, 2029, 2030, 2031]
    assert rep.attrs["commitment_years"] == "2027-2031"


# ----------------------------------------------------------------------------
# convergence on demand
# ----------------------------------------------------------------------------
def test_simulate_until_stops_within_tolerance_and_equals_simulate(scn):
    targets = [
        ("probability", "commitment_met", {}, None),
        runs.Target("quantile", "cumulative_spend", {"year": 2032}, q=0.95, rel_tol=0.05),
    ]
    ds, hist = runs.simulate_until(scn, targets, seed=99, abs_tol=0.01, block=5_000, max_trials=400_000)
    assert hist.attrs["converged"]
    assert hist["step"].max() >= 2  # several blocks were concatenated
    last = hist[hist["step"] == hist["step"].max()]
    assert last["met"].all() and (last["half_width"] <= last["tolerance"]).all()
    for _, earlier in hist[hist["step"] < hist["step"].max()].groupby("step"):
        assert not earlier["met"].all()  # it stopped at the first block where all were met
    n = ds.sizes["trial"]
    assert n == int(last["trials"].iloc[0]) and ds.attrs["trials"] == n
    ref = cloudsim.simulate(scn, n, seed=99)
    for d in (ds, ref):
        d.attrs.pop("created_at")
    xr.testing.assert_identical(ds, ref)
    p = last.set_index("target")["estimate"]["P(commitment_met)"]
    assert p == cloudsim.commitment_probability(ref)["probability"]


def test_simulate_until_warns_at_max_trials(scn):
    with pytest.warns(RuntimeWarning, match="max_trials"):
        ds, hist = runs.simulate_until(scn, ("mean", "spend", {"year": 2028}), seed=1, rel_tol=1e-6,
                                       block=2_000, max_trials=6_000)  # fmt: skip
    assert ds.sizes["trial"] == 6_000 and not hist.attrs["converged"]


def test_target_parse_and_label():
    t = runs.Target.parse(("quantile", "cumulative_spend", {"year": 2032}, 0.95))
    assert t == runs.Target("quantile", "cumulative_spend", {"year": 2032}, q=0.95)
    assert t.label == "quantile(cumulative_spend[year=2032], 0.95)"
    assert runs.Target.parse(("probability", "commitment_met", {}, None)).label == "P(commitment_met)"
    assert runs.Target.parse({"stat": "mean", "var": "market_size", "sel": {"year": 2030}}).stat == "mean"


# ----------------------------------------------------------------------------
# scenario comparison, common random numbers
# ----------------------------------------------------------------------------
def test_compare_dataset(crn, pair):
    assert crn["scenario"].values.tolist() == ["article", "analyst-trend"]
    assert crn.cumulative_spend.dims == ("scenario", "trial", "year")
    assert crn.commitment_total.values.tolist() == [38e9, 38e9]
    assert crn.attrs["common_random_numbers"] == 1
    single = cloudsim.simulate(pair["analyst-trend"], 100_000, seed=11)
    np.testing.assert_array_equal(crn.spend.sel(scenario="analyst-trend").values, single.spend)
    # both scenarios share the article's spend claim: the per-trial 2028 spend target is identical
    np.testing.assert_array_equal(
        crn.spend_target.sel(scenario="article"), crn.spend_target.sel(scenario="analyst-trend")
    )
    rep = risk.commitment_report(crn)
    assert rep.probability_met.dims == ("scenario",)
    assert float(rep.probability_met.sel(scenario="analyst-trend")) == float(
        crn.commitment_met.sel(scenario="analyst-trend").mean()
    )


def test_compare_netcdf_roundtrip(pair, tmp_path):
    ds = runs.compare(pair, 500, seed=3)
    path = tmp_path / "cmp.nc"
    cloudsim.to_netcdf(ds, path)
    with xr.open_dataset(path) as back:
        assert back["scenario"].values.tolist() == ["article", "analyst-trend"]
        np.testing.assert_array_equal(back.cumulative_spend.values, ds.cumulative_spend.values)
        assert back.scenario_toml.sel(scenario="article").item() == pair["article"].to_toml()


def test_common_random_numbers_narrow_the_interval(crn, pair):
    """CRN vs independent seeds, same trial count: the interval of the difference in P(commitment met)."""
    paired = risk.paired_difference(crn, "commitment_met", a="article", b="analyst-trend", stat="probability")
    a = cloudsim.simulate(pair["article"], 100_000, seed=11).commitment_met
    b = cloudsim.simulate(pair["analyst-trend"], 100_000, seed=12).commitment_met  # independent seed
    indep = xr.concat([a, b], dim=xr.DataArray(["article", "analyst-trend"], dims="scenario", name="scenario"))
    unpaired = risk.paired_difference(indep, a="article", b="analyst-trend", stat="probability")
    ratio = _width(unpaired.difference_ci) / _width(paired.difference_ci)
    print(f"CRN narrowing of the 95% interval of P(met, article) - P(met, analyst-trend): {ratio:.2f}x")
    assert ratio >= 3.0, ratio
    d = float(paired.difference)
    assert d == pytest.approx(float(crn.commitment_met.sel(scenario="article").mean())
                              - float(crn.commitment_met.sel(scenario="analyst-trend").mean()))  # fmt: skip
    lo, hi = paired.difference_ci.values
    assert lo < d < hi and lo > 0  # the article's scenario meets the commitment more often, clearly
    # quantiles: paired too
    x = crn.cumulative_spend.sel(year=2032)
    q = risk.paired_difference(crn, x, a="article", b="analyst-trend", q=[0.05, 0.5, 0.95])
    assert q.difference.dims == ("quantile",) and q.difference_ci.dims == ("quantile", "ci_bound")
    np.testing.assert_allclose(
        q.estimate.sel(scenario="article").values, np.quantile(x.sel(scenario="article").values, [0.05, 0.5, 0.95])
    )
    xi = xr.concat(
        [crn.cumulative_spend.sel(scenario="article", year=2032, drop=True),
         cloudsim.simulate(pair["analyst-trend"], 100_000, seed=12).cumulative_spend.sel(year=2032, drop=True)],
        dim=xr.DataArray(["article", "analyst-trend"], dims="scenario", name="scenario"),
    )  # fmt: skip
    qi = risk.paired_difference(xi, a="article", b="analyst-trend", q=[0.05, 0.5, 0.95])
    w_crn = (q.difference_ci.sel(ci_bound="upper") - q.difference_ci.sel(ci_bound="lower")).values
    w_ind = (qi.difference_ci.sel(ci_bound="upper") - qi.difference_ci.sel(ci_bound="lower")).values
    print(f"CRN narrowing for quantiles 5/50/95% of 2032 cumulative spend: {np.round(w_ind / w_crn, 1)}")
    assert np.all(w_ind / w_crn >= 3.0)


def test_paired_quantile_warns_when_it_rests_on_few_discordant_trials(crn):
    x = crn.cumulative_spend.sel(year=2032).isel(trial=slice(0, 2000))
    xa, xb = x.sel(scenario="article").values, x.sel(scenario="analyst-trend").values
    below_a, below_b = xa <= np.quantile(xa, 0.95), xb <= np.quantile(xb, 0.95)
    assert np.sum(below_a != below_b) < 10  # the premise: common random numbers rank the trials alike
    warned = r"q=0.95 rests on .* discordant trials.*method='bootstrap', or about [\d,]+ trials"
    with pytest.warns(RuntimeWarning, match=warned) as rec:
        risk.paired_difference(x, a="article", b="analyst-trend", q=0.95)
    needed = int(re.search(r"about ([\d,]+) trials", str(rec[0].message)).group(1).replace(",", ""))
    assert needed > 2000
    # the bootstrap does not rest on the discordance: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        risk.paired_difference(x, a="article", b="analyst-trend", q=0.95, method="bootstrap", n_boot=20)


def test_paired_quantile_does_not_warn_with_enough_discordant_trials_or_the_same_scenario(crn):
    x = crn.cumulative_spend.sel(year=2032)  # 100,000 trials: about 120 discordant at q = 0.95
    same = xr.concat([x.sel(scenario="article")] * 2, dim=xr.DataArray(["a", "b"], dims="scenario", name="scenario"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        d = risk.paired_difference(x, a="article", b="analyst-trend", q=[0.05, 0.5, 0.95])
        z = risk.paired_difference(same, a="a", b="b", q=0.95)
    assert d.difference.sizes["quantile"] == 3
    assert float(z.difference) == 0.0 and np.all(z.difference_ci.values == 0.0)


def test_paired_quantile_asymptotic_agrees_with_bootstrap(crn):
    x = crn.cumulative_spend.sel(year=2032).isel(trial=slice(0, 20_000))
    asy = risk.paired_difference(x, a="article", b="analyst-trend", q=0.5)
    boot = risk.paired_difference(x, a="article", b="analyst-trend", q=0.5, method="bootstrap", n_boot=200)
    # the bootstrap reports Harrell-Davis quantiles: the Beta(q (n + 1), (1 - q) (n + 1))-weighted mean
    # of the order statistics, written out here from scipy's Beta distribution
    from scipy import stats

    def hd(v):
        m = v.size
        w = np.diff(stats.beta.cdf(np.arange(m + 1) / m, 0.5 * (m + 1), 0.5 * (m + 1)))
        return float(np.sort(v) @ w)

    xa, xb = x.sel(scenario="article").values, x.sel(scenario="analyst-trend").values
    assert float(boot.difference) == pytest.approx(hd(xa) - hd(xb), rel=1e-9)
    assert boot.attrs["estimator"] == "Harrell-Davis" and asy.attrs["estimator"] == "sample quantile"
    assert abs(float(boot.difference) - float(asy.difference)) < _width(asy.difference_ci) / 2
    lo, hi = boot.difference_ci.values
    assert lo < float(boot.difference) < hi
    # under common random numbers the smooth estimator's difference is less noisy: a narrower interval
    assert 0.3 * _width(asy.difference_ci) < _width(boot.difference_ci) < 1.1 * _width(asy.difference_ci)
    assert boot.attrs["boot_seed"] == 0 and "bootstrap" in boot.attrs["ci_kind"]


# ----------------------------------------------------------------------------
# bundled scenarios
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["analyst-trend-2025", "openai-aws-2026-expansion"])
def test_bundled_scenarios_load_and_simulate(name):
    scn = cloudsim.load_scenario(name)
    assert scn.name == name and name in cloudsim.list_scenarios()
    ds = cloudsim.simulate(scn, 20_000, seed=5)
    checks = cloudsim.check_claims(ds, scn)  # each claim honoured within Monte Carlo error (4 sd)
    assert (abs(checks["simulated"] - checks["stated"]) < 4 * 0.5 / math.sqrt(20_000)).all(), checks
    rep = risk.commitment_report(ds)
    if name == "openai-aws-2026-expansion":
        assert rep.attrs["commitment_total"] == 138e9 and rep.attrs["commitment_years"] == "2026-2033"
        assert ds["year"].values[-1] == 2033
    else:
        assert rep.attrs["commitment_total"] == 38e9


def test_bundled_scenarios_cite_every_number():
    import tomllib
    from importlib import resources

    for name in ("analyst-trend-2025", "openai-aws-2026-expansion"):
        text = (resources.files("cloudsim") / "scenarios" / f"{name}.toml").read_text("utf-8")
        data = tomllib.loads(text)

        def walk(table, path, name=name, parent_cited=False):
            for key, value in table.items():
                cited = parent_cited or f"{key}_source" in table or "source" in table
                if isinstance(value, dict) and "family" not in value:
                    # a table of numbers (e.g. providers.start) may be cited by its parent's <key>_source
                    walk(value, f"{path}{key}.", name, f"{key}_source" in table)
                elif isinstance(value, (int, float, dict)) and not isinstance(value, bool):
                    assert cited, f"{name}: {path}{key} has no source"

        walk(data, "")


# ----------------------------------------------------------------------------
# bad input: clear errors naming the argument
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1, float("nan"), [0.5, 1.0]])
def test_level_outside_unit_interval(ds_small, level):
    x = ds_small.cumulative_spend
    with pytest.raises(ValueError, match="level"):
        risk.value_at_risk(x, level)
    with pytest.raises(ValueError, match="level"):
        risk.expected_shortfall(x, level)


def test_bad_inputs(ds_small, pair):
    spend = ds_small.spend
    with pytest.raises(ValueError, match="threshold: must not be NaN"):
        risk.exceedance_probability(spend, float("nan"))
    with pytest.raises(ValueError, match="threshold"):
        risk.exceedance_probability(spend, [1e9, np.nan])
    with pytest.raises(ValueError, match="threshold"):
        risk.first_passage(spend, np.nan)
    with pytest.raises(ValueError, match="threshold: required"):
        risk.exceedance_probability(spend)  # not boolean
    with pytest.raises(TypeError, match="threshold"):
        risk.exceedance_probability(spend, "1.5B")
    with pytest.raises(ValueError, match=r"da: .*needs dim\(s\) \['year'\]"):
        risk.first_passage(ds_small.commitment_shortfall, 1e9)
    with pytest.raises(ValueError, match=r"da: .*needs dim"):
        risk.value_at_risk(spend.isel(trial=0), 0.95)
    with pytest.raises(TypeError, match=r"da: expected an xarray.DataArray"):
        risk.value_at_risk(spend.values, 0.95)
    with pytest.raises(TypeError, match="obj"):
        risk.quantile_intervals(spend.values)
    with pytest.raises(ValueError, match="ci"):
        risk.quantile_intervals(spend, ci=1.5)
    with pytest.raises(ValueError, match="tail"):
        risk.value_at_risk(spend, 0.95, tail="left")
    with pytest.raises(ValueError, match="method"):
        risk.exceedance_probability(spend, 1e9, method="agresti")
    with pytest.raises(ValueError, match="q: required"):
        risk.mcse(spend, "quantile")
    with pytest.raises(ValueError, match="stat"):
        risk.mcse(spend, "median")
    with pytest.raises(ValueError, match="years"):
        risk.commitment_report(ds_small, years=(2020, 2032))
    with pytest.raises(ValueError, match="total"):
        risk.commitment_report(ds_small, total=-1.0)
    with pytest.raises(TypeError, match="ds"):
        risk.commitment_report(spend)


def test_compare_aligns_on_common_years():
    base, expansion = cloudsim.load_scenario(), cloudsim.load_scenario("openai-aws-2026-expansion")
    assert (base.end_year, expansion.end_year) == (2032, 2033)
    ds = runs.compare({"base": base, "expansion": expansion}, 2_000, seed=8)
    assert ds["year"].values.tolist() == list(range(2025, 2033))
    assert "2025-2032" in ds.attrs["years_aligned"] and "'expansion' simulates 2025-2033" in ds.attrs["years_aligned"]
    assert "dropped" not in ds.attrs and "share" in ds  # the same providers: shares kept
    alone = cloudsim.simulate(expansion, 2_000, seed=8)
    np.testing.assert_array_equal(ds.spend.sel(scenario="expansion").values, alone.spend.sel(year=slice(2025, 2032)))
    np.testing.assert_array_equal(ds.commitment_met.sel(scenario="expansion").values, alone.commitment_met.values)
    assert ds.commitment_total.values.tolist() == [38e9, 138e9]
    assert ds.commitment_last_year.values.tolist() == [2032, 2033]
    rep = risk.commitment_report(ds)
    assert float(rep.probability_met.sel(scenario="base")) == float(ds.commitment_met.sel(scenario="base").mean())
    # the expansion's last tranche lies past the common years: P(met) from its recorded outcome
    assert float(rep.probability_met.sel(scenario="expansion")) == float(alone.commitment_met.mean())
    assert bool(rep.cumulative_spend.sel(scenario="expansion").isnull().all())


def test_compare_keeps_an_input_only_one_scenario_draws_so_its_commitment_can_be_checked(capsys):
    # the Anthropic-Google commitment total is drawn per trial; the article's is a fixed amount
    names = ("openai-aws-2025", "anthropic-google-2025")
    ds = runs.compare(dict(zip(names, names, strict=True)), 2_000, seed=5)
    alone = cloudsim.simulate(cloudsim.load_scenario(names[1]), 2_000, seed=5)
    drawn = [k for k, v in alone.data_vars.items() if v.attrs.get("key") == "commitments[0].total"]
    assert len(drawn) == 1 and drawn[0] in ds
    k = drawn[0]  # named like the comparison's commitment_total: per trial, the fixed 38B broadcast
    np.testing.assert_array_equal(ds[k].sel(scenario=names[1]).values, alone[k].values)
    assert np.all(ds[k].sel(scenario=names[0]).values == 38e9) and ds[k].attrs["key"] == "commitments[0].total"
    rep = risk.commitment_report(ds)
    assert float(rep.probability_met.sel(scenario=names[1])) == float(alone.commitment_met.mean())
    capsys.readouterr()
    assert cloudsim.cli.main(["compare", *names, "--trials", "2000", "--seed", "5"]) == 0
    printed = capsys.readouterr()
    assert "a drawn total (median $" in printed.out
    assert "Warning" not in printed.err  # the small-sample note is a line of the table, not a Python warning


def test_compare_drops_share_when_providers_differ(pair):
    three = pair["article"].replace(
        {
            "providers.names": ["aws", "azure", "other"],
            "providers.start": {"aws": 0.28, "azure": 0.21, "other": 0.51},
            "providers.labels": {"aws": "AWS", "azure": "Azure", "other": "other providers"},
        }
    )
    ds = runs.compare({"article": pair["article"], "three": three}, 500, seed=2)
    assert "share" not in ds and "provider" not in ds.dims
    assert ds.attrs["dropped"].startswith("share: the scenarios' provider coords differ")
    assert "'three': aws, azure, other" in ds.attrs["dropped"]
    np.testing.assert_array_equal(
        ds.market_size.sel(scenario="three").values, cloudsim.simulate(three, 500, seed=2).market_size.values
    )


def test_compare_refuses_unalignable_commitments(pair):
    two = pair["article"].replace(
        {
            "commitments": [
                {"name": "a", "total": 2e10, "first_year": 2026, "last_year": 2030},
                {"name": "b", "total": 3e10, "first_year": 2026, "last_year": 2032},
            ]
        }
    )
    with pytest.raises(ValueError, match=r"commitments cannot be aligned: different numbers .*'article': 1, 'two': 2"):
        runs.compare({"article": pair["article"], "two": two}, 100, seed=1)
    renamed = two.replace({"commitments[1].name": "c"})
    with pytest.raises(ValueError, match=r"commitments cannot be aligned on the 'commitment' dim: the names differ"):
        runs.compare({"two": two, "renamed": renamed}, 100, seed=1)
    both = runs.compare({"two": two, "again": two.replace({"commitments[0].total": 2.5e10})}, 500, seed=1)
    assert both.commitment_total.dims == ("scenario", "commitment")
    assert both.commitment_total.sel(commitment="a").values.tolist() == [2e10, 2.5e10]
    rep = risk.commitment_report(both)
    assert rep.probability_met.dims == ("scenario", "commitment")
    np.testing.assert_array_equal(rep.probability_met.values, both.commitment_met.mean("trial").values)


def test_bad_comparisons(pair, crn):
    late = pair["article"].replace(
        {"years.start": 2040, "years.end": 2045, "commitments[0].first_year": 2041, "commitments[0].last_year": 2045}
    )
    with pytest.raises(ValueError, match=r"scenarios: no year in common .*'late' simulates 2040-2045"):
        runs.compare({"article": pair["article"], "late": late}, 100, seed=1)
    with pytest.raises(ValueError, match="scenarios: need at least two"):
        runs.compare({"article": pair["article"]}, 100, seed=1)
    with pytest.raises(TypeError, match=r"scenarios\['x'\]"):
        runs.compare({"article": pair["article"], "x": 3}, 100, seed=1)
    with pytest.raises(ValueError, match="b: 'nope' is not a scenario"):
        risk.paired_difference(crn, "commitment_met", a="article", b="nope", stat="probability")
    with pytest.raises(ValueError, match=r"var: .*needs dim"):
        risk.paired_difference(crn.sel(scenario="article"), "cumulative_spend", a="article", b="analyst-trend")
    with pytest.raises(ValueError, match="var: no variable"):
        risk.paired_difference(crn, "nope", a="article", b="analyst-trend")


def test_bad_targets(scn):
    with pytest.raises(ValueError, match="stat"):
        runs.Target("median", "cumulative_spend")
    with pytest.raises(ValueError, match="q: required"):
        runs.Target("quantile", "cumulative_spend", {"year": 2032})
    with pytest.raises(ValueError, match="q"):
        runs.Target("quantile", "cumulative_spend", {"year": 2032}, q=1.0)
    with pytest.raises(ValueError, match="threshold"):
        runs.Target("probability", "cumulative_spend", {"year": 2032}, threshold=float("nan"))
    with pytest.raises(ValueError, match="rel_tol/abs_tol"):
        runs.simulate_until(scn, ("probability", "commitment_met"), seed=1)
    with pytest.raises(ValueError, match="only the 'trial' dim"):
        runs.simulate_until(scn, ("mean", "cumulative_spend"), seed=1, rel_tol=0.1, block=100)
    with pytest.raises(ValueError, match="no variable 'nope'"):
        runs.simulate_until(scn, ("mean", "nope"), seed=1, rel_tol=0.1, block=100)


# ----------------------------------------------------------------------------
# wiring into the package
# ----------------------------------------------------------------------------
def test_exported_from_the_package():
    for module in (risk, runs):
        for name in module.__all__:
            if name in cloudsim.__all__:
                assert getattr(cloudsim, name) is getattr(module, name), name
    public = set(cloudsim.__all__)
    assert {"compare", "simulate_until", "Target"} <= public and set(runs.__all__) <= public
    assert {"check_claims", "percentile_bands", "commitment_report", "paired_difference"} <= public
    assert cloudsim.risk is risk and cloudsim.runs is runs


def test_accessor_forwards(ds_small, crn):
    x = ds_small.cumulative_spend
    xr.testing.assert_identical(x.cloudsim.value_at_risk(0.9), risk.value_at_risk(x, 0.9))
    xr.testing.assert_identical(x.cloudsim.expected_shortfall(0.9), risk.expected_shortfall(x, 0.9))
    xr.testing.assert_identical(x.cloudsim.exceedance_probability(1e10), risk.exceedance_probability(x, 1e10))
    xr.testing.assert_identical(x.cloudsim.first_passage(1e10), risk.first_passage(x, 1e10))
    xr.testing.assert_identical(x.cloudsim.mcse(), risk.mcse(x))
    xr.testing.assert_identical(ds_small.cloudsim.quantile_intervals(), risk.quantile_intervals(ds_small))
    xr.testing.assert_identical(ds_small.cloudsim.commitment_report(), risk.commitment_report(ds_small))
    kw = {"a": "article", "b": "analyst-trend", "stat": "probability"}
    xr.testing.assert_identical(
        crn.cloudsim.paired_difference("commitment_met", **kw), risk.paired_difference(crn, "commitment_met", **kw)
    )


def test_percentile_bands_with_intervals(ds_small):
    q = (0.05, 0.5, 0.95)
    out = cloudsim.percentile_bands(ds_small.spend, q, ci=0.95)
    assert isinstance(out, xr.Dataset) and set(out.data_vars) == {"spend", "spend_ci"}
    xr.testing.assert_identical(out.spend, cloudsim.percentile_bands(ds_small.spend, q))
    xr.testing.assert_identical(out.spend_ci, risk.quantile_intervals(ds_small.spend, q).rename("spend_ci"))
    full = cloudsim.percentile_bands(ds_small, q, ci=0.9)
    assert "share_ci" in full and full.share_ci.dims == ("quantile", "year", "provider", "ci_bound")
    assert full.attrs["ci_kind"] == "order-statistic (binomial)" and full.attrs["ci_prob"] == 0.9
    assert cloudsim.percentile_bands(ds_small.spend, q).name == "spend"  # ci=None: unchanged


def test_cli_compare(capsys, tmp_path):
    out = tmp_path / "cmp.nc"
    args = ["compare", "openai-aws-2025", "analyst-trend-2025", "--trials", "2000", "--seed", "3", "--out", str(out)]
    assert cloudsim.cli.main(args) == 0
    printed = capsys.readouterr()
    text = printed.out
    assert "P(commitment met): openai-aws-2025 - analyst-trend-2025" in text and out.exists()
    # two similar scenarios at 2,000 trials: the conservative quantile intervals are noted in the table
    assert "rest on few trials" in text and "Warning" not in printed.err
    # different years: compared on the common ones
    assert cloudsim.cli.main(["compare", "openai-aws-2025", "openai-aws-2026-expansion", "--trials", "500"]) == 0


def test_one_scenario_functions_refuse_a_comparison(crn, scn):
    with pytest.raises(ValueError, match="'scenario' dim"):
        cloudsim.commitment_probability(crn)
    with pytest.raises(ValueError, match="'scenario' dim"):
        cloudsim.check_claims(crn, scn)
    one = crn.sel(scenario="article")
    c = cloudsim.commitment_probability(one)
    assert c["total"] == 38e9 and c["years"] == "2026-2032"
    assert c["probability"] == float(one.commitment_met.mean())


def test_commitment_read_from_the_recorded_scenario():
    ex = cloudsim.simulate(cloudsim.load_scenario("openai-aws-2026-expansion"), 2000, seed=1)
    rep = risk.commitment_report(ex[["spend"]].assign_attrs(ex.attrs))  # variable attrs lost
    assert rep.attrs["commitment_total"] == 138e9 and rep.attrs["commitment_years"] == "2026-2033"
    bare = ex[["spend"]].copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="records no commitment"):
        risk.commitment_report(bare)
    assert risk.commitment_report(bare, 138e9, (2026, 2033)).attrs["commitment_total"] == 138e9


def _crn_pair(n=400, years=3, seed=8):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, years))
    x = np.stack([np.exp(z), 0.9 * np.exp(z + 0.05 * rng.standard_normal((n, years)))])
    return xr.DataArray(
        x, dims=("scenario", "trial", "year"), coords={"scenario": ["a", "b"], "year": np.arange(1, years + 1)}
    )


def test_paired_bootstrap_of_several_cells_equals_one_cell_at_a_time():
    x = _crn_pair()
    both = risk.paired_difference(x, a="a", b="b", q=[0.1, 0.9], method="bootstrap", n_boot=50, boot_seed=3)
    assert both.difference.dims == ("quantile", "year")
    for year in (1, 2, 3):
        one = risk.paired_difference(
            x.sel(year=year), a="a", b="b", q=[0.1, 0.9], method="bootstrap", n_boot=50, boot_seed=3
        )
        np.testing.assert_allclose(both.difference_ci.sel(year=year).values, one.difference_ci.values)
        np.testing.assert_allclose(both.difference.sel(year=year).values, one.difference.values)


def test_paired_bootstrap_leaves_nan_trials_out():
    x = _crn_pair(years=1).isel(year=0, drop=True)
    holed = x.copy()
    holed[1, [5, 17, 200]] = np.nan  # missing in one scenario: the pair is left out
    kept = x.isel(trial=[i for i in range(x.sizes["trial"]) if i not in (5, 17, 200)])
    got = risk.paired_difference(holed, a="a", b="b", q=0.5, method="bootstrap", n_boot=50, boot_seed=1)
    want = risk.paired_difference(kept, a="a", b="b", q=0.5, method="bootstrap", n_boot=50, boot_seed=1)
    assert int(got.n_valid) == x.sizes["trial"] - 3
    np.testing.assert_allclose(got.difference_ci.values, want.difference_ci.values)
    assert np.isfinite(got.difference_ci.values).all()
