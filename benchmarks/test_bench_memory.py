"""Peak resident memory of a process that simulates 1e7 trials.

A fresh interpreter (warm numba cache) imports cloudsim, runs a small simulate
so that the kernel is loaded, then simulates the large run.  It reports its
peak resident set size, the peak before the large run, and the returned
Dataset's ``nbytes``; the benchmark's time is the subprocess's wall time.

On Linux the peak is ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` of a
child inherits the parent's high-water mark across ``vfork``/``exec`` (which
``subprocess`` uses), so there it reports the pytest process's peak rather than
the child's own.  ``ru_maxrss`` is recorded beside it; elsewhere it is the peak.
"""

from __future__ import annotations

import math

import pytest
from _common import SEED, THREADS

TRIALS = 10**7

PEAK_RSS = """
import json, resource, sys, time
import numba
import cloudsim

def ru_maxrss():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024  # bytes on macOS, KiB on Linux

def maxrss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return ru_maxrss()

numba.set_num_threads(min({threads}, numba.config.NUMBA_NUM_THREADS))
scn = cloudsim.load_scenario()
cloudsim.simulate(scn, 1000, seed={seed}, progress=False)
base = maxrss()
t0 = time.perf_counter()
ds = cloudsim.simulate(scn, {trials}, seed={seed}, progress=False)
elapsed = time.perf_counter() - t0
print(json.dumps({{"peak_rss": maxrss(), "ru_maxrss": ru_maxrss(), "base_rss": base, "nbytes": int(ds.nbytes),
                  "trials": ds.sizes["trial"], "simulate_s": elapsed}}))
"""


@pytest.mark.benchmark(group="memory-1e7")
def test_peak_rss(benchmark, run_python, cache_dirs, size):
    """Peak RSS of a 1e7-trial simulate against the Dataset's ``nbytes``."""
    trials = size(TRIALS)
    code = PEAK_RSS.format(threads=THREADS, seed=SEED, trials=trials)
    env = {"NUMBA_CACHE_DIR": str(cache_dirs.warm())}
    res = benchmark.pedantic(run_python, args=(code,), kwargs={"env": env}, rounds=1, warmup_rounds=0)
    assert res["trials"] == trials
    assert res["nbytes"] > 0 and math.isfinite(res["simulate_s"])
    # the outputs are written in full, so they must all be resident at the peak
    assert res["peak_rss"] >= res["nbytes"]
    benchmark.extra_info.update(
        kind="memory",
        trials=trials,
        peak_rss=res["peak_rss"],
        base_rss=res["base_rss"],
        ru_maxrss=res["ru_maxrss"],
        nbytes=res["nbytes"],
        simulate_s=res["simulate_s"],
        ratio=res["peak_rss"] / res["nbytes"],
    )
