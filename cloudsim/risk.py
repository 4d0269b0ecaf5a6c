"""Risk analytics with Monte Carlo error everywhere.

Every estimate comes with an interval that says how well the simulation knows it,
and every interval says which kind it is (``ci_kind`` attribute) and its probability
(``ci_prob``).  Intervals live on a dim ``ci_bound`` with coords
``["lower", "upper"]`` (the arviz convention).

* :func:`quantile_intervals` -- distribution-free intervals for quantiles
  (order statistics, binomial), the error bars of :func:`cloudsim.percentile_bands`;
* :func:`exceedance_probability`, :func:`first_passage` -- ``P(X >= threshold)``
  per year, and when a path first crosses;
* :func:`value_at_risk`, :func:`expected_shortfall` -- tail risk with intervals;
* :func:`commitment_report` -- the $38B commitment: P(met), shortfall, timing;
* :func:`mcse`, :class:`Target`, :func:`simulate_until` -- Monte Carlo standard
  errors and convergence on demand;
* :func:`compare`, :func:`paired_difference` -- scenarios side by side with common
  random numbers, and paired differences with intervals.

All functions reduce the ``trial`` dim (``dim=``) and keep every other dim.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from .distributions import ndtri
from .scenario import Scenario, load_scenario
from .stats import DEFAULT_QUANTILES, _check_q, wilson

__all__ = [
    "CI_BOUNDS",
    "CI_DIM",
    "Target",
    "commitment_report",
    "compare",
    "exceedance_probability",
    "expected_shortfall",
    "first_passage",
    "mcse",
    "paired_difference",
    "quantile_intervals",
    "simulate_until",
    "value_at_risk",
]

#: Name and coords of the interval dim.
CI_DIM = "ci_bound"
CI_BOUNDS = ("lower", "upper")

KIND_ORDER = "order-statistic (binomial)"
KIND_WILSON = "Wilson score (binomial)"
KIND_EXACT = "Clopper-Pearson exact (binomial)"
KIND_NORMAL = "asymptotic normal (sample standard deviation / sqrt(n))"
KIND_ES = "asymptotic normal (sample variance of the tail excess (X - VaR) over the tail)"
KIND_PAIRED_NORMAL = "paired asymptotic normal (per-trial differences)"
KIND_PAIRED_QUANTILE = "paired asymptotic normal (Bahadur representation; densities from order-statistic spacings)"
KIND_PAIRED_BOOTSTRAP = "paired percentile bootstrap (trials resampled jointly across scenarios)"

#: Default commitment when a Dataset does not record one: the OpenAI-AWS deal.

Stat = Literal["mean", "quantile", "probability"]
_STATS = ("mean", "quantile", "probability")


# ----------------------------------------------------------------------------
# validation and array helpers
# ----------------------------------------------------------------------------
def _check_ci(ci: Any) -> float:
    if isinstance(ci, bool) or not isinstance(ci, (int, float, np.integer, np.floating)):
        raise TypeError(f"ci: expected a probability in (0, 1) such as 0.95, got {type(ci).__name__} {ci!r}")
    ci = float(ci)
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci: must be in (0, 1), e.g. 0.95, got {ci}")
    return ci


def _z(ci: float) -> float:
    return float(ndtri(0.5 + ci / 2.0))


def _check_levels(level: Any, name: str) -> tuple[np.ndarray, bool]:
    """Probabilities strictly inside (0, 1), as a 1-D array, and whether a scalar was given."""
    scalar = np.ndim(level) == 0
    if isinstance(level, (str, bytes)) or (scalar and isinstance(level, bool)):
        raise TypeError(f"{name}: expected a number in (0, 1) or a sequence of them, got {level!r}")
    try:
        arr = np.atleast_1d(np.asarray(level, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number in (0, 1) or a sequence of them, got {level!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a number in (0, 1) or a 1-D sequence of them, got {level!r}")
    if not np.all((arr > 0.0) & (arr < 1.0)):
        raise ValueError(f"{name}: every value must be in the open interval (0, 1), got {arr.tolist()}")
    return arr, scalar


def _check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: must be one of {tuple(choices)}, got {value!r}")
    return value


def _check_da(da: Any, name: str, dims: Sequence[str]) -> xr.DataArray:
    if not isinstance(da, xr.DataArray):
        raise TypeError(f"{name}: expected an xarray.DataArray such as ds['cumulative_spend'], got {type(da).__name__}")
    missing = [d for d in dims if d not in da.dims]
    if missing:
        raise ValueError(f"{name}: {da.name or 'the DataArray'!s} needs dim(s) {missing} (its dims: {list(da.dims)})")
    for d in dims:
        if da.sizes[d] == 0:
            raise ValueError(f"{name}: dim {d!r} of {da.name or 'the DataArray'!s} is empty")
    return da


def _check_threshold(threshold: Any, name: str = "threshold") -> float | xr.DataArray:
    """A finite-or-infinite, non-NaN threshold: a number, a 1-D sequence (dim ``threshold``) or a DataArray."""
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


def _indicator(da: xr.DataArray, threshold: Any, name: str = "threshold") -> tuple[xr.DataArray, Any]:
    """``da >= threshold`` (or a boolean ``da`` itself when ``threshold`` is None)."""
    if threshold is None:
        if da.dtype != bool:
            raise ValueError(
                f"{name}: required for {da.name or 'the DataArray'!s} (dtype {da.dtype}); only boolean "
                f"variables such as 'commitment_met' may leave it out"
            )
        return da, None
    thr = _check_threshold(threshold, name)
    return da >= thr, thr


def _split(da: xr.DataArray, dim: str) -> tuple[np.ndarray, tuple[str, ...], dict[str, Any]]:
    """Values as float64 with ``dim`` last, the remaining dims and the coords that survive the reduction."""
    rest = tuple(str(d) for d in da.dims if d != dim)
    x = np.asarray(da.transpose(*rest, dim).values)
    if x.dtype != np.float64:
        x = x.astype(np.float64)
    coords = {k: v for k, v in da.coords.items() if dim not in v.dims}
    return x, rest, coords


def _os_indices(n: int, q: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """0-based order-statistic indices ``(lo, hi)`` bracketing the ``q`` quantile with probability >= ``ci``.

    With ``B ~ Binomial(n, q)``, ``P(X_(lo+1) <= xi_q <= X_(hi+1)) = P(lo < B <= hi) >= ci`` for a
    continuous distribution.  ``lo = -1`` / ``hi = n`` mean no order statistic is extreme enough.
    """
    from scipy import stats as sps  # imported here: scipy.stats costs 0.3 s at import

    a = (1.0 - ci) / 2.0
    lo = sps.binom.ppf(a, n, q).astype(np.int64) - 1
    hi = sps.binom.ppf(1.0 - a, n, q).astype(np.int64)
    return lo, hi


def _order_stats(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The order statistics ``idx`` (0-based) along the last axis; -inf/+inf outside ``[0, n)``; NaN rows stay NaN."""
    n = x.shape[-1]
    idx = np.asarray(idx, dtype=np.int64)
    out = np.empty((*x.shape[:-1], idx.size), dtype=np.float64)
    ok = (idx >= 0) & (idx < n)
    if ok.any():
        part = np.partition(x, np.unique(idx[ok]), axis=-1)
        out[..., ok] = part[..., idx[ok]]
    out[..., idx < 0] = -np.inf
    out[..., idx >= n] = np.inf
    nan = np.isnan(x).any(axis=-1)
    if nan.any():
        out[nan] = np.nan
    return out


