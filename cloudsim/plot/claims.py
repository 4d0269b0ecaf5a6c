"""The claims against the simulation (:func:`claims`); a ``simulate_until`` history (:func:`convergence`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from .._format import probability_interval
from ._style import _axes, _check_dataset, _check_scenario, _percent_formatter, _style, _wrap, format_count

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..scenario import Scenario

__all__ = ["claims", "convergence"]


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
        from ..risk import check_claims

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
