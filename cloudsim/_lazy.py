"""Dask-backed runs: one task per block of trials, each a pure function of (scenario, seed, its first trial).

``simulate(..., chunks=N)`` builds, for every output, a Dask array whose block ``b``
holds trials ``start + b*N ...``; all outputs of a block come from one task (one
kernel call), so computing several variables runs each block once.  A block equals
the same rows of the eager run bit for bit, whatever the scheduler.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np
import xarray as xr

from ._dataset import to_dataset
from .engine import allocate, simulate_arrays
from .scenario import Scenario

__all__ = ["simulate_lazy"]


@functools.lru_cache(maxsize=8)
def _scenario(toml: str) -> Scenario:
    return Scenario.from_toml(toml, origin="lazy run")


def _block(toml: str, seed: int, lo: int, n: int, dtype: str) -> dict[str, np.ndarray]:
    """The outputs of trials ``lo .. lo+n-1`` (a pure function: Dask may run it anywhere, or twice)."""
    arrays, _ = simulate_arrays(_scenario(toml), n, seed=seed, start=lo, dtype=dtype, progress=False)
    return arrays


def simulate_lazy(
    scenario: Scenario, trials: int, *, seed: int, recorded_seed: str, start: int, chunks: int, dtype: np.dtype
) -> xr.Dataset:
    """A Dask-backed Dataset of ``trials`` trials in blocks of ``chunks`` trials (nothing is simulated yet)."""
    import dask
    import dask.array as da

    toml = scenario.to_toml()
    like = allocate(scenario, 0, dtype)  # shapes and dtypes of every output, zero trials
    spans = [(lo, min(lo + chunks, start + trials)) for lo in range(start, start + trials, chunks)]
    blocks = [dask.delayed(_block, pure=True)(toml, seed, lo, hi - lo, dtype.name) for lo, hi in spans]
    arrays: dict[str, Any] = {}
    for name, empty in like.items():
        parts = [
            da.from_delayed(
                dask.delayed(operator.getitem, pure=True)(b, name), (hi - lo, *empty.shape[1:]), empty.dtype
            )
            for b, (lo, hi) in zip(blocks, spans, strict=True)
        ]
        arrays[name] = da.concatenate(parts, axis=0)
    ds = to_dataset(arrays, scenario, start=start, seed=recorded_seed, engine="numba")
    ds.attrs["chunks"] = int(chunks)
    return ds
