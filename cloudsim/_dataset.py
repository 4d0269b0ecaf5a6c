"""Raw engine arrays -> ``xarray.Dataset``: dims, coords, units and long names from the model's declaration.

The arrays are wrapped, never copied: the Dataset's ``nbytes`` is the run's memory.
The variables and the dimension indexes are built here rather than by the Dataset
constructor, whose duck-array checks import dask where it is installed (0.2-0.7 s)
even for NumPy data; the Dataset is the same.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import xarray as xr

from . import __version__
from ._rng import STREAM_VERSION
from .scenario import Scenario

__all__ = ["to_dataset"]


def _copula_text(scenario: Scenario) -> str:
    df = scenario.student_df()
    return f"Student-t copula (df = {df})" if df else "Gaussian copula"


#: How each stream version draws, for ``ds.attrs["method"]``.
_STREAM_TEXT = {
    1: "per-trial SFC64 streams keyed by (seed, trial); ziggurat normals",
    2: "counter-based SplitMix64 variates keyed by (seed, trial, draw); ziggurat normals in lock-step lanes",
}


def _variable(dims: tuple[str, ...], values, attrs: dict) -> xr.Variable:
    """A variable over ``values`` as they are: a plain NumPy array of numbers or strings skips the duck-array checks."""
    if type(values) is np.ndarray and values.dtype.kind not in "OMm":
        return xr.Variable(dims, values, attrs, fastpath=True)
    return xr.Variable(dims, values, attrs)  # a Dask array (a lazy run)


def _coordinates(coords: dict[str, tuple]) -> xr.Coordinates:
    """The coordinates, each dimension's own with the pandas index the Dataset constructor would build for it."""
    variables, indexes = {}, {}
    for name, (dims, values, attrs) in coords.items():
        var = _variable((dims,), values, attrs)
        if dims == name:
            index = xr.indexes.PandasIndex(pd.Index(values), name, coord_dtype=values.dtype)
            var = index.create_variables({name: var})[name]
            indexes[name] = index
        variables[name] = var
    return xr.Coordinates(variables, indexes=indexes)


def to_dataset(
    arrays: dict[str, np.ndarray], scenario: Scenario, *, start: int, seed: str, engine: str,
    sampler: str = "mc", stream: int = STREAM_VERSION,
) -> xr.Dataset:  # fmt: skip
    """Wrap one run's arrays as a Dataset.

    Returns
    -------
    xarray.Dataset
        Dims ``trial`` (global trial index) and the model's own (``year``,
        ``provider``, ``commitment`` for the deal model); every output with
        ``units``, ``long_name`` and ``role``; the per-trial inputs with
        ``role = "input"``.
    """
    model = scenario.model
    d = scenario.to_dict()
    n = arrays["inputs"].shape[0]
    data_vars = {}
    for o in model.outputs(d):
        attrs = {"units": o.units, "long_name": o.long_name, "role": o.role, **o.attrs}
        data_vars[o.name] = _variable(o.dims, arrays[o.name], attrs)
    for k, inp in enumerate(scenario.inputs()):
        attrs = {"units": inp.units, "long_name": inp.long_name, "role": "input", "key": inp.key}
        data_vars[inp.name] = _variable(("trial",), arrays["inputs"][:, k], attrs)
    coord_attrs = model.coord_attrs(d)
    coords = {"trial": ("trial", np.arange(start, start + n, dtype=np.int64), {"long_name": "Global trial index"})}
    used = {dim for o in model.outputs(d) for dim in o.dims}
    for dim, values in model.coords(d).items():
        if dim in used:
            arr = np.asarray(values, dtype=np.int64 if dim == "year" else None)
            coords[dim] = (dim, arr, coord_attrs.get(dim, {}))
    coms = model.commitments(d)
    if "commitment" in coords:
        coords["commitment_total"] = ("commitment", np.array([c.total for c in coms]), {"units": "USD"})
        coords["commitment_years"] = ("commitment", np.array([c.years_text for c in coms]), {})
    labels = model.labels(d)
    attrs = {
        "title": f"cloudsim run of scenario {scenario.name!r}",
        "model": model.name,
        **{k: v for k, v in labels.items()},
        "scenario_name": scenario.name,
        "scenario": scenario.to_toml(),
        "seed": seed,
        "start": int(start),
        "trials": int(n),
        "claim_years": ", ".join(f"{k}={y}" for k, y in scenario.claim_years.items()),
        "cloudsim_version": __version__,
        "stream_version": int(stream),
        "engine": engine,
        "sampler": sampler,
        "method": f"Monte Carlo; {_STREAM_TEXT[int(stream)]}; "
        f"{_copula_text(scenario)} over per-trial inputs; {model.method(d)}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return xr.Dataset(data_vars, coords=_coordinates(coords), attrs=attrs)
