"""Probabilities over trials: P(X >= threshold) per year and the first year a path crosses, with binomial intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

from ._common import check_choice, check_da, indicator, label, valid
from ._intervals import KIND_EXACT, KIND_WILSON, binom_interval, check_ci, ci_like
from .replicates import KIND_REPLICATE_T, replicate_ids, replicate_proportion_ci

__all__ = ["exceedance_probability", "first_passage"]


def exceedance_probability(
    da: xr.DataArray,
    threshold: float | Sequence[float] | xr.DataArray | None = None,
    *,
    direction: Literal["above", "below"] = "above",
    ci: float = 0.95,
    method: Literal["wilson", "exact"] = "wilson",
    dim: str = "trial",
) -> xr.Dataset:
    """``P(X >= threshold)`` (or ``P(X <= threshold)``) over trials, with a binomial interval.

    Missing values (NaN) are left out: the probability is over the valid trials only
    (``n_valid``), so ``da.where(cond)`` gives the conditional probability ``P(X >= t | cond)``.

    Parameters
    ----------
    da : xarray.DataArray
        E.g. ``ds["spend"]`` (dims ``trial, year``) or
        ``ds["spend"].sel(year=2028)``.
    threshold : float, sequence of float, xarray.DataArray or None
        A number; a 1-D sequence (adds a ``threshold`` dim: an exceedance curve); or a
        DataArray broadcast against ``da`` (e.g. one threshold per ``year``).  ``None``
        only for a boolean ``da`` (e.g. ``commitment_met``, also masked with ``where``):
        ``P(da)``.  A NaN threshold is an error.
    direction : {"above", "below"}
        ``"above"``: ``P(X >= threshold)``; ``"below"``: ``P(X <= threshold)``.
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
        sequence), ``probability_ci`` (the same dims plus ``ci_bound``), ``count``
        (trials on the counted side of the threshold) and ``n_valid`` (the trials that
        have a value, the denominator).  Attrs: ``trials`` (the length of ``dim``),
        ``ci_kind``, ``ci_prob``, ``relation`` and the scalar ``threshold`` if any.
    """
    da = check_da(da, "da", (dim,))
    ci = check_ci(ci)
    method = check_choice(method, "method", ("wilson", "exact"))
    hits, thr = indicator(da, threshold, direction=direction)
    ok, n_valid = valid(da, dim)
    count = (hits & ok).sum(dim)
    res = _probability_dataset(count, n_valid, ci, method, da, thr, name="probability", direction=direction)
    return replicated(res, "probability", hits, ok, da, ci, dim)


def replicated(
    res: xr.Dataset, name: str, hits: xr.DataArray, ok: xr.DataArray, da: xr.DataArray, ci: float, dim: str
) -> xr.Dataset:
    """``res`` with ``name``'s interval replaced by the replicate interval when ``da`` is a replicated run."""
    ids = replicate_ids(da, dim)
    if ids is None:
        return res
    h, ok_b = xr.broadcast(hits, ok)
    h, ok_b = h.transpose(..., dim), ok_b.transpose(..., dim)
    lower, upper = replicate_proportion_ci(h.values, ok_b.values, ids, ci)
    order = [d for d in h.dims if d != dim]
    p = res[name].transpose(*order)
    res[f"{name}_ci"] = ci_like(p, lower, upper, kind=KIND_REPLICATE_T, ci=ci)
    res.attrs["ci_kind"] = KIND_REPLICATE_T
    return res


