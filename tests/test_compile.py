"""What a first run compiles: a plain Monte Carlo run leaves the samplers' and the pick-freeze paths uncompiled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: With an empty numba cache: the compiled signatures of the deal kernel and its optional paths after each run.
RUNS = """
import json
import cloudsim
from cloudsim.models import _trial
from cloudsim.models.deal.kernel import simulate_deal

def compiled():
    fns = {"kernel": simulate_deal, "scores": _trial.inputs_from_scores_call, "second": _trial.draw_inputs_two,
           "second_normal": _trial.normal_call}
    return {k: len(f.signatures) for k, f in fns.items()}

scn = cloudsim.load_scenario("openai-aws-2025")
cloudsim.simulate(scn, 100, seed=1, progress=False)
mc = compiled()
cloudsim.simulate(scn, 128, seed=1, progress=False, sampler="sobol", replicates=2)
print(json.dumps({"mc": mc, "sobol": compiled()}))
"""


def test_a_plain_run_compiles_only_its_own_path(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-c", RUNS], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["mc"] == {"kernel": 1, "scores": 0, "second": 0, "second_normal": 0}, got
    # a sampler run compiles a second specialisation of the kernel, with the scores' path and without pick-freeze
    assert got["sobol"] == {"kernel": 2, "scores": 1, "second": 0, "second_normal": 0}, got
