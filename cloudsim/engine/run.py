"""Run a scenario's model: check the arguments, allocate its declared outputs, call its kernel chunk by chunk.

Two engines share one signature and one variate order: ``"numba"`` (the model's
fused kernel, threads over blocks of trials, outputs written in place) and
``"numpy"`` (the model's NumPy reference, for checking).  Both obey the
randomness contract: trial ``i`` depends only on ``(scenario, seed, i)``
(and, with ``inputs=``, on the values given for it; with ``second_streams=``, on the second seed).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .. import _rng
from .._checks import check_dtype, check_int, check_progress
from ..scenario import Scenario
from . import samplers

__all__ = ["CHUNK", "ENGINES", "STREAMS", "allocate", "check_memory", "check_run", "check_stream", "simulate_arrays"]

ENGINES = ("numba", "numpy")
#: Trials per kernel call: the progress bar's step; results do not depend on it.
CHUNK = 1 << 18
#: Runs at least this long show a progress bar when ``progress=None``.
PROGRESS_MIN_TRIALS = 2_000_000
#: Refuse a run whose outputs would need more than this share of the machine's memory.
MEMORY_SHARE = 0.8


def output_bytes(scenario: Scenario, trials: int, dtype: np.dtype) -> int:
    """Bytes the outputs of ``trials`` trials take (the Dataset's ``nbytes``)."""
    d = scenario.to_dict()
    coords = scenario.model.coords(d)
    per_trial = len(scenario.inputs()) * dtype.itemsize
    for o in scenario.model.outputs(d):
        size = int(np.prod([len(coords[dim]) for dim in o.dims[1:]], dtype=np.int64))
        per_trial += size * (1 if o.is_bool else dtype.itemsize)
    return per_trial * trials


def allocate(scenario: Scenario, trials: int, dtype: np.dtype) -> dict[str, np.ndarray]:
    """Uninitialised arrays for every declared output (and ``"inputs"``: trial x input)."""
    d = scenario.to_dict()
    coords = scenario.model.coords(d)
    out = {}
    try:
        for o in scenario.model.outputs(d):
            shape = (trials, *(len(coords[dim]) for dim in o.dims[1:]))
            out[o.name] = np.empty(shape, np.bool_ if o.is_bool else dtype)
        out["inputs"] = np.empty((trials, len(scenario.inputs())), dtype)
    except MemoryError:
        out.clear()
        need = output_bytes(scenario, trials, dtype)
        raise MemoryError(
            f"trials: allocating the outputs of {trials:,} trials ({need / 2**30:,.1f} GiB) failed; use fewer "
            f"trials, dtype='float32', cloudsim.summarize (bounded memory) or simulate(..., chunks=...)"
        ) from None
    return out


def memory_bytes() -> int | None:
    """The machine's physical memory in bytes (None where it cannot be read)."""
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def fits_in_memory(scenario: Scenario, trials: int, dtype: np.dtype) -> bool:
    """Whether a full run's outputs fit in :data:`MEMORY_SHARE` of the machine's memory."""
    avail = memory_bytes()
    return avail is None or output_bytes(scenario, trials, dtype) <= MEMORY_SHARE * avail


def check_memory(scenario: Scenario, trials: int, dtype: np.dtype) -> None:
    """Refuse a full run whose outputs would not fit in :data:`MEMORY_SHARE` of memory, naming ``trials``."""
    need = output_bytes(scenario, trials, dtype)
    avail = memory_bytes()
    if avail is None:  # pragma: no cover - not POSIX
        return
    if need > MEMORY_SHARE * avail:
        raise ValueError(
            f"trials: {trials:,} trials need about {need / 2**30:,.1f} GiB for their outputs, more than "
            f"{MEMORY_SHARE:.0%} of this machine's {avail / 2**30:,.1f} GiB; for bands, probabilities and "
            f"histograms in bounded memory use cloudsim.summarize(scenario, {trials}, seed=...) (or `cloudsim run "
            f"--summary`); for the paths use simulate(..., chunks=1_000_000) (lazy, Dask-backed) or "
            f"cloudsim.simulate_to_zarr"
        )


def check_run(scenario: Scenario, trials: int, start: int) -> tuple[int, int]:
    """The checks every run shares: a Scenario, ``trials >= 1``, ``start >= 0``, ``start + trials <= 2**62``."""
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario: expected a cloudsim.Scenario (see cloudsim.load_scenario), got {type(scenario).__name__}"
        )
    trials = check_int(trials, "trials", 1)
    start = check_int(start, "start", 0)
    if start + trials > 2**62:
        raise ValueError(f"start + trials: must be <= 2**62, got {start + trials}")
    return trials, start


#: The stream versions a run can draw from (``docs/model.md``, "Stream versions").
STREAMS = (1, 2)


def check_stream(stream: Any, *, sampler: str = "mc", replicates: int | None = None, inputs: Any = None,
                 second_streams: Any = None, chunks: int | None = None) -> int:  # fmt: skip
    """``stream`` checked: 1 or 2; version 2 runs ``sampler="mc"`` only, without given inputs,
    a second seed or ``chunks`` (ValueError naming the field otherwise)."""
    if isinstance(stream, bool) or not isinstance(stream, (int, np.integer)):
        raise TypeError(f"stream: expected an int, one of {STREAMS}, got {type(stream).__name__}")
    if int(stream) not in STREAMS:
        raise ValueError(f"stream: must be one of {STREAMS}, got {stream}")
    if stream == 2:
        for name, used in (("sampler", sampler != "mc" or replicates is not None), ("inputs", bool(inputs)),
                           ("second_streams", second_streams is not None), ("chunks", chunks is not None)):  # fmt: skip
            if used:
                raise ValueError(
                    f"{name}: not supported on stream version 2 (it runs sampler='mc' without given inputs, "
                    f"a second seed or chunks); use stream=1 for {name}"
                )
    return int(stream)


