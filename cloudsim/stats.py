"""Summaries of simulated Datasets: percentile bands and claim checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import pandas as pd
import xarray as xr

from .distributions import ndtri
from .scenario import Scenario

__all__ = ["DEFAULT_QUANTILES", "check_claims", "percentile_bands", "wilson_interval"]

DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _check_q(q: float | Sequence[float]) -> np.ndarray:
    try:
        arr = np.atleast_1d(np.asarray(q, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"q: expected one or more quantiles in [0, 1], got {q!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"q: expected one or more quantiles in [0, 1], got {q!r}")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"q: every quantile must be in [0, 1], got {arr.tolist()}")
    return arr


def percentile_bands(
    obj: xr.Dataset | xr.DataArray,
    q: float | Sequence[float] = DEFAULT_QUANTILES,
    *,
    dim: str = "trial",
    ci: float | None = None,
) -> xr.Dataset | xr.DataArray:
    """Quantiles over ``dim`` of every variable that has it.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        Typically the output of :func:`cloudsim.simulate`.
    q : float or sequence of float
        Quantiles in [0, 1] (not percents).
    dim : str
        The dimension to reduce, ``"trial"`` by default.
    ci : float, optional
        If given (e.g. 0.95), add the Monte Carlo error of every band: a distribution-free
        order-statistic (binomial) interval, see :func:`cloudsim.quantile_intervals`.

    Returns
    -------
    xarray.Dataset or xarray.DataArray
        The same variables (those with ``dim``) with ``dim`` replaced by a leading
        ``quantile`` dim, as float64; values equal ``numpy.quantile(..., method="linear")``
        bit for bit (computed by selection, columns in parallel).
        Attributes (``units``, ``long_name``) are kept.  With ``ci``, always a Dataset:
        each band ``v`` (a DataArray input is named by its ``name``, else ``"bands"``)
        and its interval ``v_ci`` (the dims of ``v`` plus ``ci_bound`` = lower, upper;
        attrs ``ci_kind``, ``ci_prob``).
    """
    qs = _check_q(q)
    if isinstance(obj, xr.DataArray):
        bands: xr.Dataset | xr.DataArray = _bands_da(obj, qs, dim)
    elif isinstance(obj, xr.Dataset):
        names = [k for k, v in obj.data_vars.items() if dim in v.dims]
        if not names:
            raise ValueError(f"dim: no variable of the Dataset has dim {dim!r} (dims: {list(obj.dims)})")
        bands = xr.Dataset({k: _bands_da(obj[k], qs, dim) for k in names}, attrs=dict(obj.attrs))
    else:
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    if ci is None:
        return bands
    from .risk import KIND_ORDER, quantile_intervals

    intervals = quantile_intervals(obj, qs, ci=ci, dim=dim)
    if isinstance(bands, xr.DataArray):
        name = str(bands.name) if bands.name is not None else "bands"
        bands = bands.to_dataset(name=name)
        intervals = intervals.to_dataset(name=name)
    out = bands.copy()
    for k, v in intervals.data_vars.items():
        out[f"{k}_ci"] = v
    out.attrs.update(ci_kind=KIND_ORDER, ci_prob=ci)
    return out


@numba.njit(cache=True, parallel=True)
def _quantiles_columns(values: np.ndarray, qs: np.ndarray, out: np.ndarray) -> None:
    """``out[k, j] = numpy.quantile(values[:, j], qs[k])`` (method "linear"), columns in parallel.

    Bit-for-bit NumPy's result: the same order statistics (by selection) and the
    same interpolation formula; a column holding NaN gives NaN.
    """
    n, m = values.shape
    nq = qs.shape[0]
    lo_idx = np.empty(nq, np.int64)
    frac = np.empty(nq)
    kth = np.empty(2 * nq, np.int64)
    for k in range(nq):
        virt = qs[k] * (n - 1)
        lo = min(np.int64(np.floor(virt)), n - 1)
        lo_idx[k] = lo
        frac[k] = virt - lo
        kth[2 * k] = lo
        kth[2 * k + 1] = min(lo + 1, n - 1)
    for j in numba.prange(m):
        buf = np.empty(n)
        has_nan = False
        for i in range(n):
            v = values[i, j]
            buf[i] = v
            has_nan |= np.isnan(v)
        if has_nan:
            for k in range(nq):
                out[k, j] = np.nan
            continue
        part = np.partition(buf, kth)
        for k in range(nq):
            a = part[lo_idx[k]]
            b = part[min(lo_idx[k] + 1, n - 1)]
            t = frac[k]
            d = b - a
            out[k, j] = b - d * (1.0 - t) if t >= 0.5 else a + d * t


def _bands_da(da: xr.DataArray, qs: np.ndarray, dim: str) -> xr.DataArray:
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
    res = np.empty((qs.size, cols.shape[1]))
    _quantiles_columns(cols, qs, res)
    res = res.reshape((qs.size, *rest))
    dims = ("quantile", *(d for d in da.dims if d != dim))
    coords = {k: v for k, v in da.coords.items() if dim not in v.dims}
    coords["quantile"] = qs
    return xr.DataArray(res, dims=dims, coords=coords, name=da.name, attrs=dict(da.attrs))


def wilson(k: Any, n: Any, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval, vectorised over arrays of counts ``k`` out of ``n`` (no checks).

    The one implementation of the formula: :func:`wilson_interval` and :mod:`cloudsim.risk`
    both call it.  Exactly 0 (1) at ``k = 0`` (``k = n``), never past the estimate.
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = float(ndtri(0.5 + ci / 2.0))
    p = k / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / den
    half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / den
    lower = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, p))
    upper = np.where(k >= n, 1.0, np.clip(centre + half, p, 1.0))
    return lower, upper


def wilson_interval(successes: int, n: int, ci: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Returns
    -------
    (lower, upper) : tuple of float
    """
    if n <= 0:
        raise ValueError(f"n: must be >= 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes: must be in [0, n={n}], got {successes}")
    if not 0 < ci < 1:
        raise ValueError(f"ci: must be in (0, 1), got {ci}")
    lower, upper = wilson(successes, n, ci)
    return float(lower), float(upper)


