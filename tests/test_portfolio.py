"""The portfolio model: kernel against reference, its invariants, its claim, and bad input named by key.

It runs the shared :class:`ModelContract` on the bundled ``openai-compute-2025``
scenario and on a small two-seller portfolio; generated portfolios (hypothesis)
check the invariants over seller counts, weights, targets and tranches.  The
commitment outcomes are recomputed here from ``spend`` in plain Python.
"""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_models import ModelContract

import cloudsim

BASE = cloudsim.load_scenario("openai-compute-2025").to_dict()


def _small() -> dict:
    d = {
        "name": "two-sellers-test",
        "model": "portfolio",
        "source": "test data (assumption throughout)",
        "buyer": {"name": "Acme"},
        "years": {"start": 2026, "end": 2031},
        "claims": {"spend": {"metric": "Acme's compute spend", "pre_deal": "$1 Billion", "post_deal": "$4 Billion+",
                             "years": 2, "spread": 0.3, "start_spread": 0.2}},
        "spend": {"volatility": {"family": "uniform", "lower": 0.1, "upper": 0.3},
                  "growth_after_target": {"family": "pert", "minimum": 0.0, "mode": 0.2, "maximum": 0.5}},
        "sellers": {"names": ["north", "south"], "start": {"north": 0.7, "south": 0.3},
                    "target": {"north": 0.4, "south": 0.6}, "reversion": 0.5, "volatility": 0.2},
        "commitments": [
            {"name": "n", "seller": "north", "total": "$6B", "first_year": 2027, "last_year": 2030},
            {"name": "s", "seller": "south", "first_year": 2026,
             "tranches": [{"year": 2028, "amount": "$2B"}, {"year": 2031, "amount": "$5B"}]},
        ],
        "dependence": {"shocks": [["spend", "weight_north", 0.3]]},
    }  # fmt: skip
    return d


class PortfolioContract(ModelContract):
    """The portfolio model's own invariants on top of the shared contract."""

    def test_sellers_sum_to_total(self, ds):
        total = ds["total_spend"].values
        by_seller = ds["spend"].values
        np.testing.assert_allclose(by_seller.sum(axis=2), total, rtol=1e-12, atol=0)
        w = by_seller / total[:, :, None]
        assert (np.all(w > 0) and np.all(w < 1)) or by_seller.shape[2] == 1

    def test_money_positive_and_finite(self, ds):
        for v in ("total_spend", "spend"):
            x = ds[v].values
            assert np.all(np.isfinite(x)) and np.all(x > 0), v
        assert np.all(ds["commitment_shortfall"].values >= 0)

    def test_commitments_from_first_principles(self, scenario, ds):
        _check_outcomes(scenario, ds)

    def test_claim_honoured_at_its_year(self, scenario):
        c = scenario.claims["spend"]
        year = scenario.start_year + scenario.to_dict()["claims"]["spend"]["years"]
        big = cloudsim.simulate(scenario, 50_000, seed=3)
        p = float((big["total_spend"].sel(year=year).values >= c.target.values[0]).mean())
        assert abs(p - c.stated_probability()) < 4 * math.sqrt(0.16 / 50_000), p


