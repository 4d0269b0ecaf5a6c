"""``cloudsim.spider``: the tornado's statistic over a grid of each input's quantiles (common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cloudsim

N = 3_000
LEVELS = (0.1, 0.5, 0.9)


@pytest.fixture(scope="module")
def spend_spider(scn):
    year = scn.claim_years["spend"]
    return cloudsim.spider(scn, "spend", year=year, trials=N, seed=5, levels=LEVELS,
                           inputs=["spend_target", "market_growth"], keys={"spend.volatility": (0.1, 0.3)})  # fmt: skip


def test_held_input_gives_its_own_quantiles_in_the_claim_year(scn, spend_spider):
    # the bridge pins spend to its target in the claim year: spend there is the input's quantile (scipy)
    dist = next(i.distribution for i in scn.inputs() if i.name == "spend_target")
    expected = stats.lognorm(s=dist.params["sigma"], scale=np.exp(dist.params["mu"])).ppf(LEVELS)
    row = spend_spider.sel(input="spend_target")
    np.testing.assert_allclose(row["stat"].values, expected, rtol=1e-9)
    np.testing.assert_allclose(row["value"].values, expected, rtol=1e-9)
    assert str(row["kind"].values) == "input"


def test_an_input_that_does_not_reach_the_output_changes_nothing(spend_spider):
    row = spend_spider.sel(input="market_growth")
    assert np.all(row["change"].values == 0.0) and np.all(row["change_mcse"].values == 0.0)
    assert float(row["range"]) == 0.0


def test_a_key_at_its_own_value_is_the_baseline_and_other_values_are_separate_runs(scn):
    year = 2030
    r = cloudsim.spider(scn, "spend", year=year, stat=0.5, trials=N, seed=5, inputs=[], levels=LEVELS,
                        keys={"spend.volatility": [0.1, 0.2, 0.3]})  # fmt: skip
    row = r.sel(input="spend.volatility")
    assert float(row["stat"].isel(point=1)) == r.attrs["baseline"]  # 0.2 is the scenario's own value
    alone = cloudsim.simulate(scn.replace({"spend.volatility": 0.3}), N, seed=5)
    assert float(row["stat"].isel(point=2)) == float(np.quantile(alone["spend"].sel(year=year).values, 0.5))
    lo, hi = row["stat_ci"].isel(point=2).values
    assert lo < float(row["stat"].isel(point=2)) < hi


def test_the_tornado_is_two_points_of_the_spider(scn):
    kw = dict(trials=N, seed=8, inputs=["spend_growth_late"])
    sp = cloudsim.spider(scn, "commitment_met", levels=(0.1, 0.9), **kw)
    tn = cloudsim.tornado(scn, "commitment_met", low=0.1, high=0.9, **kw)
    row = sp.sel(input="spend_growth_late")["stat"].values
    assert row[0] == float(tn["stat_low"][0]) and row[1] == float(tn["stat_high"][0])
    assert sp.attrs["baseline"] == tn.attrs["baseline"]
    # faster late growth: P(met) rises along the grid; the change is against the same base run
    assert row[1] > row[0]
    np.testing.assert_array_equal(sp["change"].values, sp["stat"].values - tn.attrs["baseline"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"output": "nope"}, ValueError, "unknown output 'nope'"),
        ({"output": "spend"}, ValueError, "year: output 'spend' is yearly"),
        ({"output": "commitment_met", "inputs": ["nope"]}, ValueError, r"unknown input\(s\) \['nope'\]"),
        ({"output": "commitment_met", "levels": (0.5, 0.1)}, ValueError, "levels: expected at least two increasing"),
        ({"output": "commitment_met", "levels": (0.1, 1.0)}, ValueError, "levels: must be a probability"),
        ({"output": "commitment_met", "keys": {"spend.nope": (0, 1)}}, ValueError, "not a key of scenario"),
        ({"output": "commitment_met", "keys": {"deal.buyer": (0, 1)}}, ValueError, "not a number"),
        ({"output": "commitment_met", "keys": {"spend.volatility": (0.1, "x")}}, ValueError, "keys\\['spend"),
        ({"output": "commitment_met", "inputs": []}, ValueError, "nothing to move"),
        ({"output": "commitment_met", "stat": "median"}, ValueError, "stat: must be 'mean'"),
    ],
)
def test_bad_arguments(scn, kwargs, error, match):
    with pytest.raises(error, match=match):
        cloudsim.spider(scn, trials=100, seed=0, **kwargs)


def test_plot_draws_one_line_and_band_per_row(spend_spider):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = cloudsim.plot.spider(spend_spider)
    gids = {a.get_gid() for a in [*ax.lines, *ax.collections]}
    for name in spend_spider["input"].values:
        assert f"line:{name}" in gids and f"ci:{name}" in gids
    line = next(a for a in ax.lines if a.get_gid() == "line:spend_target")
    np.testing.assert_allclose(line.get_ydata(), spend_spider["stat"].sel(input="spend_target").values)
    with pytest.raises(TypeError, match="result: expected"):
        cloudsim.plot.spider(spend_spider[["value"]])
    plt.close("all")
