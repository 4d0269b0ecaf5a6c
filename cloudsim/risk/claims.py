"""Each claim's stated probability against the simulated one, on the samples the scenario's model says it speaks of."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import xarray as xr

from ._from_summary import is_summary, summary_claim_counts
from ._intervals import KIND_WILSON, check_ci, wilson
from .commitment import _refuse_scenario_dim
from .replicates import KIND_REPLICATE_T, replicate_ids, replicate_proportion_ci

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario

__all__ = ["check_claims"]

COLUMNS = [
    "claim",
    "metric",
    "which",
    "statement",
    "year",
    "stated",
    "simulated",
    "ci_lower",
    "ci_upper",
    "holds",
    "ci_lower_row",
    "ci_upper_row",
    "holds_row",
    "rule",
]

#: How ``holds`` is decided, per ``family`` argument of :func:`check_claims`.
RULES = {
    "bonferroni": "family-wise: Bonferroni-adjusted Wilson intervals, each at 1 - (1 - ci)/m for m checks",
    "none": "per row: each Wilson interval at ci",
}


def check_claims(
    ds: xr.Dataset,
    scenario: Scenario | None = None,
    *,
    ci: float = 0.95,
    family: Literal["bonferroni", "none"] = "bonferroni",
) -> pd.DataFrame:
    """Each claim's stated probability against the simulated one.

    A scenario has several checks (six for the article), and each row's ``ci`` interval misses
    a true stated probability ``1 - ci`` of the time: with six rows at 95% a correct model had
    some row flagged in one run in three or four.  ``holds`` therefore follows a **family-wise**
    rule by default: every row's interval is Bonferroni-adjusted to ``1 - (1 - ci)/m`` for ``m``
    checks, so that a correct model flags any row in at most ``1 - ci`` of runs (measured in
    ``docs/validation.md``).  The per-row intervals and verdicts are kept (``*_row``).

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`cloudsim.simulate`, or a summary from :func:`cloudsim.summarize` (its claim
        counts give the same table as the full run, bit for bit).
    scenario : Scenario, optional
        Default: the scenario recorded in ``ds.attrs["scenario"]``.  A scenario whose
        claims differ from the recorded one's is refused: ``ds`` simulates the recorded
        claims, not these (to test a claim against a run of another scenario, drop
        ``ds.attrs["scenario"]`` first).
    ci : float
        The family-wise probability (``family="bonferroni"``: all ``m`` intervals hold together
        with probability at least ``ci``), and the probability of each per-row interval.
    family : {"bonferroni", "none"}
        ``"none"``: ``holds`` is the per-row verdict (each row alone at ``ci``).

    Returns
    -------
    pandas.DataFrame
        One row per check of each claim value (:meth:`cloudsim.claims.Claim.checks`: one
        per value, two for a range): ``claim``, ``metric``, ``which`` ("start" or
        "target"), ``statement`` (``"P(low <= X <= high) = p"``, e.g.
        ``"P(X >= $1.5 Billion) = 0.80"``), ``year``, ``stated``, ``simulated``,
        ``ci_lower``, ``ci_upper`` and ``holds`` (the stated probability lies inside the
        interval of the ``family`` rule), ``ci_lower_row``, ``ci_upper_row``, ``holds_row``
        (each row alone at ``ci``) and ``rule`` (what ``holds`` means, in words; also
        ``table.attrs["rule"]``, with ``attrs["family"]``, ``attrs["ci_prob"]`` and
        ``attrs["row_ci_prob"]``, the probability of each adjusted interval).  The samples
        of each claim come from the model
        (:meth:`cloudsim.models.Model.claim_samples`; for the deal model see
        ``docs/model.md``).

    Raises
    ------
    ValueError
        For a comparison (a ``scenario`` dim), no scenario given or recorded, a scenario
        whose claims differ from the recorded one's, or a Dataset that lacks a
        variable the model's claim samples need.
    """
    from ..scenario import Scenario

    _refuse_scenario_dim(ds, "check_claims")
    ci = check_ci(ci)
    recorded_text = ds.attrs.get("scenario")
    recorded = (
        Scenario.from_toml(recorded_text, origin="ds.attrs['scenario']")
        if isinstance(recorded_text, str) and recorded_text
        else None
    )
    if scenario is None:
        if recorded is None:
            raise ValueError("scenario: not given, and ds records none (no ds.attrs['scenario']); pass the scenario")
        scenario = recorded
    elif not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    elif recorded is not None and (scenario.claims != recorded.claims or scenario.model.name != recorded.model.name):
        differ = sorted(k for k in set(scenario.claims) | set(recorded.claims)
                        if scenario.claims.get(k) != recorded.claims.get(k))  # fmt: skip
        raise ValueError(
            f"scenario: its claims differ from those of the scenario ds simulates ({recorded.name!r}, recorded in "
            f"ds.attrs['scenario']): {', '.join(differ) or 'the model'}; ds cannot check another scenario's "
            "claims: simulate that scenario, or leave scenario out"
        )
    from ._common import check_choice

    family = check_choice(family, "family", tuple(RULES))
    hits: list[np.ndarray] = []
    counts = summary_claim_counts(ds, scenario) if is_summary(ds) else _claim_counts(ds, scenario, hits)
    m = max(len(counts), 1)
    adjusted = 1.0 - (1.0 - ci) / m if family == "bonferroni" else ci
    ids = None if is_summary(ds) else replicate_ids(ds)
    rule = RULES[family] if ids is None else RULES[family].replace("Wilson", "replicate Student-t")
    records = []
    for j, (rec, k, n) in enumerate(counts):
        if ids is None:
            lo, hi = wilson(k, n, adjusted)
            lo_r, hi_r = wilson(k, n, ci)
        else:  # a replicated sampler: the t interval over the replicates' shares
            ok = np.ones(hits[j].shape, dtype=bool)
            lo, hi = replicate_proportion_ci(hits[j], ok, ids, adjusted)
            lo_r, hi_r = replicate_proportion_ci(hits[j], ok, ids, ci)
        stated = float(rec["stated"])  # type: ignore[arg-type]
        records.append(
            {
                **rec,
                "ci_lower": float(lo),
                "ci_upper": float(hi),
                "holds": bool(lo <= stated <= hi),
                "ci_lower_row": float(lo_r),
                "ci_upper_row": float(hi_r),
                "holds_row": bool(lo_r <= stated <= hi_r),
                "rule": rule,
            }
        )
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    table.attrs.update(rule=rule, family=family, ci_prob=ci, row_ci_prob=adjusted,
                       ci_kind=KIND_WILSON if ids is None else KIND_REPLICATE_T)  # fmt: skip
    return table


def _claim_counts(
    ds: xr.Dataset, scenario: Scenario, hits_out: list[np.ndarray] | None = None
) -> list[tuple[dict[str, object], int, int]]:
    """Each claim check's row, the trials that satisfy it and the trials, from the simulated samples.

    ``hits_out``, if given, receives each check's per-trial hits (in trial order).
    """
    try:
        samples = scenario.model.claim_samples(ds, scenario.to_dict())
    except KeyError as exc:
        raise ValueError(
            f"ds: not a simulation of model {scenario.model.name!r}, missing variables or coords: {exc}"
        ) from None
    claims = scenario.claims
    counts: list[tuple[dict[str, object], int, int]] = []
    for s in samples:
        claim = claims[s.claim]
        x = np.asarray(s.samples)
        for description, low, high, stated in claim.checks(s.which):
            hits = (x >= low) & (x <= high)
            if hits_out is not None:
                hits_out.append(hits)
            counts.append(
                (
                    {
                        "claim": s.claim,
                        "metric": claim.metric,
                        "which": s.which,
                        "statement": f"{description} = {stated:.2f}",
                        "year": int(s.year),
                        "stated": stated,
                        "simulated": int(np.count_nonzero(hits)) / hits.size,
                    },
                    int(np.count_nonzero(hits)),
                    hits.size,
                )
            )
    return counts
