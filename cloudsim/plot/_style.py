"""Shared pieces of every plot: palettes, money and percent formats, axes and legends, the checks each plot makes."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..scenario import Scenario

__all__ = [
    "DASHBOARD_FIGSIZE",
    "FIGSIZE",
    "PROVIDER_PALETTE",
    "SCENARIO_COLORS",
    "format_count",
    "format_money",
    "provider_colors",
    "provider_labels",
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
    from .._format import money

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
    from ..scenario import Scenario

    text = ds.attrs.get("scenario")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            "scenario: not given and ds.attrs has no 'scenario' (the TOML text cloudsim.simulate records); "
            "pass the Scenario"
        )
    return Scenario.from_toml(text, origin="ds.attrs['scenario']")


def _check_scenario(scenario: Any, ds: xr.Dataset) -> Scenario:
    from ..scenario import Scenario

    if scenario is None:
        return _scenario_from_attrs(ds)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    return scenario


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
