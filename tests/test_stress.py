"""``cloudsim.stress``: named cases of scenario changes beside the base, with common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import cloudsim

N = 4_000
CASES = {
    "more shifts": {"spend.shift_hazard": 0.3},
    "lower floor": {"claims.spend.post_deal": "$1 Billion+"},
}


@pytest.fixture(scope="module")
def result(scn):
    return cloudsim.stress(scn, CASES, trials=N, seed=12)


def test_runs_are_what_compare_returns(scn, result):
    runs, _ = result
    alone = cloudsim.compare({"base": scn, **{k: scn.replace(v) for k, v in CASES.items()}}, N, seed=12)
    xr.testing.assert_identical(runs.drop_attrs(), alone.drop_attrs())


def test_table_against_separate_runs(scn, result):
    _, table = result
    assert list(table["scenario"].values) == ["base", *CASES]
    for name, change in [("base", {}), *CASES.items()]:
        ds = cloudsim.simulate(scn.replace(change) if change else scn, N, seed=12)
        p = float(ds["commitment_met"].mean())
        assert float(table["stat"].sel(scenario=name)) == p
        assert float(table["change"].sel(scenario=name)) == p - float(table["stat"].sel(scenario="base"))
    assert float(table["change_mcse"].sel(scenario="base")) == 0.0
    # more workload shifts and a lower 2028 floor both make the commitment less likely, beyond their error
    assert np.all(table["change_ci"].sel(scenario=list(CASES)).values[:, 1] < 0)
    assert "spend.shift_hazard = 0.3" in str(table["changes"].sel(scenario="more shifts").values)


def test_quantile_statistic_of_a_yearly_output(scn):
    _, t = cloudsim.stress(scn, {"calm": {"spend.volatility": 0.05}}, trials=N, seed=1, output="spend",
                           year=2032, stat=0.95)  # fmt: skip
    base = cloudsim.simulate(scn, N, seed=1)["spend"].sel(year=2032).values
    assert float(t["stat"].sel(scenario="base")) == float(np.quantile(base, 0.95))
    assert float(t["change"].sel(scenario="calm")) < 0


@pytest.mark.parametrize(
    ("changes", "kwargs", "error", "match"),
    [
        ({"x": {"spend.nope": 1}}, {}, ValueError, r"changes\['x'\]: spend.nope: unknown key"),
        ({"x": {"nope.a": 1}}, {}, ValueError, r"changes\['x'\]: nope.a: no table 'nope'"),
        ({"x": {"spend.volatility": "high"}}, {}, TypeError, r"changes\['x'\]: spend.volatility: expected a number"),
        ({"x": {"spend.volatility": -1}}, {}, ValueError, r"spend.volatility: must be in \[0, 2\]"),
        ({"base": {"spend.volatility": 0.1}}, {}, ValueError, "the case name 'base' is the base case's"),
        ({"x": {}}, {}, TypeError, r"changes\['x'\]: expected a non-empty mapping"),
        ({}, {}, TypeError, "changes: expected a non-empty mapping"),
        ({"x": {"spend.volatility": 0.1}}, {"output": "nope"}, ValueError, "unknown output 'nope'"),
        ({"x": {"spend.volatility": 0.1}}, {"output": "spend"}, ValueError, "year: output 'spend' is yearly"),
    ],
)
def test_bad_cases(scn, changes, kwargs, error, match):
    with pytest.raises(error, match=match):
        cloudsim.stress(scn, changes, trials=100, seed=0, **kwargs)
