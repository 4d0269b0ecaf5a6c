"""Probabilities over trials: P(X >= threshold) per year and the first year a path crosses, with binomial intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

from ._common import check_choice, check_da, indicator, label
from ._intervals import KIND_EXACT, KIND_WILSON, binom_interval, check_ci, ci_like

__all__ = ["exceedance_probability", "first_passage"]


def exceedance_probability(
    da: xr.DataArray,
    threshold: float | Sequence[float] | xr.DataArray | None = None,
    *,
    ci: float = 0.95,
    method: Literal["wilson", "exact"] = "wilson",
    dim: str = "trial",
) -> xr.Dataset:
    """``P(X >= threshold)`` over trials, with a binomial interval.

    Parameters
    ----------
    da : xarray.DataArray
        E.g. ``ds["spend"]`` (dims ``trial, year``) or
        ``ds["spend"].sel(year=2028)``.
    threshold : float, sequence of float, xarray.DataArray or None
        A number; a 1-D sequence (adds a ``threshold`` dim: an exceedance curve); or a
        DataArray broadcast against ``da`` (e.g. one threshold per ``year``).  ``None``
        only for a boolean ``da`` (e.g. ``commitment_met``): ``P(da)``.  NaN is an error.
    ci : float
        Interval probability.
    method : {"wilson", "exact"}
        Wilson score interval (close to nominal coverage) or Clopper-Pearson (exact,
        conservative).
    dim : str
        The dim to reduce.

    Returns
    -------
    xarray.Dataset
        ``probability`` (the other dims of ``da``, plus ``threshold`` if given a
        sequence), ``probability_ci`` (the same dims plus ``ci_bound``) and ``count``
        (trials at or above the threshold).  Attrs: ``trials``, ``ci_kind``,
        ``ci_prob``, ``relation`` and the scalar ``threshold`` if any.
    """
    da = check_da(da, "da", (dim,))
    ci = check_ci(ci)
    method = check_choice(method, "method", ("wilson", "exact"))
    hits, thr = indicator(da, threshold)
    n = da.sizes[dim]
    count = hits.sum(dim)
    return _probability_dataset(count, n, ci, method, da, thr, name="probability")


def _probability_dataset(
    count: xr.DataArray, n: int, ci: float, method: str, da: xr.DataArray, thr: Any, *, name: str
) -> xr.Dataset:
    kind = KIND_WILSON if method == "wilson" else KIND_EXACT
    relation = f"{da.name or 'X'} >= threshold" if thr is not None else f"{da.name or 'X'} is true"
    p = (count / n).assign_attrs(units="1", long_name=f"P({relation}) for {label(da)}")
    lower, upper = binom_interval(count.values, n, ci, method)
    attrs: dict[str, Any] = {"trials": int(n), "ci_kind": kind, "ci_prob": ci, "relation": relation}
    if isinstance(thr, float):
        attrs["threshold"] = thr
    return xr.Dataset(
        {
            name: p,
            f"{name}_ci": ci_like(p, lower, upper, kind=kind, ci=ci),
            "count": count.assign_attrs(units="1", long_name="Trials at or above the threshold"),
        },
        attrs=attrs,
    )


def first_passage(
    da: xr.DataArray,
    threshold: float | xr.DataArray,
    *,
    ci: float = 0.95,
    method: Literal["wilson", "exact"] = "wilson",
    dim: str = "trial",
    time_dim: str = "year",
) -> xr.Dataset:
    """When does a path first reach a threshold?

    A trial crosses in year ``y`` if ``X_y >= threshold`` (``threshold`` may vary by
    year); its first passage is the earliest such year.

    Parameters
    ----------
    da : xarray.DataArray
        With dims ``dim`` and ``time_dim``, e.g. ``ds["spend"]``.
    threshold : float or xarray.DataArray
        Not NaN; a DataArray may carry ``time_dim`` (a threshold per year).
    ci : float
        Interval probability (binomial: ``method``).
    method : {"wilson", "exact"}
    dim, time_dim : str
        The trial and time dims.

    Returns
    -------
    xarray.Dataset
        ``crossed_by`` (dims ``year`` and the other dims): P(first passage <= year);
        ``first_year`` (same dims): P(first passage == year), the distribution of the
        first year; ``never`` (the other dims): P(no crossing by the last year), so
        ``first_year.sum("year") + never == 1``.  Each with a ``*_ci`` companion (dim
        ``ci_bound``).
    """
    da = check_da(da, "da", (dim, time_dim))
    ci = check_ci(ci)
    method = check_choice(method, "method", ("wilson", "exact"))
    if threshold is None:
        raise TypeError("threshold: expected a number or a DataArray, got None")
    if not np.all(np.diff(da[time_dim].values) > 0):
        da = da.sortby(time_dim)
    hits, thr = indicator(da, threshold)
    n = da.sizes[dim]
    crossed = hits.cumsum(time_dim) > 0
    first = crossed & ~crossed.shift({time_dim: 1}, fill_value=False)
    c_by = crossed.sum(dim)
    c_first = first.sum(dim)
    c_never = n - crossed.isel({time_dim: -1}, drop=True).sum(dim)
    out = xr.Dataset(
        attrs={"trials": int(n), "ci_prob": ci, "ci_kind": KIND_WILSON if method == "wilson" else KIND_EXACT}
    )
    if isinstance(thr, float):
        out.attrs["threshold"] = thr
    what = label(da)
    for name, count, long_name in (
        ("crossed_by", c_by, f"P({what} has reached the threshold by this year)"),
        ("first_year", c_first, f"P({what} first reaches the threshold in this year)"),
        ("never", c_never, f"P({what} never reaches the threshold by {int(da[time_dim].values[-1])})"),
    ):
        ds = _probability_dataset(count, n, ci, method, da, thr, name=name)
        out[name] = ds[name].assign_attrs(long_name=long_name)
        out[f"{name}_ci"] = ds[f"{name}_ci"].assign_attrs(long_name=long_name)
    return out
