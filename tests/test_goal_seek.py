"""``cloudsim.goal_seek``: bisection on a numeric scenario key with common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cloudsim

N = 20_000
KEY = "commitments[0].total"


@pytest.fixture(scope="module")
def half(scn):
    return cloudsim.goal_seek(scn, KEY, 0.5, bounds=(1e10, 8e10), trials=N, seed=1)


def test_root_is_the_median_of_the_cumulative_spend(scn, half):
    # one commitment, fixed total, checked once at its last year: P(met) = P(cumulative spend >= total),
    # so the total giving P = 0.5 is the median cumulative spend of the same trials
    ds = cloudsim.simulate(scn, N, seed=1)
    c = scn.commitments[0]
    cum = ds["spend"].sel(year=slice(c.first_year, c.last_year)).sum("year").values
    srt = np.sort(cum)
    assert srt[N // 2 - 1] <= half.attrs["value"] * (1 + 1e-6) and half.attrs["value"] <= srt[N // 2] * (1 + 1e-6)
    assert half.attrs["achieved"] == pytest.approx(0.5, abs=1.5 / N)


def test_fresh_seed_hits_the_target_within_the_reported_error(scn, half):
    again = cloudsim.simulate(scn.replace({KEY: half.attrs["value"]}), N, seed=777)
    p = float(again["commitment_met"].mean())
    se = math.sqrt(half.attrs["achieved_mcse"] ** 2 + p * (1 - p) / N)
    assert abs(p - 0.5) < 3 * se
    assert half.attrs["value_se"] > 0 and math.isfinite(half.attrs["value_se"])


def test_bad_arguments(scn):
    with pytest.raises(ValueError, match=r"do not bracket the target 0\.5"):
        cloudsim.goal_seek(scn, KEY, 0.5, bounds=(1e12, 2e12), trials=200, seed=0)
    with pytest.raises(ValueError, match="not a key of scenario"):
        cloudsim.goal_seek(scn, "commitments[0].nope", 0.5, bounds=(1, 2), trials=200, seed=0)
    with pytest.raises(ValueError, match="not a number"):
        cloudsim.goal_seek(scn, "commitments[0].name", 0.5, bounds=(1, 2), trials=200, seed=0)
    with pytest.raises(ValueError, match="bounds: expected finite low < high"):
        cloudsim.goal_seek(scn, KEY, 0.5, bounds=(2e10, 1e10), trials=200, seed=0)


def test_a_claim_floor_is_sought_in_money_and_written_back_as_a_floor(scn):
    # the 2028 spend floor ("$1.5 Billion+") that gives even odds of meeting the commitment
    key = "claims.spend.post_deal"
    r = cloudsim.goal_seek(scn, key, 0.5, bounds=(1e9, 1e10), trials=5_000, seed=3, xtol=1e6)
    floor = r.attrs["value"]
    assert 1.5e9 < floor < 1e10
    moved = scn.replace({key: f"${floor!r}+"})
    spend = next(i.distribution for i in moved.inputs() if i.name == "spend_target")
    # still a floor held with the claim's 80% confidence: P(spend_target >= floor) = 0.8
    assert float(spend.cdf(np.array([floor]))[0]) == pytest.approx(0.2, abs=1e-9)
    again = cloudsim.simulate(moved, 5_000, seed=4)
    p = float(again["commitment_met"].mean())
    assert abs(p - 0.5) < 3 * math.sqrt(r.attrs["achieved_mcse"] ** 2 + p * (1 - p) / 5_000)


def test_a_range_or_text_is_not_a_numeric_key(scn):
    with pytest.raises(ValueError, match="not a number"):
        cloudsim.goal_seek(scn, "claims.spend.metric", 0.5, bounds=(1, 2), trials=200, seed=0)
    with pytest.raises(ValueError, match="a range"):
        cloudsim.goal_seek(scn.replace({"claims.spend.post_deal": "$1-2 Billion"}), "claims.spend.post_deal", 0.5,
                           bounds=(1e9, 2e9), trials=200, seed=0)  # fmt: skip
