"""Per-trial input values given from outside a run (``simulate(..., inputs={...})``): check and pack them.

The kernel draws every trial's inputs as always, then overwrites the given ones; the
stream consumption is unchanged, so the other inputs and every shock of trial ``i``
are exactly those of the run without ``inputs`` (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..scenario import Scenario

__all__ = ["check_given"]


def check_given(scenario: Scenario, trials: int, inputs: Any) -> tuple[np.ndarray, np.ndarray]:
    """The columns (input positions) and the ``(trials, len(columns))`` float64 values of ``inputs``.

    Raises
    ------
    TypeError
        For ``inputs`` not a mapping, or values that are not numbers.
    ValueError
        For an unknown input (the message lists the allowed), a length other than ``trials``,
        or a value not finite or outside the input's support.
    """
    if not isinstance(inputs, Mapping):
        raise TypeError(f"inputs: expected a mapping of input name to an array of values, got {type(inputs).__name__}")
    declared = scenario.inputs()
    names = [i.name for i in declared]
    cols, vals = [], []
    for name, value in inputs.items():
        if name not in names:
            raise ValueError(f"inputs: unknown input {name!r}; allowed: {names}")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"inputs[{name!r}]: expected an array of numbers, got {type(value).__name__}") from None
        if arr.ndim != 1 or arr.shape[0] != trials:
            raise ValueError(f"inputs[{name!r}]: expected a 1-D array of length trials={trials}, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"inputs[{name!r}]: values must be finite, got {arr[~np.isfinite(arr)][0]!r}")
        k = names.index(name)
        lo, hi = (float(v) for v in declared[k].distribution.ppf(np.array([0.0, 1.0])))
        inside = (arr > lo) & (arr < hi) if lo < hi else arr == lo
        if not np.all(inside):
            raise ValueError(
                f"inputs[{name!r}]: values must lie inside the support ({lo!r}, {hi!r}) of "
                f"{declared[k].distribution!r}, got {arr[~inside][0]!r}"
            )
        cols.append(k)
        vals.append(arr)
    values = np.stack(vals, axis=1) if vals else np.zeros((trials, 0))
    return np.array(cols, dtype=np.int64), np.ascontiguousarray(values)