def _quantile_bounds(x: np.ndarray, qs: np.ndarray, ci: float) -> np.ndarray:
    """Order-statistic interval of each quantile: shape ``(k, *x.shape[:-1], 2)``."""
    lo, hi = _os_indices(x.shape[-1], qs, ci)
    vals = _order_stats(x, np.concatenate([lo, hi]))
    vals = vals.reshape(*x.shape[:-1], 2, qs.size)
    return np.moveaxis(vals, -1, 0)


def _binom_interval(k: Any, n: Any, ci: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised binomial-proportion interval: Wilson score or Clopper-Pearson."""
    from scipy import stats as sps  # imported here: scipy.stats costs 0.3 s at import

    if method == "wilson":
        return wilson(k, n, ci)
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    a = (1.0 - ci) / 2.0
    lower = np.where(k > 0, sps.beta.ppf(a, np.maximum(k, 1.0), n - k + 1.0), 0.0)
    upper = np.where(k < n, sps.beta.ppf(1.0 - a, k + 1.0, np.maximum(n - k, 1.0)), 1.0)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _ci_like(like: xr.DataArray, lower: Any, upper: Any, *, kind: str, ci: float, **attrs: Any) -> xr.DataArray:
    """An interval DataArray: ``like``'s dims and coords plus a trailing ``ci_bound``."""
    values = np.stack([np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)], axis=-1)
    coords = dict(like.coords)
    coords[CI_DIM] = list(CI_BOUNDS)
    a = {k: v for k, v in like.attrs.items() if k in ("units", "long_name")}
    a.update(attrs)
    a["ci_kind"] = kind
    a["ci_prob"] = ci
    return xr.DataArray(values, dims=(*like.dims, CI_DIM), coords=coords, attrs=a)


def _wrap(values: np.ndarray, dims: Sequence[str], coords: Mapping[str, Any], **attrs: Any) -> xr.DataArray:
    return xr.DataArray(values, dims=tuple(dims), coords=dict(coords), attrs=attrs)


def _label(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "X")


def _resolve_seed(seed: Any) -> int | np.random.SeedSequence:
    """One seed for several runs: ``None`` becomes one fresh SeedSequence reused by every run."""
    if seed is None:
        return np.random.SeedSequence()
    return seed


