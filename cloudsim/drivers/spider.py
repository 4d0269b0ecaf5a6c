"""Spider: a statistic over a grid of values of each input (or numeric scenario key), with common random numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._checks import check_ci
from ..api import simulate
from ..scenario import Scenario
from ._batch import KIND_BATCH, batch_se, t_half_width
from ._keys import numeric_key
from .tornado import _base_run, _check_level, _setup, _stat_fn, _values

__all__ = ["spider"]

#: The default grid of quantile levels an input is held at.
LEVELS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


def _levels(levels: Any) -> np.ndarray:
    try:
        arr = [_check_level(v, "levels") for v in levels]
    except TypeError:
        raise ValueError(f"levels: expected a sequence of probabilities in (0, 1), got {levels!r}") from None
    if len(arr) < 2 or np.any(np.diff(arr) <= 0):
        raise ValueError(f"levels: expected at least two increasing probabilities in (0, 1), got {levels!r}")
    return np.array(arr)


def _key_grid(keys: Any, points: int) -> dict[str, np.ndarray]:
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise TypeError(f"keys: expected a mapping of dotted keys to (low, high) or a list of values, got {keys!r}")
    out = {}
    for key, spec in keys.items():
        try:
            vals = np.asarray(spec, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"keys[{key!r}]: expected (low, high) or {points} numbers, got {spec!r}") from None
        if vals.shape == (2,):
            vals = np.linspace(vals[0], vals[1], points)
        if vals.shape != (points,) or not np.all(np.isfinite(vals)):
            raise ValueError(f"keys[{key!r}]: expected (low, high) or {points} finite numbers, got {spec!r}")
        out[str(key)] = vals
    return out


def spider(
    scenario: Scenario,
    output: str,
    *,
    year: int | None = None,
    stat: str | float = "mean",
    trials: int = 20_000,
    seed: int | None = None,
    levels: Sequence[float] = LEVELS,
    inputs: Sequence[str] | None = None,
    keys: Mapping[str, Any] | None = None,
    ci: float = 0.95,
) -> xr.Dataset:
    """The statistic of ``output`` with each input held at each of a grid of its quantiles.

    The tornado's two points per input become a curve: for each per-trial input and each
    level ``p`` of ``levels`` one run holds that input at its ``p`` quantile in every trial
    (``simulate(..., inputs=...)``), the other inputs and all shocks as in the base run
    (same seed: common random numbers). A numeric scenario key (``keys``) is moved over
    its own grid of values the same way (``scenario.replace``, same seed).

    Parameters
    ----------
    scenario : Scenario
    output : str
        An output variable (a boolean one, e.g. ``"commitment_met"``, gives a probability).
    year : int, optional
        The year, for a yearly output.
    stat : "mean" or float
        ``"mean"`` or a quantile level in [0, 1].
    trials : int
        Trials per run (``len(levels) x (inputs + keys) + 1`` runs).
    seed : int, optional
        The seed of every run; ``None`` draws one, recorded in ``attrs["seed"]``.
    levels : sequence of float
        Increasing quantile levels in (0, 1) the inputs are held at.
    inputs : sequence of str, optional
        The inputs to move (default: every per-trial input; ``[]`` for keys only).
    keys : mapping, optional
        Dotted numeric scenario keys (or claim values, ``"claims.spend.post_deal"``) to
        move, each to ``(low, high)`` (``len(levels)`` evenly spaced values) or to a list of
        ``len(levels)`` values.
    ci : float
        Probability of the intervals.

    Returns
    -------
    xarray.Dataset
        Dims ``input`` (the inputs, then the keys) and ``point`` (coordinate ``level``);
        ``value`` (the input's or key's value at each point), ``stat``, ``stat_mcse``,
        ``stat_ci`` (dim ``ci_bound``), ``change`` (``stat`` minus the baseline, paired trial
        by trial) with ``change_mcse`` and ``change_ci``, ``range`` (max minus min of
        ``stat`` over the points, dim ``input``); ``kind`` says ``"input"`` or ``"key"``.
        Attrs ``baseline``, ``baseline_mcse``, ``stat``, ``output``, ``year``, ``trials``,
        ``seed``, ``ci_prob``, ``ci_kind``.

    Raises
    ------
    ValueError
        For an unknown output, input or key, a non-numeric key, a missing or unknown year,
        bad ``levels`` or ``stat``.
    """
    fn = _stat_fn(stat)
    lv = _levels(levels)
    ci = check_ci(ci)
    trials, seed, declared, names = _setup(scenario, inputs, trials, seed)
    grid = _key_grid(keys, lv.size)
    knobs = {k: numeric_key(scenario, k) for k in grid}
    if not names and not knobs:
        raise ValueError("inputs, keys: nothing to move; give at least one input or key")
    base, y0 = _base_run(scenario, trials, seed, output, year)
    rows = []
    for name in names:
        values = np.asarray(declared[name].distribution.ppf(lv), dtype=np.float64)
        runs = [simulate(scenario, trials, seed=seed, inputs={name: np.full(trials, v)}, progress=False)
                for v in values]  # fmt: skip
        rows.append((name, "input", values, [_values(r, output, year) for r in runs]))
    for key, values in grid.items():
        runs = [simulate(knobs[key].scenario(scenario, v), trials, seed=seed, progress=False) for v in values]
        rows.append((key, "key", values, [_values(r, output, year) for r in runs]))
    stat_v = np.array([[float(fn(y)) for y in ys] for *_, ys in rows])
    stat_se = np.array([[float(batch_se(fn, y)) for y in ys] for *_, ys in rows])
    chg_se = np.array([[float(batch_se(lambda a, b: fn(b) - fn(a), y0, y)) for y in ys] for *_, ys in rows])
    baseline = float(fn(y0))
    change = stat_v - baseline
    h_stat, h_chg = t_half_width(stat_se, ci), t_half_width(chg_se, ci)
    dims = ("input", "point")
    out = xr.Dataset(
        {
            "value": (dims, np.array([r[2] for r in rows]), {"long_name": "value of the input or key"}),
            "stat": (dims, stat_v, {"long_name": f"{stat} of {output}"}),
            "stat_mcse": (dims, stat_se),
            "stat_ci": ((*dims, "ci_bound"), np.stack([stat_v - h_stat, stat_v + h_stat], axis=-1)),
            "change": (dims, change, {"long_name": "stat minus the baseline (paired)"}),
            "change_mcse": (dims, chg_se),
            "change_ci": ((*dims, "ci_bound"), np.stack([change - h_chg, change + h_chg], axis=-1)),
            "range": ("input", stat_v.max(axis=1) - stat_v.min(axis=1)),
            "kind": ("input", np.array([r[1] for r in rows])),
        },
        coords={"input": [r[0] for r in rows], "level": ("point", lv), "ci_bound": ["lower", "upper"]},
    )
    attrs = base[output].attrs
    out.attrs = {
        "baseline": baseline, "baseline_mcse": float(batch_se(fn, y0)), "stat": str(stat), "output": output,
        "long_name": str(attrs.get("long_name", output)), "units": str(attrs.get("units", "")),
        "year": -1 if year is None else int(year), "trials": trials, "seed": int(seed), "ci_prob": ci,
        "ci_kind": KIND_BATCH,
    }  # fmt: skip
    return out
