"""cloudsim: Monte Carlo risk simulation of cloud-market forecasts.

Claims such as "$1.5 Billion+ in 3 years" become distributions; a numba kernel
simulates millions of paths of spend, market size and provider shares into an
``xarray.Dataset``; helpers summarise them as percentile bands and claim checks.

>>> import cloudsim
>>> scn = cloudsim.load_scenario()
>>> ds = cloudsim.simulate(scn, trials=100_000, seed=42)
>>> bands = cloudsim.percentile_bands(ds["spend"])
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cloudsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

from typing import TYPE_CHECKING

from . import accessor as _accessor  # noqa: F401  (registers ds.cloudsim; imports xarray only)

if TYPE_CHECKING:  # pragma: no cover
    from . import plot, risk
    from ._io import to_netcdf, to_zarr
    from .api import simulate, simulate_to_zarr, summarize
    from .claims import Claim, ClaimCheck, Quantity, claim, claims_from_table, parse_quantity
    from .drivers import function_sensitivity, goal_seek, sensitivity, spider, stress, tail_drivers, tornado
    from .risk import (
        check_claims,
        commitment_probability,
        commitment_report,
        exceedance_probability,
        expected_shortfall,
        first_passage,
        mcse,
        paired_difference,
        percentile_bands,
        quantile_intervals,
        value_at_risk,
    )
    from .runs import Target, compare, simulate_until
    from .scenario import Scenario, list_scenarios, load_scenario

#: Where each public name lives; modules load on first use, so ``import cloudsim``
#: costs xarray and not numba, scipy or matplotlib.
_LAZY = {
    **dict.fromkeys(["to_netcdf", "to_zarr"], "_io"),
    **dict.fromkeys(["Claim", "ClaimCheck", "Quantity", "claim", "claims_from_table", "parse_quantity"], "claims"),
    **dict.fromkeys(["simulate", "simulate_to_zarr", "summarize"], "api"),
    **dict.fromkeys(
        [
            "check_claims",
            "commitment_probability",
            "commitment_report",
            "exceedance_probability",
            "expected_shortfall",
            "first_passage",
            "mcse",
            "paired_difference",
            "percentile_bands",
            "quantile_intervals",
            "value_at_risk",
        ],
        "risk",
    ),
    **dict.fromkeys(["Target", "compare", "simulate_until"], "runs"),
    **dict.fromkeys(
        ["function_sensitivity", "goal_seek", "sensitivity", "spider", "stress", "tail_drivers", "tornado"], "drivers"
    ),
    **dict.fromkeys(["Scenario", "list_scenarios", "load_scenario"], "scenario"),
}
_SUBMODULES = ("plot", "risk", "runs")

__all__ = [
    "Claim",
    "ClaimCheck",
    "Quantity",
    "Scenario",
    "Target",
    "__version__",
    "check_claims",
    "claim",
    "claims_from_table",
    "commitment_probability",
    "commitment_report",
    "compare",
    "exceedance_probability",
    "expected_shortfall",
    "first_passage",
    "function_sensitivity",
    "goal_seek",
    "list_scenarios",
    "load_scenario",
    "mcse",
    "paired_difference",
    "parse_quantity",
    "percentile_bands",
    "plot",
    "quantile_intervals",
    "risk",
    "runs",
    "sensitivity",
    "simulate",
    "simulate_to_zarr",
    "simulate_until",
    "spider",
    "stress",
    "summarize",
    "tail_drivers",
    "to_netcdf",
    "to_zarr",
    "tornado",
    "value_at_risk",
]


def __getattr__(name: str):
    import importlib

    from ._checks import check_numba_threads

    check_numba_threads()  # before anything imports numba, which fails on a bad value without naming it
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'cloudsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
