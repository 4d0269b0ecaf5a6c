"""The public entry points that join the engine and the Dataset builder: :func:`simulate`."""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from ._dataset import to_dataset
from .engine import simulate_arrays
from .scenario import Scenario

__all__ = ["simulate"]


def simulate(
    scenario: Scenario,
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    start: int = 0,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str | np.dtype = "float64",
    progress: bool | None = None,
) -> xr.Dataset:
    """Simulate ``trials`` paths of the scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`cloudsim.load_scenario`; any registered model.
    trials : int
        Number of trials, >= 1.
    seed : int, numpy.random.SeedSequence or None
        ``None`` draws fresh entropy; ``ds.attrs["seed"]`` records the seed (for an
        int or fresh entropy, the decimal integer that reproduces the run).
    start : int
        Global index of the first trial: ``simulate(s, n, seed=k, start=a)`` equals
        trials ``a .. a+n-1`` of any larger run with the same seed, bit for bit.
    engine : {"numba", "numpy"}
        The model's fused numba kernel, or its NumPy reference (slow; for checking).
    dtype : {"float64", "float32"}
        Storage type of the outputs (computation is always float64).
    progress : bool or None
        Show a progress bar on stderr; ``None`` shows one for runs of 2M trials or more.

    Returns
    -------
    xarray.Dataset
        Dims ``trial`` (global trial index) and the model's own (the deal model:
        ``year``, ``provider``, and ``commitment`` when there are several); every
        output the model declares, the per-trial inputs (``role = "input"``).
        ``docs/model.md`` lists the deal model's variables.

    Raises
    ------
    ValueError
        For a trial count out of range or too large for this machine's memory.
    """
    arrays, recorded_seed = simulate_arrays(
        scenario, trials, seed=seed, start=start, engine=engine, dtype=dtype, progress=progress
    )
    return to_dataset(arrays, scenario, start=start, seed=recorded_seed, engine=engine)
