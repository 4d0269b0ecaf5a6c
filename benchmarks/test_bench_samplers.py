"""The samplers: what a Sobol trial costs against an mc trial, and the variance each sampler removes at equal trials.

* ``sampler-cost``: ``simulate`` of 2^20 trials of the article scenario with ``"mc"`` and
  with ``"sobol"`` (16 replicates), side by side; the report's target is a ratio of
  medians <= 1.3.
* ``sampler-variance``: 64 independent runs of 2^14 trials per sampler (seeds
  ``SEED + r``); the variance over runs of the mean of 2032 cumulative spend and of the
  p5/p50/p95 band edges of spend and cumulative spend, as ``var_mc / var_sampler``
  (``extra_info``; the report's targets: sobol >= 30x for the mean, >= 6x for every band
  edge; antithetic and LHS reported beside).
"""

from __future__ import annotations

import numpy as np
import pytest
from _common import SEED

import cloudsim

SAMPLERS = ("mc", "antithetic", "lhs", "sobol", "halton")
COST_TRIALS = 2**20
RUNS, TRIALS = 64, 2**14
QUICK_RUNS, QUICK_TRIALS = 6, 2**11
QUANTILES = (0.05, 0.5, 0.95)
#: The band-edge statistics, each (variable, quantile): every year but the start year (a drawn input's
#: known marginal there) is a cell, and the report shows the smallest ratio over the cells.
EDGES = tuple((v, q) for v in ("spend", "cumulative_spend") for q in QUANTILES)


@pytest.mark.benchmark(group="sampler-cost")
@pytest.mark.parametrize("sampler", ["mc", "sobol"])
def test_sampler_cost(benchmark, scn, quick, _numba_threads, sampler):
    trials = 2**14 if quick else COST_TRIALS
    cloudsim.simulate(scn, 2**12, seed=SEED, sampler=sampler, progress=False)  # compiled outside the timing
    ds = benchmark.pedantic(lambda: cloudsim.simulate(scn, trials, seed=SEED, sampler=sampler, progress=False),
                            rounds=1 if quick else 7, iterations=1)  # fmt: skip
    assert ds.sizes["trial"] == trials
    benchmark.extra_info.update(kind="sampler_cost", sampler=sampler, trials=trials, threads=_numba_threads)


def estimates(scn: cloudsim.Scenario, sampler: str, runs: int, trials: int) -> dict[str, np.ndarray]:
    """Per run: the mean of 2032 cumulative spend and every band edge per year (arrays over runs)."""
    out: dict[str, list[np.ndarray]] = {"mean": [], **{f"{v} p{round(q * 100)}": [] for v, q in EDGES}}
    for r in range(runs):
        ds = cloudsim.simulate(scn, trials, seed=SEED + r, sampler=sampler, progress=False)
        out["mean"].append(np.asarray(ds["cumulative_spend"].sel(year=2032).mean("trial")))
        for v, q in EDGES:
            x = ds[v].isel(year=slice(1, None)).transpose("year", "trial").values
            out[f"{v} p{round(q * 100)}"].append(np.quantile(x, q, axis=-1))
    return {k: np.asarray(v) for k, v in out.items()}


@pytest.mark.benchmark(group="sampler-variance")
def test_sampler_variance_reduction(benchmark, scn, quick):
    runs, trials = (QUICK_RUNS, QUICK_TRIALS) if quick else (RUNS, TRIALS)

    def study() -> dict[str, dict[str, float]]:
        est = {s: estimates(scn, s, runs, trials) for s in SAMPLERS}
        base = {k: np.var(v, axis=0, ddof=1) for k, v in est["mc"].items()}
        ratios = {}
        for s in SAMPLERS[1:]:
            ratios[s] = {k: float(np.nanmin(base[k] / np.var(v, axis=0, ddof=1))) for k, v in est[s].items()}
        return ratios

    ratios = benchmark.pedantic(study, rounds=1, iterations=1)
    assert set(ratios) == set(SAMPLERS[1:]) and all(np.isfinite(list(r.values())).all() for r in ratios.values())
    benchmark.extra_info.update(kind="sampler_variance", runs=runs, trials=trials, ratios=ratios)
