"""Thread scaling of the numba engine: one thread against two at 1e7 trials."""

from __future__ import annotations

import numba
import pytest
from _common import SEED, check_dataset, max_threads

import cloudsim

TRIALS = 10**7


@pytest.mark.benchmark(group="threads-1e7")
@pytest.mark.parametrize("threads", [1, 2])
def test_simulate_threads(benchmark, scn, compiled, size, threads):
    """``simulate`` of 1e7 trials on ``threads`` numba threads."""
    if threads > max_threads():
        pytest.skip(f"numba runs at most {max_threads()} threads here")
    numba.set_num_threads(threads)  # the autouse fixture restores the default
    trials = size(TRIALS)
    held: dict = {}
    benchmark.pedantic(
        lambda: held.__setitem__("ds", cloudsim.simulate(scn, trials, seed=SEED, progress=False)),
        setup=held.clear,
        rounds=5,  # the first touch of 6 GiB of fresh memory is noisy on a VM: more rounds, steadier median
        warmup_rounds=1,
    )
    assert numba.get_num_threads() == threads
    check_dataset(held["ds"], scn, trials)
    benchmark.extra_info.update(kind="threads", engine="numba", trials=trials, threads=threads)
