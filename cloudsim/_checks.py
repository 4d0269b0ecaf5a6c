"""Argument checks shared by every public function: one home, one message style (the name, the allowed range)."""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["check_ci", "check_dtype", "check_int", "check_numba_threads", "check_progress"]


def check_int(value: Any, name: str, lo: int, hi: int | None = None) -> int:
    """An integer ``>= lo`` (and ``<= hi``); a float is refused with a hint (``write 10``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            raise TypeError(f"{name}: expected an int, got float {value!r}; write {int(value)}")
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        allowed = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name}: must be {allowed}, got {value}")
    return value


def check_dtype(dtype: object) -> np.dtype:
    """``"float64"`` or ``"float32"`` (or the NumPy types)."""
    allowed = {"float64": np.float64, "float32": np.float32}
    if isinstance(dtype, str) and dtype in allowed:
        return np.dtype(allowed[dtype])
    if dtype in (np.float64, np.float32) or (isinstance(dtype, np.dtype) and dtype in (np.float64, np.float32)):
        return np.dtype(dtype)  # type: ignore[arg-type]
    raise ValueError(f"dtype: must be 'float64' or 'float32', got {dtype!r}")


def check_ci(ci: Any, name: str = "ci") -> float:
    """An interval probability in (0, 1)."""
    if isinstance(ci, bool) or not isinstance(ci, (numbers.Real, np.floating)):
        raise TypeError(f"{name}: expected a probability in (0, 1), got {type(ci).__name__} {ci!r}")
    if not 0.0 < float(ci) < 1.0:
        raise ValueError(f"{name}: must be in (0, 1), got {ci}")
    return float(ci)


def check_progress(progress: Any) -> bool | None:
    """``True``, ``False`` or ``None``."""
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress: expected True, False or None, got {type(progress).__name__} {progress!r}")
    return progress


def check_numba_threads(environ: Mapping[str, str] | None = None) -> None:
    """Refuse a ``NUMBA_NUM_THREADS`` environment variable numba would reject at import, naming it.

    numba reads the variable once, when it is first imported, and fails there with a message
    that names neither the variable nor its value; call this before anything imports numba.
    """
    env = os.environ if environ is None else environ
    text = env.get("NUMBA_NUM_THREADS")
    if text is None or text.strip() == "":
        return
    try:
        n = int(text)
    except ValueError:
        n = None
    if n is None or n < 1:
        raise ValueError(
            f"NUMBA_NUM_THREADS: the environment variable must be a whole number >= 1 (the threads numba may "
            f"use; this machine has {os.cpu_count() or 1} cores), got {text!r}; unset it to use every core"
        )
