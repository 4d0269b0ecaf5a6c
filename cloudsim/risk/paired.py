"""Differences of a statistic between two scenarios from paired trials (common random numbers), with intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

from ._common import STATS, Stat, check_choice, check_da, indicator, label, split, wrap
from ._intervals import (
    KIND_PAIRED_BOOTSTRAP,
    KIND_PAIRED_NORMAL,
    KIND_PAIRED_QUANTILE,
    check_ci,
    check_levels,
    ci_like,
    paired_quantile_se,
    smoothed_quantiles,
    z_value,
)

__all__ = ["paired_difference"]


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
      ``(se_a - se_b)^2 + delta se_a se_b / (q (1 - q))`` uses the order-statistic
      standard errors of :func:`mcse` and ``delta``, the share of trials below their
      quantile in one scenario and above it in the other, averaged over the ranks of
      the order-statistic window (at the single rank it rests on one or two trials
      under common random numbers and the interval collapsed);
    * ``"quantile"``, ``method="bootstrap"``: paired smoothed bootstrap, trials
      resampled jointly (one index draw for both scenarios) with
      ``numpy.random.default_rng(boot_seed)``, ``n_boot`` replicates of the
      difference of slightly smoothed quantiles (the mean of a few order statistics
      around the quantile), and the interval ``estimate +/- z * sd(replicates)``
      (slow for big runs).

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
    da = check_da(da, "var", ("scenario", dim))
    names = [str(s) for s in da["scenario"].values]
    for arg, value in (("a", a), ("b", b)):
        if value not in names:
            raise ValueError(f"{arg}: {value!r} is not a scenario of ds (scenarios: {names})")
    if a == b:
        raise ValueError(f"a, b: must be two different scenarios, got {a!r} twice")
    stat = check_choice(stat, "stat", STATS)
    ci = check_ci(ci)
    method = check_choice(method, "method", ("asymptotic", "bootstrap"))
    z = z_value(ci)
    xa_da, xb_da = da.sel(scenario=a, drop=True), da.sel(scenario=b, drop=True)
    n = da.sizes[dim]
    attrs: dict[str, Any] = {"a": a, "b": b, "stat": stat, "ci_prob": ci, "trials": int(n)}
    if stat in ("probability", "mean"):
        if stat == "probability":
            ia, thr = indicator(xa_da, threshold)
            ib, _ = indicator(xb_da, threshold)
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
        diff = diff.assign_attrs(units=units, long_name=f"{stat} of {label(da)}: {a} - {b}")
        lower, upper = (diff - z * se).values, (diff + z * se).values
    else:
        qs, scalar = check_levels(q, "q")
        xa, rest, coords = split(xa_da, dim)
        xb, _, _ = split(xb_da, dim)
        qa = np.quantile(xa, qs, axis=-1)
        qb = np.quantile(xb, qs, axis=-1)
        dv = qa - qb
        if method == "asymptotic":
            kind = KIND_PAIRED_QUANTILE
            half = z * paired_quantile_se(xa, xb, qs)
            lo_v, hi_v = dv - half, dv + half
        else:
            kind = KIND_PAIRED_BOOTSTRAP
            n_boot = int(n_boot)
            if n_boot < 10:
                raise ValueError(f"n_boot: need at least 10 bootstrap replicates, got {n_boot}")
            rng = np.random.default_rng(boot_seed)
            reps = np.empty((n_boot, *dv.shape))
            for r in range(n_boot):
                idx = rng.integers(0, n, n)  # one draw of trial indices for both scenarios: the pairing
                reps[r] = smoothed_quantiles(np.sort(xa[..., idx], axis=-1), qs) - smoothed_quantiles(
                    np.sort(xb[..., idx], axis=-1), qs
                )
            half = z * reps.std(axis=0, ddof=1)
            lo_v, hi_v = dv - half, dv + half
            attrs.update(n_boot=n_boot, boot_seed=int(boot_seed))
        if scalar:
            coords["quantile"] = float(qs[0])
            dims: tuple[str, ...] = rest
            dv, qa, qb, lo_v, hi_v = dv[0], qa[0], qb[0], lo_v[0], hi_v[0]
        else:
            coords["quantile"] = qs
            dims = ("quantile", *rest)
        units = da.attrs.get("units", "")
        diff = wrap(dv, dims, coords, units=units, long_name=f"quantile of {label(da)}: {a} - {b}")
        est_a, est_b = wrap(qa, dims, coords), wrap(qb, dims, coords)
        lower, upper = lo_v, hi_v
    attrs["ci_kind"] = kind
    estimate = xr.concat(
        [est_a, est_b], dim=xr.DataArray(np.array([a, b]), dims="scenario", name="scenario"), coords="minimal"
    )
    estimate.attrs = {"units": diff.attrs.get("units", ""), "long_name": f"{stat} of {label(da)} in each scenario"}
    return xr.Dataset(
        {
            "difference": diff,
            "difference_ci": ci_like(diff, lower, upper, kind=kind, ci=ci),
            "estimate": estimate,
        },
        attrs=attrs,
    )
