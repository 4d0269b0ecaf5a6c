"""Shared fixtures of the benchmarks: scenario, thread count, sizes, subprocesses.

The benchmarks time the library on the default scenario against the baselines
that docs/performance.md lists (the NumPy engine, bare ``numpy.random`` normals,
``numpy.quantile``).  ``benchmarks/report.py`` turns their JSON into
``docs/performance.md``.

Every benchmark records what it measured in ``benchmark.extra_info`` (``kind``,
``trials``, ``engine``, ``threads`` ...), which is what the report keys on.

Under ``--benchmark-disable`` (``make test``) each benchmark runs its function
once as a plain test; runs of more than :data:`QUICK_MAX_TRIALS` trials are then
cut down to that size so the quick pass stays short.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import pytest
from _common import QUICK_MAX_TRIALS, SEED, THREADS, cpu_model, max_threads

import cloudsim


@pytest.fixture(scope="session")
def quick(request: pytest.FixtureRequest) -> bool:
    """True under ``--benchmark-disable``: each benchmark runs once, as a test."""
    return bool(request.config.getoption("benchmark_disable"))


@pytest.fixture(scope="session")
def size(quick: bool) -> Callable[[int], int]:
    """Map a nominal trial count to the one to run (capped in quick mode)."""

    def _size(trials: int) -> int:
        return min(trials, QUICK_MAX_TRIALS) if quick else trials

    return _size


@pytest.fixture(scope="session")
def scn() -> cloudsim.Scenario:
    """The default scenario (the article's)."""
    return cloudsim.load_scenario()


@pytest.fixture(scope="session")
def compiled(scn: cloudsim.Scenario) -> None:
    """Compile (or load from the cache) the numba kernel before any timing."""
    cloudsim.simulate(scn, 1_000, seed=SEED, progress=False)


@pytest.fixture(autouse=True)
def _numba_threads() -> Any:
    """Run the numba engine on :data:`THREADS` threads (fewer if the machine has fewer)."""
    before = numba.get_num_threads()
    numba.set_num_threads(min(THREADS, max_threads()))
    yield numba.get_num_threads()
    numba.set_num_threads(before)


def _run_python(code: str, *, env: dict[str, str] | None = None, timeout: float = 900) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter and parse the JSON of its last output line."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def run_python() -> Callable[..., dict[str, Any]]:
    """Run a snippet in a fresh interpreter; it must print one JSON object last."""
    return _run_python


#: The first simulate of a fresh interpreter; prints its timings as JSON.
FIRST_SIMULATE = """
import json, time
t0 = time.perf_counter()
import cloudsim
t1 = time.perf_counter()
scn = cloudsim.load_scenario()
t2 = time.perf_counter()
ds = cloudsim.simulate(scn, 1000, seed=1, progress=False)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load_scenario": t2 - t1, "simulate": t3 - t2,
                  "total": t3 - t0, "trials": ds.sizes["trial"]}))
"""


class CacheDirs:
    """Numba cache directories for subprocesses: fresh (cold) ones and a warm one.

    A cold run leaves its directory warm, so :meth:`warm` reuses the last one
    registered with :meth:`primed` instead of compiling once more.
    """

    def __init__(self, root: Path, run: Callable[..., dict[str, Any]]) -> None:
        self._root = root
        self._run = run
        self._count = 0
        self._warm: Path | None = None

    def fresh(self) -> Path:
        """A new, empty cache directory."""
        self._count += 1
        path = self._root / f"cache{self._count}"
        path.mkdir()
        return path

    def primed(self, path: Path) -> None:
        """Record that a simulate ran with ``path`` as its cache: it is now warm."""
        self._warm = path

    def warm(self) -> Path:
        """A cache directory that already holds the compiled kernels."""
        if self._warm is None:
            path = self.fresh()
            self.first_simulate(path)
            self._warm = path
        return self._warm

    def first_simulate(self, path: Path) -> dict[str, Any]:
        """Run :data:`FIRST_SIMULATE` in a fresh interpreter with ``path`` as its cache.

        Returns
        -------
        dict
            In-process seconds of ``import``, ``load_scenario``, ``simulate`` and
            ``total``, and the number of ``trials`` simulated.
        """
        return self._run(FIRST_SIMULATE, env={"NUMBA_CACHE_DIR": str(path)})


@pytest.fixture(scope="session")
def cache_dirs(tmp_path_factory: pytest.TempPathFactory, run_python: Callable[..., dict[str, Any]]) -> CacheDirs:
    """Numba cache directories for cold- and warm-start subprocesses."""
    return CacheDirs(tmp_path_factory.mktemp("numba_cache"), run_python)


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict[str, Any]) -> None:
    """Record what ``docs/performance.md`` states about the machine and the versions."""
    from importlib.metadata import version

    machine_info["cloudsim"] = {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "numba_threads": THREADS if max_threads() >= THREADS else max_threads(),
        "python": sys.version.split()[0],
        **{name: version(name) for name in ("cloudsim", "numpy", "numba", "xarray", "pytest-benchmark")},
    }
