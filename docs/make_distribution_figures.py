"""Draw the small pdf pictures used by docs/distributions.md (``docs/img/dist_*.png``).

Run from the repository root: ``python docs/make_distribution_figures.py``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from cloudsim.distributions import (
    PERT,
    Beta,
    Distribution,
    Empirical,
    Fixed,
    LogitNormal,
    LogNormal,
    LogUniform,
    Metalog,
    Normal,
    StudentT,
    Triangular,
    TruncatedNormal,
    Uniform,
)

OUT = Path(__file__).resolve().parent / "img"

EXAMPLES: dict[str, Distribution] = {
    "normal": Normal(0.05, 0.02),
    "lognormal": LogNormal.from_quantiles({0.1: 5e8, 0.9: 4e9}),
    "logitnormal": LogitNormal.from_quantiles({0.1: 0.2, 0.9: 0.45}),
    "pert": PERT(0.0, 0.35, 1.0),
    "fixed": Fixed(0.3),
    "truncatednormal": TruncatedNormal.from_quantiles({0.1: 0.02, 0.9: 0.25}, lower=0.0),
    "beta": Beta.from_quantiles({0.1: 0.2, 0.9: 0.6}),
    "triangular": Triangular(10.0, 14.0, 30.0),
    "uniform": Uniform(0.1, 0.3),
    "loguniform": LogUniform(1e6, 1e9),
    "studentt": StudentT(3.0, 0.05, 0.02),
    "metalog": Metalog.from_quantiles({0.1: 1.0, 0.5: 2.0, 0.9: 6.0}, lower=0.0),
    "empirical": Empirical(np.random.default_rng(1).gamma(3.0, size=60)),
}


def _pdf(dist: Distribution, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Density on a quantile grid, by differencing the quantile function (any family)."""
    x = np.asarray(dist.ppf(u))
    mid = 0.5 * (x[1:] + x[:-1])
    dx = np.diff(x)
    dens = np.divide(np.diff(u), dx, out=np.full_like(dx, np.nan), where=dx > 0)
    return mid, dens


def draw(name: str, dist: Distribution) -> Path:
    fig, ax = plt.subplots(figsize=(4.0, 2.5), dpi=80)
    if isinstance(dist, Fixed):
        ax.vlines(dist.value, 0.0, 1.0, lw=2)
        ax.set_xlim(dist.value - 1.0, dist.value + 1.0)
    else:
        u = np.linspace(0.002, 0.998, 600)
        if isinstance(dist, LogUniform):
            x = np.geomspace(dist.lower, dist.upper, 400)
            ax.plot(x, np.gradient(dist.cdf(x), x), lw=1.5)
            ax.set_xscale("log")
        else:
            x, f = _pdf(dist, u)
            ax.plot(x, f, lw=1.5)
            if isinstance(dist, Empirical):
                ax.plot(dist.values, np.zeros_like(dist.values), "|", ms=8, color="0.3")
    ax.set_title(repr(dist) if len(repr(dist)) < 60 else f"{type(dist).__name__}", fontsize=7)
    ax.set_yticks([])
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    path = OUT / f"dist_{name}.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, dist in EXAMPLES.items():
        print(draw(name, dist))


if __name__ == "__main__":
    main()
