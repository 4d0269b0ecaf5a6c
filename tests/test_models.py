"""The model contract: every model and deal keeps its invariants, honours its claims and its randomness contract.

:class:`ModelContract` is the base class every model's cases inherit; the deal
model runs it on the article, on a six-provider deal written as a TOML here, and
on a two-provider deal.  Generated deals (hypothesis) check the invariants over
provider counts 2..12, per-claim horizons, several commitments and uncertain
scalar assumptions.
"""

from __future__ import annotations

import math
import re

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from strategies import deal_scenarios

import cloudsim
from cloudsim.engine import run as engine_run
from cloudsim.models import Model, get_model

SIX_PROVIDERS = """
name = "acme-oracle-test"
description = "A made-up deal: Acme's spend with Oracle Cloud among six providers"
source = "test data (assumption throughout)"

[deal]
buyer = "Acme"
seller = "oracle"

[years]
start = 2026
end = 2033

[providers]
names = ["aws", "azure", "gcp", "oracle", "coreweave", "rest"]
labels = { oracle = "Oracle Cloud", coreweave = "CoreWeave", rest = "everyone else" }
start = { aws = 0.27, azure = 0.20, gcp = 0.13, oracle = 0.03, coreweave = 0.02, rest = 0.35 }
volatility_seller = { family = "uniform", lower = 0.05, upper = 0.2 }
volatility_others = 0.08

[claims.spend]
metric = "Acme's annual Oracle spend"
pre_deal = "$2 Billion"
post_deal = "$20 Billion+"
years = 2
spread = 0.4
start_spread = 0.2

[claims.seller_share]
metric = "Oracle cloud market share"
pre_deal = "3%"
post_deal = "5%+"
years = 4
spread = 0.2
start_spread = 0.1

[claims.market_growth]
metric = "Cloud market growth (CAGR)"
pre_deal = "20%"
post_deal = "25%"
years = 3
spread = 0.05
start_spread = 0.05

[market]
name = "cloud infrastructure market"
size_start = { family = "lognormal", mu = 26.76, sigma = 0.05 }
volatility = 0.07

[spend]
volatility = 0.15
growth_after_target = { family = "triangular", minimum = 0.0, mode = 0.2, maximum = 0.6 }
shift_hazard = { family = "beta", a = 2.0, b = 18.0 }
shift_fraction = { family = "uniform", lower = 0.1, upper = 0.4 }

[[commitments]]
name = "main"
total = "$150B"
first_year = 2027
last_year = 2031

[[commitments]]
name = "staged"
first_year = 2028
tranches = [
    { year = 2030, amount = "$40B" },
    { year = 2033, amount = { family = "lognormal", mu = 24.6, sigma = 0.2 } },
]

[dependence]
spearman = [["spend_target", "seller_share_target", 0.5], ["market_growth", "spend_target", 0.3]]
shocks = [["market", "spend", 0.4], ["aws", "azure", -0.3]]
"""

TWO_PROVIDERS = """
name = "duo-test"
description = "A made-up two-provider deal"
source = "test data (assumption throughout)"

[deal]
buyer = "Beta Labs"
seller = "north"

[providers]
names = ["north", "south"]
start = { north = 0.6, south = 0.4 }
volatility_seller = 0.1
volatility_others = 0.1

[claims.spend]
metric = "spend"
pre_deal = "$50 Million"
post_deal = "$200 Million-$400 Million"
years = 1
spread = 0.3
start_spread = 0.1

[claims.seller_share]
metric = "North market share"
pre_deal = "60%"
post_deal = "up to 65%"
years = 2
spread = 0.1
start_spread = 0.05

[claims.market_growth]
metric = "market growth"
pre_deal = "10%"
post_deal = "about 12%"
years = 5
spread = 0.03
start_spread = 0.03

[market]
size_start = "$10B"
volatility = 0.05

[spend]
volatility = 0.2
growth_after_target = { family = "triangular", minimum = -0.1, mode = 0.1, maximum = 0.3 }

[[commitments]]
name = "only"
total = { family = "lognormal", mu = 21.3, sigma = 0.1 }
first_year = 2025
last_year = 2030
"""


