"""Draw the pictures of docs/gallery.md (``docs/img/gallery_*.png``) with :mod:`cloudsim.plot`.

Run from the repository root::

    python docs/make_gallery.py            # 200,000 trials of the default scenario, seed 2025

Every picture is drawn by the code shown next to it in ``docs/gallery.md``, with the Agg
backend and no styling by hand.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import cloudsim
from cloudsim import plot
from cloudsim.runs import compare, simulate_until

IMG = Path(__file__).resolve().parent / "img"
DPI = 100


def _save(name: str, obj) -> None:
    fig = obj if isinstance(obj, matplotlib.figure.Figure) else obj.figure
    path = IMG / f"gallery_{name}.png"
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    print(f"wrote {path.relative_to(IMG.parent.parent)}")


def main(argv: list[str] | None = None) -> None:
    """Simulate, draw every gallery picture, write them to ``docs/img/``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=2025)
    args = p.parse_args(argv)
    IMG.mkdir(exist_ok=True)
    t0 = time.perf_counter()

    scn = cloudsim.load_scenario()
    ds = cloudsim.simulate(scn, args.trials, seed=args.seed, progress=False)
    small = cloudsim.simulate(scn, 2_000, seed=args.seed, progress=False)
    both = compare(
        {"article": scn, "analyst-trend": "analyst-trend-2025"},
        args.trials,
        seed=args.seed,
    )
    _, history = simulate_until(
        scn,
        [
            ("probability", "commitment_met", {}, None),
            ("quantile", "cumulative_spend", {"year": 2032}, 0.95),
            ("quantile", "spend", {"year": 2028}, 0.5),
        ],
        seed=args.seed,
        rel_tol=0.005,
        block=20_000,
        max_trials=2_000_000,
    )

    pictures: dict[str, Callable[[], object]] = {
        "dashboard": lambda: plot.dashboard(ds),
        "fan": lambda: plot.fan(ds, "spend", ci=True),
        "fan_ci_2000": lambda: plot.fan(small, "spend", ci=True),
        "fan_cumulative": lambda: plot.fan(ds, "cumulative_spend", q=(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)),
        "fan_share": lambda: plot.fan(ds["share"], provider="aws"),
        "compare_overlay": lambda: plot.fan(both, "spend"),
        "compare_grid": lambda: plot.fan(both, "cumulative_spend", layout="grid", ci=True),
        "shares": lambda: plot.shares(ds),
        "shares_stacked": lambda: plot.shares(ds, stacked=True),
        "distribution": lambda: plot.distribution(ds, "cumulative_spend", year=2032, thresholds=[38e9]),
        "distribution_cdf": lambda: plot.distribution(ds, "spend", year=2028, thresholds=[1.5e9, 3e9], kind="cdf"),
        "claims": lambda: plot.claims(ds),
        "convergence": lambda: plot.convergence(history),
    }
    for name, draw in pictures.items():
        _save(name, draw())
    print(f"done in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
