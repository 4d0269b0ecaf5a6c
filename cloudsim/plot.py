"""Plots of simulated Datasets: fans with their own Monte Carlo error, shares, distributions, commitments.

matplotlib is imported inside the functions only: ``import cloudsim`` (and ``import
cloudsim.plot``) never imports it.  Every function takes ``ax=`` (or ``fig=`` for a
multi-panel figure) and returns the Axes (or Figure) it drew on; money reads ``$250M`` /
``$1.5B``; years are integer ticks.

Nothing here knows a model's vocabulary: titles and axis labels come from the variables'
``long_name`` and ``units`` and from the Dataset's attrs (``buyer``, ``seller``, ``market``,
``seller_name``, ``scenario_name``); provider names from ``ds["provider"].attrs["labels"]``
(comma-separated, in the order of the coordinate), falling back to the coordinate values;
provider colours from :data:`PROVIDER_PALETTE` by position along the ``provider`` coordinate
(override with ``colors={"name": "colour"}``).

Functions
---------
============  ==========================================================================
fan           nested percentile bands over the years, the median line, optionally the
              Monte Carlo interval of each band edge; one fan per scenario of a ``scenario`` dim
shares        one band per provider (or the median shares stacked)
distribution  the distribution at one year (histogram or CDF) with exceedance probabilities
claims        each claim's stated probability against the simulated one and its interval
commitments   P(each commitment met) with its Wilson interval, and P(total reached) by year
convergence   a :func:`cloudsim.runs.simulate_until` history: estimates and intervals vs trials
dashboard     four panels: spend fan, shares, cumulative spend vs the commitment(s), P(met)
============  ==========================================================================

Every drawn artist that a test or a user may want to find carries a ``gid``: ``"band:0.05-0.95"``,
``"median"``, ``"ci:0.05:lower"``, ``"edge:0.05"`` (fan; with ``"<scenario>/"`` in front for a
``scenario`` dim), ``"band:<provider>"`` / ``"median:<provider>"`` (shares), ``"hist"`` / ``"cdf"`` /
``"threshold:<value>"`` (distribution), ``"simulated"`` / ``"stated"`` (claims),
``"met:<commitment>"`` / ``"reached:<commitment>"`` / ``"total:<commitment>"`` (commitments).
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from ._checks import check_ci
from ._format import probability_interval
from .risk import DEFAULT_QUANTILES, check_q, percentile_bands

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .scenario import Scenario

__all__ = [
    "PROVIDER_PALETTE",
    "SCENARIO_COLORS",
    "DatasetPlotAccessor",
    "PlotAccessor",
    "claims",
    "commitments",
    "convergence",
    "dashboard",
    "distribution",
    "fan",
    "format_count",
    "format_money",
    "provider_colors",
    "provider_labels",
    "shares",
]

#: Provider colours, by position along the ``provider`` coordinate (a qualitative palette: Paul
#: Tol's "bright" and "muted" schemes, colour-blind safe, no two alike); the same provider
#: keeps its colour in every plot of one Dataset.  Pass ``colors=`` to override.
PROVIDER_PALETTE: tuple[str, ...] = (
    "#4477AA",  # blue
    "#EE6677",  # red
    "#228833",  # green
    "#CCBB44",  # yellow
    "#66CCEE",  # cyan
    "#AA3377",  # purple
    "#332288",  # indigo
    "#EE7733",  # orange
    "#117733",  # dark green
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
)

#: Colours of scenarios (a ``scenario`` dim), in order: matplotlib's default cycle, reordered so
#: that the first few are far apart.
SCENARIO_COLORS: tuple[str, ...] = ("C0", "C3", "C2", "C4", "C1", "C5", "C6", "C8", "C9", "C7")

#: Size of a single-panel figure (inches) and of the dashboard.
FIGSIZE = (8.0, 4.8)
DASHBOARD_FIGSIZE = (14.0, 9.0)


# ----------------------------------------------------------------------------
# formatting
# ----------------------------------------------------------------------------
def format_money(value: float, _pos: Any = None) -> str:
    """``1.5e9 -> "$1.50B"``, ``2.5e8 -> "$250M"``: three significant figures, as the command line prints money."""
    from ._format import money

    return money(value)


def _money_tick(value: float, _pos: Any = None) -> str:
    """Tick labels: ``1e9 -> "$1B"``, ``1.5e9 -> "$1.5B"`` (no trailing zeros along an axis)."""
    a = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= scale:
            return _tx(f"${value / scale:.3g}{suffix}")
    return _tx(f"${value:.3g}")


def format_count(value: float, _pos: Any = None) -> str:
    """``200000 -> "200k"``, ``1.5e6 -> "1.5M"`` (trial counts)."""
    a = abs(value)
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _format_value(units: str, value: float, *, percent: bool) -> str:
    if units == "USD":
        return format_money(value)
    if percent:
        return f"{value:.1%}"
    return f"{value:.4g}" + (f" {units}" if units and units != "1" else "")


def _tx(text: str) -> str:
    """Text for matplotlib: ``$`` escaped so that "$1.5B to $10B" is not read as mathtext."""
    return str(text).replace("\\$", "$").replace("$", "\\$")


def _wrap(text: str, width: int = 60) -> str:
    return _tx(textwrap.fill(text, width) if len(text) > width else text)


def _percent_tick(value: float, _pos: Any = None) -> str:
    """``0.025 -> "2.5%"``, ``0.5 -> "50%"``."""
    return f"{round(value * 100, 8):g}%"


def provider_labels(obj: xr.Dataset | xr.DataArray) -> dict[str, str]:
    """Display name of each provider: ``obj["provider"].attrs["labels"]`` (comma-separated, in the
    order of the coordinate) when it has one label per provider, else the coordinate values."""
    if "provider" not in obj.coords:
        return {}
    names = [str(p) for p in np.atleast_1d(obj["provider"].values)]
    text = obj["provider"].attrs.get("labels")
    if isinstance(text, str):
        labels = [t.strip() for t in text.split(",")]
        if len(labels) == len(names) and all(labels):
            return dict(zip(names, labels, strict=True))
    return {p: p for p in names}


def provider_colors(obj: xr.Dataset | xr.DataArray, colors: Mapping[str, str] | None = None) -> dict[str, str]:
    """Colour of each provider: :data:`PROVIDER_PALETTE` by position along ``obj["provider"]``,
    then ``colors`` (a mapping provider name -> matplotlib colour) on top."""
    if colors is not None and not isinstance(colors, Mapping):
        raise TypeError(f"colors: expected a mapping provider -> colour, got {type(colors).__name__}")
    names = [str(p) for p in np.atleast_1d(obj["provider"].values)] if "provider" in obj.coords else []
    out = {p: PROVIDER_PALETTE[i % len(PROVIDER_PALETTE)] for i, p in enumerate(names)}
    if colors:
        unknown = [str(k) for k in colors if str(k) not in out]
        if unknown:
            raise ValueError(f"colors: {unknown} are not providers (providers: {names})")
        out.update({str(k): v for k, v in colors.items()})
    return out


def _provider_name(obj: xr.Dataset | xr.DataArray, p: str) -> str:
    return provider_labels(obj).get(str(p), str(p))


def _default_provider(obj: xr.Dataset | xr.DataArray, da: xr.DataArray | None = None) -> str | None:
    """The provider a share plot shows by default: ``attrs["seller_name"]`` when present, else the first."""
    src = da if da is not None else obj
    if "provider" not in src.coords:
        return None
    names = [str(p) for p in np.atleast_1d(src["provider"].values)]
    for attrs in (obj.attrs, src.attrs):
        seller = attrs.get("seller_name")
        if isinstance(seller, str) and seller in names:
            return seller
    return names[0] if names else None


def _scenario_color(i: int) -> str:
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]


def _qlabel(q: float) -> str:
    return f"{q * 100:g}"


# ----------------------------------------------------------------------------
# matplotlib helpers (lazy)
# ----------------------------------------------------------------------------
def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax`` itself (checked), or the Axes of a new figure with constrained layout."""
    if ax is None:
        _, ax = _pyplot().subplots(figsize=figsize, layout="constrained")
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes, got {type(ax).__name__}")
    return ax


def _year_axis(ax: Axes, years: np.ndarray) -> None:
    """Integer year ticks (every year when there are few), no offset, no margin."""
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    years = np.asarray(years)
    if years.size <= 12:
        ax.set_xticks(years)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    if years.size > 1:
        ax.set_xlim(float(years[0]), float(years[-1]))
    ax.set_xlabel("year")


