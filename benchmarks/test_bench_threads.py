"""Thread scaling of the numba engine: one thread against two at 1e7 trials.

The two thread counts run *interleaved* (1, 2, 1, 2, ...) inside one benchmark, so
both see the same state of the machine: at 1e7 trials each run writes 6 GiB of
fresh memory, and on a virtual machine the cost of that first touch drifts from
minute to minute.  The ratio of the medians is recorded in ``extra_info``.
"""

from __future__ import annotations

import gc
import statistics
import time

import numba
import pytest
from _common import SEED, check_dataset, max_threads

import cloudsim

TRIALS = 10**7
ROUNDS = 5


@pytest.mark.benchmark(group="threads-1e7")
def test_thread_scaling(benchmark, scn, compiled, size, quick):
    """``simulate`` of 1e7 trials on 1 and on 2 numba threads, alternately."""
    if max_threads() < 2:
        pytest.skip(f"numba runs at most {max_threads()} threads here")
    trials = size(TRIALS)
    times: dict[int, list[float]] = {1: [], 2: []}
    last: dict = {}

    def pair() -> None:
        for threads in (1, 2):
            numba.set_num_threads(threads)  # the autouse fixture restores the default
            last.clear()
            gc.collect()
            t0 = time.perf_counter()
            last["ds"] = cloudsim.simulate(scn, trials, seed=SEED, progress=False)
            times[threads].append(time.perf_counter() - t0)

    benchmark.pedantic(pair, rounds=1 if quick else ROUNDS, warmup_rounds=0 if quick else 1)
    check_dataset(last["ds"], scn, trials)
    t1, t2 = statistics.median(times[1]), statistics.median(times[2])
    assert t1 > 0 and t2 > 0
    benchmark.extra_info.update(
        kind="thread_scaling",
        trials=trials,
        one_thread_s=t1,
        two_threads_s=t2,
        ratio=t1 / t2,
        ratio_of_minimums=min(times[1]) / min(times[2]),
        rounds=len(times[1]),
    )
