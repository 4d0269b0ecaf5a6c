"""Fans over the years: percentile bands with their Monte Carlo error (:func:`fan`), per provider (:func:`shares`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

from ..risk import DEFAULT_QUANTILES, check_q, percentile_bands
from ._style import (
    _axes,
    _check_ci,
    _check_sample_dims,
    _default_provider,
    _name,
    _provider_name,
    _pyplot,
    _qlabel,
    _scenario_color,
    _select,
    _select_provider,
    _style,
    _tx,
    _value_axis,
    _wants_log,
    _wrap,
    _year_axis,
    provider_colors,
    provider_labels,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["fan", "shares"]


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
                from ..risk import quantile_intervals

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
