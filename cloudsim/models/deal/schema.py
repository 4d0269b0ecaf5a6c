"""The deal model's scenario schema: every key, its type, range, default and meaning.

``docs/scenario-format.md`` is generated from this table (``docs/make_scenario_format.py``).
"""

from __future__ import annotations

from typing import Any

from ..._schema import Field, TableList, money, number

__all__ = ["CLAIM_ROLES", "SCHEMA", "SHOCK_BASE", "claim_schema"]

#: The claims the deal model reads, by role, and the scale their spreads live on.
CLAIM_ROLES = {"spend": "money", "seller_share": "share", "market_growth": "growth"}

#: The yearly shocks every deal has, in draw order; one more per non-seller, non-reference provider follows.
SHOCK_BASE = ("market", "seller_share", "spend")


def claim_schema() -> dict[str, Any]:
    """The keys of one claim (a row of the article's table)."""
    return {
        "metric": Field(str, required=True, doc="the metric in the source's own words"),
        "pre_deal": Field(str, required=True, doc="the value in the start year, as written ('28%', '$100 Million')"),
        "post_deal": Field(str, required=True, doc="the claimed value at the claim year ('35%+', '$1.5 Billion+')"),
        "years": Field(int, 3, 1, 30, doc="the claim's horizon: the claim year is years.start + years"),
        "confidence": number(
            0.0,
            1.0,
            lo_open=True,
            hi_open=True,
            default=0.8,
            doc="probability a bound ('+', 'up to', a range) is held with",
        ),
        "spread": number(0.0, 5.0, lo_open=True, doc="standard deviation of the post-deal value on the claim's scale"),
        "start_spread": number(
            0.0, 5.0, lo_open=True, doc="standard deviation of the pre-deal value on the claim's scale"
        ),
        "source": Field(str, "", doc="where the claim comes from (publisher and date)"),
    }


_VOL = {"lo": 0.0, "hi": 2.0, "uncertain": True}

SCHEMA: dict[str, Any] = {
    "name": Field(str, required=True, doc="the scenario's name"),
    "description": Field(str, "", doc="one line for `cloudsim list`"),
    "source": Field(str, "", doc="where the scenario's figures come from"),
    "model": Field(str, "deal", doc="the model that runs the scenario"),
    "deal": {
        "buyer": Field(str, required=True, doc="who spends, as shown in titles ('OpenAI')"),
        "seller": Field(str, required=True, doc="the provider the commitments are with: one of providers.names"),
    },
    "years": {
        "start": Field(int, 2025, 1900, 2200, doc="the first simulated year (the pre-deal values)"),
        "end": Field(int, 2032, 1900, 2200, doc="the last simulated year"),
    },
    "providers": {
        "names": Field("list:str", required=True, doc="2 to 12 provider names; the provider coordinate"),
        "labels": Field("table:str", {}, doc="display names by provider name (default: the name)"),
        "start": Field(
            "table:float",
            required=True,
            lo=0.0,
            lo_open=True,
            doc="start shares by provider name, summing to 1; the seller's is the "
            "seller_share claim's pre-deal value, the others split the rest in these proportions",
        ),
        "reference": Field(str, "", doc="the non-seller provider the log-ratios are taken against (default: the last)"),
        "volatility_seller": number(**_VOL, doc="yearly logit-sd of the seller's share after its claim year"),
        "volatility_others": number(**_VOL, doc="yearly sd of the other providers' log-ratios"),
    },
    "claims": {role: claim_schema() for role in CLAIM_ROLES},
    "market": {
        "name": Field(str, "AI cloud market", doc="what the market is called in titles"),
        "size_start": money(uncertain=True, doc="market size in the start year (USD)"),
        "volatility": number(**_VOL, doc="yearly sd of log market growth"),
    },
    "spend": {
        "volatility": number(**_VOL, doc="yearly sd of log spend growth after the spend claim's year"),
        "growth_after_target": Field(
            "distribution",
            required=True,
            doc="mean yearly spend growth after the spend claim's year; support minimum >= -1",
        ),
        "shift_hazard": number(
            0.0,
            1.0,
            default=0.0,
            uncertain=True,
            doc="yearly probability of a workload shift after the spend claim's year",
        ),
        "shift_fraction": Field(
            "distribution", {"family": "fixed", "value": 0.0}, doc="fraction of spend a shift moves away, in [0, 1)"
        ),
    },
    "commitments": TableList(
        {
            "name": Field(str, required=True, doc="a short name: the commitment coordinate"),
            "label": Field(str, "", doc="how titles call it (default: the name)"),
            "total": money(
                required=False, uncertain=True, doc="the amount due by last_year, counting spend from first_year on"
            ),
            "first_year": Field(int, required=True, doc="spend counts towards the commitment from this year on"),
            "last_year": Field(int, required=False, doc="the year the total is due (with total)"),
            "tranches": TableList(
                {
                    "year": Field(int, required=True, doc="the year the tranche is due"),
                    "amount": money(uncertain=True, doc="the tranche's amount; due cumulatively with the earlier ones"),
                },
                required=False,
                doc="instead of total/last_year: amounts due by their years",
            ),
        },
        doc="one or several commitments ([[commitments]] tables)",
    ),
    "dependence": {
        "copula": Field(
            str, "gaussian", choices=("gaussian", "student"), doc="the copula joining the per-trial inputs"
        ),
        "df": Field(
            int,
            None,
            1,
            100,
            doc="degrees of freedom of the Student-t copula (default 4); only with copula = 'student'",
        ),
        "spearman": Field("pairs", [], doc="[input, input, rho] rank correlations of the per-trial inputs"),
        "shocks": Field("pairs", [], doc="[shock, shock, rho] correlations of the yearly shocks"),
    },
}
