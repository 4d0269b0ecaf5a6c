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