# ----------------------------------------------------------------------------
# 1. quantile intervals
# ----------------------------------------------------------------------------
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
        variable with ``dim`` is used (booleans as 0/1).
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
        ``-inf`` or ``+inf``; a NaN along ``dim`` gives NaN bounds.
    """
    qs = _check_q(q)
    ci = _check_ci(ci)
    if isinstance(obj, xr.DataArray):
        _check_da(obj, "obj", (dim,))
        return _qi_da(obj, qs, ci, dim)
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    names = [k for k, v in obj.data_vars.items() if dim in v.dims]
    if not names:
        raise ValueError(f"obj: no variable of the Dataset has dim {dim!r} (dims: {list(obj.dims)})")
    out = xr.Dataset({k: _qi_da(_check_da(obj[k], "obj", (dim,)), qs, ci, dim) for k in names})
    out.attrs.update(obj.attrs)
    out.attrs.update(ci_kind=KIND_ORDER, ci_prob=ci)
    return out


def _qi_da(da: xr.DataArray, qs: np.ndarray, ci: float, dim: str) -> xr.DataArray:
    x, rest, coords = _split(da, dim)
    vals = _quantile_bounds(x, qs, ci)
    coords["quantile"] = qs
    coords[CI_DIM] = list(CI_BOUNDS)
    attrs = dict(da.attrs)
    attrs.update(ci_kind=KIND_ORDER, ci_prob=ci)
    return xr.DataArray(vals, dims=("quantile", *rest, CI_DIM), coords=coords, name=da.name, attrs=attrs)


# ----------------------------------------------------------------------------
# 2. exceedance and first passage
# ----------------------------------------------------------------------------
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
        E.g. ``ds["openai_aws_spend"]`` (dims ``trial, year``) or
        ``ds["openai_aws_spend"].sel(year=2028)``.
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
    da = _check_da(da, "da", (dim,))
    ci = _check_ci(ci)
    method = _check_choice(method, "method", ("wilson", "exact"))
    hits, thr = _indicator(da, threshold)
    n = da.sizes[dim]
    count = hits.sum(dim)
    return _probability_dataset(count, n, ci, method, da, thr, name="probability")


def _probability_dataset(
    count: xr.DataArray, n: int, ci: float, method: str, da: xr.DataArray, thr: Any, *, name: str
) -> xr.Dataset:
    kind = KIND_WILSON if method == "wilson" else KIND_EXACT
    relation = f"{da.name or 'X'} >= threshold" if thr is not None else f"{da.name or 'X'} is true"
    p = (count / n).assign_attrs(units="1", long_name=f"P({relation}) for {_label(da)}")
    lower, upper = _binom_interval(count.values, n, ci, method)
    attrs: dict[str, Any] = {"trials": int(n), "ci_kind": kind, "ci_prob": ci, "relation": relation}
    if isinstance(thr, float):
        attrs["threshold"] = thr
    return xr.Dataset(
        {
            name: p,
            f"{name}_ci": _ci_like(p, lower, upper, kind=kind, ci=ci),
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
        With dims ``dim`` and ``time_dim``, e.g. ``ds["openai_aws_spend"]``.
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
    da = _check_da(da, "da", (dim, time_dim))
    ci = _check_ci(ci)
    method = _check_choice(method, "method", ("wilson", "exact"))
    if threshold is None:
        raise TypeError("threshold: expected a number or a DataArray, got None")
    if not np.all(np.diff(da[time_dim].values) > 0):
        da = da.sortby(time_dim)
    hits, thr = _indicator(da, threshold)
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
    label = _label(da)
    for name, count, long_name in (
        ("crossed_by", c_by, f"P({label} has reached the threshold by this year)"),
        ("first_year", c_first, f"P({label} first reaches the threshold in this year)"),
        ("never", c_never, f"P({label} never reaches the threshold by {int(da[time_dim].values[-1])})"),
    ):
        ds = _probability_dataset(count, n, ci, method, da, thr, name=name)
        out[name] = ds[name].assign_attrs(long_name=long_name)
        out[f"{name}_ci"] = ds[f"{name}_ci"].assign_attrs(long_name=long_name)
    return out


# ----------------------------------------------------------------------------
# 3. value at risk, expected shortfall
# ----------------------------------------------------------------------------
def value_at_risk(
    da: xr.DataArray,
    level: float | Sequence[float] = 0.95,
    *,
    tail: Literal["lower", "upper"] = "lower",
    ci: float = 0.95,
    dim: str = "trial",
) -> xr.Dataset:
    """Value at risk: the quantile beyond which the worst ``1 - level`` of trials lie.

    ``level`` is the confidence level (0.95 for "95% VaR").  With ``tail="lower"``
    (the risk is a *low* outcome, e.g. spend falling short) the VaR is the
    ``1 - level`` quantile; with ``tail="upper"`` (a high outcome is the risk) the
    ``level`` quantile.  The estimate is ``numpy.quantile(x, q)`` (linear, as in
    :func:`cloudsim.percentile_bands`).

    The interval is **order-statistic (binomial)**, distribution-free: see
    :func:`quantile_intervals`.

    Parameters
    ----------
    da : xarray.DataArray
        With dim ``dim``.
    level : float or sequence of float
        Confidence levels in (0, 1); a sequence adds a ``level`` dim.
    tail : {"lower", "upper"}
    ci : float
        Interval probability.
    dim : str

    Returns
    -------
    xarray.Dataset
        ``value_at_risk`` (``level`` if a sequence was given, then the other dims of
        ``da``) and ``value_at_risk_ci`` (plus ``ci_bound``); attrs ``tail``, ``ci_kind``,
        ``ci_prob``, ``trials``.
    """
    da = _check_da(da, "da", (dim,))
    levels, scalar = _check_levels(level, "level")
    tail = _check_choice(tail, "tail", ("lower", "upper"))
    ci = _check_ci(ci)
    x, rest, coords = _split(da, dim)
    qs = np.round(1.0 - levels, 12) if tail == "lower" else levels
    est = np.quantile(x, qs, axis=-1)
    bounds = _quantile_bounds(x, qs, ci)
    return _tail_dataset(
        "value_at_risk", est, bounds, levels, scalar, rest, coords, da, tail, ci, KIND_ORDER, x.shape[-1], qs
    )


def expected_shortfall(
    da: xr.DataArray,
    level: float | Sequence[float] = 0.95,
    *,
    tail: Literal["lower", "upper"] = "lower",
    ci: float = 0.95,
    dim: str = "trial",
) -> xr.Dataset:
    """Expected shortfall (CVaR): the mean of the worst ``1 - level`` of trials.

    With ``p = 1 - level`` and ``k = n p``, the lower-tail estimate is the integral
    of the empirical quantile function over ``(0, p)`` divided by ``p``
    (Acerbi & Tasche 2002): ``(X_(1) + ... + X_(m) + (k - m) X_(m+1)) / k`` with
    ``m = floor(k)`` (order statistics ascending); when ``k`` is an integer it is the
    plain mean of the ``k`` smallest trials.  The upper tail mirrors it (the ``k``
    largest trials).

    The interval is **asymptotic normal**: ``ES +/- z * s / (p * sqrt(n))`` with ``s``
    the sample standard deviation of the tail excess ``(X - VaR) * 1{X in the tail}``
    (the VaR's own estimation error does not enter to first order; Brazauskas et al.
    2008).  It needs many trials in the tail (say ``n p >= 100``); for heavy upper
    tails it undercovers.

    Parameters
    ----------
    da : xarray.DataArray
        With dim ``dim``.
    level : float or sequence of float
        Confidence levels in (0, 1); a sequence adds a ``level`` dim.
    tail : {"lower", "upper"}
        ``"lower"``: the risk is a low outcome; ``"upper"``: a high one.
    ci : float
        Interval probability.
    dim : str

    Returns
    -------
    xarray.Dataset
        ``expected_shortfall`` (``level`` if a sequence was given, then the other dims
        of ``da``) and ``expected_shortfall_ci`` (plus ``ci_bound``); attrs ``tail``,
        ``ci_kind``, ``ci_prob``, ``trials``.
    """
    da = _check_da(da, "da", (dim,))
    levels, scalar = _check_levels(level, "level")
    tail = _check_choice(tail, "tail", ("lower", "upper"))
    ci = _check_ci(ci)
    x, rest, coords = _split(da, dim)
    n = x.shape[-1]
    z = _z(ci)
    sign = 1.0 if tail == "lower" else -1.0
    xs = x if sign > 0 else -x
    est = np.empty((levels.size, *x.shape[:-1]))
    bounds = np.empty((levels.size, *x.shape[:-1], 2))
    for i, lev in enumerate(levels):
        es, se = _es_lower(xs, 1.0 - float(lev))
        es = sign * es
        est[i] = es
        bounds[i, ..., 0] = es - z * se
        bounds[i, ..., 1] = es + z * se
    qs = np.round(1.0 - levels, 12) if tail == "lower" else levels
    return _tail_dataset("expected_shortfall", est, bounds, levels, scalar, rest, coords, da, tail, ci, KIND_ES, n, qs)


def _es_lower(x: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower-tail expected shortfall of tail mass ``p`` along the last axis, and its standard error."""
    n = x.shape[-1]
    k = n * p
    m = min(math.floor(k), n - 1)
    part = np.partition(x, m, axis=-1)
    xm = part[..., m]
    es = (part[..., :m].sum(axis=-1) + (k - m) * xm) / k
    excess = np.minimum(x - xm[..., None], 0.0)
    sd = excess.std(axis=-1, ddof=1) if n > 1 else np.zeros_like(xm)
    return es, sd / (p * math.sqrt(n))


def _tail_dataset(
    name: str,
    est: np.ndarray,
    bounds: np.ndarray,
    levels: np.ndarray,
    scalar: bool,
    rest: tuple[str, ...],
    coords: dict[str, Any],
    da: xr.DataArray,
    tail: str,
    ci: float,
    kind: str,
    n: int,
    qs: np.ndarray,
) -> xr.Dataset:
    what = "Value at risk" if name == "value_at_risk" else "Expected shortfall"
    attrs = {"units": da.attrs.get("units", ""), "long_name": f"{what} ({tail} tail) of {_label(da)}"}
    coords = dict(coords)
    if scalar:
        coords["level"] = float(levels[0])
        coords["quantile"] = float(qs[0])
        v = _wrap(est[0], rest, coords, **attrs)
        b = bounds[0]
    else:
        coords["level"] = ("level", levels)
        coords["quantile"] = ("level", qs)
        v = _wrap(est, ("level", *rest), coords, **attrs)
        b = bounds
    out = xr.Dataset(
        {name: v, f"{name}_ci": _ci_like(v, b[..., 0], b[..., 1], kind=kind, ci=ci)},
        attrs={"tail": tail, "trials": int(n), "ci_kind": kind, "ci_prob": ci},
    )
    return out


