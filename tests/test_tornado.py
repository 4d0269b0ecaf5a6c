"""``cloudsim.tornado`` (what-if swings with common random numbers) and ``cloudsim.plot.tornado``."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from scipy import stats

import cloudsim

N = 4_000


@pytest.fixture(scope="module")
def spend_swings(scn):
    return cloudsim.tornado(scn, "spend", year=scn.claim_years["spend"], trials=N, seed=9)


def test_spend_target_swing_is_its_own_quantiles(scn, spend_swings):
    # spend equals its target in the claim year: the statistic at low/high is the input's quantile itself
    dist = next(i.distribution for i in scn.inputs() if i.name == "spend_target")
    mu, sigma = dist.params["mu"], dist.params["sigma"]
    expected = stats.lognorm(s=sigma, scale=np.exp(mu)).ppf([0.1, 0.9])
    row = spend_swings.sel(input="spend_target")
    np.testing.assert_allclose([row["stat_low"], row["stat_high"]], expected, rtol=1e-9)
    assert row["swing_mcse"] == pytest.approx(0.0, abs=1e-6 * expected[1])
    assert str(spend_swings["input"].values[0]) == "spend_target"  # sorted by swing, largest first


def test_inputs_that_do_not_reach_the_output_swing_by_exactly_zero(spend_swings):
    # common random numbers: market and share inputs leave every spend path unchanged bit for bit
    for name in ("market_growth", "market_growth_late", "seller_share_start", "seller_share_target"):
        row = spend_swings.sel(input=name)
        assert row["swing"] == 0.0 and row["stat_low"] == row["stat_high"] == spend_swings.attrs["baseline"]
        assert np.all(row["swing_ci"].values == 0.0)


def test_baseline_and_swings_equal_separate_runs(scn):
    r = cloudsim.tornado(scn, "commitment_met", stat="mean", trials=N, seed=4, inputs=["spend_growth_late"])
    base = cloudsim.simulate(scn, N, seed=4)
    assert r.attrs["baseline"] == pytest.approx(float(base["commitment_met"].mean()), abs=1e-15)
    dist = next(i.distribution for i in scn.inputs() if i.name == "spend_growth_late")
    lv = float(dist.ppf(0.1))
    alone = cloudsim.simulate(scn, N, seed=4, inputs={"spend_growth_late": np.full(N, lv)})
    assert float(r["stat_low"].sel(input="spend_growth_late")) == float(alone["commitment_met"].mean())
    assert r["swing"].sel(input="spend_growth_late") > 0  # faster late growth helps meet the commitment
    lo, hi = r["swing_ci"].sel(input="spend_growth_late").values
    half = stats.t.ppf(0.975, 19) * float(r["swing_mcse"].sel(input="spend_growth_late"))
    assert (hi - lo) / 2 == pytest.approx(half, rel=1e-12) and lo > 0


def test_quantile_statistic(scn):
    r = cloudsim.tornado(scn, "cumulative_spend", year=2030, stat=0.5, trials=N, seed=2, inputs=["spend_target"])
    base = cloudsim.simulate(scn, N, seed=2)
    assert r.attrs["baseline"] == float(np.quantile(base["cumulative_spend"].sel(year=2030).values, 0.5))
    assert r["stat_high"] > r["stat_low"]
    assert r["stat_low_mcse"] > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"output": "nope"}, "unknown output 'nope'"),
        ({"output": "spend"}, "year: output 'spend' is yearly"),
        ({"output": "spend", "year": 1990}, "year: 1990 not simulated"),
        ({"output": "commitment_met", "stat": "median"}, "stat: must be 'mean' or a quantile"),
        ({"output": "commitment_met", "low": 0.9, "high": 0.1}, "low must be below high"),
        ({"output": "commitment_met", "high": 1.0}, "high: must be a probability"),
        ({"output": "commitment_met", "inputs": ["nope"]}, "unknown input\\(s\\) \\['nope'\\]"),
        ({"output": "commitment_met", "keys": {"spend.nope": (0, 1)}}, "'spend.nope' is not a key of scenario"),
        ({"output": "commitment_met", "keys": {"deal.buyer": (0, 1)}}, "'deal.buyer' holds 'OpenAI' .*not a number"),
    ],
)
def test_bad_arguments(scn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cloudsim.tornado(scn, trials=100, seed=0, **kwargs)


def test_plot_draws_two_bars_per_input_sorted(spend_swings):
    ax = cloudsim.plot.tornado(spend_swings)
    gids = [p.get_gid() for p in ax.patches]
    names = [str(n) for n in spend_swings["input"].values]
    assert {f"low:{n}" for n in names} | {f"high:{n}" for n in names} == set(gids)
    top = next(p for p in ax.patches if p.get_gid() == "high:spend_target")
    assert top.get_y() == max(p.get_y() for p in ax.patches)  # the largest swing on top
    with pytest.raises(TypeError, match="result: expected"):
        cloudsim.plot.tornado(spend_swings[["stat_low"]])


def test_key_swings_equal_a_separate_compare_bit_for_bit(scn):
    key, lo, hi = "spend.shift_hazard", 0.05, 0.3
    r = cloudsim.tornado(scn, "commitment_met", trials=N, seed=6, inputs=[], keys={key: (lo, hi)})
    runs = cloudsim.compare({"lo": scn.replace({key: lo}), "hi": scn.replace({key: hi})}, N, seed=6)
    met = runs["commitment_met"].astype(float).mean("trial")
    row = r.sel(input=key)
    assert float(row["stat_low"]) == float(met.sel(scenario="lo")) and float(row["stat_high"]) == float(
        met.sel(scenario="hi")
    )
    assert float(row["swing"]) == float(met.sel(scenario="hi")) - float(met.sel(scenario="lo")) < 0


def test_a_claim_value_swings_as_a_number(scn):
    r = cloudsim.tornado(scn, "commitment_met", trials=N, seed=6, inputs=[],
                         keys={"claims.spend.post_deal": (1e9, 3e9)})  # fmt: skip
    alone = cloudsim.simulate(scn.replace({"claims.spend.post_deal": "$3000000000.0+"}), N, seed=6)
    assert float(r["stat_high"][0]) == float(alone["commitment_met"].mean())
    with pytest.raises(ValueError, match="not a number"):
        cloudsim.tornado(scn, "commitment_met", trials=100, seed=0, inputs=[], keys={"claims.spend.metric": (1, 2)})
    with pytest.raises(ValueError, match="nothing to swing"):
        cloudsim.tornado(scn, "commitment_met", trials=100, seed=0, inputs=[])