def check_finite(scenario: Scenario, out: dict[str, np.ndarray], lo: int, hi: int, start: int) -> None:
    """Refuse a run whose outputs overflowed: every float output of trials ``lo..hi`` must be finite.

    A distribution whose draws are finite can still drive a path to ``inf`` (a growth of 1e308,
    a log-normal median of 1e300 compounded over the years); the message names the output, the
    first trial and year affected, and the per-trial inputs to look at.
    """
    for name, arr in out.items():
        if arr.dtype.kind != "f":
            continue
        block = arr[lo:hi]
        # a sum is finite only if every term is (a fast pass, no temporary); if it is not, look closer:
        # finite values can still sum to inf
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(np.sum(block, dtype=np.float64))
        if np.isfinite(total) or np.isfinite(block).all():
            continue
        idx = np.argwhere(~np.isfinite(block))[0]
        trial = start + lo + int(idx[0])
        what = "the per-trial inputs" if name == "inputs" else f"output {name!r}"
        where = f"trial {trial}" + (f", position {tuple(int(i) for i in idx[1:])}" if len(idx) > 1 else "")
        raise ValueError(
            f"{what}: not finite ({block[tuple(idx)]}) at {where}: the scenario's values overflow float64; "
            f"check the sizes of its claims and assumptions (e.g. a growth or a median far beyond any real "
            f"market) in scenario {scenario.name!r}"
        )


def simulate_arrays(
    scenario: Scenario,
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    start: int = 0,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str | np.dtype = "float64",
    progress: bool | None = None,
    sampler: str = "mc",
    replicates: int | None = None,
    inputs: Mapping[str, Any] | None = None,
    second_seed: int | np.random.SeedSequence | None = None,
    second_streams: Sequence[str] | None = None,
    stream: int = 1,
) -> tuple[dict[str, np.ndarray], str]:
    """Run the scenario's model; return its raw output arrays and the seed as recorded.

    Same parameters as :func:`cloudsim.simulate`; see there.
    """
    trials, start = check_run(scenario, trials, start)
    check_stream(stream, sampler=sampler, replicates=replicates, inputs=inputs, second_streams=second_streams)
    sampler, replicates = samplers.check_sampler(sampler, replicates, trials, start, scenario)
    if sampler != "mc" and engine != "numba":
        raise ValueError(f"engine: sampler {sampler!r} runs on the 'numba' engine, got {engine!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine: must be one of {ENGINES}, got {engine!r}")
    dt = check_dtype(dtype)
    progress = check_progress(progress)
    check_memory(scenario, trials, dt)
    key, recorded_seed = _rng.key_from_seed(seed)
    model = scenario.model
    packed = scenario.pack()
    if inputs is not None:
        from .given import check_given

        packed = model.with_given(packed, *check_given(scenario, trials, inputs))
    if second_streams is not None:
        from .second import check_second

        if sampler != "mc" or engine != "numba":
            raise ValueError(
                f"second_streams: streams from a second seed need sampler='mc' and engine='numba', "
                f"got sampler={sampler!r}, engine={engine!r}"
            )
        key2, flags, _ = check_second(scenario, second_seed, second_streams)
        packed = model.with_second(packed, key2, flags)
    if stream != 1:
        packed = model.with_stream(packed, stream)
    out = allocate(scenario, trials, dt)
    if engine == "numpy":
        model.reference(key, start, packed, out)
        check_finite(scenario, out, 0, trials, start)
        return out, recorded_seed
    show = trials >= PROGRESS_MIN_TRIALS if progress is None else bool(progress)
    bar = _progress_bar(trials) if show else None
    try:
        if sampler != "mc":
            _run_scored(scenario, key, trials, start, packed, out, sampler, replicates, bar)
            return out, recorded_seed
        for lo in range(0, trials, CHUNK):
            hi = min(lo + CHUNK, trials)
            model.run(key, start, lo, hi, packed, out)
            check_finite(scenario, out, lo, hi, start)
            if bar is not None:
                bar.update(hi - lo)
    finally:
        if bar is not None:
            bar.close()
    return out, recorded_seed


#: Trials per kernel call with a sampler's scores (bounds the scores' memory: SCORE_CHUNK x dims).
SCORE_CHUNK = 1 << 16


def _run_scored(scenario, key, trials, start, packed, out, sampler, replicates, bar) -> None:
    """The chunk loop of a sampler other than ``"mc"``: its scores per chunk, then the kernel."""
    n_in, dims, segments = scenario.model.score_layout(scenario.to_dict())
    smap = samplers.score_map(n_in, [samplers.Segment(*s) for s in segments], dims)
    cache: dict = {}
    for lo in range(0, trials, SCORE_CHUNK):
        hi = min(lo + SCORE_CHUNK, trials)
        sc = samplers.scores(sampler, key, dims, replicates, trials, start, lo, hi, smap, cache)
        scenario.model.run(key, start, lo, hi, packed, out, scores=sc)  # row i reads sc[i - lo]
        check_finite(scenario, out, lo, hi, start)
        if bar is not None:
            bar.update(hi - lo)


def _progress_bar(total: int):  # pragma: no cover - cosmetic
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="trial", unit_scale=True, desc="simulate", file=sys.stderr, leave=False)