# ----------------------------------------------------------------------------
# 4. the commitment
# ----------------------------------------------------------------------------
def _commitment_defaults(ds: xr.Dataset) -> tuple[float | None, tuple[int, int] | None]:
    """The commitment recorded in a simulation: variable attrs, compare()'s variables, or the scenario TOML."""
    total: float | None = None
    years: tuple[int, int] | None = None
    for name in ("cumulative_spend", "commitment_met", "commitment_shortfall"):
        if name in ds and "commitment_total" in ds[name].attrs:
            total = float(ds[name].attrs["commitment_total"])
            if "commitment_years" in ds[name].attrs:
                years = _parse_years(ds[name].attrs["commitment_years"], "ds.attrs")
            break
    if total is None and "commitment_total" in ds and ds["commitment_total"].ndim == 0:
        total = float(ds["commitment_total"])  # a scenario of compare()'s output
    if years is None and "commitment_first_year" in ds and ds["commitment_first_year"].ndim == 0:
        years = (int(ds["commitment_first_year"]), int(ds["commitment_last_year"]))
    if (total is None or years is None) and isinstance(ds.attrs.get("scenario"), str):
        com = Scenario.from_toml(ds.attrs["scenario"], origin="ds.attrs['scenario']")["commitment"]
        total = float(com["total"]) if total is None else total
        years = (int(com["first_year"]), int(com["last_year"])) if years is None else years
    return total, years


def _parse_years(years: Any, name: str) -> tuple[int, int]:
    if isinstance(years, str):
        parts = years.replace("–", "-").split("-")
        try:
            first, last = (int(p) for p in parts)
        except ValueError:
            raise ValueError(f"{name}: expected 'first-last' such as '2026-2032', got {years!r}") from None
    elif isinstance(years, Sequence) and len(years) == 2:
        first, last = years
        if not all(isinstance(y, (int, np.integer)) and not isinstance(y, bool) for y in (first, last)):
            raise TypeError(f"{name}: expected two integer years, got {years!r}")
        first, last = int(first), int(last)
    else:
        raise TypeError(f"{name}: expected (first, last) or 'first-last', got {years!r}")
    if first > last:
        raise ValueError(f"{name}: first year {first} is after last year {last}")
    return first, last


