"""The public entry points that join the engine and the Dataset builder: :func:`simulate`, :func:`summarize`."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xarray as xr

from . import _rng
from ._checks import check_progress
from ._dataset import to_dataset
from .engine import simulate_arrays
from .engine.run import PROGRESS_MIN_TRIALS, check_run, check_stream
from .risk.bands import DEFAULT_QUANTILES
from .scenario import Scenario

__all__ = ["select_output", "simulate", "simulate_to_zarr", "summarize"]


def simulate(
    scenario: Scenario,
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    start: int = 0,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str | np.dtype = "float64",
    progress: bool | None = None,
    chunks: int | None = None,
    sampler: Literal["mc", "antithetic", "lhs", "sobol", "halton"] = "mc",
    replicates: int | None = None,
    inputs: Mapping[str, Any] | None = None,
    second_seed: int | np.random.SeedSequence | None = None,
    second_streams: Sequence[str] | None = None,
    stream: int = 1,
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
    chunks : int, optional
        Trials per block of a lazy, Dask-backed run: nothing is simulated until computed
        (each block by one task, on any Dask scheduler), and the computed values equal
        the eager run's bit for bit.  ``percentile_bands`` reduces such data block by
        block.  Needs ``cloudsim[scale]``; ``engine`` must be ``"numba"``.
    sampler : {"mc", "antithetic", "lhs", "sobol", "halton"}
        How the trials' normal scores are drawn (``docs/sampling.md``): ``"mc"`` (each
        trial's own stream), antithetic pairs, Latin hypercube, scrambled Sobol or Halton
        points.  Every sampler but ``"mc"`` runs ``replicates`` independent blocks of
        ``trials / replicates`` trials, and the risk functions then give replicate-based
        intervals (``ds.attrs["ci_kind"]``).
    replicates : int, optional
        Independent replicate blocks of a sampler other than ``"mc"`` (default 16, >= 2).
    inputs : mapping of str to array, optional
        Per-trial values for some inputs (``docs/sensitivity.md``): drawn as usual, then overwritten.
    second_seed : int or numpy.random.SeedSequence, optional
        With ``second_streams``: the seed those streams are drawn from (pick-freeze runs of
        ``cloudsim.sensitivity(method="saltelli")``); recorded in ``ds.attrs["second_seed"]``.
    second_streams : sequence of str, optional
        Stream groups drawn from ``second_seed`` while every other variate stays on ``seed``
        (the deal model: a drawn input's name for its independent, pre-copula normal,
        ``"shocks.<shock>"`` for a process's yearly shocks, ``"workload_shifts"``,
        ``"copula_chi2"``).  Trial ``i`` depends only on the scenario, both seeds and ``i``; an
        empty list gives the run without it, bit for bit, and every stream group that of
        ``seed=second_seed``.  Needs ``sampler="mc"`` and ``engine="numba"``; not lazy.
    stream : {1, 2}
        The stream version (``docs/model.md``, "Stream versions"): 1, per-trial SFC64
        streams with ziggurat normals (every result of 0.1 and 0.2); 2, counter-based
        variates for the deal model's lock-step kernel (faster; other numbers, same
        distributions).  Version 2 runs the deal model with ``sampler="mc"`` only, without
        ``inputs``, ``second_streams`` or ``chunks``.  Recorded in ``ds.attrs["stream_version"]``.

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
        For a trial count out of range or too large for this machine's memory, or for
        ``inputs`` naming an unknown input, of the wrong length or outside the support.
    """
    stream = check_stream(stream, sampler=sampler, replicates=replicates, inputs=inputs,
                          second_streams=second_streams, chunks=chunks)  # fmt: skip
    if chunks is not None and sampler != "mc":
        raise ValueError(f"chunks: a lazy run (chunks=) uses sampler='mc', got sampler={sampler!r}")
    if second_streams is None and second_seed is not None:
        raise ValueError("second_seed: give second_streams too (the stream groups drawn from the second seed)")
    if chunks is not None:
        if inputs is not None:
            raise ValueError("inputs: per-trial input values cannot be given to a lazy run (chunks=); omit one")
        if second_streams is not None:
            raise ValueError("second_streams: streams from a second seed cannot be drawn in a lazy run (chunks=)")
        from ._checks import check_dtype
        from ._lazy import simulate_lazy
        from .engine.schedule import check_chunk

        trials, start = check_run(scenario, trials, start)
        chunks = check_chunk(chunks, 0, "chunks")
        if engine != "numba":
            raise ValueError(f"engine: a lazy run (chunks=) uses the 'numba' engine, got {engine!r}")
        key_seed = _rng.key_from_seed(seed)[1]
        return simulate_lazy(scenario, trials, seed=int(key_seed), recorded_seed=key_seed, start=start,
                             chunks=chunks, dtype=check_dtype(dtype))  # fmt: skip
    if inputs and (sampler != "mc" or replicates is not None):
        raise ValueError(
            f"inputs: given per-trial inputs work with sampler='mc' only (the samplers place the inputs "
            f"themselves), got sampler={sampler!r}"
        )
    if second_streams is not None and (sampler != "mc" or replicates is not None):
        raise ValueError(f"second_streams: streams from a second seed need sampler='mc', got sampler={sampler!r}")
    if sampler == "mc" and replicates is None:
        arrays, recorded_seed = simulate_arrays(
            scenario, trials, seed=seed, start=start, engine=engine, dtype=dtype, progress=progress, inputs=inputs,
            second_seed=second_seed, second_streams=second_streams, stream=stream,
        )  # fmt: skip
        ds = to_dataset(arrays, scenario, start=start, seed=recorded_seed, engine=engine, stream=stream)
        if inputs:
            ds.attrs["given_inputs"] = ", ".join(str(k) for k in inputs)
        if second_streams is not None:
            ds.attrs["second_seed"] = _rng.key_from_seed(second_seed)[1] if second_seed is not None else "fresh"
            ds.attrs["second_streams"] = ", ".join(str(k) for k in second_streams)
        return ds
    return _simulate_sampled(scenario, trials, seed, start, engine, dtype, progress, sampler, replicates)


