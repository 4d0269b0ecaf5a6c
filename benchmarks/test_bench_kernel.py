"""The generic deal kernel against cloudsim 0.1.0's kernel on the article scenario (group ``kernel-1e6``).

Both kernels run on the same packed scenario into preallocated outputs, on two
threads, so the ratio measures the kernels alone.  The target: the generic
K-provider kernel takes at most 1.05x the time of 0.1.0's.  The outputs are
also compared bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from _common import SEED
from _kernel_v01 import pack_v01, simulate_trials

from cloudsim import _rng
from cloudsim.engine import allocate

ROUNDS = 7


@pytest.fixture(scope="module")
def setup(scn, size):
    trials = size(10**6)
    packed = scn.pack()
    key, _ = _rng.key_from_seed(SEED)
    return trials, packed, key


def _run_v01(scn, trials, packed, key):
    out = allocate(scn, trials, np.dtype(np.float64))
    simulate_trials(
        np.uint64(key), np.int64(0), np.int64(0), np.int64(trials), *pack_v01(packed),
        out["market_size"], out["share"], out["spend"], out["cumulative_spend"], out["seller_revenue"],
        out["buyer_share_of_seller"], out["inputs"], out["commitment_shortfall"], out["commitment_met"],
    )  # fmt: skip
    return out


def _run_v02(scn, trials, packed, key):
    out = allocate(scn, trials, np.dtype(np.float64))
    scn.model.run(key, 0, 0, trials, packed, out)
    return out


@pytest.mark.benchmark(group="kernel-1e6")
@pytest.mark.parametrize("version", ["v01", "v02"])
def test_kernel(benchmark, scn, setup, _numba_threads, version):
    """One kernel call over 1e6 trials of the article scenario."""
    trials, packed, key = setup
    run = _run_v01 if version == "v01" else _run_v02
    run(scn, 1000, packed, key)  # compile or load from the cache outside the timing
    held: dict = {}
    benchmark.pedantic(
        lambda: held.__setitem__("out", run(scn, trials, packed, key)), setup=held.clear, rounds=ROUNDS,
        warmup_rounds=1,
    )  # fmt: skip
    other = (_run_v02 if version == "v01" else _run_v01)(scn, min(trials, 50_000), packed, key)
    for name, arr in other.items():
        np.testing.assert_array_equal(held["out"][name][: arr.shape[0]], arr, err_msg=name)
    benchmark.extra_info.update(kind="kernel", version=version, trials=trials, threads=_numba_threads)


FIRST_CALL = """
import json, sys, time
sys.path.insert(0, {bench!r})
import numpy as np
import cloudsim
from cloudsim import _rng
from cloudsim.engine import allocate
from _kernel_v01 import pack_v01, simulate_trials
scn = cloudsim.load_scenario()
packed = scn.pack()
key, _ = _rng.key_from_seed(1)
out = allocate(scn, 1000, np.dtype(np.float64))
t0 = time.perf_counter()
if {version!r} == "v01":
    simulate_trials(
        np.uint64(key), np.int64(0), np.int64(0), np.int64(1000), *pack_v01(packed),
        out["market_size"], out["share"], out["spend"], out["cumulative_spend"], out["seller_revenue"],
        out["buyer_share_of_seller"], out["inputs"], out["commitment_shortfall"], out["commitment_met"],
    )
else:
    scn.model.run(key, 0, 0, 1000, packed, out)
print(json.dumps({{"compile_s": time.perf_counter() - t0}}))
"""


@pytest.mark.benchmark(group="kernel-compile")
@pytest.mark.parametrize("version", ["v01", "v02"])
def test_kernel_compile(benchmark, run_python, tmp_path, quick, version):
    """The first call of each kernel in a fresh interpreter with an empty numba cache (the kernel is compiled)."""
    from pathlib import Path

    code = FIRST_CALL.format(bench=str(Path(__file__).parent), version=version)
    runs: list[float] = []

    def setup():
        path = tmp_path / f"cache{len(runs)}"
        path.mkdir()
        return (path,), {}

    def first_call(path) -> None:
        runs.append(run_python(code, env={"NUMBA_CACHE_DIR": str(path)})["compile_s"])

    benchmark.pedantic(first_call, setup=setup, rounds=1 if quick else 3)
    assert runs and all(0.0 < r < 900.0 for r in runs)
    benchmark.extra_info.update(kind="kernel_compile", version=version, compile_s=min(runs))
