"""First-order indices (:func:`cloudsim.sensitivity`) by year: a line and interval ribbon per input, or stacked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from ._style import _axes, _style, _tx, _year_axis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["indices"]


def indices(result: xr.Dataset, *, ax: Any = None, top: int | None = None, stacked: bool = False) -> Axes:
    """Each input's first-order index over the years with its interval; bars for an output without years.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`cloudsim.sensitivity` (variables ``S1`` and ``S1_ci``; dims ``input`` and
        optionally ``year``; any other dim is taken at its first value).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    top : int, optional
        Draw only the ``top`` inputs with the largest index (in any year).
    stacked : bool
        Yearly only: stack the indices (the largest at the bottom), so the height of the stack is
        the share of the output's variance the inputs explain alone, each one a layer, and the
        gap up to 1 the share left to interactions (with correlated inputs the layers overlap in
        what they explain and the stack can pass 1). A negative estimate (noise around 0) is a
        layer of height 0. Each layer's interval is a ribbon around its top edge: the layers
        below plus the layer's own interval (the error of the layers below is not added).

    Returns
    -------
    matplotlib.axes.Axes
        Yearly: lines with gid ``"S1:<input>"`` and ribbons ``"ci:<input>"``; stacked: layers
        ``"S1:<input>"``, ribbons ``"ci:<input>"`` and the line ``"total"`` at 1. Without a year
        dim: bars ``"S1:<input>"`` with interval whiskers, largest on top.

    Raises
    ------
    TypeError
        For a result that is not a :func:`cloudsim.sensitivity` Dataset.
    ValueError
        For ``stacked=True`` with a result without a ``year`` dim.
    """
    if not isinstance(result, xr.Dataset) or "S1" not in result or "input" not in result["S1"].dims:
        raise TypeError("result: expected the Dataset cloudsim.sensitivity returns (variables S1, S1_ci)")
    if stacked and "year" not in result["S1"].dims:
        raise ValueError(f"stacked: needs indices by year (a 'year' dim), got dims {result['S1'].dims}")
    extra = [d for d in result["S1"].dims if d not in ("input", "year")]
    res = result.isel(dict.fromkeys(extra, 0)) if extra else result
    s1 = res["S1"].transpose("input", ...)
    peak = np.nan_to_num(s1.values.reshape(s1.sizes["input"], -1), nan=-np.inf).max(axis=1)
    order = np.argsort(-peak, kind="stable")
    if top is not None:
        order = order[: int(top)]
    res = res.isel(input=order)
    ax = _axes(ax)
    names = [str(n) for n in res["input"].values]
    ci = res["S1_ci"].transpose("input", ..., "ci_bound").values
    if stacked:
        _stacked(ax, res, names, ci)
    elif "year" in res["S1"].dims:
        years = res["year"].values
        for k, name in enumerate(names):
            (line,) = ax.plot(years, res["S1"].sel(input=name).values, marker="o", ms=3, label=_tx(name),
                              gid=f"S1:{name}")  # fmt: skip
            ax.fill_between(years, ci[k, :, 0], ci[k, :, 1], color=line.get_color(), alpha=0.2, lw=0, gid=f"ci:{name}")
        _year_axis(ax, years)
        ax.legend(loc="best", fontsize="small")
        ax.set_ylabel("first-order index")
    else:
        pos = np.arange(len(names))[::-1]
        vals = res["S1"].values
        bars = ax.barh(pos, vals, color="#4C72B0", alpha=0.85)
        for bar, name in zip(bars, names, strict=True):
            bar.set_gid(f"S1:{name}")
        ax.errorbar(vals, pos, xerr=np.abs(np.stack([vals - ci[:, 0], ci[:, 1] - vals])), fmt="none", ecolor="black")
        ax.set_yticks(pos, [_tx(n) for n in names])
        ax.set_xlabel("first-order index")
    prob = float(result.attrs.get("ci_prob", 0.95))
    ax.set_title(_tx(f"Which input moves {result.attrs.get('output', 'the output')} ({prob:.0%} intervals)"))
    _style(ax)
    return ax


def _stacked(ax: Axes, res: xr.Dataset, names: list[str], ci: np.ndarray) -> None:
    """The layers of :func:`indices` with ``stacked=True``: ``res`` largest first, ``ci`` ``(input, year, 2)``."""
    years = res["year"].values
    s1 = res["S1"].transpose("input", "year").values
    base = np.zeros(years.size)
    for k, name in enumerate(names):
        top = base + np.clip(np.nan_to_num(s1[k]), 0.0, None)
        layer = ax.fill_between(years, base, top, alpha=0.75, lw=0, label=_tx(name), gid=f"S1:{name}")
        color = layer.get_facecolor()[0][:3]
        ax.fill_between(years, base + ci[k, :, 0], base + ci[k, :, 1], facecolor="none", edgecolor=color,
                        hatch="////", lw=0.0, gid=f"ci:{name}")  # fmt: skip
        base = top
    ax.axhline(1.0, color="black", lw=0.8, ls="--", gid="total")
    _year_axis(ax, years)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    ax.set_ylabel("first-order index, stacked")
