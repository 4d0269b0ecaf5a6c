"""``cloudsim.sensitivity`` (rank, every input x every year of ``spend``) against ``simulate`` of the same trials.

The ratio says what the indices cost in runs: the target is well under one run's time.
"""

from __future__ import annotations

import pytest
from _common import SEED

import cloudsim

N = 10**6


@pytest.fixture(scope="module")
def run(scn, compiled, size):
    return cloudsim.simulate(scn, size(N), seed=SEED, progress=False)


@pytest.mark.benchmark(group="sensitivity-1M")
@pytest.mark.parametrize("impl", ["sensitivity", "simulate"])
def test_sensitivity_against_simulate(benchmark, scn, run, size, impl):
    if impl == "sensitivity":
        res = benchmark.pedantic(cloudsim.sensitivity, args=(run, "spend"), rounds=3, warmup_rounds=0)
        assert res["S1"].dims == ("input", "year")
    else:
        ds = benchmark.pedantic(cloudsim.simulate, args=(scn, size(N)), kwargs={"seed": SEED, "progress": False},
                                rounds=3, warmup_rounds=0)  # fmt: skip
        assert ds.sizes["trial"] == size(N)
    benchmark.extra_info.update(kind="sensitivity", impl=impl, trials=int(run.sizes["trial"]))
