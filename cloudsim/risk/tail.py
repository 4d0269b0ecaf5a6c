"""Tail risk over trials: value at risk (order-statistic intervals) and expected shortfall (asymptotic normal)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

from ._common import check_choice, check_da, label, split, valid_rows, wrap
from ._intervals import (
    ES_MIN_TAIL_TRIALS,
    KIND_ES,
    KIND_ORDER,
    check_ci,
    check_levels,
    ci_like,
    excess_interval,
    quantile_bounds,
    z_value,
)
from .replicates import (
    KIND_REPLICATE_QUANTILE,
    KIND_REPLICATE_T,
    replicate_ci,
    replicate_ids,
    replicate_quantile_bounds,
)

__all__ = ["expected_shortfall", "value_at_risk"]


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
    :func:`quantile_intervals`.  For a run of a replicated sampler (``sampler="sobol"``
    etc.) it is the replicates' pooled-CDF interval instead (``ci_kind`` says which).

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
        ``da``), ``value_at_risk_ci`` (plus ``ci_bound``) and ``n_valid`` (the trials
        counted: NaN trials are left out); attrs ``tail``, ``ci_kind``,
        ``ci_prob``, ``trials``.
    """
    da = check_da(da, "da", (dim,))
    levels, scalar = check_levels(level, "level")
    tail = check_choice(tail, "tail", ("lower", "upper"))
    ci = check_ci(ci)
    x, rest, coords = split(da, dim)
    qs = np.round(1.0 - levels, 12) if tail == "lower" else levels
    est, n_valid = valid_rows(lambda v: np.quantile(v, qs, axis=-1), x)
    ids = replicate_ids(da, dim)
    if ids is None:
        bounds, kind = quantile_bounds(x, qs, ci), KIND_ORDER
    else:
        bounds, kind = replicate_quantile_bounds(x, ids, qs, ci), KIND_REPLICATE_QUANTILE
    return _tail_dataset(
        "value_at_risk", est, bounds, levels, scalar, rest, coords, da, tail, ci, kind, x.shape[-1], qs, n_valid
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

    The interval is **asymptotic normal** on the log of the mean tail excess
    ``e = |ES - VaR|``: ``se = s / (p * sqrt(n))`` with ``s`` the sample standard
    deviation of the tail excess ``(X - VaR) * 1{X in the tail}`` (the VaR's own
    estimation error does not enter to first order; Brazauskas et al. 2008), and the
    bounds ``VaR +/- e * exp(-/+ z se / e)``, which lean towards the far tail as the
    errors of a skewed tail do.  It needs many trials in the tail: below
    ``n p = 100`` it under-covers, and a ``RuntimeWarning`` names the trials needed
    (``docs/validation.md`` has the measured coverage).  For a run of a replicated
    sampler the interval is the replicate Student-t interval around the pooled estimate
    (the spread of the replicates' own expected shortfalls; ``ci_kind`` says which).

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
        of ``da``), ``expected_shortfall_ci`` (plus ``ci_bound``) and ``n_valid`` (the
        trials counted: NaN trials are left out); attrs ``tail``,
        ``ci_kind``, ``ci_prob``, ``trials``.
    """
    da = check_da(da, "da", (dim,))
    levels, scalar = check_levels(level, "level")
    tail = check_choice(tail, "tail", ("lower", "upper"))
    ci = check_ci(ci)
    x, rest, coords = split(da, dim)
    z = z_value(ci)
    sign = 1.0 if tail == "lower" else -1.0
    xs = x if sign > 0 else -x
    n_valid = (~np.isnan(xs)).sum(axis=-1)
    n = int(n_valid.min()) if n_valid.size else x.shape[-1]
    ids = replicate_ids(da, dim)
    est = np.empty((levels.size, *x.shape[:-1]))
    bounds = np.empty((levels.size, *x.shape[:-1], 2))
    for i, lev in enumerate(levels):
        p = 1.0 - float(lev)
        if n * p < ES_MIN_TAIL_TRIALS * (1.0 - 1e-9):
            warnings.warn(
                f"expected_shortfall: level {float(lev):g} leaves n p = {n * p:.4g} trials in the tail; its "
                f"interval under-covers below n p = {ES_MIN_TAIL_TRIALS} (about 0.92 at n p = 20 for a log-normal "
                f"tail, heavier tails need more): use at least {math.ceil(ES_MIN_TAIL_TRIALS / p - 1e-9):,} trials",
                RuntimeWarning,
                stacklevel=2,
            )
        es, se, var = valid_rows(lambda v, p=p: np.stack(_es_lower(v, p)), xs)[0]
        est[i] = sign * es
        if ids is not None:  # a replicated sampler: the spread of the replicates' own tail means
            lo, hi = replicate_ci(lambda v, p=p: _es_lower(v, p)[0][None], xs, ids=ids, ci=ci, centre=es[None])
            bounds[i, ..., 0 if sign > 0 else 1] = sign * lo[0]
            bounds[i, ..., 1 if sign > 0 else 0] = sign * hi[0]
            continue
        e_lo, e_hi = excess_interval(var - es, se, z)  # the lower-tail ES lies e = VaR - ES below the VaR
        bounds[i, ..., 0 if sign > 0 else 1] = sign * (var - e_hi)
        bounds[i, ..., 1 if sign > 0 else 0] = sign * (var - e_lo)
    qs = np.round(1.0 - levels, 12) if tail == "lower" else levels
    kind = KIND_ES if ids is None else KIND_REPLICATE_T
    return _tail_dataset(
        "expected_shortfall", est, bounds, levels, scalar, rest, coords, da, tail, ci, kind, x.shape[-1], qs, n_valid
    )


def _es_lower(x: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower-tail expected shortfall of tail mass ``p`` along the last axis, its standard error and the VaR."""
    n = x.shape[-1]
    k = n * p
    m = min(math.floor(k), n - 1)
    part = np.partition(x, m, axis=-1)
    xm = part[..., m]
    es = (part[..., :m].sum(axis=-1) + (k - m) * xm) / k
    excess = np.minimum(x - xm[..., None], 0.0)
    sd = excess.std(axis=-1, ddof=1) if n > 1 else np.zeros_like(xm)
    return es, sd / (p * math.sqrt(n)), xm


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
    n_valid: np.ndarray,
) -> xr.Dataset:
    what = "Value at risk" if name == "value_at_risk" else "Expected shortfall"
    attrs = {"units": da.attrs.get("units", ""), "long_name": f"{what} ({tail} tail) of {label(da)}"}
    coords = dict(coords)
    if scalar:
        coords["level"] = float(levels[0])
        coords["quantile"] = float(qs[0])
        v = wrap(est[0], rest, coords, **attrs)
        b = bounds[0]
    else:
        coords["level"] = ("level", levels)
        coords["quantile"] = ("level", qs)
        v = wrap(est, ("level", *rest), coords, **attrs)
        b = bounds
    nv_coords = {k: c for k, c in coords.items() if k not in ("level", "quantile")}
    nv = wrap(np.asarray(n_valid, dtype=np.int64), rest, nv_coords, units="1", long_name="Trials with a value")
    out = xr.Dataset(
        {name: v, f"{name}_ci": ci_like(v, b[..., 0], b[..., 1], kind=kind, ci=ci), "n_valid": nv},
        attrs={"tail": tail, "trials": int(n), "ci_kind": kind, "ci_prob": ci},
    )
    return out
