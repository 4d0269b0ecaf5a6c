"""The tail-driver table (:func:`cloudsim.tail_drivers`) as a figure: KS distances and median shifts, ranked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from ._style import _axes, _format_value, _style, _tx

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["tail_drivers"]


def tail_drivers(result: xr.Dataset, *, ax: Any = None, top: int | None = None) -> Axes:
    """Bars of each input's KS distance (given the event vs all trials), labelled with its median shift.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`cloudsim.tail_drivers`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    top : int, optional
        Draw only the ``top`` inputs (by KS distance).

    Returns
    -------
    matplotlib.axes.Axes
        Bars with gid ``"ks:<input>"`` and whiskers of ``ks_ci``; beside each bar, the median
        of all trials and the median given the event (``"label:<input>"``), and where the
        latter sits among all trials (its quantile level).
    """
    if not isinstance(result, xr.Dataset) or "ks" not in result or "median_shift" not in result:
        raise TypeError("result: expected the Dataset cloudsim.tail_drivers returns (variables ks, median_shift, ...)")
    order = np.argsort(-result["ks"].values, kind="stable")
    if top is not None:
        order = order[: int(top)]
    res = result.isel(input=order)
    ax = _axes(ax)
    pos = np.arange(res.sizes["input"])[::-1]
    ks = res["ks"].values
    ci = res["ks_ci"].values
    bars = ax.barh(pos, ks, color="#C44E52", alpha=0.8)
    err = np.abs(np.stack([ks - ci[:, 0], ci[:, 1] - ks]))
    ax.errorbar(ks, pos, xerr=err, fmt="none", ecolor="black", lw=0.8)
    top_ks = float(np.nanmax(ci[:, 1])) if ks.size else 1.0
    for bar, p, name in zip(bars, pos, res["input"].values, strict=True):
        bar.set_gid(f"ks:{name}")
        row = res.sel(input=name)
        units = str(row["units"].values) if "units" in res else ""
        a, b = (_format_value(units, float(row[v]), percent=False) for v in ("median_all", "median_event"))
        lvl = float(row["median_event_level"])
        ax.text(top_ks * 1.05, p, _tx(f"median {a} -> {b} (P{lvl * 100:.0f})"), va="center", fontsize="small",
                gid=f"label:{name}")  # fmt: skip
    ax.set_xlim(0, top_ks * 2.2 if top_ks > 0 else 1)
    ax.set_yticks(pos, [_tx(str(n)) for n in res["input"].values])
    prob = float(result.attrs.get("ci_prob", 0.95))
    ax.set_xlabel(f"Kolmogorov-Smirnov distance, given the event vs all trials ({prob:.0%} CI)")
    p_event = float(result.attrs.get("event_probability", np.nan))
    ax.set_title(_tx(f"What drives the event ({result.attrs.get('event', 'event')}, P = {p_event:.3f})"))
    _style(ax)
    return ax
