"""Plots of simulated Datasets (matplotlib, imported only here).

Every function takes ``ax=`` and returns the Axes it drew on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .stats import DEFAULT_QUANTILES, percentile_bands

__all__ = ["fan", "format_money"]


def format_money(value: float, _pos: Any = None) -> str:
    """``1.5e9 -> "$1.5B"``, ``2.5e8 -> "$250M"``."""
    a = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= scale:
            return f"${value / scale:.3g}{suffix}"
    return f"${value:.3g}"


def _select(obj: xr.Dataset | xr.DataArray, var: str | None) -> xr.DataArray:
    if isinstance(obj, xr.DataArray):
        return obj
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    if var is None:
        raise ValueError("var: name the variable to plot, e.g. 'openai_aws_spend'")
    if var not in obj.data_vars:
        raise ValueError(f"var: unknown variable {var!r}; available: {', '.join(map(str, obj.data_vars))}")
    return obj[var]


def fan(
    obj: xr.Dataset | xr.DataArray,
    var: str | None = None,
    *,
    q: Sequence[float] = DEFAULT_QUANTILES,
    provider: str = "aws",
    ax: Any = None,
    color: str = "C0",
    log: bool | None = None,
    title: str | None = None,
):
    """Fan chart: nested percentile bands over years and the median line.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        A simulation (dim ``trial``) or precomputed bands (dim ``quantile``).
    var : str
        Variable to draw when ``obj`` is a Dataset.
    q : sequence of float
        Quantiles, symmetric pairs around 0.5 give the bands.
    provider : str
        For ``share``: which provider.
    ax : matplotlib.axes.Axes, optional
    color : str
    log : bool or None
        Log scale; ``None`` chooses it when the median spans more than 30x.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

    da = _select(obj, var)
    if "year" not in da.dims:
        raise ValueError(f"{da.name}: has no 'year' dim to draw a fan over (dims: {list(da.dims)})")
    if "provider" in da.dims:
        da = da.sel(provider=provider)
    if "quantile" in da.dims:
        bands = da
        qs = np.asarray(bands["quantile"].values)
    else:
        bands = percentile_bands(da, q)
        qs = np.asarray(bands["quantile"].values)
    if set(bands.dims) != {"quantile", "year"}:
        raise ValueError(f"{da.name}: expected dims (trial|quantile, year), got {list(bands.dims)}")
    bands = bands.transpose("quantile", "year")
    years = bands["year"].values
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    order = np.argsort(qs)
    qs, vals = qs[order], bands.values[order]
    n = len(qs)
    for k in range(n // 2):
        lo, hi = qs[k], qs[n - 1 - k]
        alpha = 0.18 + 0.5 * (k + 1) / max(n // 2, 1) * 0.6
        ax.fill_between(
            years, vals[k], vals[n - 1 - k], color=color, alpha=alpha, linewidth=0, label=f"{lo:.0%}–{hi:.0%}"
        )
    med = np.flatnonzero(np.isclose(qs, 0.5))
    if med.size:
        ax.plot(years, vals[med[0]], color=color, lw=2, label="median")
    units = da.attrs.get("units", "")
    label = da.attrs.get("long_name", da.name or "")
    if log is None:
        mid = vals[n // 2]
        log = units == "USD" and np.all(mid > 0) and mid.max() / mid.min() > 30
    if log:
        ax.set_yscale("log")
    if units == "USD":
        ax.yaxis.set_major_formatter(FuncFormatter(format_money))
        ax.set_ylabel(f"{label} (USD)")
    elif units == "1" and np.nanmax(vals) <= 1:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel(label + (f" — {provider}" if "provider" in da.coords else ""))
    else:
        ax.set_ylabel(f"{label} ({units})" if units else label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    if title is not None:
        ax.set_title(title)
    return ax
