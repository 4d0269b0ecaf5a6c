"""A spider plot (:func:`cloudsim.spider`): the statistic against each input's quantile level, with its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from ._style import _axes, _style, _tx, format_money

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["spider"]


def spider(result: xr.Dataset, *, ax: Any = None, top: int | None = None) -> Axes:
    """One line per input: the statistic at each point of its grid, with the interval as a band.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`cloudsim.spider`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    top : int, optional
        Draw only the ``top`` inputs with the largest ``range``.

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gid ``"line:<input>"`` and bands ``"ci:<input>"`` (``stat_ci``); the
        baseline is the horizontal line ``"baseline"``. The x axis is the quantile level an
        input is held at; a scenario key's points sit at the same positions, from its low to
        its high value (named in the legend).
    """
    if not isinstance(result, xr.Dataset) or "stat" not in result or "point" not in result.dims:
        raise TypeError("result: expected the Dataset cloudsim.spider returns (variables stat, stat_ci, ...)")
    order = np.argsort(-result["range"].values, kind="stable")
    if top is not None:
        order = order[: int(top)]
    res = result.isel(input=order)
    ax = _axes(ax)
    x = res["level"].values
    units = str(result.attrs.get("units", ""))
    for name in res["input"].values:
        row = res.sel(input=name)
        label = str(name)
        if str(row["kind"].values) == "key":
            lo, hi = row["value"].values[[0, -1]]
            label += f" ({lo:.4g} to {hi:.4g})"
        (line,) = ax.plot(x, row["stat"].values, marker="o", ms=3, label=_tx(label), gid=f"line:{name}")
        ci = row["stat_ci"].values
        ax.fill_between(x, ci[:, 0], ci[:, 1], color=line.get_color(), alpha=0.2, lw=0, gid=f"ci:{name}")
    ax.axhline(float(result.attrs.get("baseline", np.nan)), color="black", lw=1, ls="--", gid="baseline")
    stat = result.attrs.get("stat", "mean")
    what = result.attrs.get("long_name", result.attrs.get("output", ""))
    year = result.attrs.get("year", -1)
    ax.set_ylabel(_tx(f"{stat} of {what}" + (f" in {year}" if year != -1 else "")))
    ax.set_xlabel("quantile level the input is held at (keys: low to high)")
    ax.set_title(_tx(f"Spider: the statistic as each input moves ({result.attrs.get('ci_prob', 0.95):.0%} bands)"))
    if units == "USD":
        ax.yaxis.set_major_formatter(format_money)
    ax.legend(loc="best", fontsize="small")
    _style(ax)
    return ax
