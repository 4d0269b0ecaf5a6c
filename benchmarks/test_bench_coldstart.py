"""Cold start: ``import cloudsim`` and the first ``simulate`` of a fresh interpreter.

Each round is a new subprocess.  The benchmark's time is the subprocess's wall
time (interpreter start included); the in-process timings of each phase
(``import``, ``load_scenario``, ``simulate``) go to ``extra_info``.  The first
simulate runs with a warm numba cache (kernels loaded from disk) and with a
cold one (a fresh, empty ``NUMBA_CACHE_DIR``: kernels compiled).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest

IMPORT_ONLY = """
import json, time
t0 = time.perf_counter()
import cloudsim
t1 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "version": cloudsim.__version__}))
"""


def _medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = [k for k, v in runs[0].items() if isinstance(v, float)]
    return {f"{k}_s": statistics.median(r[k] for r in runs) for k in keys}


def _check_timings(runs: list[dict[str, Any]]) -> None:
    assert runs, "no subprocess ran"
    for r in runs:
        for v in r.values():
            if isinstance(v, float):
                assert math.isfinite(v) and v >= 0.0


@pytest.mark.benchmark(group="cold-start")
@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_first_simulate(benchmark, cache_dirs, cache):
    """``import cloudsim; simulate(scn, 1000)`` in a fresh interpreter."""
    runs: list[dict[str, Any]] = []

    def setup():
        path = cache_dirs.fresh() if cache == "cold" else cache_dirs.warm()
        return (path,), {}

    def first_simulate(path: Path) -> None:
        runs.append(cache_dirs.first_simulate(path))
        if cache == "cold":
            cache_dirs.primed(path)

    rounds, warmup = (2, 0) if cache == "cold" else (5, 1)
    benchmark.pedantic(first_simulate, setup=setup, rounds=rounds, warmup_rounds=warmup)
    _check_timings(runs)
    assert all(r["trials"] == 1000 for r in runs)
    measured = runs[warmup:] or runs
    benchmark.extra_info.update(kind="first_simulate", cache=cache, trials=1000, **_medians(measured))


@pytest.mark.benchmark(group="cold-start")
def test_import(benchmark, run_python, cache_dirs):
    """``import cloudsim`` alone in a fresh interpreter."""
    env = {"NUMBA_CACHE_DIR": str(cache_dirs.warm())}
    runs: list[dict[str, Any]] = []

    def import_only() -> None:
        runs.append(run_python(IMPORT_ONLY, env=env))

    benchmark.pedantic(import_only, rounds=7, warmup_rounds=1)
    _check_timings(runs)
    assert all(r["version"] for r in runs)
    measured = runs[1:] or runs
    benchmark.extra_info.update(kind="import", **_medians(measured))
