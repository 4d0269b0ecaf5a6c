"""The portfolio model's scenario schema: every key, its type, range, default and meaning."""

from __future__ import annotations

from typing import Any

from ..._schema import Field, TableList, money, number
from ..deal.schema import SCHEMA as DEAL_SCHEMA
from ..deal.schema import claim_schema

__all__ = ["SCHEMA"]

_VOL = {"lo": 0.0, "hi": 2.0, "uncertain": True}

SCHEMA: dict[str, Any] = {
    "name": Field(str, required=True, doc="the scenario's name"),
    "description": Field(str, "", doc="one line for `cloudsim list`"),
    "source": Field(str, "", doc="where the scenario's figures come from"),
    "model": Field(str, "portfolio", doc="the model that runs the scenario"),
    "buyer": {
        "name": Field(str, required=True, doc="who spends, as shown in titles"),
        "market": Field(str, "compute", doc="what the spend buys, as shown in titles"),
    },
    "years": {
        "start": Field(int, 2025, 1900, 2200, doc="the first simulated year (the claim's pre-deal value)"),
        "end": Field(int, 2032, 1900, 2200, doc="the last simulated year"),
    },
    "claims": {"spend": claim_schema()},
    "spend": {
        "volatility": number(**_VOL, doc="yearly sd of log total spend growth (bridge and walk)"),
        "growth_after_target": Field(
            "distribution", required=True, doc="mean yearly total spend growth after the claim year; support > -1"
        ),
    },
    "sellers": {
        "names": Field("list:str", required=True, doc="1 to 12 seller names; the seller coordinate"),
        "labels": Field("table:str", {}, doc="display names by seller name (default: the name)"),
        "start": Field(
            "table:float",
            required=True,
            lo=0.0,
            lo_open=True,
            doc="start-year weights of total spend by seller, summing to 1",
        ),
        "target": Field(
            "table:float",
            {},
            lo=0.0,
            lo_open=True,
            doc="weights the allocation drifts toward, summing to 1 (default: the start weights)",
        ),
        "reversion": number(0.0, 1.0, default=0.0, doc="yearly fraction of the log-ratio gap to the target closed"),
        "reference": Field(str, "", doc="the seller the log-ratios are taken against (default: the last)"),
        "volatility": number(**_VOL, doc="yearly sd of each seller's additive log-ratio"),
    },
    "commitments": TableList(
        {
            "name": Field(str, required=True, doc="a short name: the commitment coordinate"),
            "label": Field(str, "", doc="how titles call it (default: the name)"),
            "seller": Field(str, required=True, doc="the seller it is with: one of sellers.names"),
            "total": money(required=False, doc="the amount due by last_year, counting spend from first_year on"),
            "first_year": Field(int, required=True, doc="spend with the seller counts from this year on"),
            "last_year": Field(int, required=False, doc="the year the total is due (with total)"),
            "tranches": TableList(
                {
                    "year": Field(int, required=True, doc="the year the tranche is due"),
                    "amount": money(doc="the tranche's amount; due cumulatively with the earlier ones"),
                },
                required=False,
                doc="instead of total/last_year: amounts due by their years",
            ),
        },
        doc="one or several commitments ([[commitments]] tables), each with one seller",
    ),
    "dependence": DEAL_SCHEMA["dependence"],
}
