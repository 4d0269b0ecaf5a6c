"""Variance reduction of each sampler against "mc" at equal trials (article scenario, 2032 cumulative spend).

Usage: python validation/variance_study.py [TRIALS] [REPS].  Prints, per sampler, the ratio
var_mc / var_sampler of the mean, p5, p50, p95 and P(cumulative spend >= 38e9) over REPS runs.
"""

from __future__ import annotations

import sys

import numpy as np

import cloudsim


def main(trials: int = 2**13, reps: int = 32) -> None:
    scn = cloudsim.load_scenario()
    est: dict[str, list[list[float]]] = {}
    for smp in ("mc", "antithetic", "lhs", "sobol", "halton"):
        rows = []
        for s in range(reps):
            c = cloudsim.simulate(scn, trials, seed=1000 + s, sampler=smp)["cumulative_spend"].isel(year=-1).values
            rows.append([c.mean(), *np.quantile(c, [0.05, 0.5, 0.95]), (c >= 38e9).mean()])
        est[smp] = rows
    base = np.var(est["mc"], axis=0, ddof=1)
    print(f"trials={trials} reps={reps}: variance ratio vs mc (mean, p5, p50, p95, P(>=38e9))")
    for smp, rows in est.items():
        print(f"{smp:11s}", "  ".join(f"{r:6.1f}" for r in base / np.var(rows, axis=0, ddof=1)))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
