"""Per-trial cost of the engine by input family (group ``families-1e6``).

The default scenario with its two assumption inputs, ``spend.growth_after_target``
and ``spend.shift_fraction``, given as normal-based families (closed form in the
kernel), as PERT (spline table) or as Metalog (closed-form quantile function).
The target: PERT and Metalog within 1.2x of the normal-based families, i.e. no
scipy call and no root finding on the hot path.
"""

from __future__ import annotations

import numpy as np
import pytest
from _common import SEED, check_dataset

import cloudsim
from cloudsim.distributions import PERT, LogitNormal, LogNormal, Metalog

TRIALS = 1_000_000

FAMILIES = {
    "normal": {
        "spend.growth_after_target": LogNormal.from_quantiles({0.05: 0.05, 0.95: 0.8}, loc=-1.0),
        "spend.shift_fraction": LogitNormal.from_quantiles({0.05: 0.08, 0.95: 0.42}),
    },
    "pert": {
        "spend.growth_after_target": PERT(0.0, 0.35, 1.0),
        "spend.shift_fraction": PERT(0.05, 0.2, 0.5),
    },
    "metalog": {
        "spend.growth_after_target": Metalog.from_quantiles({0.05: 0.05, 0.5: 0.35, 0.95: 0.8}, lower=-1.0),
        "spend.shift_fraction": Metalog.from_quantiles({0.05: 0.08, 0.5: 0.2, 0.95: 0.42}, lower=0.0, upper=1.0),
    },
}


@pytest.mark.benchmark(group="families-1e6")
@pytest.mark.parametrize("family", list(FAMILIES))
def test_simulate_by_family(benchmark, scn, compiled, size, _numba_threads, family):
    """``simulate`` at 1e6 trials with the assumption inputs from one family."""
    s = scn.replace(FAMILIES[family])
    trials = size(TRIALS)
    cloudsim.simulate(s, 1_000, seed=SEED, progress=False)  # build the tables outside the timing
    held: dict = {}
    benchmark.pedantic(
        lambda: held.__setitem__("ds", cloudsim.simulate(s, trials, seed=SEED, progress=False)),
        setup=held.clear,
        rounds=5,
        warmup_rounds=1,
    )
    check_dataset(held["ds"], s, trials)
    g = held["ds"]["spend_growth_late"].values
    assert np.all(g > -1.0)
    benchmark.extra_info.update(kind="family", family=family, trials=trials, threads=_numba_threads)