def _value_axis(
    ax: Axes, units: str, *, log: bool, percent: bool, axis: Literal["x", "y"] = "y", decades: float | None = None
) -> str:
    """Scale and tick format of the value axis; returns its label."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    a = ax.yaxis if axis == "y" else ax.xaxis
    if log:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        a.set_minor_formatter(NullFormatter())
        if decades is not None and decades <= 2.5:  # few decades: label 1-2-5 steps
            a.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    if units == "USD":
        a.set_major_formatter(FuncFormatter(_money_tick))
        return "USD"
    if percent:
        a.set_major_formatter(FuncFormatter(_percent_tick))
        return "percent"
    return "" if units in ("", "1") else units


def _style(ax: Axes) -> None:
    ax.grid(True, which="major", alpha=0.3, linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def _wants_log(lower: np.ndarray, mid: np.ndarray, upper: np.ndarray) -> bool:
    """Log scale when the values are positive and span orders of magnitude."""
    lo, mid, hi = (np.asarray(v, dtype=np.float64) for v in (lower, mid, upper))
    if not (np.all(np.isfinite(lo)) and np.all(lo > 0) and np.all(np.isfinite(hi))):
        return False
    return bool(mid.max() / mid.min() > 30 or hi.max() / lo.min() > 300)


# ----------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------
def _check_dataset(ds: Any, name: str = "ds") -> xr.Dataset:
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"{name}: expected an xarray.Dataset from cloudsim.simulate, got {type(ds).__name__}")
    if not ds.data_vars:
        raise ValueError(f"{name}: the Dataset is empty (no variables); expected the output of cloudsim.simulate")
    return ds


def _select(obj: xr.Dataset | xr.DataArray, var: str | None) -> xr.DataArray:
    """The DataArray to plot: ``obj[var]`` of a Dataset, or ``obj`` itself."""
    if isinstance(obj, xr.DataArray):
        if var is not None and var != obj.name:
            raise TypeError(f"var: {var!r} given, but the object is already a DataArray ({obj.name!r})")
        return obj
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    if not obj.data_vars:
        raise ValueError("obj: the Dataset is empty (no variables); expected the output of cloudsim.simulate")
    if var is None:
        raise ValueError(f"var: name the variable to plot, one of: {', '.join(map(str, obj.data_vars))}")
    if not isinstance(var, str):
        raise TypeError(f"var: expected a variable name, got {type(var).__name__} {var!r}")
    if var not in obj.data_vars:
        raise ValueError(f"var: unknown variable {var!r}; available: {', '.join(map(str, obj.data_vars))}")
    return obj[var]


def _name(da: xr.DataArray) -> str:
    return str(da.name) if da.name is not None else "the DataArray"


def _select_provider(obj: xr.Dataset | xr.DataArray, da: xr.DataArray, provider: str | None) -> xr.DataArray:
    """``da`` at one provider (default: :func:`_default_provider`), or ``da`` if it has no such dim."""
    if "provider" not in da.dims:
        return da
    names = [str(p) for p in da["provider"].values]
    if provider is None:
        provider = _default_provider(obj, da)
    if provider not in names:
        raise ValueError(f"provider: {provider!r} is not a provider of {_name(da)} (providers: {names})")
    return da.sel(provider=provider)


def _check_sample_dims(da: xr.DataArray, allowed: Sequence[str], what: str) -> str:
    """``"trial"`` for a simulation, ``"quantile"`` for precomputed bands; other dims must be ``allowed``."""
    kind = "trial" if "trial" in da.dims else "quantile" if "quantile" in da.dims else None
    if kind is None:
        raise ValueError(
            f"{_name(da)}: expected a simulation (dim 'trial') or percentile bands (dim 'quantile'), "
            f"got dims {list(da.dims)}"
        )
    if "trial" in da.dims and "quantile" in da.dims:
        raise ValueError(f"{_name(da)}: has both 'trial' and 'quantile' dims; pass one or the other")
    extra = [d for d in da.dims if d not in (kind, *allowed)]
    if extra:
        raise ValueError(
            f"{_name(da)}: cannot draw {what} over dims {extra}; select one value of each, "
            f"e.g. .sel({extra[0]}=...) (dims: {list(da.dims)})"
        )
    if da.sizes[kind] == 0:
        raise ValueError(f"{_name(da)}: dim {kind!r} is empty")
    if da.dtype.kind not in "biuf":
        raise TypeError(f"{_name(da)}: cannot plot values of dtype {da.dtype}")
    return kind


def _check_ci(ci: Any) -> float | None:
    """``False``/``None`` -> no interval; ``True`` -> 0.95; a probability in (0, 1) -> itself."""
    if ci is None or ci is False:
        return None
    if ci is True:
        return 0.95
    if not isinstance(ci, (int, float, np.integer, np.floating)):
        raise TypeError(f"ci: expected True/False or a probability such as 0.95, got {type(ci).__name__} {ci!r}")
    if not 0.0 < float(ci) < 1.0:
        raise ValueError(f"ci: a probability in (0, 1) such as 0.95, got {ci}")
    return float(ci)


def _scenario_from_attrs(ds: xr.Dataset) -> Scenario:
    from .scenario import Scenario

    text = ds.attrs.get("scenario")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            "scenario: not given and ds.attrs has no 'scenario' (the TOML text cloudsim.simulate records); "
            "pass the Scenario"
        )
    return Scenario.from_toml(text, origin="ds.attrs['scenario']")


def _check_scenario(scenario: Any, ds: xr.Dataset) -> Scenario:
    from .scenario import Scenario

    if scenario is None:
        return _scenario_from_attrs(ds)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    return scenario


# ----------------------------------------------------------------------------
# 1. fan
# ----------------------------------------------------------------------------
class _Fan:
    """The numbers one fan draws: sorted quantiles, bands (quantile, year), optional intervals."""

    def __init__(
        self, da: xr.DataArray, q: Sequence[float] | None, ci: float | None, kind: str, name: str | None
    ) -> None:
        self.name = name
        self.trials: int | None = None
        self.intervals: np.ndarray | None = None
        if kind == "trial":
            qs = np.sort(check_q(DEFAULT_QUANTILES if q is None else q))
            bands = percentile_bands(da, qs).transpose("quantile", "year")
            self.trials = int(da.sizes["trial"])
            if ci is not None:
                from .risk import quantile_intervals

                qi = quantile_intervals(da, qs, ci=ci).transpose("quantile", "year", "ci_bound")
                self.intervals = np.asarray(qi.values, dtype=np.float64)
        else:
            if ci is not None:
                raise ValueError(
                    "ci: the Monte Carlo error of the band edges needs the trials; pass the simulation "
                    "(dim 'trial'), not precomputed bands"
                )
            bands = da.transpose("quantile", "year").sortby("quantile")
            have = np.asarray(bands["quantile"].values, dtype=np.float64)
            if q is not None:
                want = np.sort(check_q(q))
                idx = [int(np.argmin(np.abs(have - w))) for w in want]
                missing = [float(w) for w, i in zip(want, idx, strict=True) if not np.isclose(have[i], w)]
                if missing:
                    raise ValueError(f"q: quantiles {missing} are not in the precomputed bands ({have.tolist()})")
                bands = bands.isel(quantile=idx)
            check_q(bands["quantile"].values)
        self.qs = np.asarray(bands["quantile"].values, dtype=np.float64)
        self.values = np.asarray(bands.values, dtype=np.float64)
        self.years = np.asarray(bands["year"].values)
        n = self.qs.size
        self.pairs = [(k, n - 1 - k) for k in range(n // 2)]
        med = np.flatnonzero(np.isclose(self.qs, 0.5))
        self.median = int(med[0]) if med.size else None

    @property
    def mid(self) -> np.ndarray:
        return self.values[self.median if self.median is not None else self.qs.size // 2]


def _draw_fan(ax: Axes, f: _Fan, *, color: str, prefix: str, overlay: bool, ci: float | None) -> None:
    """Bands (darker inwards), the median and the interval lines of one fan.

    In an overlay of several scenarios the outer bands are only a faint wash with their
    outermost edges drawn as dotted lines, the innermost band is shaded, and every median is
    drawn above every band (``zorder`` 3, with a white outline) so that the scenarios stay
    apart instead of merging into one blob.
    """
    nb = len(f.pairs)
    for k, (i, j) in enumerate(f.pairs):
        if overlay:
            alpha = 0.14 if k == nb - 1 else 0.04
        else:
            alpha = 0.14 + 0.30 * (k + 1) / nb
        label = f"{_qlabel(f.qs[i])}–{_qlabel(f.qs[j])}%" if not overlay else "_nolegend_"
        poly = ax.fill_between(
            f.years, f.values[i], f.values[j], color=color, alpha=alpha, linewidth=0, label=label, zorder=1
        )
        poly.set_gid(f"{prefix}band:{f.qs[i]:g}-{f.qs[j]:g}")
        if overlay and k == 0:
            for e in (i, j):
                (edge,) = ax.plot(
                    f.years, f.values[e], color=color, lw=1.2, ls=(0, (1, 1.5)), label="_nolegend_", zorder=2
                )
                edge.set_gid(f"{prefix}edge:{f.qs[e]:g}")
    if f.median is not None:
        label = f.name if overlay else "median"
        kw: dict[str, Any] = {}
        if overlay:
            from matplotlib import patheffects

            kw["path_effects"] = [patheffects.withStroke(linewidth=3.6, foreground="white")]
        (line,) = ax.plot(
            f.years, f.values[f.median], color=color, lw=2.0, label=label, solid_capstyle="round", zorder=3, **kw
        )
        line.set_gid(f"{prefix}median")
    if f.intervals is not None and ci is not None:
        first = True
        for k, qv in enumerate(f.qs):
            for b, bound in enumerate(("lower", "upper")):
                y = f.intervals[k, :, b]
                y = np.where(np.isfinite(y), y, np.nan)
                label = f"{ci:.0%} MC interval of each edge" if first and not overlay else "_nolegend_"
                first = False
                (line,) = ax.plot(f.years, y, color=color, lw=0.7, ls=(0, (3, 2)), alpha=0.9, label=label, zorder=2.5)
                line.set_gid(f"{prefix}ci:{qv:g}:{bound}")


def _overlay_legend_extras(f: _Fan, ci: float | None) -> list[Any]:
    """Neutral proxy artists that explain an overlay's line styles: outer band edges, inner band, intervals."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out: list[Any] = []
    if f.pairs:
        i, j = f.pairs[0]
        out.append(
            Line2D([], [], color="0.35", lw=1.0, ls=(0, (1, 1.5)), label=f"{_qlabel(f.qs[i])}–{_qlabel(f.qs[j])}%")
        )
        if len(f.pairs) > 1:
            i, j = f.pairs[-1]
            out.append(Patch(facecolor="0.35", alpha=0.3, lw=0, label=f"{_qlabel(f.qs[i])}–{_qlabel(f.qs[j])}%"))
    if f.intervals is not None and ci is not None:
        out.append(Line2D([], [], color="0.35", lw=0.7, ls=(0, (3, 2)), label=f"{ci:.0%} MC interval of each edge"))
    return out