def _probability_dataset(
    count: xr.DataArray,
    n_valid: xr.DataArray,
    ci: float,
    method: str,
    da: xr.DataArray,
    thr: Any,
    *,
    name: str,
    direction: str = "above",
    dim: str = "trial",
) -> xr.Dataset:
    kind = KIND_WILSON if method == "wilson" else KIND_EXACT
    op = ">=" if direction == "above" else "<="
    relation = f"{da.name or 'X'} {op} threshold" if thr is not None else f"{da.name or 'X'} is true"
    cb, nb = xr.broadcast(count, n_valid)
    nb = nb.transpose(*cb.dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (cb / nb).assign_attrs(units="1", long_name=f"P({relation}) for {label(da)}")
        lower, upper = binom_interval(cb.values, nb.values, ci, method)
    attrs: dict[str, Any] = {
        "trials": int(da.sizes[dim]),
        "ci_kind": kind,
        "ci_prob": ci,
        "relation": relation,
        "direction": direction,
    }
    if isinstance(thr, float):
        attrs["threshold"] = thr
    side = "at or above" if direction == "above" else "at or below"
    return xr.Dataset(
        {
            name: p,
            f"{name}_ci": ci_like(p, lower, upper, kind=kind, ci=ci),
            "count": count.assign_attrs(units="1", long_name=f"Trials {side} the threshold"),
            "n_valid": n_valid,
        },
        attrs=attrs,
    )


def first_passage(
    da: xr.DataArray,
    threshold: float | xr.DataArray,
    *,
    direction: Literal["above", "below"] = "above",
    ci: float = 0.95,
    method: Literal["wilson", "exact"] = "wilson",
    dim: str = "trial",
    time_dim: str = "year",
) -> xr.Dataset:
    """When does a path first reach a threshold?

    A trial crosses in year ``y`` if ``X_y >= threshold`` (``direction="below"``:
    ``X_y <= threshold``; ``threshold`` may vary by year); its first passage is the
    earliest such year.  A trial with a missing value (NaN) in any year is left out:
    the probabilities are over the ``n_valid`` complete paths.

    Parameters
    ----------
    da : xarray.DataArray
        With dims ``dim`` and ``time_dim``, e.g. ``ds["spend"]``.
    threshold : float or xarray.DataArray
        Not NaN; a DataArray may carry ``time_dim`` (a threshold per year).
    direction : {"above", "below"}
        Reach the threshold from below (``>=``, default) or fall to it (``<=``).
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
        ``ci_bound``); ``n_valid`` (the other dims): the complete paths counted.
    """
    da = check_da(da, "da", (dim, time_dim))
    ci = check_ci(ci)
    method = check_choice(method, "method", ("wilson", "exact"))
    if threshold is None:
        raise TypeError("threshold: expected a number or a DataArray, got None")
    if not np.all(np.diff(da[time_dim].values) > 0):
        da = da.sortby(time_dim)
    hits, thr = indicator(da, threshold, direction=direction)
    complete = da.notnull().all(time_dim)
    n_valid = complete.sum(dim).astype(np.int64).assign_attrs(units="1", long_name="Complete paths (no NaN)")
    crossed = (hits.cumsum(time_dim) > 0) & complete
    first = crossed & ~crossed.shift({time_dim: 1}, fill_value=False)
    c_by = crossed.sum(dim)
    c_first = first.sum(dim)
    c_never = n_valid - crossed.isel({time_dim: -1}, drop=True).sum(dim)
    out = xr.Dataset(
        attrs={
            "trials": int(da.sizes[dim]),
            "ci_prob": ci,
            "ci_kind": KIND_WILSON if method == "wilson" else KIND_EXACT,
            "direction": direction,
        }
    )
    if isinstance(thr, float):
        out.attrs["threshold"] = thr
    what = label(da)
    never = complete & ~crossed.isel({time_dim: -1}, drop=True)
    for name, count, ind, long_name in (
        ("crossed_by", c_by, crossed, f"P({what} has reached the threshold by this year)"),
        ("first_year", c_first, first, f"P({what} first reaches the threshold in this year)"),
        ("never", c_never, never, f"P({what} never reaches the threshold by {int(da[time_dim].values[-1])})"),
    ):
        ds = _probability_dataset(count, n_valid, ci, method, da, thr, name=name, direction=direction, dim=dim)
        ds = replicated(ds, name, ind, complete, da, ci, dim)
        out.attrs["ci_kind"] = ds.attrs["ci_kind"]
        out[name] = ds[name].assign_attrs(long_name=long_name)
        out[f"{name}_ci"] = ds[f"{name}_ci"].assign_attrs(long_name=long_name)
    out["n_valid"] = n_valid
    return out
