"""Importing cloudsim stays light: xarray for the accessor, nothing else heavy until it is used."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_pull_heavy_modules():
    code = (
        "import sys, cloudsim; "
        "print(','.join(m for m in ('matplotlib', 'numba', 'scipy.stats', 'scipy.interpolate') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_first_simulate_does_not_pull_scipy_interpolate_or_dask():
    """A first run of the article imports neither scipy.interpolate (its spline tables) nor dask (its Dataset).

    Together they took 1-10 s of a first ``simulate`` with the kernels already compiled.
    """
    code = (
        "import sys, cloudsim; cloudsim.simulate(cloudsim.load_scenario(), 10, seed=1, progress=False); "
        "print(','.join(m for m in ('scipy.interpolate', 'dask', 'dask.array') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.splitlines()[-1:] in ([], [""])
