"""Rendering the dashboard (:func:`cloudsim.plot.dashboard`) of a 1,000,000-trial run.

Two cases, both drawn to pixels (Agg ``canvas.draw()``), each round on a fresh figure:

* ``render``: the percentile bands are already computed (``bands=``): the time to build the
  four panels (histogram, exceedance probability and claim checks still read the trials)
  and rasterise them.  The issue's target is under 2 s.
* ``full``: ``dashboard(ds)`` from the Dataset alone, bands included.

The simulation itself is not timed.
"""

from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from _common import SEED

import cloudsim
from cloudsim import plot

TRIALS = 1_000_000
#: The issue's target for ``render`` (seconds).
TARGET_S = 2.0


@pytest.fixture(scope="module")
def run(scn, compiled, size):
    """``(ds, bands)``: the simulation and its percentile bands (spend and shares)."""
    ds = cloudsim.simulate(scn, size(TRIALS), seed=SEED, progress=False)
    bands = cloudsim.percentile_bands(ds[["spend", "share"]])
    yield ds, bands
    plt.close("all")


@pytest.mark.benchmark(group="plot-dashboard")
@pytest.mark.parametrize("case", ["render", "full"])
def test_dashboard(benchmark, run, scn, case, quick):
    """Build and rasterise the four-panel dashboard."""
    ds, bands = run
    timings: list[float] = []

    def draw():
        t0 = time.perf_counter()
        fig = plot.dashboard(ds, scn, bands=bands if case == "render" else None)
        fig.canvas.draw()
        timings.append(time.perf_counter() - t0)
        return fig

    fig = benchmark.pedantic(draw, rounds=1 if quick else 5, warmup_rounds=0 if quick else 1)
    try:
        assert len(fig.axes) == 4
        assert [a.get_title(loc="left") for a in fig.axes][:2] == [
            "OpenAI's annual AWS spend",
            "Share of the AI cloud market",
        ]
        assert f"{ds.sizes['trial']:,} trials" in fig.get_suptitle()
        w, h = fig.canvas.get_width_height()
        assert w > 0 and h > 0
    finally:
        plt.close("all")
    best = min(timings)
    benchmark.extra_info.update(
        kind="plot", plot="dashboard", case=case, trials=int(ds.sizes["trial"]), best_s=best, target_s=TARGET_S
    )
    print(f"\ndashboard[{case}] {ds.sizes['trial']:,} trials: best {best:.3f} s of {len(timings)}")
