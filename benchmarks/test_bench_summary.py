"""Summaries past memory: peak RSS of a 1e8-trial ``summarize``, its cost per trial, Dask's overhead.

* ``summary-1e8``: a fresh interpreter (warm numba cache) summarises 1e8 trials of the
  article scenario; it reports its peak resident set (``VmHWM``), the time and trials/s.
  Memory must stay bounded by one block per task plus the sketches, whatever ``trials``.
* ``summary-per-trial``: ``summarize`` and ``simulate`` of the same trials, run alternately in
  one benchmark (both see the same state of the machine); summary mode must be at least as
  fast per trial as the full-path run.
* ``summary-dask``: ``summarize`` on this process's threads and through Dask's threaded
  scheduler, alternately; Dask's overhead is the ratio of the medians.

In quick mode (``make test``) each runs once at :data:`QUICK_TRIALS` trials.
"""

from __future__ import annotations

import gc
import math
import statistics
import time

import pytest
from _common import SEED, THREADS

import cloudsim

BIG = 10**8
PER_TRIAL = 4 * 10**6
ROUNDS = 3
#: Trials of each run in quick mode: enough to exercise the path, short enough for ``make test``.
QUICK_TRIALS = 100_000

SUMMARY_RSS = """
import json, time
import numba
import cloudsim

def vmhwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0

numba.set_num_threads(min({threads}, numba.config.NUMBA_NUM_THREADS))
scn = cloudsim.load_scenario()
cloudsim.summarize(scn, 10_000, seed={seed}, progress=False)  # load the kernels
base = vmhwm()
t0 = time.perf_counter()
sm = cloudsim.summarize(scn, {trials}, seed={seed}, progress=False)
elapsed = time.perf_counter() - t0
print(json.dumps({{"peak_rss": vmhwm(), "base_rss": base, "trials": int(sm.attrs["trials"]),
                  "summarize_s": elapsed, "p_met": float(sm["commitment_met_probability"])}}))
"""


@pytest.mark.benchmark(group="summary-1e8")
def test_summary_peak_rss(benchmark, run_python, scn, quick):
    """Peak RSS and throughput of a fresh process that summarises 1e8 trials."""
    trials = QUICK_TRIALS if quick else BIG
    code = SUMMARY_RSS.format(threads=THREADS, seed=SEED, trials=trials)
    # the child shares this process's numba cache: warm it here, so the child loads the kernels
    cloudsim.summarize(scn, 10_000, seed=SEED, progress=False)
    res = benchmark.pedantic(run_python, args=(code,), rounds=1, warmup_rounds=0)
    assert res["trials"] == trials
    assert 0.0 < res["p_met"] < 1.0 and math.isfinite(res["summarize_s"])
    assert res["peak_rss"] > 0
    benchmark.extra_info.update(
        kind="summary_memory",
        trials=trials,
        peak_rss=res["peak_rss"],
        base_rss=res["base_rss"],
        summarize_s=res["summarize_s"],
        trials_per_s=trials / res["summarize_s"],
    )


def _alternate(benchmark, quick: bool, runs: dict, check) -> dict[str, list[float]]:
    """Run each callable of ``runs`` in turn, ``ROUNDS`` times, inside one benchmark; their times by name."""
    times: dict[str, list[float]] = {name: [] for name in runs}

    def round_() -> None:
        for name, run in runs.items():
            gc.collect()
            t0 = time.perf_counter()
            out = run()
            times[name].append(time.perf_counter() - t0)
            check(name, out)
            del out

    benchmark.pedantic(round_, rounds=1 if quick else ROUNDS, warmup_rounds=0 if quick else 1)
    return times


@pytest.mark.benchmark(group="summary-per-trial")
def test_summary_against_full_paths(benchmark, scn, compiled, quick):
    """``summarize`` and ``simulate`` of the same trials, alternately: time per trial of each."""
    trials = QUICK_TRIALS if quick else PER_TRIAL
    cloudsim.summarize(scn, 10_000, seed=SEED, progress=False)  # compile or load outside the timing

    def check(name: str, out) -> None:
        n = out.attrs["trials"] if name == "summarize" else out.sizes["trial"]
        assert n == trials

    times = _alternate(benchmark, quick, {
        "simulate": lambda: cloudsim.simulate(scn, trials, seed=SEED, progress=False),
        "summarize": lambda: cloudsim.summarize(scn, trials, seed=SEED, progress=False),
    }, check)  # fmt: skip
    ts, tm = statistics.median(times["simulate"]), statistics.median(times["summarize"])
    benchmark.extra_info.update(
        kind="summary_per_trial",
        trials=trials,
        simulate_s=ts,
        summarize_s=tm,
        ratio=tm / ts,
        ratio_of_minimums=min(times["summarize"]) / min(times["simulate"]),
        rounds=len(times["simulate"]),
    )


@pytest.mark.benchmark(group="summary-dask")
def test_dask_overhead(benchmark, scn, compiled, quick):
    """``summarize`` here and through Dask's threaded scheduler, alternately; the two must agree bit for bit."""
    trials = QUICK_TRIALS if quick else BIG
    results: dict = {}

    def check(name: str, out) -> None:
        results[name] = out

    times = _alternate(benchmark, quick, {
        "local": lambda: cloudsim.summarize(scn, trials, seed=SEED, progress=False),
        "dask": lambda: cloudsim.summarize(scn, trials, seed=SEED, progress=False, scheduler="threads"),
    }, check)  # fmt: skip
    assert results["local"].equals(results["dask"])  # every value and coordinate, bit for bit
    tl, td = statistics.median(times["local"]), statistics.median(times["dask"])
    benchmark.extra_info.update(
        kind="summary_dask",
        trials=trials,
        local_s=tl,
        dask_s=td,
        ratio=td / tl,
        ratio_of_minimums=min(times["dask"]) / min(times["local"]),
        rounds=len(times["local"]),
    )