def _simulate_sampled(scenario, trials, seed, start, engine, dtype, progress, sampler, replicates) -> xr.Dataset:
    """:func:`simulate` with a sampler other than ``"mc"``: the Dataset records its replicate layout."""
    from .engine.samplers import check_sampler
    from .risk.replicates import mark_replicated

    trials, start = check_run(scenario, trials, start)
    sampler, replicates = check_sampler(sampler, replicates, trials, start, scenario)
    arrays, recorded_seed = simulate_arrays(scenario, trials, seed=seed, start=start, engine=engine, dtype=dtype,
                                            progress=progress, sampler=sampler, replicates=replicates)  # fmt: skip
    ds = to_dataset(arrays, scenario, start=start, seed=recorded_seed, engine=engine, sampler=sampler)
    return mark_replicated(ds, sampler, replicates)


def _check_summary_sampler(sampler: Any) -> None:
    """``summarize`` runs plain Monte Carlo: any other known sampler is refused with what to use instead."""
    from .engine.samplers import SAMPLERS

    if sampler not in SAMPLERS:
        raise ValueError(f"sampler: must be one of {SAMPLERS}, got {sampler!r}")
    if sampler != "mc":
        raise ValueError(
            f"sampler: summarize supports 'mc' only, got {sampler!r} (its sketches keep no per-replicate "
            f"statistics for replicate intervals); use simulate(..., sampler={sampler!r}) and the risk functions"
        )


