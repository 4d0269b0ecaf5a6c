"""Goal seek: the value of a numeric scenario key that makes a statistic hit a target (bisection, same seed)."""

from __future__ import annotations

import math
import numbers

import numpy as np
import xarray as xr

from .._checks import check_int
from ..api import simulate
from ..scenario import Scenario
from ._batch import KIND_BATCH, batch_se
from ._keys import numeric_key
from .tornado import _stat_fn, _values

__all__ = ["goal_seek"]


def goal_seek(
    scenario: Scenario,
    key: str,
    target: float,
    *,
    bounds: tuple[float, float],
    output: str = "commitment_met",
    year: int | None = None,
    stat: str | float = "mean",
    trials: int = 100_000,
    seed: int = 0,
    xtol: float | None = None,
    max_iter: int = 60,
) -> xr.Dataset:
    """The value of ``key`` in ``bounds`` at which ``stat`` of ``output`` equals ``target``.

    Every evaluation is ``simulate(scenario.replace({key: value}), trials, seed=seed)``: the
    same seed, so when ``key`` does not change the draws (a commitment total, a fixed
    assumption) the statistic is a deterministic, monotone-in-practice function of the value
    (common random numbers) and bisection converges to its crossing.

    Parameters
    ----------
    scenario : Scenario
    key : str
        A dotted scenario key holding a number (``"commitments[0].total"``, ``"spend.volatility"``)
        or a claim's value with one number (``"claims.spend.post_deal"``, the 2028 floor
        ``"$1.5 Billion+"``: searched in USD and written back as a floor).
    target : float
        The statistic's wanted value (for ``commitment_met`` and ``"mean"``: a probability).
    bounds : (float, float)
        Values of ``key`` whose statistics lie on either side of ``target``.
    output, year, stat
        As for :func:`cloudsim.tornado`.
    trials, seed : int
        Trials and seed of every evaluation.
    xtol : float, optional
        Stop when the bracket is narrower (default: ``1e-6 * |hi - lo|``).
    max_iter : int
        Most bisection steps.

    Returns
    -------
    xarray.Dataset
        Attrs ``value`` (the root), ``value_se`` (the statistic's MCSE over the slope
        across the final bracket's ends, a delta-method error; NaN where the slope is 0),
        ``achieved`` (the statistic at ``value``) and ``achieved_mcse``, ``key``, ``target``,
        ``iterations``; variables ``tried`` and ``stat_tried`` (dim ``step``) record the path.

    Raises
    ------
    ValueError
        For a key that is not in the scenario or not a number, bounds that are not two
        increasing numbers, or bounds that do not bracket the target (the message gives
        the statistic at both).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    knob = numeric_key(scenario, key)
    if isinstance(target, bool) or not isinstance(target, numbers.Real) or not math.isfinite(target):
        raise ValueError(f"target: expected a finite number, got {target!r}")
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds: expected two numbers (low, high), got {bounds!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"bounds: expected finite low < high, got {bounds!r}")
    trials = check_int(trials, "trials", 1)
    fn = _stat_fn(stat)
    path_v: list[float] = []
    path_s: list[float] = []

    def evaluate(v: float) -> tuple[float, np.ndarray]:
        ds = simulate(knob.scenario(scenario, v), trials, seed=seed, progress=False)
        y = _values(ds, output, year)
        s = float(fn(y))
        path_v.append(v)
        path_s.append(s)
        return s, y

    s_lo, _ = evaluate(lo)
    s_hi, _ = evaluate(hi)
    if (s_lo - target) * (s_hi - target) > 0:
        raise ValueError(
            f"bounds: do not bracket the target {target}: the statistic is {s_lo} at {key}={lo} and {s_hi} at "
            f"{key}={hi}; widen the bounds"
        )
    tol = 1e-6 * (hi - lo) if xtol is None else float(xtol)
    rising = s_hi > s_lo
    it = 0
    while hi - lo > tol and it < max_iter:
        mid = 0.5 * (lo + hi)
        s_mid, _ = evaluate(mid)
        if (s_mid < target) == rising:
            lo, s_lo = mid, s_mid
        else:
            hi, s_hi = mid, s_mid
        it += 1
    value = 0.5 * (lo + hi)
    achieved, y = evaluate(value)
    mcse = float(batch_se(fn, y))
    # the slope over a bracket of width ~ the statistic's noise: widen to a few MCSE's worth of change
    slope = _slope(evaluate, value, achieved, mcse, bounds)
    out = xr.Dataset({"tried": ("step", np.array(path_v)), "stat_tried": ("step", np.array(path_s))})
    out.attrs = {"value": value, "value_se": mcse / abs(slope) if slope else math.nan, "achieved": achieved,
                 "achieved_mcse": mcse, "key": key, "target": float(target), "iterations": it,
                 "output": output, "stat": str(stat), "trials": trials, "seed": int(seed),
                 "mcse_kind": KIND_BATCH}  # fmt: skip
    return out


def _slope(evaluate, value: float, at: float, mcse: float, bounds: tuple[float, float]) -> float:
    """Finite-difference slope of the statistic around ``value``, over a step where it moves by ~4 MCSE."""
    lo, hi = (float(b) for b in bounds)
    step = (hi - lo) / 64
    for _ in range(12):
        a, b = max(lo, value - step), min(hi, value + step)
        sa, sb = evaluate(a)[0], evaluate(b)[0]
        if abs(sb - sa) >= 4 * mcse or step >= (hi - lo):
            return (sb - sa) / (b - a)
        step *= 2
    return (sb - sa) / (b - a)
