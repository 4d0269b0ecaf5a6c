"""Replicate-based intervals for runs of a sampler other than ``"mc"``: the one place the risk functions ask.

A run with ``sampler="sobol"`` (or ``"halton"``, ``"lhs"``, ``"antithetic"``) is made of
``R`` independent replicate blocks of ``n = trials / R`` consecutive trials; within a
block the trials are not independent, so the binomial and order-statistic intervals do
not apply.  The replicate estimates are independent and identically distributed, so a
Student-t interval over them is honest (for R >= 8 or so, at the nominal level up to the
estimates' non-normality).  For a quantile, the pooled-CDF interval: the values ``x``
where the t interval of the replicates' CDFs ``F_r(x)`` contains ``q``.

Every variable of such a Dataset carries ``sampler``, ``replicates``, ``replicate_size``
and ``replicate_start`` attrs (kept through ``sel``/``isel``), so a DataArray taken from it
still knows its layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from ._common import valid_rows

__all__ = [
    "KIND_REPLICATE_QUANTILE",
    "KIND_REPLICATE_T",
    "carry_layout",
    "mark_replicated",
    "replicate_ci",
    "replicate_ids",
    "replicate_mean_ci",
    "replicate_proportion_ci",
    "replicate_proportions",
    "replicate_quantile_bounds",
    "replicate_se",
    "replicate_t",
]

KIND_REPLICATE_T = "replicate Student-t (independent randomised replicates: t interval over their estimates)"
KIND_REPLICATE_QUANTILE = (
    "replicate pooled-CDF (the values where the replicates' Student-t interval of the CDF contains q)"
)
_DEPENDS = {
    "antithetic": "seed and trial index (trials 2k, 2k+1 are a pair)",
    "lhs": "seed, trials and replicates (the strata span a replicate block)",
    "sobol": "seed, replicate and point index (replicate block size = trials / replicates)",
    "halton": "seed, replicate and point index (replicate block size = trials / replicates)",
}
_KEYS = ("sampler", "replicates", "replicate_size", "replicate_start")


def mark_replicated(ds: xr.Dataset, sampler: str, replicates: int) -> xr.Dataset:
    """Record the replicate layout in ``ds.attrs`` and on every variable with dim ``trial``."""
    if sampler == "mc":
        return ds
    n = int(ds.sizes["trial"])
    start = int(ds["trial"].values[0])
    layout = {"sampler": sampler, "replicates": int(replicates), "replicate_size": n // int(replicates),
              "replicate_start": start}  # fmt: skip
    ds.attrs.update(layout, ci_kind=KIND_REPLICATE_T, sampler_depends_on=_DEPENDS[sampler])
    for v in ds.data_vars.values():
        if "trial" in v.dims:
            v.attrs.update(layout)
    return ds


def replicate_ids(obj: xr.DataArray | xr.Dataset, dim: str = "trial") -> np.ndarray | None:
    """The replicate of each position along ``dim`` (int64), or ``None`` for a plain Monte Carlo run.

    Raises
    ------
    ValueError
        When fewer than two replicates remain (e.g. after a selection of trials).
    """
    attrs = obj.attrs
    if attrs.get("replicates") is None or attrs.get("sampler", "mc") == "mc" or dim != "trial":
        return None
    size, start = int(attrs["replicate_size"]), int(attrs["replicate_start"])
    ids = (np.asarray(obj[dim].values, dtype=np.int64) - start) // size
    if np.unique(ids).size < 2:
        raise ValueError(
            f"{dim}: a replicate interval needs trials from >= 2 replicates of the {attrs['sampler']!r} run, got "
            f"{np.unique(ids).size}"
        )
    return ids


def carry_layout(src: xr.DataArray | xr.Dataset, dst: xr.DataArray) -> xr.DataArray:
    """``dst`` with the replicate layout attrs of ``src`` (for arrays built by operations that drop attrs)."""
    layout = {k: src.attrs[k] for k in _KEYS if k in src.attrs}
    return dst.assign_attrs(layout) if layout else dst


def replicate_estimates(fn: Callable[..., np.ndarray], xs: tuple[np.ndarray, ...], ids: np.ndarray) -> np.ndarray:
    """``fn`` over each replicate's trials (trials on the last axis of every ``x``): shape ``(R, *fn's shape)``.

    ``fn`` follows :func:`cloudsim.risk._common.valid_rows`: arrays ``(..., n)`` to an array with a
    leading axis; NaN trials are left out of each replicate as they are of the pooled estimate.
    """
    return np.stack([valid_rows(fn, *(x[..., g] for x in xs))[0] for g in _groups(ids)])


def replicate_se(estimates: np.ndarray) -> np.ndarray:
    """Standard error of the replicates' mean (axis 0): ``sd / sqrt(R)``, over the replicates that are not NaN."""
    r = np.sum(~np.isnan(estimates), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nanstd(estimates, axis=0, ddof=1) / np.sqrt(r)


def replicate_ci(
    fn: Callable[..., np.ndarray], *xs: np.ndarray, ids: np.ndarray, ci: float, centre: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The replicate interval of any statistic: ``centre +- t_{R-1} sd_r / sqrt(R)``.

    The one mechanism every risk function uses for a replicated run: ``fn`` (as in
    :func:`replicate_estimates`) is evaluated on each replicate block alone, and the
    spread of those ``R`` independent estimates gives the interval's half-width around
    ``centre``, the statistic of the pooled run (the estimate the function reports, less
    biased than the replicates' average for a quantile or a tail mean).  Replicates where
    the statistic is undefined (NaN) are left out of the spread.

    Returns
    -------
    (lower, upper) : arrays of the shape of ``centre``.
    """
    from scipy.stats import t as student_t

    est = replicate_estimates(fn, xs, ids)
    r = np.sum(~np.isnan(est), axis=0)
    with np.errstate(invalid="ignore"):
        tq = student_t.ppf(0.5 + ci / 2.0, np.maximum(r - 1, 1))
    half = np.where(r >= 2, tq * replicate_se(est), np.nan)
    return centre - half, centre + half


def replicate_t(estimates: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval over the replicate estimates on axis 0: ``mean +- t_{R-1} sd / sqrt(R)``."""
    from scipy.stats import t as student_t

    r = estimates.shape[0]
    mean = estimates.mean(axis=0)
    half = student_t.ppf(0.5 + ci / 2.0, r - 1) * estimates.std(axis=0, ddof=1) / np.sqrt(r)
    return mean - half, mean + half


def _groups(ids: np.ndarray) -> list[np.ndarray]:
    return [np.flatnonzero(ids == r) for r in np.unique(ids)]


def replicate_proportions(hits: np.ndarray, ok: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each replicate's share of valid trials (``ok``) that are hits (trials on the last axis): shape ``(R, ...)``."""
    est = []
    for g in _groups(ids):
        with np.errstate(invalid="ignore", divide="ignore"):
            est.append((hits[..., g] & ok[..., g]).sum(axis=-1) / ok[..., g].sum(axis=-1))
    return np.asarray(est, dtype=np.float64)


def replicate_proportion_ci(hits: np.ndarray, ok: np.ndarray, ids: np.ndarray, ci: float) -> tuple[Any, Any]:
    """t interval of a probability from the replicates' proportions (trials on the last axis), clipped to [0, 1]."""
    lo, hi = replicate_t(replicate_proportions(hits, ok, ids), ci)
    return np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)


def replicate_mean_ci(x: np.ndarray, ids: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """t interval of the mean (trials on the last axis) from the replicates' means (NaN trials left out)."""
    est = np.asarray([np.nanmean(x[..., g], axis=-1) for g in _groups(ids)])
    return replicate_t(est, ci)


def replicate_quantile_bounds(x: np.ndarray, ids: np.ndarray, qs: np.ndarray, ci: float) -> np.ndarray:
    """Pooled-CDF intervals of the quantiles ``qs`` (trials on the last axis): shape ``(k, *x.shape[:-1], 2)``.

    At each pooled order statistic ``x_(j)`` the replicates' empirical CDFs give a t
    interval ``[lo_j, hi_j]`` of ``F(x_(j))``; the lower bound is the first ``x_(j)`` with
    ``hi_j >= q``, the upper the first with ``lo_j > q`` (``+-inf`` if none).
    """
    from scipy.stats import t as student_t

    groups = _groups(ids)
    r = len(groups)
    tq = student_t.ppf(0.5 + ci / 2.0, r - 1)
    rest = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    out = np.empty((qs.size, flat.shape[0], 2))
    for c in range(flat.shape[0]):
        row = flat[c]
        pooled = np.sort(row[~np.isnan(row)])
        cdfs = np.empty((r, pooled.size))
        for k, g in enumerate(groups):
            v = np.sort(row[g][~np.isnan(row[g])])
            cdfs[k] = np.searchsorted(v, pooled, side="right") / max(v.size, 1)
        mean = cdfs.mean(axis=0)
        half = tq * cdfs.std(axis=0, ddof=1) / np.sqrt(r)
        lo_f, hi_f = mean - half, mean + half
        for k, q in enumerate(qs):
            a = np.flatnonzero(hi_f >= q)
            b = np.flatnonzero(lo_f > q)
            out[k, c, 0] = pooled[a[0]] if a.size else -np.inf
            out[k, c, 1] = pooled[b[0]] if b.size else np.inf
    return out.reshape(qs.size, *rest, 2)
