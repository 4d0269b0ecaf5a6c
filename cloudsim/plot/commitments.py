"""Commitments: P(each commitment met) with its interval, and P(total reached) by year."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import xarray as xr

from .._format import probability_interval
from ..risk._from_summary import is_summary
from ._style import _axes, _check_ci, _check_dataset, _percent_formatter, _style, _tx, _wrap, _year_axis, format_money

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


__all__ = ["commitments"]


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
    from ..risk import wilson

    if c.met is not None:
        met = c.met
    else:  # no per-trial outcome recorded: the total reached by the last year
        met = np.asarray(_cumulative_since(ds, c.first).sel(year=c.last).values >= c.total, dtype=bool)
    n, k = int(met.size), int(np.count_nonzero(met))
    lo, hi = wilson(k, n, ci)
    return k / n, float(lo), float(hi), n


def _reached(c: _Commitment, ds: xr.Dataset, ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Years, P(cumulative spend since the first year >= the total) in each, and its Wilson interval."""
    from ..risk import wilson

    cum = _cumulative_since(ds, c.first).sel(year=slice(c.first, c.last))
    years = np.asarray(cum["year"].values)
    x = np.asarray(cum.transpose(..., "year").values, dtype=np.float64).reshape(-1, years.size)
    hits = np.count_nonzero(x >= c.total, axis=0)
    plo, phi = wilson(hits, x.shape[0], ci)
    return years, hits / x.shape[0], np.asarray(plo), np.asarray(phi)


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

    ds = _check_dataset(ds)
    if "scenario" in ds.dims:
        raise ValueError("ds: has a 'scenario' dim; select one scenario first, e.g. ds.sel(scenario='a')")
    ci = _check_ci(ci) or 0.95
    coms = _commitment_list(ds)
    report = None
    if is_summary(ds):  # a summary: the counts of commitment_report, not the (absent) trials
        from ..risk import commitment_report

        report = commitment_report(ds, ci=ci)

        def one(c: _Commitment) -> xr.Dataset:
            return report.sel(commitment=c.name) if "commitment" in report.dims else report

        def report_met(c: _Commitment) -> tuple[float, float, float, int]:
            r = one(c)
            b = np.asarray(r["probability_met_ci"].values, dtype=np.float64)
            return float(r["probability_met"]), float(b[0]), float(b[1]), int(report.attrs["trials"])

        def report_reached(c: _Commitment) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            r = one(c)
            if "met_by" not in r:
                raise ValueError(f"ds: the summary does not count cumulative spend at {c.label}'s total by year")
            b = np.asarray(r["met_by_ci"].values, dtype=np.float64)
            return np.asarray(r["year"].values), np.asarray(r["met_by"].values), b[:, 0], b[:, 1]

    ax = _axes(ax)
    many = len(coms) > 1
    first_all, last_all = min(c.first for c in coms), max(c.last for c in coms)
    n = 0
    for k, c in enumerate(coms):
        color = f"C{(k + 3) % 10}"
        p, lo, hi, n = report_met(c) if report is not None else _met_probability(c, ds, ci)
        if math.isfinite(c.total):
            years, reached, plo, phi = report_reached(c) if report is not None else _reached(c, ds, ci)
            ax.fill_between(years, plo, phi, color=color, alpha=0.2, lw=0).set_gid(f"reached_ci:{c.name}")
            what = f"{c.label}: " if many else ""
            (line,) = ax.plot(
                years,
                reached,
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