class ModelContract:
    """What every model and scenario must satisfy; subclasses give ``scenario()``."""

    trials = 4000

    @classmethod
    def make(cls) -> cloudsim.Scenario:
        raise NotImplementedError

    @pytest.fixture(scope="class")
    @classmethod
    def scenario(cls) -> cloudsim.Scenario:
        return cls.make()

    @pytest.fixture(scope="class")
    @classmethod
    def ds(cls, scenario):
        return cloudsim.simulate(scenario, cls.trials, seed=11)

    def test_registered_model(self, scenario):
        assert isinstance(scenario.model, Model)
        assert get_model(scenario.model.name) is scenario.model

    def test_outputs_as_declared(self, scenario, ds):
        d = scenario.to_dict()
        for o in scenario.model.outputs(d):
            assert ds[o.name].dims == o.dims, o.name
            assert ds[o.name].attrs["units"] == o.units and ds[o.name].attrs["long_name"] == o.long_name
            assert (ds[o.name].dtype == bool) == o.is_bool
        for inp in scenario.inputs():
            assert ds[inp.name].attrs["role"] == "input"
        assert ds.attrs["model"] == scenario.model.name

    def test_toml_round_trip(self, scenario):
        again = cloudsim.Scenario.from_toml(scenario.to_toml())
        assert again == scenario and again.to_toml() == scenario.to_toml()

    def test_kernel_matches_reference(self, scenario):
        a = cloudsim.simulate(scenario, 1500, seed=5, start=70_001)
        b = cloudsim.simulate(scenario, 1500, seed=5, start=70_001, engine="numpy")
        for v in a.data_vars:
            x, y = a[v].values, b[v].values
            if x.dtype == bool:
                assert np.mean(x != y) < 1e-3, v  # a tie at the total may flip at rounding
            elif v == "commitment_shortfall":
                np.testing.assert_allclose(x, y, rtol=0, atol=1e-10 * float(np.max(np.abs(y)) + 1.0), err_msg=v)
            else:
                np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=v)

    def test_offset_invariance(self, scenario, ds):
        part = cloudsim.simulate(scenario, 1000, seed=11, start=2500)
        for v in ds.data_vars:
            np.testing.assert_array_equal(part[v].values, ds[v].isel(trial=slice(2500, 3500)).values, err_msg=v)

    def test_thread_and_chunk_invariance(self, scenario, ds, monkeypatch):
        before = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            monkeypatch.setattr(engine_run, "CHUNK", 999)
            one = cloudsim.simulate(scenario, self.trials, seed=11)
        finally:
            numba.set_num_threads(before)
        for v in ds.data_vars:
            np.testing.assert_array_equal(one[v].values, ds[v].values, err_msg=v)

    def test_claims_pinned_at_their_years(self, scenario, ds):
        """Every claim sample at its target year is the trial's drawn claim value."""
        by_key = {(s.claim, s.which): s for s in scenario.model.claim_samples(ds, scenario.to_dict())}
        assert set(by_key) == {(k, w) for k in scenario.claims for w in ("start", "target")}


