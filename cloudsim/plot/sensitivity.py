"""A tornado of what-if swings (:func:`cloudsim.tornado`): one bar per input, largest swing on top."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from ._style import _axes, _format_value, _style, _tx, format_money

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["tornado"]


def tornado(result: xr.Dataset, *, ax: Any = None, top: int | None = None) -> Axes:
    """Bars from the baseline to the statistic at each input's low and high value, sorted by swing.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`cloudsim.tornado`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    top : int, optional
        Draw only the ``top`` largest swings.

    Returns
    -------
    matplotlib.axes.Axes
        Bars with gid ``"low:<input>"`` and ``"high:<input>"``; the error bars are +-2 MCSE.
    """
    if not isinstance(result, xr.Dataset) or "swing" not in result or "input" not in result.dims:
        raise TypeError("result: expected the Dataset cloudsim.tornado returns (variables swing, stat_low, ...)")
    order = np.argsort(-np.abs(result["swing"].values), kind="stable")
    if top is not None:
        order = order[: int(top)]
    res = result.isel(input=order)
    ax = _axes(ax)
    base = float(result.attrs.get("baseline", 0.0))
    pos = np.arange(res.sizes["input"])[::-1]
    units = str(result.attrs.get("units", ""))
    for side, color in (("low", "#4C72B0"), ("high", "#DD8452")):
        vals = res[f"stat_{side}"].values
        bars = ax.barh(pos, vals - base, left=base, color=color, alpha=0.85,
                       label=f"input at its {result.attrs.get(side, side)} quantile")  # fmt: skip
        for bar, name in zip(bars, res["input"].values, strict=True):
            bar.set_gid(f"{side}:{name}")
        ax.errorbar(vals, pos, xerr=2 * res[f"stat_{side}_mcse"].values, fmt="none", ecolor="black", lw=0.8)
    ax.axvline(base, color="black", lw=1, gid="baseline")
    ax.set_yticks(pos, [_tx(str(n)) for n in res["input"].values])
    stat = result.attrs.get("stat", "mean")
    what = result.attrs.get("long_name", result.attrs.get("output", ""))
    year = result.attrs.get("year", -1)
    ax.set_xlabel(_tx(f"{stat} of {what}" + (f" in {year}" if year != -1 else "") + (f" ({units})" if units else "")))
    ax.set_title(_tx(f"What moves it: baseline {_format_value(units, base, percent=False)}"))
    if units == "USD":
        ax.xaxis.set_major_formatter(format_money)
    ax.legend(loc="lower right", fontsize="small")
    _style(ax)
    return ax
