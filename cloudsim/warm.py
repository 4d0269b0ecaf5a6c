"""Compile the kernels of a first run ahead of time: ``python -m cloudsim.warm [scenario ...]``.

A first :func:`cloudsim.simulate` on a fresh machine spends most of its time in
numba's compiler; numba keeps what it compiled in its cache (``__pycache__`` beside
the sources, or ``NUMBA_CACHE_DIR``), and later processes load it from there.  This
command runs each named scenario (default: every bundled one) for a few trials, for
each storage type, so that the cache holds the kernels of plain Monte Carlo runs
(``make`` runs it once after installing).  ``docs/performance.md`` says when the cache
is reused and when numba compiles again (changed sources, another CPU, a cache
directory it cannot write).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

__all__ = ["main", "warm"]

#: Trials of each warming run (enough to call every kernel once).
TRIALS = 16


def warm(scenarios: Sequence[str] | None = None, dtypes: Sequence[str] = ("float64",)) -> dict[str, float]:
    """Run each scenario for :data:`TRIALS` trials in each dtype; return the seconds each took.

    Parameters
    ----------
    scenarios : sequence of str, optional
        Bundled scenario names or TOML paths (:func:`cloudsim.load_scenario`); default every bundled one.
    dtypes : sequence of str
        Output storage types to compile for (``"float64"``, ``"float32"``).

    Returns
    -------
    dict of str to float
        ``"<scenario>/<dtype>"`` -> seconds of its run (compiling, or loading from the cache).
    """
    from .api import simulate
    from .scenario import list_scenarios, load_scenario

    names = list(list_scenarios()) if scenarios is None else list(scenarios)
    took: dict[str, float] = {}
    for name in names:
        scn = load_scenario(name)
        for dtype in dtypes:
            t0 = time.perf_counter()
            simulate(scn, TRIALS, seed=0, dtype=dtype, progress=False)
            took[f"{name}/{dtype}"] = time.perf_counter() - t0
    return took


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m cloudsim.warm [--float32] [scenario ...]``."""
    parser = argparse.ArgumentParser(prog="python -m cloudsim.warm", description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="bundled names or TOML paths (default: every bundled scenario)")
    parser.add_argument("--float32", action="store_true", help="also compile for float32 outputs (--float32 runs)")
    args = parser.parse_args(argv)
    dtypes = ("float64", "float32") if args.float32 else ("float64",)
    t0 = time.perf_counter()
    took = warm(args.scenarios or None, dtypes)
    for key, seconds in took.items():
        print(f"{key}: {seconds:.2f} s")
    print(f"kernels compiled or loaded in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