class DealContract(ModelContract):
    """The deal model's invariants on top of the model contract."""

    def test_shares_on_the_simplex(self, ds):
        share = ds["share"].values
        assert np.all((share > 0) & (share < 1))
        np.testing.assert_allclose(share.sum(axis=-1), 1.0, rtol=0, atol=1e-12)

    def test_money_positive_and_finite(self, ds):
        for v in ("spend", "market_size", "seller_revenue", "cumulative_spend"):
            x = ds[v].values
            assert np.all(np.isfinite(x)), v
        for v in ("spend", "market_size", "seller_revenue"):
            assert np.all(ds[v].values > 0), v

    def test_claim_values_at_their_own_years(self, scenario, ds):
        y0, years = scenario.start_year, scenario.claim_years
        seller = ds.attrs["seller_name"]
        np.testing.assert_array_equal(ds.spend.sel(year=years["spend"]).values, ds.spend_target.values)
        np.testing.assert_array_equal(
            ds.share.sel(year=years["seller_share"], provider=seller).values, ds.seller_share_target.values
        )
        h = years["market_growth"] - y0
        m = ds.market_size
        np.testing.assert_allclose(
            (m.sel(year=y0 + h) / m.sel(year=y0)) ** (1 / h), 1 + ds.market_growth.values, rtol=1e-12
        )

    def test_commitments_from_first_principles(self, scenario, ds):
        """P(met) and shortfall recomputed from the spend paths in NumPy, tranche by tranche."""
        spend = ds.spend
        met = ds.commitment_met
        short = ds.commitment_shortfall
        for c_idx, c in enumerate(scenario.commitments):
            sel = {"commitment": c.name} if "commitment" in met.dims else {}
            got_met, got_short = met.sel(sel).values, short.sel(sel).values
            ok = np.ones(ds.sizes["trial"], bool)
            worst = np.zeros(ds.sizes["trial"])
            due = np.zeros(ds.sizes["trial"])
            inputs = [i for i in scenario.inputs() if i.key.startswith(f"commitments[{c_idx}]")]
            for k, (year, amount) in enumerate(zip(c.due_years, c.amounts, strict=True)):
                cum = spend.sel(year=slice(c.first_year, year)).sum("year").values
                if math.isnan(amount):  # drawn per trial: the input of this tranche's key
                    tranches = "tranches" in scenario[f"commitments[{c_idx}]"]
                    key = f"commitments[{c_idx}]." + (f"tranches[{k}].amount" if tranches else "total")
                    name = next(i.name for i in inputs if i.key == key)
                    due = due + ds[name].values
                else:
                    due = due + amount
                ok &= cum >= due * (1 - 1e-12)
                worst = np.maximum(worst, np.maximum(due - cum, 0.0))
            assert np.mean(ok != got_met) < 1e-3
            np.testing.assert_allclose(got_short, worst, rtol=1e-9, atol=1e-3 * float(np.max(due)))

    def test_no_article_words_in_a_new_deal(self, scenario, ds):
        text = " ".join(str(ds[v].attrs.get("long_name", "")) for v in ds.variables)
        assert not re.search(r"openai|aws", text, re.IGNORECASE), text


class TestArticle(DealContract):
    @classmethod
    def make(cls):
        return cloudsim.load_scenario()

    def test_no_article_words_in_a_new_deal(self, scenario, ds):
        """The article's own scenario: its names come from its TOML, not from the code."""
        assert ds.spend.attrs["long_name"] == "OpenAI's annual AWS spend"
        assert ds.share.attrs["long_name"] == "Share of the AI cloud market"


class TestSixProviderDeal(DealContract):
    @classmethod
    def make(cls):
        return cloudsim.Scenario.from_toml(SIX_PROVIDERS)

    def test_dims_and_labels(self, ds):
        assert ds.provider.values.tolist() == ["aws", "azure", "gcp", "oracle", "coreweave", "rest"]
        assert ds.commitment.values.tolist() == ["main", "staged"]
        assert ds.spend.attrs["long_name"] == "Acme's annual Oracle Cloud spend"
        assert ds.attrs["seller"] == "Oracle Cloud" and ds.attrs["buyer"] == "Acme"
        assert ds.commitment_met.dims == ("trial", "commitment")

    def test_uncertain_assumptions_are_inputs(self, ds):
        for name in ("market_size_start", "seller_share_volatility", "shift_hazard", "staged_tranche_2033"):
            assert ds[name].attrs["role"] == "input", name
        assert 0.05 <= float(ds.seller_share_volatility.min()) and float(ds.seller_share_volatility.max()) <= 0.2
        np.testing.assert_allclose(ds.market_size.isel(year=0), ds.market_size_start, rtol=1e-13)


class TestTwoProviderDeal(DealContract):
    @classmethod
    def make(cls):
        return cloudsim.Scenario.from_toml(TWO_PROVIDERS)

    def test_two_shares(self, ds):
        np.testing.assert_allclose(ds.share.sel(provider="south"), 1 - ds.share.sel(provider="north"), atol=1e-15)


@pytest.mark.parametrize("text", [SIX_PROVIDERS, TWO_PROVIDERS], ids=["six", "two"])
def test_plus_claims_hold_at_their_stated_probability(text):
    """The acceptance figure: a "+" claim holds with 0.80 +/- 0.01 at 200,000 trials, at its own year."""
    scn = cloudsim.Scenario.from_toml(text)
    ds = cloudsim.simulate(scn, 200_000, seed=2026)
    for sample in scn.model.claim_samples(ds, scn.to_dict()):
        claim = scn.claims[sample.claim]
        for _, low, high, stated in claim.checks(sample.which):
            p = float(np.mean((sample.samples >= low) & (sample.samples <= high)))
            assert abs(p - stated) <= 0.01, (sample.claim, sample.which, p, stated)