def _finish_fan(
    ax: Axes,
    obj: xr.Dataset | xr.DataArray,
    da: xr.DataArray,
    fans: list[_Fan],
    *,
    log: bool,
    provider: str | None,
    title: str | None,
    legend: bool,
    overlay: bool,
    ylabel: bool = True,
    ci: float | None = None,
) -> None:
    units = str(da.attrs.get("units", ""))
    vmax = max(float(np.nanmax(f.values)) for f in fans)
    percent = units == "1" and vmax <= 1.0
    lo = min(float(np.nanmin(f.values)) for f in fans)
    decades = math.log10(vmax / lo) if log and lo > 0 else None
    unit_label = _value_axis(ax, units, log=log, percent=percent, decades=decades)
    if ylabel:
        ax.set_ylabel(unit_label)
    _year_axis(ax, fans[0].years)
    _style(ax)
    if title is None:
        title = _fan_title(obj, da, provider)
    if title:
        ax.set_title(_wrap(title), loc="left")
    if legend:
        f = fans[0]
        handles, labels = ax.get_legend_handles_labels()
        head = "median" if overlay and f.median is not None else None
        if overlay:
            extras = _overlay_legend_extras(f, ci)
            handles += extras
            labels += [h.get_label() for h in extras]
        trials = {fn.trials for fn in fans}
        if len(trials) == 1 and None not in trials:
            n = f"{trials.pop():,} trials"
            head = f"{head}; {n}" if head else n
        ax.legend(
            handles,
            labels,
            loc="upper left",
            frameon=False,
            fontsize="small",
            title=head,
            title_fontsize="small",
            alignment="left",
        )


def _fan_title(obj: xr.Dataset | xr.DataArray, da: xr.DataArray, provider: str | None) -> str:
    """``long_name``, and the provider's display name for a variable with dim ``provider``."""
    title = str(da.attrs.get("long_name", da.name or ""))
    if provider is not None:
        src = obj if "provider" in obj.coords else da
        title = f"{title}: {_provider_name(src, provider)}"
    return title


