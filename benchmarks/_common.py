"""Helpers shared by the benchmarks and by ``conftest.py``."""

from __future__ import annotations

import math

import numba
import numpy as np

import cloudsim

#: Threads of the numba engine in every benchmark but the thread comparison.
THREADS = 2
#: The largest run in quick mode (``--benchmark-disable``).
QUICK_MAX_TRIALS = 1_000_000
#: Seed of every benchmark run.
SEED = 20251103


def variates_per_trial(scn: cloudsim.Scenario) -> tuple[int, int]:
    """Count the normal and uniform variates one trial of ``scn`` consumes.

    Follows the deal model's variate order (``cloudsim/models/deal/kernel.py``):
    one normal per drawn input (plus ``df`` for the chi-square of a Student-t
    copula); one normal per yearly shock for years ``t = 1..T``; one uniform and
    one normal per year after the spend claim's year.  Rejections inside the
    ziggurat are not counted: this is the number of variates a plain generator
    would draw.

    Returns
    -------
    normals : int
        Standard normals per trial.
    uniforms : int
        Uniforms per trial.
    """
    t_last = len(scn.years) - 1
    after_claim = t_last - (scn.claim_years["spend"] - scn.start_year)
    shocks = len(scn.model.shocks(scn.to_dict()))
    return len(scn.inputs()) + scn.student_df() + shocks * t_last + after_claim, after_claim


def max_threads() -> int:
    """The most threads numba can run here (``NUMBA_NUM_THREADS``)."""
    return int(numba.config.NUMBA_NUM_THREADS)


def label(n: int) -> str:
    """``100000 -> "1e5"``."""
    return f"1e{round(math.log10(n))}"


def check_dataset(ds, scn: cloudsim.Scenario, trials: int) -> None:
    """Sizes, finiteness, positivity and the share simplex of a simulated Dataset."""
    assert ds.sizes["trial"] == trials
    assert ds.sizes["year"] == len(scn.years)
    spend = ds["spend"].values
    assert np.isfinite(spend).all() and (spend > 0).all()
    share = ds["share"].values[:: max(1, trials // 10_000)]
    assert ((share > 0) & (share < 1)).all()
    np.testing.assert_allclose(share.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what :mod:`platform` knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()