@settings(max_examples=15, deadline=None)
@given(deal_scenarios())
def test_generated_deals_keep_every_invariant(scn):
    ds = cloudsim.simulate(scn, 300, seed=3)
    share = ds.share.values
    assert np.all((share > 0) & (share < 1))
    np.testing.assert_allclose(share.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    for v in ("spend", "market_size", "seller_revenue"):
        assert np.all(np.isfinite(ds[v].values)) and np.all(ds[v].values > 0), v
    years = scn.claim_years
    np.testing.assert_array_equal(ds.spend.sel(year=years["spend"]).values, ds.spend_target.values)
    seller = ds.attrs["seller_name"]
    np.testing.assert_array_equal(
        ds.share.sel(year=years["seller_share"], provider=seller).values, ds.seller_share_target.values
    )
    ref = cloudsim.simulate(scn, 300, seed=3, engine="numpy")
    for v in ("spend", "share", "market_size", "cumulative_spend"):
        np.testing.assert_allclose(ds[v].values, ref[v].values, rtol=1e-10, err_msg=v)
    part = cloudsim.simulate(scn, 100, seed=3, start=200)
    for v in ds.data_vars:
        np.testing.assert_array_equal(part[v].values, ds[v].values[200:], err_msg=v)


def test_replace_makes_a_new_deal_from_python():
    base = cloudsim.load_scenario()
    scn = base.replace(
        {
            "deal.seller": "oracle",
            "deal.buyer": "Acme",
            "providers.names": ["aws", "azure", "gcp", "oracle", "other"],
            "providers.start": {"aws": 0.28, "azure": 0.21, "gcp": 0.14, "oracle": 0.03, "other": 0.34},
            "providers.labels": {"oracle": "Oracle"},
        }
    )
    assert scn.name == "openai-aws-2025 (modified)"
    assert "deal.seller" in repr(scn) and scn.changes["deal.seller"] == "oracle"
    assert scn["deal.seller_source"] == "changed with Scenario.replace"
    ds = cloudsim.simulate(scn, 200, seed=1)
    assert ds.spend.attrs["long_name"] == "Acme's annual Oracle spend"
    assert cloudsim.Scenario.from_toml(scn.to_toml()) == scn


BAD = [
    ({"deal.seller": "ibm"}, r"deal\.seller: 'ibm' is not among providers\.names"),
    ({"providers.start.azure": 0.3}, r"providers\.start: the start shares must sum to 1 \(within 1e-9\)"),
    (
        {"providers.start": {"aws": 0.28, "azure": 0.21, "gcp": 0.14, "other": 0.36, "ibm": 0.01}},
        r"providers\.start\.ibm: unknown provider",
    ),
    ({"providers.names": ["aws"], "providers.start": {"aws": 1.0}}, r"providers\.names: needs 2 to 12"),
    ({"providers.reference": "aws"}, r"providers\.reference: must be a provider other than the seller"),
    ({"commitments[0].last_year": 2040}, r"commitments\[0\]\.last_year: must be in \[2026, 2032\]"),
    ({"commitments[0].first_year": 2020}, r"commitments\[0\]\.first_year: must be in \[2025, 2032\]"),
    (
        {"market.volatility": {"family": "normal", "mean": 0.1, "sd": 0.05}},
        r"market\.volatility: a distribution here must have its support in \[0, 2\]",
    ),
    (
        {"spend.shift_hazard": {"family": "uniform", "lower": 0.5, "upper": 1.5}},
        r"spend\.shift_hazard: a distribution here must have its support in \[0, 1\]",
    ),
    ({"providers.volatility_seller": -0.1}, r"providers\.volatility_seller: must be in \[0, 2\]"),
    ({"commitments[0].total": "38 apples"}, r"commitments\[0\]\.total: cannot read"),
    ({"commitments[0].tranches": [{"year": 2030, "amount": 1e9}]}, r"commitments\[0\]: give either total"),
]


@pytest.mark.parametrize(("changes", "match"), BAD)
def test_bad_deals_name_the_key_and_the_range(changes, match):
    with pytest.raises(ValueError, match=match):
        cloudsim.load_scenario().replace(changes)


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match=r"model: unknown model 'nope'; registered: deal"):
        cloudsim.Scenario.from_toml('model = "nope"\nname = "x"')