def fan(
    obj: xr.Dataset | xr.DataArray,
    var: str | None = None,
    *,
    q: Sequence[float] | None = None,
    provider: str | None = None,
    ax: Any = None,
    color: str | None = None,
    log: bool | None = None,
    title: str | None = None,
    ci: bool | float = False,
    layout: Literal["overlay", "grid"] = "overlay",
    fig: Any = None,
    legend: bool = True,
) -> Axes | Figure:
    """Fan chart: nested percentile bands over the years, the median line, optionally their Monte Carlo error.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        A simulation (dim ``trial``) or precomputed bands (dim ``quantile``, e.g. from
        :func:`cloudsim.percentile_bands`), with dim ``year``; optionally ``provider`` (one is
        drawn, see ``provider``) and ``scenario`` (one fan per scenario, e.g. from
        :func:`cloudsim.risk.compare`).
    var : str, optional
        The variable to draw when ``obj`` is a Dataset, e.g. ``"spend"``.
    q : sequence of float, optional
        Quantiles in [0, 1]; pairs ``(q[k], q[-1-k])`` of the sorted list make the bands (shaded
        darker inwards) and 0.5, if present, the median line.  Default
        ``(0.05, 0.25, 0.5, 0.75, 0.95)`` for a simulation; all the quantiles of precomputed bands
        (or the subset named here).
    provider : str, optional
        For a variable with dim ``provider`` (``share``): which one; default
        ``ds.attrs["seller_name"]`` when present, else the first provider.
    ax : matplotlib.axes.Axes, optional
        Where to draw (overlay layout); a new figure when None.
    color : str, optional
        Colour of a single fan (default ``"C0"``); scenarios take :data:`SCENARIO_COLORS`.
    log : bool, optional
        Log value axis; None chooses it when the values are positive and span orders of
        magnitude (median over 30x, or the outer band over 300x).
    title : str, optional
        None: the variable's ``long_name``; ``""``: no title.
    ci : bool or float
        Draw the Monte Carlo error of every band edge: the order-statistic interval of each
        quantile (:func:`cloudsim.risk.quantile_intervals`) as thin dashed lines; ``True`` means
        a 95% interval, a float gives the probability.  Needs a simulation (dim ``trial``).
    layout : {"overlay", "grid"}
        With a ``scenario`` dim: every fan on one Axes, or small multiples sharing the value axis.
    fig : matplotlib.figure.Figure, optional
        For ``layout="grid"``: the figure to draw into (cleared first).
    legend : bool
        Draw the legend (bands, median, interval; scenario names in an overlay).

    Returns
    -------
    matplotlib.axes.Axes or matplotlib.figure.Figure
        The Axes; the Figure for ``layout="grid"`` with a ``scenario`` dim.

    Raises
    ------
    TypeError
        ``obj`` is not an xarray object; ``ax`` is not an Axes.
    ValueError
        Unknown ``var`` or ``provider``; no ``year`` dim; neither ``trial`` nor ``quantile``; a
        quantile outside [0, 1]; ``ci`` with precomputed bands; an unknown ``layout``.
    """
    ci_prob = _check_ci(ci)
    if q is not None:
        check_q(q)
    if layout not in ("overlay", "grid"):
        raise ValueError(f"layout: must be 'overlay' or 'grid', got {layout!r}")
    da = _select(obj, var)
    if "year" not in da.dims:
        raise ValueError(f"{_name(da)}: has no 'year' dim to draw a fan over (dims: {list(da.dims)})")
    has_provider = "provider" in da.dims
    full = da
    if has_provider and provider is None:
        provider = _default_provider(obj, da)
    da = _select_provider(obj, da, provider)
    kind = _check_sample_dims(da, ("year", "scenario"), "a fan")
    if da.sizes["year"] == 0:
        raise ValueError(f"{_name(da)}: dim 'year' is empty")
    prov = provider if has_provider else None
    named = obj if isinstance(obj, xr.Dataset) else full  # where the provider labels are

    if "scenario" not in da.dims:
        f = _Fan(da, q, ci_prob, kind, None)
        ax = _axes(ax)
        use_log = _wants_log(f.values[0], f.mid, f.values[-1]) if log is None else bool(log)
        _draw_fan(ax, f, color=color or "C0", prefix="", overlay=False, ci=ci_prob)
        _finish_fan(ax, named, da, [f], log=use_log, provider=prov, title=title, legend=legend, overlay=False)
        return ax

    names = [str(s) for s in da["scenario"].values]
    if not names:
        raise ValueError(f"{_name(da)}: dim 'scenario' is empty")
    fans = [_Fan(da.sel(scenario=s), q, ci_prob, kind, s) for s in names]
    if log is None:
        lo = np.concatenate([f.values[0] for f in fans])
        hi = np.concatenate([f.values[-1] for f in fans])
        use_log = all(_wants_log(f.values[0], f.mid, f.values[-1]) for f in fans) or _wants_log(
            lo, np.concatenate([f.mid for f in fans]), hi
        )
    else:
        use_log = bool(log)
    if layout == "overlay":
        ax = _axes(ax)
        for i, f in enumerate(fans):
            _draw_fan(ax, f, color=_scenario_color(i), prefix=f"{f.name}/", overlay=True, ci=ci_prob)
        _finish_fan(
            ax, named, da, fans, log=use_log, provider=prov, title=title, legend=legend, overlay=True, ci=ci_prob
        )
        return ax
    if ax is not None:
        raise ValueError("ax: layout='grid' draws several Axes; pass fig= (or layout='overlay' with ax=)")
    ncols = min(len(fans), 3)
    nrows = math.ceil(len(fans) / ncols)
    if fig is None:
        fig = _pyplot().figure(figsize=(4.6 * ncols + 0.6, 3.6 * nrows + 0.6), layout="constrained")
    else:
        fig.clear()
        if fig.get_layout_engine() is None:
            fig.set_layout_engine("constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False)).ravel()
    for i, f in enumerate(fans):
        a = axes[i]
        _draw_fan(a, f, color=_scenario_color(i), prefix=f"{f.name}/", overlay=False, ci=ci_prob)
        _finish_fan(
            a,
            named,
            da,
            [f],
            log=use_log,
            provider=None,
            title=f.name,
            legend=legend and i == 0,
            overlay=False,
            ylabel=i % ncols == 0,
        )
    for a in axes[len(fans) :]:
        a.set_visible(False)
    if title is None:
        title = _fan_title(named, da, prov)
    if title:
        fig.suptitle(_wrap(title, 90))
    return fig


# ----------------------------------------------------------------------------
# 2. shares
# ----------------------------------------------------------------------------
def shares(
    obj: xr.Dataset | xr.DataArray,
    *,
    q: Sequence[float] = (0.05, 0.5, 0.95),
    stacked: bool = False,
    stat: Literal["median", "mean"] | None = None,
    providers: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    ax: Any = None,
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """Market shares of the providers over the years, one colour per provider (:func:`provider_colors`).

    Providers are named by ``ds["provider"].attrs["labels"]`` (:func:`provider_labels`).

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        A simulation (its ``share`` variable, dims ``trial, year, provider``) or the ``share``
        DataArray itself, or its precomputed bands (dim ``quantile``).
    q : sequence of float
        The band runs from ``min(q)`` to ``max(q)`` (default the 5–95% band); the line is the
        median (0.5 is always computed).
    stacked : bool
        Stack one statistic of each provider's share (``stat``) instead of drawing bands.
    stat : {"mean", "median"}, optional
        For ``stacked=True``: the mean shares (they sum to 100% in every year; the default when
        the trials are there), or the median shares scaled so that those of all the providers
        sum to 100% (medians of shares need not add up; the default for precomputed bands).
        The legend says which.
    providers : sequence of str, optional
        Which providers, in order (default: all).
    colors : mapping of str to colour, optional
        Colours of some providers by name, e.g. ``{"oracle": "black"}``; the others keep their
        :data:`PROVIDER_PALETTE` colour (by position along the ``provider`` coordinate, so a
        subset of ``providers`` does not change them).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        None: the variable's ``long_name``; ``""``: no title.
    legend : bool

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> cloudsim.plot.shares(ds)  # doctest: +SKIP
    >>> cloudsim.plot.shares(ds["share"], stacked=True, colors={ds.attrs["seller_name"]: "black"})  # doctest: +SKIP
    """
    qs = check_q(q)
    if stat not in (None, "median", "mean"):
        raise ValueError(f"stat: must be 'mean', 'median' or None, got {stat!r}")
    if isinstance(obj, xr.Dataset):
        da = _select(obj, "share")
    elif isinstance(obj, xr.DataArray):
        da = obj
    else:
        raise TypeError(f"obj: expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    for d in ("year", "provider"):
        if d not in da.dims:
            raise ValueError(f"{_name(da)}: needs dims 'year' and 'provider' (dims: {list(da.dims)})")
    kind = _check_sample_dims(da, ("year", "provider"), "shares")
    names = [str(p) for p in da["provider"].values]
    if providers is None:
        providers = names
    else:
        providers = [str(p) for p in providers]
        unknown = [p for p in providers if p not in names]
        if unknown:
            raise ValueError(f"providers: {unknown} are not providers of {_name(da)} (providers: {names})")
    if not providers:
        raise ValueError(f"{_name(da)}: no providers to draw")
    lo_q, hi_q = float(qs.min()), float(qs.max())
    want = np.unique(np.concatenate([[lo_q, 0.5, hi_q]]))
    if stat is None:
        stat = "mean" if kind == "trial" else "median"
    if kind == "trial":
        all_bands = percentile_bands(da, want)
        bands = all_bands.sel(provider=providers)  # select after: no copy of the trials
        trials: int | None = int(da.sizes["trial"])
    else:
        have = np.asarray(da["quantile"].values, dtype=np.float64)
        missing = [float(w) for w in want if not np.any(np.isclose(have, w))]
        if missing:
            raise ValueError(f"q: quantiles {missing} are not in the precomputed bands ({have.tolist()})")
        idx = [int(np.argmin(np.abs(have - w))) for w in want]
        all_bands = da.isel(quantile=idx)
        bands = all_bands.sel(provider=providers)
        trials = None
    bands = bands.transpose("quantile", "year", "provider")
    bq = np.asarray(bands["quantile"].values)
    years = np.asarray(bands["year"].values)
    vals = np.asarray(bands.values, dtype=np.float64)
    i_lo, i_med, i_hi = (int(np.argmin(np.abs(bq - v))) for v in (lo_q, 0.5, hi_q))
    palette = provider_colors(da, colors)
    names_of = provider_labels(da)
    colors = [palette[p] for p in providers]

    ax = _axes(ax)
    if stacked:
        if stat == "mean":
            if kind != "trial":
                raise ValueError("stat: 'mean' needs the trials (dim 'trial'), not precomputed bands")
            ys = np.asarray(da.mean("trial").sel(provider=providers).transpose("provider", "year").values)
        else:  # scaled by the sum of every provider's median, so that the whole stack reaches 100%
            med_all = np.asarray(all_bands.isel(quantile=i_med).transpose("year", "provider").values, dtype=np.float64)
            ys = vals[i_med].T / med_all.sum(axis=1)
        polys = ax.stackplot(
            years,
            ys,
            colors=colors,
            labels=[_tx(names_of[p]) for p in providers],
            alpha=0.85,
            linewidth=0.5,
            edgecolor="white",
        )
        for p, poly in zip(providers, polys, strict=True):
            poly.set_gid(f"stack:{p}")
        ax.set_ylim(0, max(1.0, float(ys.sum(axis=0).max())))
        ax.set_ylabel(f"{stat} share (percent)")
        ax.margins(y=0)
    else:
        for k, p in enumerate(providers):
            poly = ax.fill_between(years, vals[i_lo, :, k], vals[i_hi, :, k], color=colors[k], alpha=0.22, lw=0)
            poly.set_gid(f"band:{p}")
            (line,) = ax.plot(years, vals[i_med, :, k], color=colors[k], lw=2.0, label=_tx(names_of[p]))
            line.set_gid(f"median:{p}")
        ax.set_ylim(0, None)
        ax.set_ylabel("share (percent)")
    _value_axis(ax, "1", log=False, percent=True)
    _year_axis(ax, years)
    _style(ax)
    if title is None:
        title = str(da.attrs.get("long_name", "Market share"))
    if title:
        ax.set_title(_wrap(title), loc="left")
    if legend:
        stacked_head = "mean share" if stat == "mean" else "median share, scaled to sum to 100%"
        head = stacked_head if stacked else f"median, {_qlabel(lo_q)}–{_qlabel(hi_q)}%"
        if trials:
            head = f"{head}\n{trials:,} trials"
        handles, labels = ax.get_legend_handles_labels()
        if stacked:  # the top of the stack first
            handles, labels = handles[::-1], labels[::-1]
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
            fontsize="small",
            title=head,
            title_fontsize="small",
            alignment="left",
        )
    return ax


# ----------------------------------------------------------------------------
# 3. distribution
# ----------------------------------------------------------------------------
def distribution(
    obj: xr.Dataset | xr.DataArray,
    var: str | None = None,
    *,
    year: int | None = None,
    thresholds: float | Sequence[float] = (),
    kind: Literal["hist", "cdf"] = "hist",
    provider: str | None = None,
    bins: int = 80,
    ci: float = 0.95,
    log: bool | None = None,
    ax: Any = None,
    color: str = "C0",
    title: str | None = None,
) -> Axes:
    """The distribution of a variable at one year, with the exceedance probability of each threshold.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        A simulation (dim ``trial``), e.g. ``ds["cumulative_spend"]``, or a Dataset and ``var``.
    var : str, optional
        The variable when ``obj`` is a Dataset.
    year : int
        The year to draw (required when the variable has a ``year`` dim).
    thresholds : float or sequence of float
        Each is marked with a vertical line, labelled with ``P(>= threshold)`` over the trials
        and its ``ci`` Wilson interval (:func:`cloudsim.risk.exceedance_probability`), e.g. the
        cumulative spend against a commitment's total: ``P(≥ $10B) = 23.0%`` over
        ``95% CI 22.8–23.2%``.
    kind : {"hist", "cdf"}
        Histogram (share of trials per bin) or empirical cumulative distribution function.
    provider : str, optional
        For a variable with dim ``provider``; default ``ds.attrs["seller_name"]`` when present,
        else the first provider.
    bins : int
        Histogram bins (log-spaced on a log axis).
    ci : float
        Probability of the interval of each exceedance probability.
    log : bool, optional
        Log value axis; None chooses it for positive values whose 1% and 99% quantiles are
        more than 10x apart.  The axis shows the central 99.8% of trials and every threshold.
    ax : matplotlib.axes.Axes, optional
    color : str
    title : str, optional
        None: ``long_name, year``; ``""``: no title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> total = ds["cumulative_spend"].attrs["commitment_total"]  # doctest: +SKIP
    >>> cloudsim.plot.distribution(ds["cumulative_spend"], year=2032, thresholds=[total])  # doctest: +SKIP
    >>> cloudsim.plot.distribution(ds["spend"], year=2028, kind="cdf")  # doctest: +SKIP
    """
    if kind not in ("hist", "cdf"):
        raise ValueError(f"kind: must be 'hist' or 'cdf', got {kind!r}")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins: a positive integer, got {bins!r}")
    ci = check_ci(ci)
    from .risk import exceedance_probability

    da = _select(obj, var)
    da = _select_provider(obj, da, provider)
    if "year" in da.dims:
        years = [int(y) for y in da["year"].values]
        if year is None:
            raise ValueError(f"year: required, {_name(da)} has dim 'year' (years: {years})")
        if int(year) not in years:
            raise ValueError(f"year: {year!r} is not a year of {_name(da)} (years: {years})")
        da = da.sel(year=int(year))
    elif year is not None:
        raise ValueError(f"year: {_name(da)} has no 'year' dim (dims: {list(da.dims)})")
    if "trial" not in da.dims:
        raise ValueError(f"{_name(da)}: needs the trials (dim 'trial') to draw a distribution (dims: {list(da.dims)})")
    if da.dims != ("trial",):
        extra = [d for d in da.dims if d != "trial"]
        raise ValueError(f"{_name(da)}: select one value of {extra} first (dims: {list(da.dims)})")
    if da.sizes["trial"] == 0:
        raise ValueError(f"{_name(da)}: dim 'trial' is empty")
    try:
        thr = np.atleast_1d(np.asarray(thresholds, dtype=np.float64)).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"thresholds: expected a number or a sequence of numbers, got {thresholds!r}") from None
    if thr.size and not np.all(np.isfinite(thr)):
        raise ValueError(f"thresholds: must be finite numbers, got {thr.tolist()}")
    x = np.asarray(da.values, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{_name(da)}: has non-finite values; cannot draw its distribution")
    units = str(da.attrs.get("units", ""))
    n = x.size
    edges_q = np.quantile(x, [0.001, 0.01, 0.5, 0.99, 0.999])
    use_log = bool(edges_q[0] > 0 and edges_q[3] / edges_q[1] > 10) if log is None else bool(log)
    if use_log and np.any(x <= 0):
        raise ValueError(f"log: {_name(da)} has values <= 0; use log=False")
    lo, hi = float(edges_q[0]), float(edges_q[-1])
    if thr.size:
        lo, hi = min(lo, float(thr.min())), max(hi, float(thr.max()))
    if use_log:
        pad = (hi / lo) ** 0.03
        lo, hi = lo / pad, hi * pad
    else:
        pad = 0.03 * (hi - lo) if hi > lo else max(abs(lo), 1.0) * 0.05
        lo, hi = lo - pad, hi + pad
    percent = units == "1" and edges_q[-1] <= 1.0 and edges_q[0] >= 0.0

    ax = _axes(ax)
    if kind == "hist":
        edges = np.geomspace(lo, hi, bins + 1) if use_log else np.linspace(lo, hi, bins + 1)
        counts, _ = np.histogram(x, bins=edges)
        art = ax.stairs(counts / n, edges, fill=True, color=color, alpha=0.55, label="_nolegend_")
        art.set_gid("hist")
        ax.stairs(counts / n, edges, color=color, lw=0.8, label="_nolegend_")
        ax.set_ylabel("share of trials per bin")
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.set_ylim(0, 1.12 * float(counts.max()) / n if counts.max() > 0 else 1.0)
    else:
        p = np.linspace(0.0, 1.0, 1001)
        xs = np.quantile(x, p)
        (line,) = ax.plot(xs, p, color=color, lw=2.0, drawstyle="steps-post", label="_nolegend_")
        line.set_gid("cdf")
        ax.set_ylabel("P(X ≤ x)")
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.set_ylim(0, 1)
    decades = math.log10(hi / lo) if use_log else None
    unit_label = _value_axis(ax, units, log=use_log, percent=percent, axis="x", decades=decades)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(unit_label)
    med = float(edges_q[2])
    ax.axvline(med, color="0.25", lw=1.0, ls=":", label=_tx(f"median {_format_value(units, med, percent=percent)}"))
    if thr.size:
        ex = exceedance_probability(da, thr, ci=ci)
        prob = np.asarray(ex["probability"].values, dtype=np.float64)
        pci = np.asarray(ex["probability_ci"].values, dtype=np.float64)
        span = (math.log(hi) - math.log(lo)) if use_log else (hi - lo)
        for k, t in enumerate(thr):
            c = f"C{(k + 3) % 10}"
            tv = _format_value(units, float(t), percent=percent)
            p_txt, lo_txt, hi_txt = probability_interval(prob[k], pci[k, 0], pci[k, 1])
            text = f"P(≥ {tv}) = {p_txt}\n{ci:.0%} CI {lo_txt}–{hi_txt}"
            line = ax.axvline(t, color=c, lw=1.6, label="_nolegend_")
            line.set_gid(f"threshold:{t:g}")
            frac = ((math.log(t) - math.log(lo)) if use_log else (t - lo)) / span if span > 0 else 0.5
            right = frac < 0.62
            ax.annotate(
                _tx(text),
                xy=(t, 0.97 - 0.16 * k),
                xycoords=("data", "axes fraction"),
                xytext=(5 if right else -5, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="top",
                fontsize="small",
                color=c,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": c, "alpha": 0.9, "lw": 0.8},
                gid=f"threshold_text:{t:g}",
            )
    _style(ax)
    if title is None:
        title = str(da.attrs.get("long_name", da.name or ""))
        if "provider" in da.coords and da["provider"].ndim == 0:
            src = obj if "provider" in obj.coords and obj["provider"].ndim == 1 else da
            title = f"{title}: {_provider_name(src, str(da['provider'].values))}"
        if year is not None:
            title = f"{title}, {int(year)}"
    if title:
        ax.set_title(_wrap(title), loc="left")
    leg = ax.legend(
        loc="upper left",
        frameon=False,
        fontsize="small",
        title=f"{n:,} trials",
        title_fontsize="small",
        alignment="left",
    )
    labels = [t for t in ax.texts if str(t.get_gid() or "").startswith("threshold_text:")]
    if labels:
        _place_legend_clear_of(ax, leg, labels)
    return ax


#: Legend positions tried, in order, to keep a legend clear of labels drawn in the axes.
_LEGEND_SPOTS = ("upper left", "upper right", "center left", "center right", "lower left", "lower right")


def _place_legend_clear_of(ax: Axes, leg: Any, artists: Sequence[Any]) -> None:
    """Keep ``leg`` at the first spot in :data:`_LEGEND_SPOTS` clear of every one of ``artists``, else outside.

    The choice is made again each time the legend is drawn, with the final layout (a figure's
    layout engine moves and resizes axes at draw time, and text keeps its size in points).
    """
    placer = _LegendPlacer(ax, leg, list(artists))
    placer.place(ax.figure.canvas.get_renderer())
    leg.draw = placer.draw


class _LegendPlacer:
    """Moves a legend off the labels drawn in its axes, just before the legend is drawn."""

    def __init__(self, ax: Axes, leg: Any, artists: list[Any]) -> None:
        self.ax, self.leg, self.artists = ax, leg, artists

    def _boxes(self, renderer: Any) -> list[Any]:
        out = []
        for a in self.artists:
            patch = a.get_bbox_patch() if hasattr(a, "get_bbox_patch") else None
            if patch is not None:
                a.update_bbox_position_size(renderer)
                out.append(patch.get_window_extent(renderer))
            else:
                out.append(a.get_window_extent(renderer))
        return out

    def place(self, renderer: Any) -> None:
        leg = self.leg
        leg.set_bbox_to_anchor(None)
        boxes = self._boxes(renderer)
        for spot in _LEGEND_SPOTS:
            leg.set_loc(spot)
            box = leg.get_window_extent(renderer)
            if not any(box.overlaps(b) for b in boxes):
                return
        leg.set_loc("upper left")
        leg.set_bbox_to_anchor((1.01, 1.0), transform=self.ax.transAxes)

    def draw(self, renderer: Any) -> None:
        from matplotlib.legend import Legend

        self.place(renderer)
        Legend.draw(self.leg, renderer)


def _percent_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(_percent_tick)


# ----------------------------------------------------------------------------
# 4. claims
# ----------------------------------------------------------------------------
def claims(
    ds: xr.Dataset | pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    ci: float = 0.95,
    ax: Any = None,
    title: str | None = None,
    annotate: bool = True,
) -> Axes:
    """Each claim check: the stated probability (open diamond) against the simulated one (dot) and its interval.

    The claims are *inputs* of the model: each one calibrates an input distribution, so the
    simulation reproduces it by construction and agreement here checks the calibration (the
    Monte Carlo error, a mis-specified claim), not the claim.  What the claims imply is in the
    other plots, e.g. :func:`commitments`.

    Parameters
    ----------
    ds : xarray.Dataset or pandas.DataFrame
        A simulation of ``scenario``, or the table :func:`cloudsim.check_claims` returned.
    scenario : cloudsim.Scenario, optional
        Default: read from ``ds.attrs["scenario"]``.
    ci : float
        Probability of the Wilson interval of each simulated probability.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        None: a default title; ``""``: none.
    annotate : bool
        Write the simulated probability and its interval next to each dot.

    Returns
    -------
    matplotlib.axes.Axes
        A check whose interval misses the stated probability is drawn in red.
    """
    if isinstance(ds, pd.DataFrame):
        table = ds
        need = {"metric", "statement", "year", "stated", "simulated", "ci_lower", "ci_upper"}
        missing = sorted(need - set(table.columns))
        if missing:
            raise ValueError(f"ds: a claims table needs columns {sorted(need)}; missing {missing}")
    else:
        from .risk import check_claims

        ds = _check_dataset(ds)
        if "scenario" in ds.dims:
            raise ValueError("ds: has a 'scenario' dim; select one scenario first, e.g. ds.sel(scenario='a')")
        table = check_claims(ds, _check_scenario(scenario, ds), ci=ci)
    if len(table) == 0:
        raise ValueError("ds: no claim checks to draw")
    ax = _axes(ax, figsize=(8.0, 0.55 * len(table) + 1.6))
    y = np.arange(len(table))[::-1].astype(float)
    sim = table["simulated"].to_numpy(dtype=np.float64)
    lo = table["ci_lower"].to_numpy(dtype=np.float64)
    hi = table["ci_upper"].to_numpy(dtype=np.float64)
    stated = table["stated"].to_numpy(dtype=np.float64)
    holds = (lo <= stated) & (stated <= hi)
    for ok, c, lab in ((True, "C0", f"simulated, {ci:.0%} interval"), (False, "C3", "simulated: claim not met")):
        m = holds == ok
        if not m.any():
            continue
        eb = ax.errorbar(
            sim[m],
            y[m],
            xerr=[sim[m] - lo[m], hi[m] - sim[m]],
            fmt="o",
            color=c,
            ms=6,
            capsize=4,
            elinewidth=1.6,
            label=lab,
            zorder=3,
        )
        eb.lines[0].set_gid("simulated" if ok else "simulated_off")
    st = ax.scatter(
        stated, y, marker="D", s=70, facecolors="none", edgecolors="black", linewidths=1.3, zorder=4, label="stated"
    )
    st.set_gid("stated")
    labels = []
    for r in table.itertuples():
        cond = str(r.statement).rsplit(" = ", 1)[0]
        labels.append(f"{r.metric}, {r.year}\n{cond}")
    ax.set_yticks(y, labels, fontsize="small")
    ax.set_ylim(-0.7, len(table) - 0.3)
    ax.xaxis.set_major_formatter(_percent_formatter())
    span_lo = float(min(lo.min(), stated.min()))
    span_hi = float(max(hi.max(), stated.max()))
    pad = max(0.06, 0.12 * (span_hi - span_lo))
    ax.set_xlim(max(0.0, span_lo - pad), min(1.0, span_hi + pad * (2.2 if annotate else 1.0)))
    ax.set_xlabel("probability")
    if annotate:
        for k in range(len(table)):
            ax.annotate(
                "{} ({}–{})".format(*probability_interval(sim[k], lo[k], hi[k])),
                xy=(max(hi[k], stated[k]), y[k]),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize="x-small",
                color="0.3",
            )
    _style(ax)
    ax.grid(False, axis="y")
    if title is None:
        title = "Claims (inputs of the model): stated vs simulated probability"
    if title:
        ax.set_title(_wrap(title), loc="left")
    ax.legend(loc="lower right", frameon=True, framealpha=0.9, edgecolor="none", fontsize="small")
    return ax


# ----------------------------------------------------------------------------
# 5. convergence and dashboard
# ----------------------------------------------------------------------------
def convergence(
    history: pd.DataFrame,
    *,
    relative: bool | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Estimates of :func:`cloudsim.runs.simulate_until`'s targets and their intervals against the trial count.

    Parameters
    ----------
    history : pandas.DataFrame
        The history :func:`cloudsim.runs.simulate_until` returns (columns ``trials``,
        ``target``, ``estimate``, ``ci_lower``, ``ci_upper``; ``tolerance`` and ``met`` if
        present are drawn too: the final estimate ± tolerance as dotted lines, met steps as
        filled markers).
    relative : bool, optional
        Divide each target by its final estimate so that several targets share one axis;
        None: when there is more than one target.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"history: expected the DataFrame simulate_until returns, got {type(history).__name__}")
    need = ["trials", "target", "estimate", "ci_lower", "ci_upper"]
    missing = [c for c in need if c not in history.columns]
    if missing:
        raise ValueError(f"history: missing columns {missing} (expected simulate_until's history)")
    if len(history) == 0:
        raise ValueError("history: is empty")
    targets = list(dict.fromkeys(history["target"].astype(str)))
    if relative is None:
        relative = len(targets) > 1
    ax = _axes(ax)
    for i, t in enumerate(targets):
        h = history[history["target"].astype(str) == t].sort_values("trials")
        n = h["trials"].to_numpy(dtype=np.float64)
        est, lo, hi = (h[c].to_numpy(dtype=np.float64) for c in ("estimate", "ci_lower", "ci_upper"))
        final = est[-1]
        scale = final if relative and final != 0 else 1.0
        c = f"C{i % 10}"
        ax.fill_between(n, lo / scale, hi / scale, color=c, alpha=0.2, lw=0).set_gid(f"interval:{t}")
        (line,) = ax.plot(n, est / scale, color=c, lw=1.5, label=t)
        line.set_gid(f"estimate:{t}")
        met = h["met"].to_numpy(dtype=bool) if "met" in h else np.zeros(n.size, dtype=bool)
        ax.scatter(n[met], est[met] / scale, color=c, s=28, zorder=3)
        ax.scatter(n[~met], est[~met] / scale, facecolors="white", edgecolors=c, s=28, zorder=3)
        if "tolerance" in h:
            tol = float(h["tolerance"].to_numpy(dtype=np.float64)[-1])
            for s in (-1, 1):
                ax.axhline((final + s * tol) / scale, color=c, lw=0.8, ls=":")
    from matplotlib.ticker import FuncFormatter

    trials = history["trials"].to_numpy(dtype=np.float64)
    if trials.max() / max(trials.min(), 1.0) > 4:
        from matplotlib.ticker import LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        if math.log10(trials.max() / max(trials.min(), 1.0)) <= 2.5:
            ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(format_count))
    ax.set_xlabel("trials")
    ax.set_ylabel("estimate / final estimate" if relative else "estimate")
    _style(ax)
    if title is None:
        conv = history.attrs.get("converged")
        state = "" if conv is None else (": converged" if conv else ": not converged")
        title = f"Convergence{state}"
    if title:
        ax.set_title(_wrap(title), loc="left")
    ci = float(history.attrs.get("ci_prob", 0.95))
    head = f"estimate, {ci:.0%} interval; dotted: tolerance"
    ax.legend(loc="best", frameon=False, fontsize="small", title=head, title_fontsize="small", alignment="left")
    return ax


class _Commitment(NamedTuple):
    """One commitment as a Dataset records it."""

    name: str
    label: str
    total: float  # NaN when the amount is drawn per trial
    first: int
    last: int
    met: np.ndarray | None  # bool per trial (``commitment_met``), None if not recorded


def _parse_years(text: Any) -> tuple[int, int] | None:
    try:
        first, last = (int(p) for p in str(text).replace("–", "-").split("-"))
    except ValueError:
        return None
    return first, last


def _commitment_list(ds: xr.Dataset) -> list[_Commitment]:
    """Every commitment of a simulation: the ``commitment`` coords (several) or the variable attrs (one)."""
    out: list[_Commitment] = []
    met = ds["commitment_met"] if "commitment_met" in ds.data_vars else None
    if "commitment" in ds.dims:
        for k, name in enumerate(str(c) for c in ds["commitment"].values):
            years = _parse_years(ds["commitment_years"].values[k]) if "commitment_years" in ds.coords else None
            total = float(ds["commitment_total"].values[k]) if "commitment_total" in ds.coords else math.nan
            if years is None:
                raise ValueError(f"ds: commitment {name!r} records no years (coord 'commitment_years')")
            m = None if met is None else np.asarray(met.isel(commitment=k).values, dtype=bool)
            money = format_money(total) if math.isfinite(total) else "drawn"
            out.append(_Commitment(name, f"{name} ({money}, {years[0]}–{years[1]})", total, *years, m))
        return out
    for var in ("commitment_met", "cumulative_spend", "commitment_shortfall"):
        attrs = ds[var].attrs if var in ds.data_vars else {}
        years = _parse_years(attrs.get("commitment_years", ""))
        if "commitment_total" in attrs and years is not None:
            total = float(attrs["commitment_total"])
            money = f"{format_money(total)} " if math.isfinite(total) else ""
            label = f"{money}commitment ({years[0]}–{years[1]})"
            m = None if met is None else np.asarray(met.values, dtype=bool)
            return [_Commitment("commitment", label, total, *years, m)]
    raise ValueError(
        "ds: records no commitment (no commitment_total/commitment_years attrs on commitment_met or "
        "cumulative_spend, and no 'commitment' coords); expected a simulation of a scenario with commitments"
    )


def _cumulative_since(ds: xr.Dataset, first: int) -> xr.DataArray:
    """Cumulative spend from ``first`` on: ``cumulative_spend`` when it starts then, else summed from ``spend``."""
    cum = ds["cumulative_spend"] if "cumulative_spend" in ds.data_vars else None
    if cum is not None and cum.attrs.get("since") == first:
        return cum
    if "spend" not in ds.data_vars:
        raise ValueError(f"ds: needs 'spend' (or 'cumulative_spend' since {first}) to sum spend from {first}")
    spend = ds["spend"]
    return spend.where(spend["year"] >= first, 0.0).cumsum("year")


def _met_probability(c: _Commitment, ds: xr.Dataset, ci: float) -> tuple[float, float, float, int]:
    """P(commitment met) over the trials with its Wilson interval: (p, lower, upper, trials)."""
    from .risk import wilson

    if c.met is not None:
        met = c.met
    else:  # no per-trial outcome recorded: the total reached by the last year
        met = np.asarray(_cumulative_since(ds, c.first).sel(year=c.last).values >= c.total, dtype=bool)
    n, k = int(met.size), int(np.count_nonzero(met))
    lo, hi = wilson(k, n, ci)
    return k / n, float(lo), float(hi), n


def commitments(
    ds: xr.Dataset,
    *,
    ci: float = 0.95,
    ax: Any = None,
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """Will each commitment be met?  P(met) with its Wilson interval, and when the total is reached.

    For each commitment (one, or several along a ``commitment`` dim, named by its coordinate
    value): a dot with whiskers at its last year, ``P(commitment met)`` over the trials
    (``commitment_met``) and its ``ci`` Wilson interval; and a line with a band,
    ``P(cumulative spend since the first year >= the total)`` in each year up to the last,
    with the Wilson interval of each year.  (For a commitment in tranches the dot also needs
    every earlier tranche on time, so it may sit below the line.)

    Parameters
    ----------
    ds : xarray.Dataset
        A simulation of one scenario; commitments are read from the attrs of ``commitment_met``
        (``commitment_total``, ``commitment_years``) or the ``commitment`` coords.
    ci : float
        Probability of the Wilson intervals.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        None: a default title; ``""``: none.
    legend : bool

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> cloudsim.plot.commitments(ds)  # doctest: +SKIP
    >>> float(ds["commitment_met"].mean())  # the dot  # doctest: +SKIP
    """
    from .risk import wilson

    ds = _check_dataset(ds)
    if "scenario" in ds.dims:
        raise ValueError("ds: has a 'scenario' dim; select one scenario first, e.g. ds.sel(scenario='a')")
    ci = _check_ci(ci) or 0.95
    coms = _commitment_list(ds)
    ax = _axes(ax)
    many = len(coms) > 1
    first_all, last_all = min(c.first for c in coms), max(c.last for c in coms)
    n = 0
    for k, c in enumerate(coms):
        color = f"C{(k + 3) % 10}"
        p, lo, hi, n = _met_probability(c, ds, ci)
        if math.isfinite(c.total):
            cum = _cumulative_since(ds, c.first).sel(year=slice(c.first, c.last))
            years = np.asarray(cum["year"].values)
            x = np.asarray(cum.transpose(..., "year").values, dtype=np.float64).reshape(-1, years.size)
            hits = np.count_nonzero(x >= c.total, axis=0)
            plo, phi = wilson(hits, x.shape[0], ci)
            ax.fill_between(years, plo, phi, color=color, alpha=0.2, lw=0).set_gid(f"reached_ci:{c.name}")
            what = f"{c.label}: " if many else ""
            (line,) = ax.plot(
                years,
                hits / x.shape[0],
                color=color,
                lw=1.5,
                marker="o",
                ms=3.5,
                label=_tx(f"{what}P(cumulative ≥ {format_money(c.total)}) by year"),
            )
            line.set_gid(f"reached:{c.name}")
        eb = ax.errorbar(
            [c.last],
            [p],
            yerr=[[p - lo], [hi - p]],
            fmt="D",
            color=color,
            ms=7,
            capsize=5,
            elinewidth=2.0,
            zorder=4,
            label=_tx(f"{c.label}: P(met)" if many else f"P(commitment met), {ci:.0%} Wilson interval"),
        )
        eb.lines[0].set_gid(f"met:{c.name}")
        p_txt, lo_txt, hi_txt = probability_interval(p, lo, hi)
        ax.annotate(
            f"P(met) = {p_txt}\n{ci:.0%} CI {lo_txt}–{hi_txt}",
            xy=(c.last, p),
            xytext=(-10, 10 + 26 * k),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize="small",
            color=color,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": color, "alpha": 0.9, "lw": 0.8},
            gid=f"met_text:{c.name}",
        )
    _year_axis(ax, np.arange(first_all, last_all + 1))
    ax.set_xlim(first_all - 0.4, last_all + 0.4)
    ax.set_ylim(0.0, 1.0)
    ax.yaxis.set_major_formatter(_percent_formatter())
    ax.set_ylabel("probability")
    _style(ax)
    if title is None:
        title = "Will the commitments be met?" if many else f"Will the {coms[0].label} be met?"
    if title:
        ax.set_title(_wrap(title), loc="left")
    if legend:
        ax.legend(
            loc="upper left",
            frameon=False,
            fontsize="small",
            title=f"{n:,} trials",
            title_fontsize="small",
            alignment="left",
        )
    return ax


def _claims_note(ds: xr.Dataset) -> str:
    """The line that says the claims are inputs: "The claims (spend, ... in 2028) are inputs ..."."""
    text = ds.attrs.get("claim_years")
    pairs = []
    if isinstance(text, str):
        for part in text.split(","):
            key, _, year = part.partition("=")
            if key.strip():
                pairs.append((key.strip(), year.strip()))
    if pairs and len({y for _, y in pairs}) == 1:
        keys = [k for k, _ in pairs]
        listed = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
        which = f"The claims ({listed}, {pairs[0][1]})"
    elif pairs:
        which = "The claims (" + ", ".join(f"{k} {y}" for k, y in pairs) + ")"
    else:
        which = "The claims"
    return (
        f"{which} are inputs of the model: the simulation reproduces them by construction, so they are not "
        "evidence. What they imply is shown: the spend, the shares and whether the commitments are met "
        "(cloudsim.plot.claims draws the calibration check)."
    )


def dashboard(
    ds: xr.Dataset,
    scenario: Scenario | None = None,
    *,
    fig: Any = None,
    q: Sequence[float] | None = None,
    ci: bool | float = False,
    bands: xr.Dataset | None = None,
    colors: Mapping[str, str] | None = None,
    figsize: tuple[float, float] = DASHBOARD_FIGSIZE,
) -> Figure:
    """One figure, four panels: spend fan, provider shares, cumulative spend vs the commitment(s), P(met).

    Reads the headline variables by name (``spend``, ``share``, ``cumulative_spend``,
    ``commitment_met``), the commitments from their attrs (``commitment_total``,
    ``commitment_years``) or the ``commitment`` coords, and the names from ``ds.attrs``
    (``buyer``, ``seller``, ``scenario_name``) and the variables' ``long_name``.  The claims are
    inputs of the model, so the dashboard does not "check" them (a line at the bottom says so);
    :func:`claims` draws that calibration check.

    Parameters
    ----------
    ds : xarray.Dataset
        A simulation (:func:`cloudsim.simulate`) of one scenario.
    scenario : cloudsim.Scenario, optional
        Only for the title (its name); default ``ds.attrs["scenario_name"]``.
    fig : matplotlib.figure.Figure, optional
        Drawn into (cleared first); a new ``figsize`` figure when None.
    q : sequence of float, optional
        Quantiles of the spend fan.
    ci : bool or float
        Monte Carlo intervals of the spend fan's band edges (see :func:`fan`).
    bands : xarray.Dataset, optional
        ``cloudsim.percentile_bands(ds)`` if already computed (with ``spend`` and ``share``,
        quantiles including 0.05, 0.5 and 0.95): the fan and the shares are drawn from it
        instead of being computed from the trials again.
    colors : mapping of str to colour, optional
        Provider colours for the shares panel (see :func:`shares`).
    figsize : (float, float)

    Returns
    -------
    matplotlib.figure.Figure
        Axes in order: spend fan, shares, distribution of cumulative spend at the last
        commitment year with each commitment total marked (P(≥ total) and its interval), and
        :func:`commitments` (P(each commitment met) with its Wilson interval).

    Examples
    --------
    >>> fig = cloudsim.plot.dashboard(ds)  # doctest: +SKIP
    >>> fig = ds.cloudsim.plot.dashboard(bands=cloudsim.percentile_bands(ds))  # doctest: +SKIP
    """
    from .scenario import Scenario

    ds = _check_dataset(ds)
    if "scenario" in ds.dims:
        raise ValueError("ds: has a 'scenario' dim; select one scenario, e.g. dashboard(ds.sel(scenario='a'))")
    missing = [v for v in ("spend", "share", "cumulative_spend") if v not in ds.data_vars]
    if missing:
        raise ValueError(f"ds: not a cloudsim simulation, missing variables {missing}")
    if scenario is not None and not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    coms = _commitment_list(ds)
    if bands is not None:
        if not isinstance(bands, xr.Dataset) or "quantile" not in bands.dims:
            raise TypeError("bands: expected the Dataset cloudsim.percentile_bands(ds) returns (dim 'quantile')")
        missing = [v for v in ("spend", "share") if v not in bands.data_vars]
        if missing:
            raise ValueError(f"bands: missing variables {missing}; pass cloudsim.percentile_bands(ds)")
    if fig is None:
        fig = _pyplot().figure(figsize=figsize, layout="constrained")
    else:
        fig.clear()
        if fig.get_layout_engine() is None:
            fig.set_layout_engine("constrained")
    axes = fig.subplots(2, 2)
    src = ds if bands is None else bands
    fan(ds if ci else src, "spend", q=q, ax=axes[0, 0], ci=ci)
    shares(src, ax=axes[0, 1], colors=colors)
    last = max(c.last for c in coms)
    totals = [c.total for c in coms if math.isfinite(c.total)]
    cum = ds["cumulative_spend"]
    head = str(cum.attrs.get("long_name", "Cumulative spend"))
    if len(coms) == 1:
        c = coms[0]
        cum_title = f"{head}, by {last}, vs the {c.label}"
    else:
        cum_title = f"{head}, by {last}, vs the commitments ({', '.join(format_money(t) for t in totals)})"
    distribution(ds, "cumulative_spend", year=last, thresholds=totals, ax=axes[1, 0], title=cum_title)
    commitments(ds, ax=axes[1, 1])
    n = int(ds.sizes["trial"])
    seed = ds.attrs.get("seed", "?")
    name = scenario.name if scenario is not None else ds.attrs.get("scenario_name", "")
    who = " and ".join(str(ds.attrs[k]) for k in ("buyer", "seller") if ds.attrs.get(k))
    parts = [p for p in (str(name), who) if p]
    fig.suptitle(
        _tx(f"cloudsim: {' — '.join(parts)} — {n:,} trials, seed {seed}" if parts else f"{n:,} trials, seed {seed}"),
        fontsize="x-large",
        fontweight="bold",
    )
    note = fig.supxlabel(_tx(textwrap.fill(_claims_note(ds), 170)), fontsize="small", color="0.3")
    note.set_gid("claims_note")
    return fig


# ----------------------------------------------------------------------------
# 6. accessor
# ----------------------------------------------------------------------------
def _forward(func: Any) -> Any:
    """A method that calls ``func(self._obj, ...)``, with ``func``'s name, docstring and signature."""

    @functools.wraps(func)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return func(self._obj, *args, **kwargs)

    return method


class PlotAccessor:
    """``ds.cloudsim.plot.<function>(...)`` calls ``cloudsim.plot.<function>(ds, ...)``.

    Holds only the object, like xarray's ``ds.plot``; calling it draws the dashboard of a
    Dataset or the fan of a DataArray.  ``PlotAccessor(ds)`` of a Dataset is a
    :class:`DatasetPlotAccessor`, which adds the Dataset-only plots (:func:`claims`,
    :func:`commitments`, :func:`dashboard`).

    Examples
    --------
    >>> ds.cloudsim.plot.fan("spend", ci=True)  # doctest: +SKIP
    >>> ds["share"].cloudsim.plot.fan(provider=ds.attrs["seller_name"])  # doctest: +SKIP
    >>> total = ds["commitment_met"].attrs["commitment_total"]  # doctest: +SKIP
    >>> ds.cloudsim.plot.distribution("cumulative_spend", year=2032, thresholds=[total])  # doctest: +SKIP
    """

    __slots__ = ("_obj",)

    def __new__(cls, obj: xr.Dataset | xr.DataArray) -> PlotAccessor:
        if cls is PlotAccessor and isinstance(obj, xr.Dataset):
            cls = DatasetPlotAccessor
        return super().__new__(cls)

    def __init__(self, obj: xr.Dataset | xr.DataArray) -> None:
        self._obj = obj

    def __call__(self, **kwargs: Any) -> Axes | Figure:
        """:func:`dashboard` for a Dataset, :func:`fan` for a DataArray."""
        if isinstance(self._obj, xr.Dataset):
            return dashboard(self._obj, **kwargs)
        return fan(self._obj, **kwargs)

    fan = _forward(fan)
    shares = _forward(shares)
    distribution = _forward(distribution)


class DatasetPlotAccessor(PlotAccessor):
    """:class:`PlotAccessor` of a Dataset: also the plots that need the whole simulation."""

    __slots__ = ()

    claims = _forward(claims)
    commitments = _forward(commitments)
    dashboard = _forward(dashboard)
