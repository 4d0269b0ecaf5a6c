"""Argument checks and array plumbing shared by the risk functions: DataArrays in, arrays out, DataArrays back."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

__all__ = [
    "DIRECTIONS",
    "STATS",
    "Stat",
    "check_choice",
    "check_da",
    "check_threshold",
    "indicator",
    "label",
    "split",
    "valid",
    "valid_rows",
    "wrap",
]

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


#: The two sides of a threshold: ``"above"`` counts ``X >= threshold``, ``"below"`` counts ``X <= threshold``.
DIRECTIONS = ("above", "below")


def indicator(
    da: xr.DataArray, threshold: Any, name: str = "threshold", direction: str = "above"
) -> tuple[xr.DataArray, Any]:
    """``da >= threshold`` (``direction="above"``) or ``da <= threshold`` (``"below"``).

    With ``threshold=None`` a boolean ``da`` is its own indicator, and so is a float ``da`` holding
    only 0, 1 and NaN (a boolean masked with ``da.where(cond)``).  NaN trials give False here; the
    callers count only the valid trials (:func:`valid_rows`).
    """
    direction = check_choice(direction, "direction", DIRECTIONS)
    if threshold is None:
        if da.dtype == bool:
            return da, None
        if da.dtype.kind == "f" and bool(((da == 0) | (da == 1) | da.isnull()).all()):
            return da == 1, None
        raise ValueError(
            f"{name}: required for {da.name or 'the DataArray'!s} (dtype {da.dtype}); only boolean "
            f"variables such as 'commitment_met' may leave it out"
        )
    thr = check_threshold(threshold, name)
    return (da >= thr) if direction == "above" else (da <= thr), thr


def valid(da: xr.DataArray, dim: str) -> xr.DataArray:
    """Trials that are not NaN (a boolean has none), and their count over ``dim`` as ``n_valid`` (int64)."""
    ok = da.notnull()
    return ok, ok.sum(dim).astype(np.int64).assign_attrs(units="1", long_name="Trials with a value (not NaN)")


def valid_rows(fn: Callable[..., np.ndarray], *xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``fn(*xs)`` over the last axis counting only the trials that are valid (not NaN) in every ``x``.

    The one missing-value rule of the risk functions: a NaN trial is left out, as xarray's
    reductions leave it out, and the estimate rests on the valid trials alone.  ``fn`` maps arrays
    ``(..., n)`` to an array with a leading axis ``(k, ..., *trailing)`` (as ``numpy.quantile`` with a
    sequence of ``q`` does); without NaN it is called once on ``xs``, with NaN once per row of
    valid trials (a row with none gives NaN).

    Returns
    -------
    (values, n_valid) : the result of ``fn`` and the valid trials per row (shape ``xs[0].shape[:-1]``).
    """
    bad = np.zeros(xs[0].shape, dtype=bool)
    for x in xs:
        bad |= np.isnan(x)
    n_valid = (~bad).sum(axis=-1)
    if not bad.any():
        return fn(*xs), n_valid
    n = xs[0].shape[-1]
    rest = xs[0].shape[:-1]
    flat = [x.reshape(-1, n) for x in xs]
    ok_rows = ~bad.reshape(-1, n)
    parts: list[np.ndarray | None] = []
    for r in range(ok_rows.shape[0]):
        ok = ok_rows[r]
        parts.append(np.asarray(fn(*(f[r, ok] for f in flat))) if ok.any() else None)
    template = next((p for p in parts if p is not None), None)
    if template is None:
        with np.errstate(all="ignore"):
            template = np.asarray(fn(*(np.zeros(2) for _ in xs)))
    out = np.full((template.shape[0], len(parts), *template.shape[1:]), np.nan)
    for r, p in enumerate(parts):
        if p is not None:
            out[:, r] = p
    return out.reshape(template.shape[0], *rest, *template.shape[1:]), n_valid


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
