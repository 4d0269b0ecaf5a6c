"""Raw engine arrays -> ``xarray.Dataset`` with dims, coords, units and provenance.

The arrays are wrapped, never copied: the Dataset's ``nbytes`` is the run's memory.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import xarray as xr

from . import __version__
from ._rng import STREAM_VERSION
from .engine import Arrays
from .scenario import INPUTS, PROVIDERS, Scenario

__all__ = ["VARIABLES", "to_dataset"]

#: Path and summary variables: name -> (dims, units, long name).
VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "market_size": (("trial", "year"), "USD", "AI cloud market size"),
    "share": (("trial", "year", "provider"), "1", "Share of the AI cloud market"),
    "openai_aws_spend": (("trial", "year"), "USD", "OpenAI's annual AWS spend"),
    "cumulative_spend": (("trial", "year"), "USD", "OpenAI's cumulative AWS spend since the deal began"),
    "aws_ai_revenue": (("trial", "year"), "USD", "AWS AI cloud revenue (AWS share x market size)"),
    "openai_share_of_aws_ai": (("trial", "year"), "1", "OpenAI's share of AWS AI cloud revenue"),
    "commitment_shortfall": (("trial",), "USD", "Shortfall of cumulative spend against the commitment"),
    "commitment_met": (("trial",), "1", "Cumulative spend reached the commitment"),
}


def _copula_text(scenario: Scenario) -> str:
    dep = scenario["dependence"]
    return f"Student-t copula (df = {dep['df']})" if dep["copula"] == "student" else "Gaussian copula"


def to_dataset(arrays: Arrays, scenario: Scenario, *, start: int, seed: str, engine: str) -> xr.Dataset:
    """Wrap one run's arrays as a Dataset (DESIGN.md §4).

    Returns
    -------
    xarray.Dataset
        Dims ``trial`` (global trial index), ``year`` and ``provider``.
    """
    n = arrays.market_size.shape[0]
    com = scenario["commitment"]
    data_vars = {}
    for name, (dims, units, long_name) in VARIABLES.items():
        attrs = {"units": units, "long_name": long_name}
        if name.startswith("commitment") or name == "cumulative_spend":
            attrs["commitment_total"] = com["total"]
            attrs["commitment_years"] = f"{com['first_year']}-{com['last_year']}"
        data_vars[name] = (dims, getattr(arrays, name), attrs)
    for k, (name, long_name, units) in enumerate(INPUTS):
        data_vars[name] = (("trial",), arrays.inputs[:, k], {"units": units, "long_name": long_name, "role": "input"})
    coords = {
        "trial": ("trial", np.arange(start, start + n, dtype=np.int64), {"long_name": "Global trial index"}),
        "year": ("year", scenario.years.astype(np.int64), {"long_name": "Year", "units": "year"}),
        "provider": ("provider", np.array(PROVIDERS), {"long_name": "Cloud provider"}),
    }
    attrs = {
        "title": f"cloudsim run of scenario {scenario.name!r}",
        "scenario_name": scenario.name,
        "scenario": scenario.to_toml(),
        "seed": seed,
        "start": int(start),
        "trials": int(n),
        "claim_year": int(scenario.claim_year),
        "cloudsim_version": __version__,
        "stream_version": STREAM_VERSION,
        "engine": engine,
        "method": "Monte Carlo; per-trial SFC64 streams keyed by (seed, trial); ziggurat normals; "
        f"{_copula_text(scenario)} over per-trial inputs; log/logit Brownian bridges to the claim year",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
