"""``python -m cloudsim.warm`` leaves numba's cache holding the kernels a first run needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudsim.warm import main

ROOT = Path(__file__).resolve().parent.parent

#: The first simulate of a fresh interpreter: did each kernel come from the cache or the compiler?
FIRST_SIMULATE = """
import json
import cloudsim
from cloudsim.models.deal.kernel import simulate_deal
from cloudsim.distributions._table import _from_z_array
cloudsim.simulate(cloudsim.load_scenario("openai-aws-2025"), 1000, seed=1, progress=False)
print(json.dumps({f.__name__: [sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values())]
                  for f in (simulate_deal, _from_z_array)}))
"""


def _python(args: list[str], cache: Path) -> str:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_warm_then_a_first_simulate_compiles_nothing(tmp_path):
    """After the warming step a new process loads the deal kernel and the distributions' code, compiling none."""
    out = _python(["-m", "cloudsim.warm", "openai-aws-2025"], tmp_path / "warm")
    assert "openai-aws-2025/float64:" in out
    after = json.loads(_python(["-c", FIRST_SIMULATE], tmp_path / "warm").strip().splitlines()[-1])
    assert after == {"simulate_deal": [1, 0], "_from_z_array": [1, 0]}, after  # [hits, misses]; an empty cache: [0, 1]


def test_warm_refuses_an_unknown_scenario():
    with pytest.raises((ValueError, FileNotFoundError), match="no-such-deal"):
        main(["no-such-deal"])
