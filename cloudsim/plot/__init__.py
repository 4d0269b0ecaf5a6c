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

Each plot is a module of its own (:mod:`cloudsim.plot.fan`, ...); ``ds.cloudsim.plot`` is
:mod:`cloudsim.plot.accessor`.

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
tornado       a :func:`cloudsim.tornado` result: the statistic at each input's low and high value
indices       a :func:`cloudsim.sensitivity` result: each input's first-order index by year
spider        a :func:`cloudsim.spider` result: the statistic over each input's grid, with bands
tail_drivers  a :func:`cloudsim.tail_drivers` table: KS distances with medians given the event
dashboard     four panels: spend fan, shares, cumulative spend vs the commitment(s), P(met)
============  ==========================================================================

Every drawn artist that a test or a user may want to find carries a ``gid``: ``"band:0.05-0.95"``,
``"median"``, ``"ci:0.05:lower"``, ``"edge:0.05"`` (fan; with ``"<scenario>/"`` in front for a
``scenario`` dim), ``"band:<provider>"`` / ``"median:<provider>"`` (shares), ``"hist"`` / ``"cdf"`` /
``"threshold:<value>"`` (distribution), ``"simulated"`` / ``"stated"`` (claims),
``"met:<commitment>"`` / ``"reached:<commitment>"`` / ``"total:<commitment>"`` (commitments).
"""

from ._style import (
    DASHBOARD_FIGSIZE,
    FIGSIZE,
    PROVIDER_PALETTE,
    SCENARIO_COLORS,
    format_count,
    format_money,
    provider_colors,
    provider_labels,
)
from .accessor import DatasetPlotAccessor, PlotAccessor
from .claims import claims, convergence
from .commitments import commitments
from .dashboard import dashboard
from .distribution import distribution
from .fan import fan, shares
from .indices import indices
from .sensitivity import tornado
from .spider import spider
from .tail import tail_drivers

__all__ = [
    "DASHBOARD_FIGSIZE",
    "FIGSIZE",
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
    "indices",
    "provider_colors",
    "provider_labels",
    "shares",
    "spider",
    "tail_drivers",
    "tornado",
]
