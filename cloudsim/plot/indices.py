"""First-order indices (:func:`cloudsim.sensitivity`) by year: one line and interval ribbon per input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from ._style import _axes, _style, _tx, _year_axis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["indices"]


def indices(result: xr.Dataset, *, ax: Any = None, top: int | None = None) -> Axes:
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

    Returns
    -------
    matplotlib.axes.Axes
        Yearly: lines with gid ``"S1:<input>"`` and ribbons ``"ci:<input>"``. Without a year
        dim: bars ``"S1:<input>"`` with interval whiskers, largest on top.
    """
    if not isinstance(result, xr.Dataset) or "S1" not in result or "input" not in result["S1"].dims:
        raise TypeError("result: expected the Dataset cloudsim.sensitivity returns (variables S1, S1_ci)")
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
    if "year" in res["S1"].dims:
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
