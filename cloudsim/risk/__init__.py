"""Risk analytics with Monte Carlo error everywhere, generic over models.

Every estimate comes with an interval that says how well the simulation knows it,
and every interval says which kind it is (``ci_kind`` attribute) and its probability
(``ci_prob``).  Intervals live on a dim ``ci_bound`` with coords
``["lower", "upper"]`` (the arviz convention).  One file per question:

* :mod:`.bands` -- :func:`percentile_bands`, their distribution-free intervals
  :func:`quantile_intervals`, and Monte Carlo standard errors :func:`mcse`;
* :mod:`.probability` -- :func:`exceedance_probability` (``P(X >= threshold)`` per
  year) and :func:`first_passage` (when a path first crosses);
* :mod:`.tail` -- :func:`value_at_risk`, :func:`expected_shortfall`;
* :mod:`.commitment` -- :func:`commitment_probability`, :func:`commitment_report`:
  cumulative spend against the commitments the Dataset records;
* :mod:`.claims` -- :func:`check_claims`: stated against simulated probabilities;
* :mod:`.paired` -- :func:`paired_difference` between scenarios of :func:`cloudsim.compare`;
* :mod:`._intervals` -- the interval maths all of them share.

The functions that run several simulations (:func:`cloudsim.compare`,
:func:`cloudsim.simulate_until`) live in :mod:`cloudsim.runs`.  All functions here
reduce the ``trial`` dim (``dim=``) and keep every other dim.  ``docs/risk.md``
explains the intervals.
"""

from __future__ import annotations

from ._intervals import (
    CI_BOUNDS,
    CI_DIM,
    KIND_ES,
    KIND_EXACT,
    KIND_NORMAL,
    KIND_ORDER,
    KIND_PAIRED_BOOTSTRAP,
    KIND_PAIRED_NORMAL,
    KIND_PAIRED_QUANTILE,
    KIND_WILSON,
    check_q,
    wilson,
    wilson_interval,
)
from .bands import DEFAULT_QUANTILES, mcse, percentile_bands, quantile_intervals
from .claims import check_claims
from .commitment import commitment_probability, commitment_report, recorded_commitments
from .paired import paired_difference
from .probability import exceedance_probability, first_passage
from .tail import expected_shortfall, value_at_risk

__all__ = [
    "CI_BOUNDS",
    "CI_DIM",
    "DEFAULT_QUANTILES",
    "KIND_ES",
    "KIND_EXACT",
    "KIND_NORMAL",
    "KIND_ORDER",
    "KIND_PAIRED_BOOTSTRAP",
    "KIND_PAIRED_NORMAL",
    "KIND_PAIRED_QUANTILE",
    "KIND_WILSON",
    "check_claims",
    "check_q",
    "commitment_probability",
    "commitment_report",
    "exceedance_probability",
    "expected_shortfall",
    "first_passage",
    "mcse",
    "paired_difference",
    "percentile_bands",
    "quantile_intervals",
    "recorded_commitments",
    "value_at_risk",
    "wilson",
    "wilson_interval",
]
