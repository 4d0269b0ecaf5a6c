"""Stress cases: named sets of scenario changes run side by side with the base case (common random numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from .._checks import check_ci, check_int
from ..runs import compare
from ..scenario import Scenario
from ._batch import KIND_BATCH, batch_se, t_half_width
from .tornado import _stat_fn, _values

__all__ = ["stress"]


def _cases(scenario: Scenario, changes: Any, base: str) -> dict[str, Scenario]:
    if not isinstance(changes, Mapping) or not changes:
        raise TypeError(
            "changes: expected a non-empty mapping of case names to changes, e.g. "
            "{'slow market': {'claims.market_growth.post_deal': '20%+'}}"
        )
    out = {base: scenario}
    for case, change in changes.items():
        if not isinstance(case, str) or not case:
            raise TypeError(f"changes: case names must be non-empty strings, got {case!r}")
        if case == base:
            raise ValueError(f"changes: the case name {case!r} is the base case's; give it another name or set base=")
        if not isinstance(change, Mapping) or not change:
            raise TypeError(f"changes[{case!r}]: expected a non-empty mapping of dotted keys to values, got {change!r}")
        try:
            out[case] = scenario.replace(change)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"changes[{case!r}]: {exc}") from None
    return out


def stress(
    scenario: Scenario,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    trials: int = 100_000,
    seed: int | None = None,
    output: str = "commitment_met",
    year: int | None = None,
    stat: str | float = "mean",
    base: str = "base",
    ci: float = 0.95,
) -> tuple[xr.Dataset, xr.Dataset]:
    """Run named stress cases beside the base scenario, on the same seed, and tabulate a statistic.

    Each case is a mapping of dotted scenario keys to new values, applied with
    :meth:`cloudsim.Scenario.replace` (``{"spend.shift_hazard": 0.3}``,
    ``{"claims.spend.post_deal": "$1 Billion+"}``); all cases and the base run through
    :func:`cloudsim.compare`, so trial ``i`` uses the same random numbers in each and a
    case's change against the base is estimated from paired trials.

    Parameters
    ----------
    scenario : Scenario
        The base case.
    changes : mapping of str to mapping
        Case name -> ``{dotted key: value}``.
    trials : int
        Trials per case.
    seed : int, optional
        The shared seed; ``None`` draws one, recorded in the attrs.
    output, year, stat
        The statistic tabulated, as for :func:`cloudsim.tornado` (default: P(commitment met)).
    base : str
        The base case's name on the ``scenario`` dim.
    ci : float
        Probability of the intervals.

    Returns
    -------
    runs : xarray.Dataset
        What :func:`cloudsim.compare` returns for ``{base: scenario, **cases}``.
    table : xarray.Dataset
        Dim ``scenario``: ``stat`` with ``stat_mcse`` and ``stat_ci``; ``change`` (against the
        base, paired) with ``change_mcse`` and ``change_ci``; ``changes`` (the case's changes as
        text). Attrs ``stat``, ``output``, ``year``, ``base``, ``trials``, ``seed``, ``ci_prob``,
        ``ci_kind``.

    Raises
    ------
    TypeError, ValueError
        For changes that are not a mapping of names to mappings, a case named like the base,
        or a change the scenario refuses (the message names the case and the key).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    fn = _stat_fn(stat)
    ci = check_ci(ci)
    trials = check_int(trials, "trials", 1)
    cases = _cases(scenario, changes, base)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    runs = compare(cases, trials, seed=seed)
    ys = {name: _values(runs.sel(scenario=name), output, year) for name in cases}
    y0 = ys[base]
    est = np.array([float(fn(y)) for y in ys.values()])
    se = np.array([float(batch_se(fn, y)) for y in ys.values()])
    chg = est - est[0]
    chg_se = np.array([float(batch_se(lambda a, b: fn(b) - fn(a), y0, y)) for y in ys.values()])
    h, hc = t_half_width(se, ci), t_half_width(chg_se, ci)
    text = [""] + [", ".join(f"{k} = {v!r}" for k, v in changes[c].items()) for c in list(cases)[1:]]
    table = xr.Dataset(
        {
            "stat": ("scenario", est, {"long_name": f"{stat} of {output}"}),
            "stat_mcse": ("scenario", se),
            "stat_ci": (("scenario", "ci_bound"), np.stack([est - h, est + h], axis=-1)),
            "change": ("scenario", chg, {"long_name": f"change against {base!r} (paired)"}),
            "change_mcse": ("scenario", chg_se),
            "change_ci": (("scenario", "ci_bound"), np.stack([chg - hc, chg + hc], axis=-1)),
            "changes": ("scenario", np.array(text, dtype=object).astype(str)),
        },
        coords={"scenario": list(cases), "ci_bound": ["lower", "upper"]},
    )
    attrs = runs[output].attrs
    table.attrs = {
        "stat": str(stat), "output": output, "long_name": str(attrs.get("long_name", output)),
        "units": str(attrs.get("units", "")), "year": -1 if year is None else int(year), "base": base,
        "trials": trials, "seed": int(seed), "ci_prob": ci, "ci_kind": KIND_BATCH,
    }  # fmt: skip
    return runs, table
