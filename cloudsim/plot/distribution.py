"""The distribution of one output at one year: histogram or CDF with exceedance probabilities."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import xarray as xr

from .._checks import check_ci
from .._format import probability_interval
from ._style import (
    _axes,
    _format_value,
    _name,
    _percent_formatter,
    _place_legend_clear_of,
    _provider_name,
    _select,
    _select_provider,
    _style,
    _tx,
    _value_axis,
    _wrap,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


__all__ = ["distribution"]


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
        A simulation (dim ``trial``), e.g. ``ds["cumulative_spend"]``, or a Dataset and ``var``;
        or a summary from :func:`cloudsim.summarize` and ``var``: its fixed-bin histogram
        (``bins`` is then the summary's), the CDF at its bin edges, and the exceedance
        probabilities of the thresholds it counted (``thresholds`` must be among them).
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
    from ..risk import exceedance_probability
    from ..risk._from_summary import is_summary

    try:
        thr = np.atleast_1d(np.asarray(thresholds, dtype=np.float64)).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"thresholds: expected a number or a sequence of numbers, got {thresholds!r}") from None
    if thr.size and not np.all(np.isfinite(thr)):
        raise ValueError(f"thresholds: must be finite numbers, got {thr.tolist()}")
    if is_summary(obj):
        s = _summary_distribution(obj, var, year, provider, thr, ci)
        da, n, units, x = s.da, s.n, s.units, None
        edges_q = s.edges_q
    else:
        da = _select(obj, var)
        da = _select_provider(obj, da, provider)
        da = _at_year(da, year)
        if "trial" not in da.dims:
            raise ValueError(
                f"{_name(da)}: needs the trials (dim 'trial') or a summary (cloudsim.summarize) to draw a "
                f"distribution (dims: {list(da.dims)})"
            )
        if da.dims != ("trial",):
            extra = [d for d in da.dims if d != "trial"]
            raise ValueError(f"{_name(da)}: select one value of {extra} first (dims: {list(da.dims)})")
        if da.sizes["trial"] == 0:
            raise ValueError(f"{_name(da)}: dim 'trial' is empty")
        x = np.asarray(da.values, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{_name(da)}: has non-finite values; cannot draw its distribution")
        units = str(da.attrs.get("units", ""))
        n = x.size
        edges_q = np.quantile(x, [0.001, 0.01, 0.5, 0.99, 0.999])
    use_log = bool(edges_q[0] > 0 and edges_q[3] / edges_q[1] > 10) if log is None else bool(log)
    if use_log and (edges_q[0] <= 0 if x is None else np.any(x <= 0)):
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
        if x is None:  # a summary: its fixed bins (between the 0.1% and 99.9% quantiles), of unequal widths
            edges = s.edges
            width = np.diff(np.log(edges)) if use_log and edges[0] > 0 else np.diff(edges)
            # heights as the share of trials in a bin of the mean width, so the shape is not distorted
            counts = s.counts * (np.mean(width) / np.where(width > 0, width, np.inf))
        else:
            edges = np.geomspace(lo, hi, bins + 1) if use_log else np.linspace(lo, hi, bins + 1)
            counts, _ = np.histogram(x, bins=edges)
        art = ax.stairs(counts / n, edges, fill=True, color=color, alpha=0.55, label="_nolegend_")
        art.set_gid("hist")
        ax.stairs(counts / n, edges, color=color, lw=0.8, label="_nolegend_")
        ax.set_ylabel("share of trials per bin")
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.set_ylim(0, 1.12 * float(counts.max()) / n if counts.max() > 0 else 1.0)
    else:
        if x is None:  # a summary: the CDF at its bin edges (0.1% of trials lie below the first)
            xs = s.edges
            p = 0.001 + np.concatenate([[0.0], np.cumsum(s.counts)]) / n
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
        if x is None:
            prob, pci = s.prob, s.pci
        else:
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


def _at_year(da: xr.DataArray, year: int | None) -> xr.DataArray:
    if "year" in da.dims:
        years = [int(y) for y in da["year"].values]
        if year is None:
            raise ValueError(f"year: required, {_name(da)} has dim 'year' (years: {years})")
        if int(year) not in years:
            raise ValueError(f"year: {year!r} is not a year of {_name(da)} (years: {years})")
        return da.sel(year=int(year))
    if year is not None:
        raise ValueError(f"year: {_name(da)} has no 'year' dim (dims: {list(da.dims)})")
    return da


class _Summarized(NamedTuple):
    da: xr.DataArray  # the median band, for names, units and the title
    n: int
    units: str
    edges_q: np.ndarray  # 0.1%, 1%, 50%, 99%, 99.9% as far as the summary tells them
    counts: np.ndarray
    edges: np.ndarray
    prob: np.ndarray
    pci: np.ndarray


def _summary_distribution(
    ds: xr.Dataset, var: str | None, year: int | None, provider: str | None, thr: np.ndarray, ci: float
) -> _Summarized:
    """What :func:`distribution` draws, read from a summary's histogram and exceedance counts."""
    from ..risk._from_summary import summary_trials
    from ..risk._intervals import wilson

    if var is None:
        raise ValueError("var: required with a summary, e.g. distribution(summary, 'cumulative_spend', year=2032)")
    if f"{var}_hist" not in ds:
        have = sorted(str(v)[: -len("_hist")] for v in ds.data_vars if str(v).endswith("_hist"))
        raise ValueError(f"var: the summary has no histogram of {var!r}; it has: {have}")
    n = summary_trials(ds)

    def pick(v: xr.DataArray) -> xr.DataArray:
        return _at_year(_select_provider(ds, v, provider), year)

    band = pick(ds[var])
    hist = np.asarray(pick(ds[f"{var}_hist"]).values, dtype=np.int64)
    edges = np.asarray(pick(ds[f"{var}_bin_edges"]).values, dtype=np.float64)
    if hist.ndim != 1:
        raise ValueError(f"{var}: select one value of {[d for d in band.dims if d != 'quantile']} first")
    if not np.all(np.isfinite(edges)):
        raise ValueError(f"{var}: the summary holds no finite histogram at this year; cannot draw it")
    qs = np.asarray(band["quantile"].values, dtype=np.float64)
    vals = np.asarray(band.values, dtype=np.float64)
    med = float(vals[np.argmin(np.abs(qs - 0.5))]) if np.any(np.isclose(qs, 0.5)) else float(np.median(edges))
    lo_e, hi_e = float(edges[0]), float(edges[-1])
    q01 = float(np.interp(0.01, 0.001 + np.concatenate([[0.0], np.cumsum(hist)]) / n, edges))
    q99 = float(np.interp(0.99, 0.001 + np.concatenate([[0.0], np.cumsum(hist)]) / n, edges))
    prob = np.empty(thr.size)
    pci = np.empty((thr.size, 2))
    if thr.size:
        name = f"{var}_exceedance_count"
        dim = f"{var}_threshold"
        counted = np.asarray(ds[dim].values, dtype=np.float64) if name in ds else np.empty(0)
        for k, t in enumerate(thr):
            hit = np.flatnonzero(counted == t)
            if hit.size == 0:
                raise ValueError(
                    f"thresholds: the summary counted {var} at {counted.tolist()} only, not {t:g}; summarize "
                    f"with thresholds={{{var!r}: [{t:g}]}}"
                )
            cnt = int(pick(ds[name].isel({dim: int(hit[0])}, drop=True)).values)
            lower, upper = wilson(cnt, n, ci)
            prob[k], pci[k] = cnt / n, (float(lower), float(upper))
    return _Summarized(band, n, str(band.attrs.get("units", "")), np.array([lo_e, q01, med, q99, hi_e]),
                       hist, edges, prob, pci)  # fmt: skip
