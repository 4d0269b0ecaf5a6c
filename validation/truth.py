"""Compute the truth values the replicated-sampler coverage studies compare with, and cache them in ``truth.json``.

Usage: ``python validation/truth.py [TRIALS]`` (default 1e7).  One plain Monte Carlo
summary of the article scenario (``cloudsim.summarize(..., bands="exact")``: the p95 is
``numpy.quantile`` of all trials bit for bit); the JSON records the trials, seed, version,
date, CPU and each value's own standard error, so a reader can see how the truth was made.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
import time
from pathlib import Path

import cloudsim

PATH = Path(__file__).resolve().parent / "truth.json"
SEED = 20261203
YEAR = 2032


def main(trials: int = 10_000_000) -> dict:
    from run import cpu_model

    scn = cloudsim.load_scenario()
    t0 = time.perf_counter()
    sm = cloudsim.summarize(scn, trials, seed=SEED, q=[0.95], bands="exact", progress=False)
    c = sm.sel(year=YEAR)
    p = float(sm["commitment_met_probability"])
    out = {
        "how": (
            f"cloudsim.summarize(load_scenario(), {trials}, seed={SEED}, q=[0.95], bands='exact'): plain Monte Carlo "
            f"(sampler='mc'); the exact p95 equals numpy.quantile of all trials"
        ),
        "scenario": scn.name,
        "trials": trials,
        "seed": SEED,
        "cloudsim_version": cloudsim.__version__,
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d}",
        "cpu": cpu_model(),
        "seconds": round(time.perf_counter() - t0, 1),
        "year": YEAR,
        "mean_cumulative_spend": float(c["cumulative_spend_mean"]),
        "mean_cumulative_spend_se": float(c["cumulative_spend_mean_mcse"]),
        "p95_cumulative_spend": float(c["cumulative_spend"].squeeze()),
        "p95_cumulative_spend_ci": [float(v) for v in c["cumulative_spend_ci"].values.ravel()],
        "p_commitment_met": p,
        "p_commitment_met_se": math.sqrt(p * (1 - p) / trials),
    }
    PATH.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(json.dumps(main(*(int(float(a)) for a in sys.argv[1:2])), indent=2))
