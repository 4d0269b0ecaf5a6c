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


#: Trials per run of the Saltelli benchmark: ``N (G + 2)`` trials in all for ``G`` stream groups.
N_SALTELLI = 2**14


@pytest.mark.benchmark(group="saltelli")
@pytest.mark.parametrize("impl", ["saltelli", "simulate"])
def test_saltelli_against_simulate_of_its_trials(benchmark, scn, compiled, size, impl):
    """Saltelli indices of three outputs (every stream group) against one plain run of the same ``N (G + 2)`` trials.

    The ratio is the cost of drawing two streams per trial and of the ``G + 2`` separate runs.
    """
    n = size(N_SALTELLI)
    total = n * (len(scn.model.streams(scn.to_dict())) + 2)
    if impl == "saltelli":
        outputs = ["spend", "cumulative_spend", "commitment_met"]
        kw = {"method": "saltelli", "trials": n, "seed": SEED}
        res = benchmark.pedantic(cloudsim.sensitivity, args=(scn, outputs), kwargs=kw, rounds=3, warmup_rounds=1)
        assert res["spend"].attrs["total_trials"] == total
    else:
        ds = benchmark.pedantic(cloudsim.simulate, args=(scn, total), kwargs={"seed": SEED, "progress": False},
                                rounds=3, warmup_rounds=1)  # fmt: skip
        assert ds.sizes["trial"] == total
    benchmark.extra_info.update(kind="saltelli", impl=impl, trials=total)
