"""cloudsim: Monte Carlo risk simulation of cloud-market forecasts.

Claims such as "$1.5 Billion+ in 3 years" become distributions; a numba kernel
simulates millions of paths of spend, market size and provider shares into an
``xarray.Dataset``; helpers summarise them as percentile bands and claim checks.

>>> import cloudsim
>>> scn = cloudsim.load_scenario()
>>> ds = cloudsim.simulate(scn, trials=100_000, seed=42)
>>> bands = cloudsim.percentile_bands(ds["openai_aws_spend"])
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cloudsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

from . import accessor as _accessor  # noqa: F401  (registers ds.cloudsim)
from . import risk
from ._io import to_netcdf
from .claims import Claim, ClaimCheck, Quantity, claim, claims_from_table, parse_quantity
from .engine import simulate
from .risk import (
    Target,
    commitment_report,
    compare,
    exceedance_probability,
    expected_shortfall,
    first_passage,
    mcse,
    paired_difference,
    quantile_intervals,
    simulate_until,
    value_at_risk,
)
from .scenario import Scenario, list_scenarios, load_scenario
from .stats import check_claims, commitment_probability, percentile_bands

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
    "list_scenarios",
    "load_scenario",
    "mcse",
    "paired_difference",
    "parse_quantity",
    "percentile_bands",
    "plot",
    "quantile_intervals",
    "risk",
    "simulate",
    "simulate_until",
    "to_netcdf",
    "value_at_risk",
]


def __getattr__(name: str):
    # matplotlib is imported only when plots are asked for
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'cloudsim' has no attribute {name!r}")
