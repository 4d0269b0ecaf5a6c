"""Quantiles over trials: percentile bands (numpy.quantile bit for bit), their intervals, Monte Carlo errors."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import xarray as xr

from ._common import STATS, Stat, check_choice, check_da, indicator, label, split, valid, valid_rows, wrap
from ._intervals import CI_BOUNDS, CI_DIM, KIND_ORDER, check_ci, check_levels, check_q, quantile_bounds, quantile_se
from .replicates import (
    KIND_REPLICATE_QUANTILE,
    KIND_REPLICATE_T,
    replicate_estimates,
    replicate_ids,
    replicate_proportions,
    replicate_quantile_bounds,
    replicate_se,
)

__all__ = ["DEFAULT_QUANTILES", "mcse", "percentile_bands", "quantile_intervals"]

#: The quantiles of :func:`percentile_bands` when none are given.
DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

#: ``numpy.quantile``'s methods, for :func:`percentile_bands` (``"linear"`` is computed here, bit for bit).
QUANTILE_METHODS = (
    "linear",
    "inverted_cdf",
    "averaged_inverted_cdf",
    "closest_observation",
    "interpolated_inverted_cdf",
    "hazen",
    "weibull",
    "median_unbiased",
    "normal_unbiased",
    "lower",
    "higher",
    "midpoint",
    "nearest",
)


def _bandable(name: str, da: xr.DataArray, dim: str) -> bool:
    """Variables of a Dataset that get bands: those with ``dim`` that are not boolean (P(...) describes those)."""
    return dim in da.dims and da.dtype != bool


def percentile_bands(
    obj: xr.Dataset | xr.DataArray,
    q: float | Sequence[float] = DEFAULT_QUANTILES,
    *,
    dim: str = "trial",
    ci: float | None = None,
    method: str = "linear",
) -> xr.Dataset | xr.DataArray:
    """Quantiles over ``dim`` of every numeric variable that has it.

    Boolean variables (``commitment_met``) get no bands: their quantiles are only 0 or 1;
    :func:`cloudsim.exceedance_probability` gives their probability.  Missing values (NaN)
    are left out: each band is the quantile of the valid trials, as
    ``numpy.nanquantile`` (``attrs["n_valid"]``: the fewest valid trials of any band).

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        Typically the output of :func:`cloudsim.simulate`.
    q : float or sequence of float
        Distinct quantiles in [0, 1] (not percents).
    dim : str
        The dimension to reduce, ``"trial"`` by default.
    ci : float, optional
        If given (e.g. 0.95), add the Monte Carlo error of every band: a distribution-free
        order-statistic (binomial) interval, see :func:`cloudsim.quantile_intervals`.
    method : str
        One of ``numpy.quantile``'s methods (``QUANTILE_METHODS``); ``"linear"`` (the
        default) is computed by selection, columns in parallel.

    Returns
    -------
    xarray.Dataset or xarray.DataArray
        The same variables (those with ``dim``) with ``dim`` replaced by a leading
        ``quantile`` dim, as float64; values equal ``numpy.quantile(..., method="linear")``
        bit for bit (computed by selection, columns in parallel; Dask-backed data is
        reduced block by block in two passes, never loaded whole, to the same values).
        Attributes (``units``, ``long_name``) are kept.  With ``ci``, always a Dataset:
        each band ``v`` (a DataArray input is named by its ``name``, else ``"bands"``)
        and its interval ``v_ci`` (the dims of ``v`` plus ``ci_bound`` = lower, upper;
        attrs ``ci_kind``, ``ci_prob``).
    """
    qs = check_q(q)
    method = check_choice(method, "method", QUANTILE_METHODS)
    from .streaming import is_chunked, percentile_bands_chunked

    if is_chunked(obj):
        if method != "linear":
            raise ValueError(f"method: Dask-backed data supports only method='linear', got {method!r}")
        return percentile_bands_chunked(obj, qs, dim=dim, ci=ci)
    if isinstance(obj, xr.DataArray):
        bands: xr.Dataset | xr.DataArray = _bands_da(obj, qs, dim, method)
    elif isinstance(obj, xr.Dataset):
        names = [str(k) for k, v in obj.data_vars.items() if _bandable(str(k), v, dim)]
        if not names:
            raise ValueError(f"dim: no numeric variable of the Dataset has dim {dim!r} (dims: {list(obj.dims)})")
        bands = xr.Dataset({k: _bands_da(obj[k], qs, dim, method) for k in names}, attrs=dict(obj.attrs))
    else:
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    if ci is None:
        return bands
    intervals = quantile_intervals(obj[names] if isinstance(obj, xr.Dataset) else obj, qs, ci=ci, dim=dim)
    if isinstance(bands, xr.DataArray):
        name = str(bands.name) if bands.name is not None else "bands"
        bands = bands.to_dataset(name=name)
        intervals = intervals.to_dataset(name=name)
    out = bands.copy()
    for k, v in intervals.data_vars.items():
        out[f"{k}_ci"] = v
    kinds = {v.attrs["ci_kind"] for v in intervals.data_vars.values()}
    out.attrs.update(ci_kind=kinds.pop() if len(kinds) == 1 else KIND_ORDER, ci_prob=ci)
    return out


def _n_valid(da: xr.DataArray, dim: str) -> int:
    """The fewest valid (non-NaN) trials of any cell: the effective ``n`` of the least certain estimate."""
    return int(valid(da, dim)[1].min()) if da.dtype.kind == "f" else int(da.sizes[dim])


@numba.njit(cache=True, parallel=True)
def _quantiles_columns(values: np.ndarray, qs: np.ndarray, out: np.ndarray) -> None:
    """``out[k, j] = numpy.quantile(values[:, j], qs[k])`` (method "linear"), columns in parallel.

    Bit-for-bit NumPy's result: the same order statistics (by selection) and the
    same interpolation formula.  NaN is left out (``numpy.nanquantile``): each column's
    quantiles are those of its valid values; a column with none gives NaN.
    """
    n, m = values.shape
    nq = qs.shape[0]
    for j in numba.prange(m):
        buf = np.empty(n)
        nv = 0
        for i in range(n):
            v = values[i, j]
            if not np.isnan(v):
                buf[nv] = v
                nv += 1
        if nv == 0:
            for k in range(nq):
                out[k, j] = np.nan
            continue
        lo_idx = np.empty(nq, np.int64)
        frac = np.empty(nq)
        kth = np.empty(2 * nq, np.int64)
        for k in range(nq):
            virt = qs[k] * (nv - 1)
            lo = min(np.int64(np.floor(virt)), nv - 1)
            lo_idx[k] = lo
            frac[k] = virt - lo
            kth[2 * k] = lo
            kth[2 * k + 1] = min(lo + 1, nv - 1)
        part = np.partition(buf[:nv], kth)
        for k in range(nq):
            a = part[lo_idx[k]]
            b = part[min(lo_idx[k] + 1, nv - 1)]
            t = frac[k]
            d = b - a
            out[k, j] = b - d * (1.0 - t) if t >= 0.5 else a + d * t


def _bands_da(da: xr.DataArray, qs: np.ndarray, dim: str, method: str = "linear") -> xr.DataArray:
    if dim not in da.dims:
        raise ValueError(f"dim: {da.name or 'the DataArray'} has no dim {dim!r} (dims: {list(da.dims)})")
    if da.sizes[dim] == 0:
        raise ValueError(f"{da.name or 'the DataArray'}: dim {dim!r} is empty")
    values = np.moveaxis(np.asarray(da.values), da.get_axis_num(dim), 0)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"{da.name or 'the DataArray'}: cannot take quantiles of dtype {values.dtype}")
    rest = values.shape[1:]
    cols = values.reshape(values.shape[0], -1)  # a view for the engine's C-ordered (trial, ...) arrays
    if cols.dtype != np.float64:
        cols = cols.astype(np.float64)
    if method == "linear":
        res = np.empty((qs.size, cols.shape[1]))
        _quantiles_columns(cols, qs, res)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: NaN, as in the linear kernel
            res = np.nanquantile(cols, qs, axis=0, method=method)
    res = res.reshape((qs.size, *rest))
    dims = ("quantile", *(d for d in da.dims if d != dim))
    coords = {k: v for k, v in da.coords.items() if dim not in v.dims}
    coords["quantile"] = qs
    attrs = dict(da.attrs)
    attrs["n_valid"] = _n_valid(da, dim)
    if method != "linear":
        attrs["quantile_method"] = method
    return xr.DataArray(res, dims=dims, coords=coords, name=da.name, attrs=attrs)


def quantile_intervals(
    obj: xr.Dataset | xr.DataArray,
    q: float | Sequence[float] = DEFAULT_QUANTILES,
    *,
    ci: float = 0.95,
    dim: str = "trial",
) -> xr.Dataset | xr.DataArray:
    """Distribution-free confidence intervals for sample quantiles.

    For ``n`` trials the ``q`` quantile ``xi_q`` lies between the order statistics
    ``X_(l)`` and ``X_(u)`` with probability ``P(l <= B < u)``, ``B ~ Binomial(n, q)``,
    whatever the distribution (if continuous).  ``l`` and ``u`` are the binomial
    ``(1 - ci)/2`` and ``(1 + ci)/2`` quantiles, so the coverage is at least ``ci`` (at
    most a binomial point mass above it: exact to ~0.1% for ``n`` in the thousands).
    The point estimate itself is :func:`cloudsim.percentile_bands`
    (``numpy.quantile``, linear), which always lies inside the interval for large ``n``.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        The same inputs as :func:`cloudsim.percentile_bands`; for a Dataset every
        numeric variable with ``dim`` is used (booleans are left out).
    q : float or sequence of float
        Quantiles in [0, 1].
    ci : float
        Coverage probability of each interval, in (0, 1).
    dim : str
        The dim to reduce.

    Returns
    -------
    xarray.DataArray or xarray.Dataset
        Dims ``("quantile", *other dims, "ci_bound")`` with ``ci_bound`` coords
        ``["lower", "upper"]``; attrs ``ci_kind = "order-statistic (binomial)"`` and
        ``ci_prob``, plus the input's ``units`` and ``long_name``.  When no order
        statistic is extreme enough (``n`` too small for ``q`` and ``ci``) the bound is
        ``-inf`` or ``+inf``.  NaN trials are left out (the interval of the valid
        trials; ``attrs["n_valid"]``, the fewest of any cell).
    """
    qs = check_q(q)
    ci = check_ci(ci)
    if isinstance(obj, xr.DataArray):
        check_da(obj, "obj", (dim,))
        return _qi_da(obj, qs, ci, dim)
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    names = [str(k) for k, v in obj.data_vars.items() if _bandable(str(k), v, dim)]
    if not names:
        raise ValueError(f"obj: no numeric variable of the Dataset has dim {dim!r} (dims: {list(obj.dims)})")
    out = xr.Dataset({k: _qi_da(check_da(obj[k], "obj", (dim,)), qs, ci, dim) for k in names})
    out.attrs.update(obj.attrs)
    kinds = {v.attrs["ci_kind"] for v in out.data_vars.values()}
    out.attrs.update(ci_kind=kinds.pop() if len(kinds) == 1 else KIND_ORDER, ci_prob=ci)
    return out


def _qi_da(da: xr.DataArray, qs: np.ndarray, ci: float, dim: str) -> xr.DataArray:
    x, rest, coords = split(da, dim)
    ids = replicate_ids(da, dim)
    kind = KIND_ORDER if ids is None else KIND_REPLICATE_QUANTILE
    vals = quantile_bounds(x, qs, ci) if ids is None else replicate_quantile_bounds(x, ids, qs, ci)
    coords["quantile"] = qs
    coords[CI_DIM] = list(CI_BOUNDS)
    attrs = dict(da.attrs)
    attrs.update(ci_kind=kind, ci_prob=ci, n_valid=_n_valid(da, dim))
    return xr.DataArray(vals, dims=("quantile", *rest, CI_DIM), coords=coords, name=da.name, attrs=attrs)


def mcse(
    da: xr.DataArray,
    stat: Stat = "mean",
    *,
    q: float | Sequence[float] | None = None,
    threshold: float | Sequence[float] | xr.DataArray | None = None,
    dim: str = "trial",
) -> xr.DataArray:
    """Monte Carlo standard error of a statistic over independent trials.

    * ``"mean"``: ``s / sqrt(n)`` (sample sd, ``ddof=1``);
    * ``"probability"``: ``sqrt(p (1 - p) / n)`` of ``p = P(X >= threshold)`` (or of a
      boolean ``da`` with ``threshold=None``);
    * ``"quantile"``: ``(X_(u) - X_(l)) / (2 * 1.96)`` with ``X_(l), X_(u)`` the 95%
      order-statistic interval (:func:`quantile_intervals`): density-free, it equals
      ``sqrt(q (1 - q) / n) / f(xi_q)`` asymptotically.

    NaN trials are left out: each error is that of the valid trials
    (``attrs["n_valid"]``, the fewest of any cell).

    Parameters
    ----------
    da : xarray.DataArray
        With dim ``dim``.
    stat : {"mean", "quantile", "probability"}
    q : float or sequence of float
        Quantiles, for ``stat="quantile"`` (a sequence adds a ``quantile`` dim).
    threshold : float, sequence of float or xarray.DataArray
        For ``stat="probability"``; see :func:`exceedance_probability`.
    dim : str

    Returns
    -------
    xarray.DataArray
        The other dims of ``da`` (plus ``quantile`` or ``threshold`` if given as
        sequences); ``units`` those of the statistic.
    """
    da = check_da(da, "da", (dim,))
    stat = check_choice(stat, "stat", STATS)
    n_valid = _n_valid(da, dim)
    ids = replicate_ids(da, dim)
    if ids is not None:
        return _replicate_mcse(da, stat, q, threshold, dim, ids, n_valid)
    if stat == "mean":
        x, rest, coords = split(da, dim)

        def se_mean(v: np.ndarray) -> np.ndarray:
            m = v.shape[-1]
            return (v.std(axis=-1, ddof=1) / math.sqrt(m) if m > 1 else np.full(v.shape[:-1], np.nan))[None]

        se = valid_rows(se_mean, x)[0][0]
        return wrap(se, rest, coords, units=da.attrs.get("units", ""), long_name=f"MCSE of the mean of {label(da)}",
                    n_valid=n_valid)  # fmt: skip
    if stat == "probability":
        hits, _ = indicator(da, threshold)
        ok, n = valid(da, dim)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = (hits & ok).sum(dim) / n
            se = np.sqrt(p * (1.0 - p) / n)
        return se.assign_attrs(units="1", long_name=f"MCSE of P(...) for {label(da)}", n_valid=n_valid)
    if q is None:
        raise ValueError("q: required for stat='quantile'")
    qs, scalar = check_levels(q, "q")
    x, rest, coords = split(da, dim)
    se = quantile_se(x, qs)
    attrs = {"units": da.attrs.get("units", ""), "long_name": f"MCSE of quantiles of {label(da)}", "n_valid": n_valid}
    if scalar:
        coords["quantile"] = float(qs[0])
        return wrap(se[0], rest, coords, **attrs)
    coords["quantile"] = qs
    return wrap(se, ("quantile", *rest), coords, **attrs)


def _replicate_mcse(
    da: xr.DataArray, stat: str, q: Any, threshold: Any, dim: str, ids: np.ndarray, n_valid: int
) -> xr.DataArray:
    """:func:`mcse` of a replicated run: the standard error of the replicates' mean estimate, ``sd_r / sqrt(R)``."""
    x, rest, coords = split(da, dim)
    attrs = {"units": da.attrs.get("units", ""), "n_valid": n_valid, "ci_kind": KIND_REPLICATE_T}
    if stat == "mean":
        se = replicate_se(replicate_estimates(lambda v: v.mean(axis=-1)[None], (x,), ids))[0]
        return wrap(se, rest, coords, long_name=f"MCSE of the mean of {label(da)}", **attrs)
    if stat == "probability":
        hits, _ = indicator(da, threshold)
        ok, _ = valid(da, dim)
        h, ok_b = xr.broadcast(hits, ok)
        h, ok_b = h.transpose(..., dim), ok_b.transpose(..., dim)
        dims = [d for d in h.dims if d != dim]
        cs = {k: v for k, v in h.coords.items() if dim not in v.dims}
        attrs["units"] = "1"
        return wrap(replicate_se(replicate_proportions(h.values, ok_b.values, ids)), dims, cs,
                    long_name=f"MCSE of P(...) for {label(da)}", **attrs)  # fmt: skip
    if q is None:
        raise ValueError("q: required for stat='quantile'")
    qs, scalar = check_levels(q, "q")
    se = replicate_se(replicate_estimates(lambda v: np.quantile(v, qs, axis=-1), (x,), ids))
    attrs["long_name"] = f"MCSE of quantiles of {label(da)}"
    if scalar:
        coords["quantile"] = float(qs[0])
        return wrap(se[0], rest, coords, **attrs)
    coords["quantile"] = qs
    return wrap(se, ("quantile", *rest), coords, **attrs)
