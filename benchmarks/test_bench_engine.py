"""The engines against each other and against bare ``numpy.random`` normals.

Groups ``trials-1e5``, ``trials-1e6`` and ``trials-1e7`` each hold, for one
number of trials: ``simulate`` with the numba engine (two threads), with the
NumPy reference engine (1e5 and 1e6 only: it is slow), and
``numpy.random.default_rng(0).standard_normal(k)`` for the number ``k`` of
normal variates the scenario consumes for that many trials.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _common import SEED, check_dataset, label, variates_per_trial

import cloudsim

#: Timed rounds per number of trials (after one warm-up round).
ROUNDS = {10**5: 10, 10**6: 5, 10**7: 3}
#: The NumPy engine takes about 13 s per million trials: fewer rounds.
ROUNDS_NUMPY = {10**5: 3, 10**6: 2}


def sizes(*ns: int) -> list:
    """Parameters ``n``, each in the benchmark group ``trials-<n>``."""
    return [pytest.param(n, id=label(n), marks=pytest.mark.benchmark(group=f"trials-{label(n)}")) for n in ns]


@pytest.mark.parametrize("n", sizes(10**5, 10**6, 10**7))
def test_simulate_numba(benchmark, scn, compiled, size, _numba_threads, n):
    """``simulate`` with the fused numba kernel."""
    trials = size(n)
    held: dict = {}
    benchmark.pedantic(
        lambda: held.__setitem__("ds", cloudsim.simulate(scn, trials, seed=SEED, progress=False)),
        setup=held.clear,  # free the previous round's Dataset outside the timing
        rounds=ROUNDS[n],
        warmup_rounds=1,
    )
    check_dataset(held["ds"], scn, trials)
    benchmark.extra_info.update(
        kind="simulate", engine="numba", trials=trials, threads=_numba_threads, nbytes=int(held["ds"].nbytes)
    )


@pytest.mark.parametrize("n", sizes(10**5, 10**6))
def test_simulate_numpy(benchmark, scn, size, n):
    """``simulate`` with the NumPy reference engine."""
    trials = size(n)
    held: dict = {}
    benchmark.pedantic(
        lambda: held.__setitem__("ds", cloudsim.simulate(scn, trials, seed=SEED, engine="numpy", progress=False)),
        setup=held.clear,
        rounds=ROUNDS_NUMPY[n],
        warmup_rounds=0,
    )
    check_dataset(held["ds"], scn, trials)
    benchmark.extra_info.update(kind="simulate", engine="numpy", trials=trials, threads=1)


@pytest.mark.parametrize("n", sizes(10**5, 10**6, 10**7))
def test_standard_normal(benchmark, scn, size, n):
    """``default_rng(0).standard_normal(k)``: the normals ``n`` trials consume."""
    trials = size(n)
    per_trial, uniforms = variates_per_trial(scn)
    k = per_trial * trials
    held: dict = {}
    benchmark.pedantic(
        lambda: held.__setitem__("z", np.random.default_rng(0).standard_normal(k)),
        setup=held.clear,
        rounds=ROUNDS[n],
        warmup_rounds=1,
    )
    z = held["z"]
    assert z.shape == (k,) and z.dtype == np.float64
    assert np.isfinite(z).all()
    assert abs(z.mean()) < 6.0 / math.sqrt(k)
    assert abs(z.std() - 1.0) < 6.0 / math.sqrt(k)
    benchmark.extra_info.update(
        kind="standard_normal", trials=trials, normals_per_trial=per_trial, uniforms_per_trial=uniforms, variates=k
    )