def _claim_samples(ds: xr.Dataset, scn: Scenario) -> list[tuple[str, str, int, np.ndarray]]:
    """The simulated values each claim speaks of: (claim, "start"|"target", year, samples)."""
    y0, yh, h = scn.start_year, scn.claim_year, scn.horizon
    market, aws = ds["market_size"], ds["share"].sel(provider="aws")
    cagr = (market.sel(year=yh) / market.sel(year=y0)) ** (1.0 / h) - 1.0
    return [
        ("openai_aws_spend", "start", y0, ds["openai_aws_spend"].sel(year=y0).values),
        ("aws_share", "start", y0, aws.sel(year=y0).values),
        ("openai_aws_spend", "target", yh, ds["openai_aws_spend"].sel(year=yh).values),
        ("aws_share", "target", yh, aws.sel(year=yh).values),
        ("market_cagr", "target", yh, cagr.values),
        # the pre-deal growth is the post-claim trend (docs/model.md)
        ("market_cagr", "start", yh + 1, ds["market_growth_late"].values),
    ]


def check_claims(ds: xr.Dataset, scenario: Scenario, *, ci: float = 0.95) -> pd.DataFrame:
    """Each claim's stated probability against the simulated one.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`cloudsim.simulate` on ``scenario``.
    scenario : Scenario
    ci : float
        Probability of the Wilson interval of each simulated probability (``ci=`` as in
        :mod:`cloudsim.risk`).

    Returns
    -------
    pandas.DataFrame
        One row per check of each claim value (:meth:`cloudsim.claims.Claim.checks`: one per
        value, two for a range): ``claim``, ``metric``, ``which`` ("start" or "target"),
        ``statement`` (``"P(low <= X <= high) = p"``, e.g. ``"P(X >= $1.5 Billion) = 0.80"``), ``year``,
        ``stated``, ``simulated``, ``ci_lower``, ``ci_upper`` and ``holds`` (the stated
        probability lies inside the interval).  The pre-deal market growth is the
        post-claim trend (docs/model.md), checked on the ``market_growth_late`` input.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    _refuse_scenario_dim(ds, "check_claims")
    missing = [v for v in ("openai_aws_spend", "share", "market_size", "market_growth_late") if v not in ds]
    if missing:
        raise ValueError(f"ds: not a cloudsim simulation, missing variables {missing}")
    records = []
    claims = scenario.claims
    for key, which, year, x in _claim_samples(ds, scenario):
        claim = claims[key]
        for description, low, high, stated in claim.checks(which):
            hits = (x >= low) & (x <= high)
            n, k = hits.size, int(np.count_nonzero(hits))
            lo, hi = wilson_interval(k, n, ci)
            records.append(
                {
                    "claim": key,
                    "metric": claim.metric,
                    "which": which,
                    "statement": f"{description} = {stated:.2f}",
                    "year": year,
                    "stated": stated,
                    "simulated": k / n,
                    "ci_lower": lo,
                    "ci_upper": hi,
                    "holds": bool(lo <= stated <= hi),
                }
            )
    return pd.DataFrame.from_records(records)


def commitment_probability(ds: xr.Dataset, *, ci: float = 0.95) -> dict[str, float]:
    """P(cumulative spend reaches the commitment), with its Wilson interval.

    Returns
    -------
    dict
        ``probability``, ``ci_lower``, ``ci_upper``, ``total`` (USD), ``years`` ("2026-2032").
    """
    from .risk import _commitment_defaults

    _refuse_scenario_dim(ds, "commitment_probability")
    if "commitment_met" not in ds:
        raise ValueError("ds: not a cloudsim simulation, missing variable 'commitment_met'")
    met = np.asarray(ds["commitment_met"].values, dtype=bool)
    k, n = int(np.count_nonzero(met)), met.size
    lo, hi = wilson_interval(k, n, ci)
    total, years = _commitment_defaults(ds)
    return {
        "probability": k / n,
        "ci_lower": lo,
        "ci_upper": hi,
        "total": np.nan if total is None else total,
        "years": "" if years is None else f"{years[0]}-{years[1]}",
    }


def _refuse_scenario_dim(ds: xr.Dataset, what: str) -> None:
    if "scenario" in ds.dims:
        raise ValueError(
            f"ds: has a 'scenario' dim (from cloudsim.compare); {what} reads one scenario: "
            f"select it with ds.sel(scenario=...), or use cloudsim.commitment_report for all at once"
        )