def commitment_report(
    ds: xr.Dataset,
    total: float | None = None,
    years: tuple[int, int] | str | None = None,
    *,
    q: float | Sequence[float] = DEFAULT_QUANTILES,
    ci: float = 0.95,
    dim: str = "trial",
) -> xr.Dataset:
    """Cumulative spend against a commitment: will it be met, by how much is it missed, and when is it reached?

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`cloudsim.simulate` (or :func:`compare`: each ``scenario`` gets its
        own commitment).
    total : float, optional
        The commitment in USD; default the one the Dataset records (variable attrs or
        the scenario in ``ds.attrs["scenario"]``); an error if it records none.
    years : (int, int) or str, optional
        First and last year of the commitment, e.g. ``(2026, 2032)`` or ``"2026-2032"``;
        default the Dataset's record, as for ``total``.  Cumulative
        spend is summed from ``openai_aws_spend`` over these years (the Dataset's own
        ``cumulative_spend`` when they match it).
    q : float or sequence of float
        Quantiles reported for cumulative spend and shortfall.
    ci : float
        Interval probability.
    dim : str

    Returns
    -------
    xarray.Dataset
        Scalars (plus ``scenario`` for a comparison) unless noted, each estimate ``X``
        with an interval ``X_ci`` (dim ``ci_bound``; ``ci_kind`` attr says which):

        * ``probability_met``: P(cumulative spend >= total by the last year) (Wilson);
        * ``cumulative_spend`` (dim ``quantile``): quantiles of cumulative spend at the
          last year (order-statistic);
        * ``shortfall`` (dim ``quantile``): quantiles of ``max(total - cumulative, 0)``
          (order-statistic);
        * ``mean_shortfall``: E[shortfall] (normal);
        * ``mean_shortfall_given_miss``: E[shortfall | missed] (normal; NaN if never missed);
        * ``met_by`` (dim ``year``): P(total reached by each commitment year) (Wilson);
        * ``first_year_met`` (dim ``year``): P(total first reached in that year), the
          distribution of the year it is reached; ``never_met`` = 1 - ``probability_met``.

        Attrs: ``commitment_total``, ``commitment_years``, ``trials``, ``ci_prob``.
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds: expected an xarray.Dataset from cloudsim.simulate, got {type(ds).__name__}")
    ci = _check_ci(ci)
    qs = _check_q(q)
    if "scenario" in ds.dims:
        parts = [
            commitment_report(ds.sel(scenario=s), total, years, q=qs, ci=ci, dim=dim) for s in ds["scenario"].values
        ]
        out = xr.concat(parts, dim="scenario", data_vars="all", coords="minimal", combine_attrs="drop_conflicts")
        return out
    if "openai_aws_spend" not in ds:
        raise ValueError("ds: not a cloudsim simulation, missing variable 'openai_aws_spend'")
    spend = _check_da(ds["openai_aws_spend"], "ds['openai_aws_spend']", (dim, "year"))
    d_total, d_years = _commitment_defaults(ds)
    if (total is None and d_total is None) or (years is None and d_years is None):
        raise ValueError(
            "total/years: the Dataset records no commitment (no commitment attrs and no scenario attr); "
            "pass total= and years= explicitly"
        )
    if total is None:
        total = d_total
    elif isinstance(total, bool) or not isinstance(total, (int, float, np.integer, np.floating)):
        raise TypeError(f"total: expected an amount in USD, got {type(total).__name__} {total!r}")
    total = float(total)
    if not (math.isfinite(total) and total > 0):
        raise ValueError(f"total: must be a finite amount > 0 USD, got {total}")
    first, last = d_years if years is None else _parse_years(years, "years")  # type: ignore[misc]
    sim_years = spend["year"].values
    wanted = np.arange(first, last + 1)
    if not np.isin(wanted, sim_years).all():
        raise ValueError(
            f"years: {first}-{last} is not inside the simulated years {int(sim_years.min())}-{int(sim_years.max())}"
        )
    if (first, last) == d_years and "cumulative_spend" in ds:
        cum = ds["cumulative_spend"].sel(year=wanted)
    else:
        cum = spend.sel(year=wanted).cumsum("year")
    n = spend.sizes[dim]
    final = cum.sel(year=last, drop=True)
    x_final = np.asarray(final.transpose(..., dim).values, dtype=np.float64)
    met = x_final >= total
    shortfall = np.maximum(total - x_final, 0.0)
    z = _z(ci)
    out = xr.Dataset(
        attrs={
            "commitment_total": total,
            "commitment_years": f"{first}-{last}",
            "trials": int(n),
            "ci_prob": ci,
        }
    )

    def scalar(name: str, value: Any, lower: Any, upper: Any, kind: str, long_name: str, units: str) -> None:
        v = xr.DataArray(np.asarray(value, dtype=np.float64), attrs={"units": units, "long_name": long_name})
        out[name] = v
        out[f"{name}_ci"] = _ci_like(v, lower, upper, kind=kind, ci=ci)

    k = int(np.count_nonzero(met))
    lo, hi = _binom_interval(k, n, ci, "wilson")
    scalar(
        "probability_met", k / n, lo, hi, KIND_WILSON,
        f"P(cumulative spend {first}-{last} >= {total:.4g} USD)", "1",
    )  # fmt: skip
    for name, x, long_name in (
        ("cumulative_spend", x_final, f"Cumulative spend {first}-{last}"),
        ("shortfall", shortfall, f"Shortfall against the {total:.4g} USD commitment"),
    ):
        est = np.quantile(x, qs)
        b = _quantile_bounds(x, qs, ci)
        v = xr.DataArray(est, dims="quantile", coords={"quantile": qs}, attrs={"units": "USD", "long_name": long_name})
        out[name] = v
        out[f"{name}_ci"] = _ci_like(v, b[..., 0], b[..., 1], kind=KIND_ORDER, ci=ci)
    m = float(shortfall.mean())
    se = float(shortfall.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    scalar("mean_shortfall", m, m - z * se, m + z * se, KIND_NORMAL, "Expected shortfall against the commitment", "USD")
    miss = shortfall[~met]
    if miss.size:
        mm = float(miss.mean())
        se = float(miss.std(ddof=1)) / math.sqrt(miss.size) if miss.size > 1 else 0.0
    else:
        mm, se = math.nan, math.nan
    scalar(
        "mean_shortfall_given_miss", mm, mm - z * se, mm + z * se, KIND_NORMAL,
        "Expected shortfall given the commitment is missed", "USD",
    )  # fmt: skip
    fp = first_passage(cum, total, ci=ci, dim=dim)
    out["met_by"] = fp["crossed_by"].assign_attrs(long_name=f"P(cumulative spend has reached {total:.4g} USD)")
    out["met_by_ci"] = fp["crossed_by_ci"]
    out["first_year_met"] = fp["first_year"].assign_attrs(
        long_name=f"P(cumulative spend first reaches {total:.4g} USD in this year)"
    )
    out["first_year_met_ci"] = fp["first_year_ci"]
    out["never_met"] = fp["never"].assign_attrs(long_name=f"P(cumulative spend stays below {total:.4g} USD)")
    out["never_met_ci"] = fp["never_ci"]
    return out


# ----------------------------------------------------------------------------
# 5. Monte Carlo standard errors and convergence
# ----------------------------------------------------------------------------
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
    da = _check_da(da, "da", (dim,))
    stat = _check_choice(stat, "stat", _STATS)
    n = da.sizes[dim]
    if stat == "mean":
        x, rest, coords = _split(da, dim)
        se = x.std(axis=-1, ddof=1) / math.sqrt(n) if n > 1 else np.full(x.shape[:-1], np.nan)
        return _wrap(se, rest, coords, units=da.attrs.get("units", ""), long_name=f"MCSE of the mean of {_label(da)}")
    if stat == "probability":
        hits, _ = _indicator(da, threshold)
        p = hits.mean(dim)
        return np.sqrt(p * (1.0 - p) / n).assign_attrs(units="1", long_name=f"MCSE of P(...) for {_label(da)}")
    if q is None:
        raise ValueError("q: required for stat='quantile'")
    qs, scalar = _check_levels(q, "q")
    x, rest, coords = _split(da, dim)
    b = _quantile_bounds(x, qs, 0.95)
    se = (b[..., 1] - b[..., 0]) / (2.0 * _z(0.95))
    attrs = {"units": da.attrs.get("units", ""), "long_name": f"MCSE of quantiles of {_label(da)}"}
    if scalar:
        coords["quantile"] = float(qs[0])
        return _wrap(se[0], rest, coords, **attrs)
    coords["quantile"] = qs
    return _wrap(se, ("quantile", *rest), coords, **attrs)


@dataclass(frozen=True)
class Target:
    """A statistic :func:`simulate_until` must know within tolerance.

    Parameters
    ----------
    stat : {"mean", "quantile", "probability"}
    var : str
        A variable of the simulated Dataset, e.g. ``"cumulative_spend"``.
    sel : mapping, optional
        ``.sel`` arguments that leave only the ``trial`` dim, e.g. ``{"year": 2032}``.
    q : float, optional
        The quantile, in (0, 1), for ``stat="quantile"``.
    threshold : float, optional
        For ``stat="probability"``: ``P(var >= threshold)``; leave out for a boolean
        variable such as ``commitment_met``.
    rel_tol, abs_tol : float, optional
        Override :func:`simulate_until`'s tolerances for this target.

    Examples
    --------
    >>> Target("quantile", "cumulative_spend", {"year": 2032}, q=0.95, rel_tol=0.01)  # doctest: +SKIP
    >>> Target.parse(("probability", "commitment_met", {}, None))  # doctest: +SKIP
    """

    stat: Stat
    var: str
    sel: Mapping[str, Any] = field(default_factory=dict)
    q: float | None = None
    threshold: float | None = None
    rel_tol: float | None = None
    abs_tol: float | None = None

    def __post_init__(self) -> None:
        _check_choice(self.stat, "stat", _STATS)
        if not isinstance(self.var, str):
            raise TypeError(f"var: expected a variable name, got {type(self.var).__name__} {self.var!r}")
        if not isinstance(self.sel, Mapping):
            raise TypeError(f"sel: expected a mapping such as {{'year': 2032}}, got {type(self.sel).__name__}")
        if self.stat == "quantile":
            if self.q is None:
                raise ValueError(f"q: required for a quantile target ({self.var})")
            _check_levels(self.q, "q")
            if np.ndim(self.q) != 0:
                raise ValueError(f"q: one quantile per target, got {self.q!r}")
        elif self.q is not None:
            raise ValueError(f"q: only for stat='quantile', got q={self.q!r} with stat={self.stat!r}")
        if self.threshold is not None:
            if self.stat != "probability":
                raise ValueError(f"threshold: only for stat='probability', got stat={self.stat!r}")
            _check_threshold(self.threshold)
            if np.ndim(self.threshold) != 0:
                raise ValueError(f"threshold: one number per target, got {self.threshold!r}")
        for name in ("rel_tol", "abs_tol"):
            _check_tol(getattr(self, name), name)

    @classmethod
    def parse(cls, spec: Target | Sequence[Any] | Mapping[str, Any]) -> Target:
        """A Target from itself, a mapping of its fields, or a tuple ``(stat, var, sel, arg)``.

        ``arg`` is ``q`` for a quantile, ``threshold`` for a probability (``None`` for a
        boolean variable) and ``None`` for a mean; ``sel`` and ``arg`` may be left out.
        """
        if isinstance(spec, Target):
            return spec
        if isinstance(spec, Mapping):
            return cls(**spec)
        if isinstance(spec, (str, bytes)) or not isinstance(spec, Sequence) or not 2 <= len(spec) <= 4:
            raise TypeError(f"targets: expected a Target or a tuple (stat, var, sel, arg), got {spec!r}")
        stat, var, *more = spec
        sel = more[0] if more else {}
        arg = more[1] if len(more) > 1 else None
        if stat == "quantile":
            return cls(stat, var, sel or {}, q=arg)
        if stat == "probability":
            return cls(stat, var, sel or {}, threshold=arg)
        if arg is not None:
            raise ValueError(f"targets: a {stat!r} target takes no fourth element, got {arg!r}")
        return cls(stat, var, sel or {})

    @property
    def label(self) -> str:
        """A short name, e.g. ``quantile(cumulative_spend[year=2032], 0.95)``."""
        where = ",".join(f"{k}={v}" for k, v in self.sel.items())
        x = f"{self.var}[{where}]" if where else self.var
        if self.stat == "quantile":
            return f"quantile({x}, {self.q:g})"
        if self.stat == "probability":
            return f"P({x})" if self.threshold is None else f"P({x} >= {self.threshold:g})"
        return f"mean({x})"

    def values(self, ds: xr.Dataset) -> np.ndarray:
        """The target's variable in ``ds`` as a 1-D array over trials."""
        if self.var not in ds:
            raise ValueError(f"targets: {self.label}: no variable {self.var!r} in the simulation")
        try:
            da = ds[self.var].sel(dict(self.sel))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"targets: {self.label}: cannot select {dict(self.sel)}: {exc}") from None
        extra = [d for d in da.dims if d != "trial"]
        if extra or "trial" not in da.dims:
            raise ValueError(
                f"targets: {self.label}: the selection must leave only the 'trial' dim, got dims {list(da.dims)}; "
                f"select one value of each other dim, e.g. sel={{'year': 2032}}"
            )
        return np.asarray(da.values)

    def interval(self, x: np.ndarray, ci: float) -> tuple[float, float, float]:
        """``(estimate, lower, upper)`` of the statistic on trials ``x``."""
        n = x.size
        if self.stat == "mean":
            xf = x.astype(np.float64)
            m = float(xf.mean())
            half = _z(ci) * float(xf.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
            return m, m - half, m + half
        if self.stat == "probability":
            if self.threshold is None:
                if x.dtype != bool:
                    raise ValueError(f"targets: {self.label}: threshold required for non-boolean {self.var!r}")
                k = int(np.count_nonzero(x))
            else:
                k = int(np.count_nonzero(x >= self.threshold))
            lo, hi = _binom_interval(k, n, ci, "wilson")
            return k / n, float(lo), float(hi)
        qs = np.array([float(self.q)])  # type: ignore[arg-type]
        xf = x.astype(np.float64)
        est = float(np.quantile(xf, qs)[0])
        b = _quantile_bounds(xf, qs, ci)[0]
        return est, float(b[0]), float(b[1])


def _check_tol(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number >= 0, got {type(value).__name__} {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name}: must be a finite number >= 0, got {value}")
    return float(value)


def simulate_until(
    scenario: Scenario,
    targets: Target | Sequence[Any],
    *,
    seed: int | np.random.SeedSequence | None,
    rel_tol: float | None = None,
    abs_tol: float | None = None,
    ci: float = 0.95,
    max_trials: int = 2_000_000,
    block: int = 100_000,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str = "float64",
) -> tuple[xr.Dataset, pd.DataFrame]:
    """Simulate blocks of trials until every target statistic is known within tolerance.

    Trials ``0 .. n-1`` are added in blocks (``simulate(..., start=n_so_far)``); after
    each block every target's ``ci`` interval is computed (mean: normal; quantile:
    order-statistic; probability: Wilson) and the target is met when its half-width
    ``(upper - lower) / 2 <= max(rel_tol * |estimate|, abs_tol)`` (``math.isclose``
    semantics; a target's own tolerances override the defaults).  The next block is
    sized from the ``1/sqrt(n)`` law (at least ``block``, at most doubling the run,
    rounded up to whole blocks).  By the randomness contract the result equals
    ``simulate(scenario, n_final, seed=seed)`` exactly (except ``created_at``).

    Parameters
    ----------
    scenario : Scenario
    targets : Target or sequence of Target / tuples
        Tuples ``(stat, var, sel, arg)`` are read by :meth:`Target.parse`, e.g.
        ``("quantile", "cumulative_spend", {"year": 2032}, 0.95)`` or
        ``("probability", "commitment_met", {}, None)``.
    seed : int, numpy.random.SeedSequence or None
        Required (``None`` draws fresh entropy once, recorded in the attrs).
    rel_tol, abs_tol : float, optional
        Default tolerances on the interval half-width; each target needs at least one.
    ci : float
        Interval probability (0.95: "known within tolerance at 95%").
    max_trials : int
        Stop here even if some target is not met (a ``RuntimeWarning`` says which).
    block : int
        Trials in the first block and the step of the run length.
    engine, dtype
        As in :func:`cloudsim.simulate`.

    Returns
    -------
    ds : xarray.Dataset
        Trials ``0 .. n_final - 1``, as :func:`cloudsim.simulate`.
    history : pandas.DataFrame
        One row per (step, target): ``step``, ``trials``, ``target``, ``estimate``,
        ``ci_lower``, ``ci_upper``, ``half_width``, ``tolerance``, ``met``;
        ``history.attrs["converged"]`` says whether every target was met.
    """
    from .engine import _check_int, simulate

    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    if isinstance(targets, (Target, Mapping)) or (
        isinstance(targets, tuple) and targets and isinstance(targets[0], str)
    ):
        targets = [targets]  # type: ignore[list-item]
    if isinstance(targets, (str, bytes)) or not isinstance(targets, Sequence) or len(targets) == 0:
        raise TypeError(f"targets: expected a Target or a non-empty sequence of them, got {targets!r}")
    tgts = [Target.parse(t) for t in targets]
    rel_tol = _check_tol(rel_tol, "rel_tol")
    abs_tol = _check_tol(abs_tol, "abs_tol")
    tols: list[tuple[float | None, float | None]] = []
    for t in tgts:
        r = t.rel_tol if t.rel_tol is not None else rel_tol
        a = t.abs_tol if t.abs_tol is not None else abs_tol
        if r is None and a is None:
            raise ValueError(f"rel_tol/abs_tol: give at least one (here or on the target {t.label})")
        tols.append((r, a))
    ci = _check_ci(ci)
    block = _check_int(block, "block", 1)
    max_trials = _check_int(max_trials, "max_trials", block)
    seed = _resolve_seed(seed)

    blocks: list[xr.Dataset] = []
    values: list[list[np.ndarray]] = [[] for _ in tgts]
    rows: list[dict[str, Any]] = []
    n = 0
    step_size = block
    converged = False
    while True:
        part = simulate(scenario, step_size, seed=seed, start=n, engine=engine, dtype=dtype, progress=False)
        blocks.append(part)
        for i, t in enumerate(tgts):
            values[i].append(t.values(part))
        n += step_size
        need = n
        all_met = True
        for i, t in enumerate(tgts):
            x = np.concatenate(values[i]) if len(values[i]) > 1 else values[i][0]
            est, lo, hi = t.interval(x, ci)
            half = (hi - lo) / 2.0
            r, a = tols[i]
            tol = max(r * abs(est) if r is not None else 0.0, a if a is not None else 0.0)
            met = bool(half <= tol)
            all_met &= met
            rows.append(
                {
                    "step": len(blocks),
                    "trials": n,
                    "target": t.label,
                    "estimate": est,
                    "ci_lower": lo,
                    "ci_upper": hi,
                    "half_width": half,
                    "tolerance": tol,
                    "met": met,
                }
            )
            if not met:
                ratio = half / tol if tol > 0 and math.isfinite(half) else math.inf
                need = max(need, math.ceil(n * ratio**2 * 1.05) if math.isfinite(ratio) else 2 * n)
        if all_met:
            converged = True
            break
        if n >= max_trials:
            break
        grow = min(max(need - n, block), n)
        step_size = min(block * math.ceil(grow / block), max_trials - n)

    if not converged:
        unmet = sorted({r["target"] for r in rows[-len(tgts) :] if not r["met"]})
        warnings.warn(
            f"simulate_until: stopped at max_trials={max_trials:,} with target(s) not within tolerance: "
            f"{', '.join(unmet)}",
            RuntimeWarning,
            stacklevel=2,
        )
    ds = (
        blocks[0]
        if len(blocks) == 1
        else xr.concat(
            blocks,
            dim="trial",
            data_vars="minimal",
            coords="minimal",
            compat="override",
            join="exact",
            combine_attrs="override",
        )
    )
    ds.attrs["start"] = 0
    ds.attrs["trials"] = int(n)
    history = pd.DataFrame.from_records(rows)
    history.attrs["converged"] = converged
    history.attrs["ci_prob"] = ci
    return ds, history


# ----------------------------------------------------------------------------
# 6. scenario comparison with common random numbers
# ----------------------------------------------------------------------------
def compare(
    scenarios: Mapping[str, Scenario | str | PathLike[str]],
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str = "float64",
) -> xr.Dataset:
    """Simulate scenarios side by side with common random numbers.

    Every scenario is simulated with the same seed and the same trial indices, so
    trial ``i`` uses the same random numbers in each: differences between scenarios
    are then estimated from paired trials with far less noise
    (:func:`paired_difference`).

    Parameters
    ----------
    scenarios : mapping of str to Scenario (or a bundled name / TOML path)
        E.g. ``{"article": load_scenario(), "analyst-trend": "analyst-trend-2025"}``.
        All must simulate the same years.
    trials : int
    seed : int, numpy.random.SeedSequence or None
        Required (``None`` draws fresh entropy once and uses it for every scenario).
    engine, dtype
        As in :func:`cloudsim.simulate`.

    Returns
    -------
    xarray.Dataset
        The variables of :func:`cloudsim.simulate` with a leading ``scenario`` dim
        (coords: the mapping's keys), plus per-scenario ``commitment_total``,
        ``commitment_first_year``, ``commitment_last_year`` and ``scenario_toml``
        (dim ``scenario``).  Attrs ``seed``, ``trials``, ``scenario_names``,
        ``common_random_numbers = 1``.

    Raises
    ------
    ValueError
        If the scenarios simulate different years (common random numbers pair trial
        ``i``'s year ``y`` across scenarios).
    """
    from .engine import simulate

    if not isinstance(scenarios, Mapping):
        raise TypeError(f"scenarios: expected a mapping of names to scenarios, got {type(scenarios).__name__}")
    if len(scenarios) < 2:
        raise ValueError(f"scenarios: need at least two to compare, got {len(scenarios)}")
    resolved: dict[str, Scenario] = {}
    for name, scn in scenarios.items():
        if not isinstance(name, str):
            raise TypeError(f"scenarios: keys must be strings (names), got {type(name).__name__} {name!r}")
        if isinstance(scn, (str, PathLike)):
            scn = load_scenario(scn)
        if not isinstance(scn, Scenario):
            raise TypeError(f"scenarios[{name!r}]: expected a cloudsim.Scenario or a name, got {type(scn).__name__}")
        resolved[name] = scn
    names = list(resolved)
    ref = resolved[names[0]]
    for name in names[1:]:
        s = resolved[name]
        if not np.array_equal(s.years, ref.years):
            raise ValueError(
                f"scenarios: {name!r} simulates years {s.start_year}-{s.end_year} but {names[0]!r} "
                f"{ref.start_year}-{ref.end_year}; scenarios compared with common random numbers must share the years"
            )
    seed = _resolve_seed(seed)
    parts = []
    attrs: dict[str, Any] = {}
    for name in names:
        scn = resolved[name]
        ds = simulate(scn, trials, seed=seed, engine=engine, dtype=dtype, progress=False)
        if not attrs:
            attrs = dict(ds.attrs)
        for v in ds.data_vars.values():
            for key in ("commitment_total", "commitment_years"):
                v.attrs.pop(key, None)
        com = scn["commitment"]
        ds["commitment_total"] = ((), float(com["total"]), {"units": "USD", "long_name": "Commitment total"})
        ds["commitment_first_year"] = ((), int(com["first_year"]), {"long_name": "First year of the commitment"})
        ds["commitment_last_year"] = ((), int(com["last_year"]), {"long_name": "Last year of the commitment"})
        ds["scenario_toml"] = ((), scn.to_toml(), {"long_name": "The scenario as TOML"})
        ds.attrs = {}
        parts.append(ds)
    out = xr.concat(
        parts,
        dim=xr.DataArray(np.array(names), dims="scenario", name="scenario"),
        data_vars="all",
        coords="minimal",
        compat="equals",
        join="exact",
    )
    out["scenario"].attrs["long_name"] = "Scenario"
    for key in ("scenario", "scenario_name", "claim_year"):
        attrs.pop(key, None)
    attrs["title"] = f"cloudsim comparison of scenarios {', '.join(names)} (common random numbers)"
    attrs["scenario_names"] = ", ".join(names)
    attrs["common_random_numbers"] = 1
    attrs["method"] = f"{attrs.get('method', '')}; common random numbers: same seed and trial indices in every scenario"
    out.attrs = attrs
    return out


def paired_difference(
    ds: xr.Dataset | xr.DataArray,
    var: str | xr.DataArray | None = None,
    *,
    a: str,
    b: str,
    stat: Stat = "quantile",
    q: float | Sequence[float] = 0.5,
    threshold: float | Sequence[float] | xr.DataArray | None = None,
    ci: float = 0.95,
    method: Literal["asymptotic", "bootstrap"] = "asymptotic",
    n_boot: int = 1000,
    boot_seed: int = 0,
    dim: str = "trial",
) -> xr.Dataset:
    """Difference of a statistic between two scenarios (``a - b``) from paired trials.

    Intervals, by ``stat``:

    * ``"probability"`` (``P(X >= threshold)``, or ``P(X)`` for a boolean ``X``) and
      ``"mean"``: normal interval on the per-trial differences ``d_i = x_a,i - x_b,i``:
      ``mean(d) +/- z * sd(d) / sqrt(n)`` -- the pairing enters through ``sd(d)``;
    * ``"quantile"``, ``method="asymptotic"`` (default): the Bahadur representation
      ``Q_hat - xi ~ (q - F_n(xi)) / f(xi)`` applied to both scenarios; its variance
      ``se_a^2 + se_b^2 - 2 rho se_a se_b`` uses the order-statistic standard errors
      of :func:`mcse` and ``rho``, the correlation of the indicators
      ``1{X_a <= Q_a}``, ``1{X_b <= Q_b}`` across paired trials;
    * ``"quantile"``, ``method="bootstrap"``: paired percentile bootstrap, trials
      resampled jointly with ``numpy.random.default_rng(boot_seed)``, ``n_boot``
      replicates (slow for big runs).

    With independent seeds the same formulas give the unpaired interval, so the
    pairing's gain can be measured by running both.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        From :func:`compare` (dim ``scenario``); or directly the DataArray to use
        (then leave ``var`` out).
    var : str or xarray.DataArray
        A variable name of ``ds`` or a DataArray with dims ``scenario`` and ``dim``
        (e.g. ``ds["cumulative_spend"].sel(year=2032)``).
    a, b : str
        The two scenarios (coords of ``scenario``).
    stat : {"quantile", "probability", "mean"}
    q : float or sequence of float
        Quantiles for ``stat="quantile"`` (a sequence adds a ``quantile`` dim).
    threshold : float, sequence of float, xarray.DataArray or None
        For ``stat="probability"``, as in :func:`exceedance_probability`.
    ci : float
    method : {"asymptotic", "bootstrap"}
        For quantiles only.
    n_boot, boot_seed : int
        Bootstrap replicates and seed.
    dim : str

    Returns
    -------
    xarray.Dataset
        ``difference`` (the other dims, plus ``quantile``/``threshold`` for sequences),
        ``difference_ci`` (plus ``ci_bound``) and ``estimate`` (dim ``scenario`` =
        ``[a, b]`` first, then the dims of ``difference``).  Attrs ``a``, ``b``,
        ``stat``, ``ci_kind``, ``ci_prob``, ``trials``.
    """
    if isinstance(ds, xr.DataArray) and var is None:
        var = ds
    elif not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds: expected an xarray.Dataset from cloudsim.compare, got {type(ds).__name__}")
    if var is None:
        raise TypeError("var: required: a variable name of ds or a DataArray")
    if isinstance(var, str):
        if var not in ds:
            raise ValueError(f"var: no variable {var!r} in ds")
        da = ds[var]
    elif isinstance(var, xr.DataArray):
        da = var
    else:
        raise TypeError(f"var: expected a variable name or a DataArray, got {type(var).__name__}")
    da = _check_da(da, "var", ("scenario", dim))
    names = [str(s) for s in da["scenario"].values]
    for arg, value in (("a", a), ("b", b)):
        if value not in names:
            raise ValueError(f"{arg}: {value!r} is not a scenario of ds (scenarios: {names})")
    if a == b:
        raise ValueError(f"a, b: must be two different scenarios, got {a!r} twice")
    stat = _check_choice(stat, "stat", _STATS)
    ci = _check_ci(ci)
    method = _check_choice(method, "method", ("asymptotic", "bootstrap"))
    z = _z(ci)
    xa_da, xb_da = da.sel(scenario=a, drop=True), da.sel(scenario=b, drop=True)
    n = da.sizes[dim]
    attrs: dict[str, Any] = {"a": a, "b": b, "stat": stat, "ci_prob": ci, "trials": int(n)}
    if stat in ("probability", "mean"):
        if stat == "probability":
            ia, thr = _indicator(xa_da, threshold)
            ib, _ = _indicator(xb_da, threshold)
            if isinstance(thr, float):
                attrs["threshold"] = thr
            units = "1"
        else:
            ia, ib = xa_da, xb_da
            units = da.attrs.get("units", "")
        d = ia.astype(np.float64) - ib.astype(np.float64)
        est_a, est_b = ia.astype(np.float64).mean(dim), ib.astype(np.float64).mean(dim)
        diff = d.mean(dim)
        se = d.std(dim, ddof=1) / math.sqrt(n) if n > 1 else diff * np.nan
        kind = KIND_PAIRED_NORMAL
        diff = diff.assign_attrs(units=units, long_name=f"{stat} of {_label(da)}: {a} - {b}")
        lower, upper = (diff - z * se).values, (diff + z * se).values
    else:
        qs, scalar = _check_levels(q, "q")
        xa, rest, coords = _split(xa_da, dim)
        xb, _, _ = _split(xb_da, dim)
        qa = np.quantile(xa, qs, axis=-1)
        qb = np.quantile(xb, qs, axis=-1)
        dv = qa - qb
        if method == "asymptotic":
            kind = KIND_PAIRED_QUANTILE
            sa = _quantile_se(xa, qs)
            sb = _quantile_se(xb, qs)
            rho = np.empty_like(dv)
            for i in range(qs.size):
                ba = xa <= qa[i][..., None]
                bb = xb <= qb[i][..., None]
                pa, pb, pab = ba.mean(-1), bb.mean(-1), (ba & bb).mean(-1)
                den = np.sqrt(pa * (1 - pa) * pb * (1 - pb))
                with np.errstate(invalid="ignore", divide="ignore"):
                    rho[i] = np.where(den > 0, (pab - pa * pb) / den, 0.0)
            var_d = np.maximum(sa**2 + sb**2 - 2.0 * np.clip(rho, -1.0, 1.0) * sa * sb, 0.0)
            half = z * np.sqrt(var_d)
            lo_v, hi_v = dv - half, dv + half
        else:
            kind = KIND_PAIRED_BOOTSTRAP
            n_boot = int(n_boot)
            if n_boot < 10:
                raise ValueError(f"n_boot: need at least 10 bootstrap replicates, got {n_boot}")
            rng = np.random.default_rng(boot_seed)
            reps = np.empty((n_boot, *dv.shape))
            for r in range(n_boot):
                idx = rng.integers(0, n, n)
                reps[r] = np.quantile(xa[..., idx], qs, axis=-1) - np.quantile(xb[..., idx], qs, axis=-1)
            alpha = (1.0 - ci) / 2.0
            lo_v, hi_v = np.quantile(reps, [alpha, 1.0 - alpha], axis=0)
            attrs.update(n_boot=n_boot, boot_seed=int(boot_seed))
        if scalar:
            coords["quantile"] = float(qs[0])
            dims: tuple[str, ...] = rest
            dv, qa, qb, lo_v, hi_v = dv[0], qa[0], qb[0], lo_v[0], hi_v[0]
        else:
            coords["quantile"] = qs
            dims = ("quantile", *rest)
        units = da.attrs.get("units", "")
        diff = _wrap(dv, dims, coords, units=units, long_name=f"quantile of {_label(da)}: {a} - {b}")
        est_a, est_b = _wrap(qa, dims, coords), _wrap(qb, dims, coords)
        lower, upper = lo_v, hi_v
    attrs["ci_kind"] = kind
    estimate = xr.concat(
        [est_a, est_b], dim=xr.DataArray(np.array([a, b]), dims="scenario", name="scenario"), coords="minimal"
    )
    estimate.attrs = {"units": diff.attrs.get("units", ""), "long_name": f"{stat} of {_label(da)} in each scenario"}
    return xr.Dataset(
        {
            "difference": diff,
            "difference_ci": _ci_like(diff, lower, upper, kind=kind, ci=ci),
            "estimate": estimate,
        },
        attrs=attrs,
    )


def _quantile_se(x: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Order-statistic standard error of each quantile: shape ``(k, *x.shape[:-1])``."""
    b = _quantile_bounds(x, qs, 0.95)
    return (b[..., 1] - b[..., 0]) / (2.0 * _z(0.95))