def summarize(
    scenario: Scenario,
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None,
    q: float | Sequence[float] = DEFAULT_QUANTILES,
    ci: float = 0.95,
    thresholds: Mapping[str, float | Sequence[float]] | None = None,
    bands: Literal["sketch", "exact"] = "sketch",
    rel_error: float = 1e-4,
    chunk: int | None = None,
    scheduler: Any = None,
    start: int = 0,
    progress: bool | None = None,
    sampler: str = "mc",
) -> xr.Dataset:
    """What :func:`simulate` and the risk functions would give for ``trials`` trials, without keeping the trials.

    The trials are simulated in tasks of ``chunk`` trials (each in blocks of 65,536) and
    reduced to mergeable statistics: integer counts (sketch buckets, exceedances, claim
    checks, boolean outputs) and exact sums.  The summary is therefore the same bit for
    bit for any ``chunk``, ``scheduler`` or worker count.  Memory is bounded by one block
    per task plus the sketches (independent of ``trials``).

    Parameters
    ----------
    scenario : Scenario
        Any registered model.
    trials : int
        Number of trials, >= 1 (any number: memory does not grow with it).
    seed : int, numpy.random.SeedSequence or None
        As for :func:`simulate`: the summary describes ``simulate(scenario, trials, seed=seed)``.
    q : float or sequence of float
        The band quantiles, in [0, 1].
    ci : float
        Probability of every interval, in (0, 1).
    thresholds : mapping of str to float or sequence of float, optional
        Exceedance thresholds per variable, ``{"spend": [1.5e9, 3e9]}``; the scenario's
        commitment totals are added for ``cumulative_spend``.
    bands : {"sketch", "exact"}
        ``"sketch"``: every order statistic from the log-bucket sketch, within ``rel_error``
        relative of the exact one (one pass).  ``"exact"``: a second pass regenerates the
        trials and keeps the values of the buckets holding the wanted order statistics, so
        the bands equal ``numpy.quantile`` (``percentile_bands``) of the full run bit for bit.
    rel_error : float
        The sketch's relative error, in [1e-6, 0.1); memory per column grows as
        ``log(max/min) / (2 rel_error)`` counts.
    chunk : int, optional
        Trials per task (default 1,048,576); does not change the result.
    scheduler : None, str or dask.distributed.Client
        ``None``: this process; ``"synchronous"``, ``"threads"``, ``"processes"``: Dask's
        local schedulers; a ``dask.distributed.Client`` or a scheduler address
        (``"tcp://host:8786"``): a cluster (lost workers' tasks are recomputed).
    start : int
        Global index of the first trial.
    progress : bool or None
        Progress bar on stderr; ``None`` shows one for 2M trials or more.
    sampler : str
        ``"mc"`` only: the summary's intervals are those of independent trials, and its
        sketches do not keep the per-replicate statistics a replicated sampler's intervals
        need (run :func:`simulate` with ``sampler=`` and the risk functions instead).

    Returns
    -------
    xarray.Dataset
        For every output and input ``v`` with dim ``trial``: ``v`` (exactly the dims and
        coords of ``percentile_bands(ds[v], q=q)``), ``v_ci`` (those of
        ``quantile_intervals``), ``v_mean``, ``v_sd``, ``v_mean_mcse``, ``v_mean_ci``,
        ``v_min``, ``v_max``, ``v_hist`` (dim ``bin``) with ``v_bin_edges`` (dim
        ``bin_edge``); with thresholds, ``v_exceedance``, ``v_exceedance_ci`` and
        ``v_exceedance_count`` (dim ``v_threshold``); for a boolean output (e.g.
        ``commitment_met``) ``v_probability``, ``v_probability_ci``, ``v_count``; the
        claims' checks (``claim_probability``, ``claim_probability_ci``, ``claim_count`` on
        dim ``claim_check``).  Attrs as :func:`simulate`'s plus ``summary`` (the bands
        mode), ``rel_error``, ``ci_prob``.  ``docs/scale-out.md`` describes the layout.

    Raises
    ------
    ValueError
        For out-of-range arguments, an unknown variable in ``thresholds``, an
        unreachable scheduler address or a ``sampler`` other than ``"mc"``.
    """
    from . import _summary as S
    from ._checks import check_ci
    from .engine import schedule
    from .engine.quantiles import exact_targets
    from .risk._intervals import check_q

    trials, start = check_run(scenario, trials, start)
    _check_summary_sampler(sampler)
    qs = check_q(q)
    ci = check_ci(ci)
    if bands not in ("sketch", "exact"):
        raise ValueError(f"bands: must be 'sketch' or 'exact', got {bands!r}")
    if isinstance(rel_error, bool) or not isinstance(rel_error, (int, float)) or not 1e-6 <= rel_error < 0.1:
        raise ValueError(f"rel_error: must be a number in [1e-6, 0.1), got {rel_error!r}")
    chunk = schedule.check_chunk(chunk, DEFAULT_CHUNK)
    progress = check_progress(progress)
    thr = _check_thresholds(thresholds, scenario)
    key, recorded_seed = _rng.key_from_seed(seed)
    plan = S.make_plan(scenario, key, thr, float(rel_error))
    sched = schedule.check_scheduler(scheduler)
    show = trials >= PROGRESS_MIN_TRIALS if progress is None else progress
    spans = schedule.ranges(start, trials, chunk)
    total = schedule.map_reduce(functools.partial(S.summarize_range, plan), S.merge, spans, scheduler=sched,
                                progress=show)  # fmt: skip
    exact = None
    if bands == "exact":
        targets, sizes = exact_targets(total.sketches, qs, ci)
        task = functools.partial(S.summarize_range, plan, targets=targets, sizes=sizes)
        kept = schedule.map_reduce(task, S.merge, spans, scheduler=sched, progress=show, desc="exact pass").kept
        exact = (targets, kept)
    template_arrays, _ = simulate_arrays(scenario, 1, seed=0, progress=False)  # layout only
    template = to_dataset(template_arrays, scenario, start=start, seed=recorded_seed, engine="numba")
    return S.summary_dataset(plan, total, template, qs, ci, bands=bands, exact=exact)


#: Trials per task of :func:`summarize` when ``chunk`` is not given.
DEFAULT_CHUNK = 1 << 20


