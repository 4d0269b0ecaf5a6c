"""The four-panel dashboard of a run: spend fan, shares, cumulative spend against the commitments, P(met)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import xarray as xr

from ._style import DASHBOARD_FIGSIZE, _check_dataset, _pyplot, _tx, format_money
from .commitments import _commitment_list, commitments
from .distribution import distribution
from .fan import fan, shares

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..scenario import Scenario

__all__ = ["dashboard"]

#: The variables the dashboard draws (a model without them has no dashboard).
NEEDS = ("spend", "share", "cumulative_spend")


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
    from ..scenario import Scenario

    ds = _check_dataset(ds)
    if "scenario" in ds.dims:
        raise ValueError("ds: has a 'scenario' dim; select one scenario, e.g. dashboard(ds.sel(scenario='a'))")
    missing = [v for v in NEEDS if v not in ds.data_vars]
    if missing:
        raise ValueError(f"ds: the dashboard draws {', '.join(NEEDS)}; ds has no {', '.join(missing)}")
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
    n = int(ds.sizes["trial"]) if "trial" in ds.dims else int(ds.attrs.get("trials", 0))
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