def _check_outcomes(scenario, ds) -> None:
    """Each commitment's met flag, shortfall and the first shortfall recomputed trial by trial in Python."""
    d = scenario.to_dict()
    y0 = d["years"]["start"]
    names = d["sellers"]["names"]
    spend = ds["spend"].values
    met, gap = ds["commitment_met"].values, ds["commitment_shortfall"].values
    first, first_year = ds["first_shortfall"].values, ds["first_shortfall_year"].values
    for i in range(0, spend.shape[0], max(1, spend.shape[0] // 300)):
        fails = []
        for c, com in enumerate(d["commitments"]):
            q = names.index(com["seller"])
            due = [(t["year"], t["amount"]) for t in com["tranches"]] if "tranches" in com else [
                (com["last_year"], com["total"])]  # fmt: skip
            owed, worst, fail = 0.0, 0.0, None
            for year, amount in due:
                owed += amount
                paid = math.fsum(spend[i, com["first_year"] - y0 : year - y0 + 1, q])
                worst = max(worst, owed - paid)
                if paid < owed * (1 - 1e-12) and fail is None:
                    fail = year
            if abs(worst) > 1e-9 * owed:
                assert math.isclose(gap[i, c], max(worst, 0.0), rel_tol=1e-9), (i, c)
                assert met[i, c] == (fail is None), (i, c)
            if not met[i, c]:
                fails.append((fail if fail is not None else 0, c))
        assert ds["all_met"].values[i] == met[i].all()
        if fails:
            year, c = min(fails)
            assert first[i] == c and first_year[i] == year, i
        else:
            assert first[i] == -1 and first_year[i] == -1


class TestOpenAICompute(PortfolioContract):
    @classmethod
    def make(cls):
        return cloudsim.load_scenario("openai-compute-2025")

    def test_all_met_is_the_conjunction(self, ds):
        assert np.array_equal(ds["all_met"].values, ds["commitment_met"].values.all(axis=1))
        assert 0.0 < float(ds["all_met"].mean()) < 1.0


class TestTwoSellers(PortfolioContract):
    @classmethod
    def make(cls):
        return cloudsim.Scenario.from_dict(_small())


@st.composite
def portfolios(draw):
    k = draw(st.integers(1, 5))
    names = [f"s{j}" for j in range(k)]
    raw = [draw(st.floats(0.05, 1.0)) for _ in range(k)]
    w = [r / math.fsum(raw) for r in raw]
    w[-1] = 1.0 - math.fsum(w[:-1])
    d = _small()
    d["sellers"] = {"names": names, "start": dict(zip(names, w, strict=True)),
                    "reversion": draw(st.floats(0.0, 1.0)), "volatility": draw(st.floats(0.0, 0.8))}  # fmt: skip
    if draw(st.booleans()):
        d["sellers"]["target"] = dict(zip(names, reversed(w), strict=True))
    d["claims"]["spend"]["years"] = draw(st.integers(1, 5))
    coms = []
    for c in range(draw(st.integers(1, 4))):
        first = draw(st.integers(2026, 2030))
        last = draw(st.integers(first, 2031))
        coms.append({"name": f"c{c}", "seller": draw(st.sampled_from(names)), "first_year": first,
                     "last_year": last, "total": draw(st.floats(0.5e9, 20e9))})  # fmt: skip
    d["commitments"] = coms
    d["dependence"] = {}
    return cloudsim.Scenario.from_dict(d)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_generated_portfolios_keep_every_invariant(scn):
    ds = cloudsim.simulate(scn, 300, seed=2)
    total, spend = ds["total_spend"].values, ds["spend"].values
    assert np.all(np.isfinite(spend)) and np.all(spend > 0)
    np.testing.assert_allclose(spend.sum(axis=2), total, rtol=1e-12, atol=0)
    if spend.shape[2] > 1:
        w = spend / total[:, :, None]
        assert np.all((w > 0) & (w < 1))
    _check_outcomes(scn, ds)
    ref = cloudsim.simulate(scn, 300, seed=2, engine="numpy")
    for v in ("total_spend", "spend", "cumulative_spend"):
        np.testing.assert_allclose(ds[v].values, ref[v].values, rtol=1e-10, err_msg=v)


def _with(change):
    d = _small()
    change(d)
    return d


BAD = [
    (lambda d: d["commitments"][0].update(seller="west"), "commitments[0].seller"),
    (lambda d: d["sellers"]["start"].update(north=0.6), "sellers.start"),
    (lambda d: d["sellers"]["target"].update(south=0.7), "sellers.target"),
    (lambda d: d["sellers"]["start"].update(east=0.1), "sellers.start.east"),
    (lambda d: d["commitments"][0].update(last_year=2035), "commitments[0].last_year"),
    (lambda d: d["commitments"][0].update(first_year=2020), "commitments[0].first_year"),
    (lambda d: d["commitments"][1]["tranches"][1].update(year=2040), "commitments[1].tranches"),
    (lambda d: d["commitments"][1]["tranches"][1].update(year=2027), "commitments[1].tranches"),
    (lambda d: d["commitments"][1].update(name="n"), "commitments[1].name"),
    (lambda d: d["claims"]["spend"].update(years=9), "claims.spend.years"),
    (lambda d: d["sellers"].update(reference="west"), "sellers.reference"),
]


@pytest.mark.parametrize(("change", "key"), BAD, ids=[k for _, k in BAD])
def test_bad_portfolios_name_the_key(change, key):
    with pytest.raises(ValueError, match=re.escape(key)):
        cloudsim.Scenario.from_dict(_with(change))


def test_bundled_scenario_round_trips_and_keeps_its_sources():
    again = cloudsim.Scenario.from_toml(cloudsim.load_scenario("openai-compute-2025").to_toml())
    assert again.to_dict() == copy.deepcopy(BASE)