def _check_thresholds(thresholds: Any, scenario: Scenario) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if thresholds is not None:
        if not isinstance(thresholds, Mapping):
            raise TypeError(
                f"thresholds: expected a mapping of variable name to numbers, got {type(thresholds).__name__}"
            )
        for name, value in thresholds.items():
            try:
                arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
            except (TypeError, ValueError):
                raise TypeError(
                    f"thresholds[{name!r}]: expected a number or a sequence of numbers, got {value!r}"
                ) from None
            if arr.ndim != 1 or not np.all(np.isfinite(arr)):
                raise ValueError(f"thresholds[{name!r}]: expected finite numbers, got {value!r}")
            out[str(name)] = arr
    totals = [c.total for c in scenario.commitments if math.isfinite(c.total)]
    names = {o.name for o in scenario.model.outputs(scenario.to_dict())}
    if totals and "cumulative_spend" in names:
        have = out.get("cumulative_spend", np.zeros(0))
        out["cumulative_spend"] = np.unique(np.concatenate([have, totals]))
    return out


def _check_subset(name: str, given: Sequence | None, have: Sequence, kind: type) -> list | None:
    """``given`` as a list of ``kind``, every entry one of ``have``; the message names ``name``."""
    if given is None:
        return None
    given = [kind(g) for g in given]
    missing = [g for g in given if g not in have]
    if missing:
        what = f"unknown variable(s) {missing}" if name == "keep" else f"{missing} not simulated"
        shown = sorted(map(str, have)) if name == "keep" else list(have)
        raise ValueError(f"{name}: {what}; allowed: {shown}")
    return given


def check_selection(scenario: Scenario, keep: Sequence[str] | None, years: Sequence[int] | None) -> None:
    """Check ``keep`` and ``years`` of :func:`select_output` against what ``scenario`` would simulate.

    The same checks and messages as :func:`select_output`, from the model's declaration, so a
    command can refuse them before it spends any time simulating.

    Raises
    ------
    ValueError
        For a variable the scenario's model does not output or a year it does not simulate.
    """
    d = scenario.to_dict()
    names = [o.name for o in scenario.model.outputs(d)] + [i.name for i in scenario.inputs()]
    _check_subset("keep", keep, names, str)
    _check_subset("years", years, [int(y) for y in scenario.years], int)


def select_output(ds: xr.Dataset, keep: Sequence[str] | None = None, years: Sequence[int] | None = None) -> xr.Dataset:
    """``ds`` restricted to the variables ``keep`` and the years ``years`` (either may be None: all).

    Raises
    ------
    ValueError
        For a variable or a year the Dataset does not have (the message lists what it has).
    """
    keep = _check_subset("keep", keep, list(ds.data_vars), str)
    if keep is not None:
        ds = ds[keep]
    have = [int(y) for y in ds["year"].values] if "year" in ds.coords else []
    years = _check_subset("years", years, have, int)
    if years is not None:
        ds = ds.sel(year=years)
    return ds


def simulate_to_zarr(
    scenario: Scenario,
    trials: int,
    path: str | PathLike[str],
    *,
    seed: int | np.random.SeedSequence | None,
    chunk: int = 1 << 18,
    keep: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    dtype: str | np.dtype = "float64",
    encoding: dict | None = None,
    overwrite: bool = False,
    scheduler: Any = None,
) -> Path:
    """Simulate ``trials`` trials straight into a Zarr store, block by block (memory: a few blocks).

    Parameters
    ----------
    scenario, trials, seed, dtype
        As for :func:`simulate`.
    path : path
        The store (a directory); it appears only once complete (see :func:`cloudsim.to_zarr`).
    chunk : int
        Trials per block and per Zarr chunk.
    keep : sequence of str, optional
        The variables to write (default: all).
    years : sequence of int, optional
        The years to write (default: all).
    encoding : dict, optional
        Per-variable Zarr encoding (compressors, chunks), passed to ``xarray.Dataset.to_zarr``.
    overwrite : bool
        Replace an existing store at ``path``.
    scheduler : None or str
        A Dask scheduler name for the writing (default: Dask's, or an active ``Client``).

    Returns
    -------
    pathlib.Path
        The store, readable with ``xarray.open_zarr``; equal to ``simulate(...)`` bit for bit.
    """
    import contextlib

    import dask

    from ._io import to_zarr

    ds = select_output(simulate(scenario, trials, seed=seed, chunks=chunk, dtype=dtype), keep, years)
    ctx = dask.config.set(scheduler=scheduler) if scheduler is not None else contextlib.nullcontext()
    with ctx:
        return to_zarr(ds, path, encoding=encoding, overwrite=overwrite)
