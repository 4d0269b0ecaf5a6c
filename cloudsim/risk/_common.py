"""Argument checks and array plumbing shared by the risk functions: DataArrays in, arrays out, DataArrays back."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

__all__ = ["STATS", "Stat", "check_choice", "check_da", "check_threshold", "indicator", "label", "split", "wrap"]

Stat = Literal["mean", "quantile", "probability"]
STATS = ("mean", "quantile", "probability")


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: must be one of {tuple(choices)}, got {value!r}")
    return value


def check_da(da: Any, name: str, dims: Sequence[str]) -> xr.DataArray:
    """A DataArray with every one of ``dims``, none empty."""
    if not isinstance(da, xr.DataArray):
        raise TypeError(f"{name}: expected an xarray.DataArray such as ds['cumulative_spend'], got {type(da).__name__}")
    missing = [d for d in dims if d not in da.dims]
    if missing:
        raise ValueError(f"{name}: {da.name or 'the DataArray'!s} needs dim(s) {missing} (its dims: {list(da.dims)})")
    for d in dims:
        if da.sizes[d] == 0:
            raise ValueError(f"{name}: dim {d!r} of {da.name or 'the DataArray'!s} is empty")
    return da


def check_threshold(threshold: Any, name: str = "threshold") -> float | xr.DataArray:
    """A non-NaN threshold: a number, a 1-D sequence (dim ``threshold``) or a DataArray."""
    if isinstance(threshold, xr.DataArray):
        thr = threshold
        if not np.issubdtype(thr.dtype, np.number):
            raise TypeError(f"{name}: expected numbers, got a DataArray of dtype {thr.dtype}")
    elif isinstance(threshold, (str, bytes)) or threshold is None:
        raise TypeError(f"{name}: expected a number, a sequence of numbers or a DataArray, got {threshold!r}")
    elif np.ndim(threshold) == 0:
        try:
            value = float(threshold)
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected a number, got {type(threshold).__name__} {threshold!r}") from None
        if math.isnan(value):
            raise ValueError(f"{name}: must not be NaN")
        return value
    else:
        try:
            arr = np.asarray(threshold, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected numbers, got {threshold!r}") from None
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name}: a sequence of thresholds must be 1-D and non-empty, got shape {arr.shape}")
        thr = xr.DataArray(arr, dims="threshold", coords={"threshold": arr})
    if bool(thr.isnull().any()):
        raise ValueError(f"{name}: must not contain NaN")
    return thr


def indicator(da: xr.DataArray, threshold: Any, name: str = "threshold") -> tuple[xr.DataArray, Any]:
    """``da >= threshold`` (or a boolean ``da`` itself when ``threshold`` is None)."""
    if threshold is None:
        if da.dtype != bool:
            raise ValueError(
                f"{name}: required for {da.name or 'the DataArray'!s} (dtype {da.dtype}); only boolean "
                f"variables such as 'commitment_met' may leave it out"
            )
        return da, None
    thr = check_threshold(threshold, name)
    return da >= thr, thr


def split(da: xr.DataArray, dim: str) -> tuple[np.ndarray, tuple[str, ...], dict[str, Any]]:
    """Values as float64 with ``dim`` last, the remaining dims and the coords that survive the reduction."""
    rest = tuple(str(d) for d in da.dims if d != dim)
    x = np.asarray(da.transpose(*rest, dim).values)
    if x.dtype != np.float64:
        x = x.astype(np.float64)
    coords = {k: v for k, v in da.coords.items() if dim not in v.dims}
    return x, rest, coords


def wrap(values: np.ndarray, dims: Sequence[str], coords: Mapping[str, Any], **attrs: Any) -> xr.DataArray:
    return xr.DataArray(values, dims=tuple(dims), coords=dict(coords), attrs=attrs)


def label(da: xr.DataArray) -> str:
    """What a DataArray is, for long names: its ``long_name``, else its name."""
    return str(da.attrs.get("long_name") or da.name or "X")
