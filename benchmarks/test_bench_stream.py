"""Stream version 2's lock-step kernel against version 1's, bare normals and a hand-vectorised NumPy model.

Group ``stream-1e6``, 1e6 trials of the article scenario, in one run: the deal
kernel on stream 2 and on stream 1 (two threads, preallocated outputs, so the
kernels alone are timed), ``numpy.random.default_rng(0).standard_normal(k)`` for the
``k`` normals and uniforms those trials consume, and the model's equations written
in NumPy over all trials at once with one ``numpy.random.Generator`` (the NumPy
reference's equations fed by ``standard_normal``/``random``: what a user would write
by hand).  The targets (issue "Speed to the hardware's limit"): stream 2 at most 0.5x
the time of the bare normals and at least 15x faster than the NumPy model.
"""

from __future__ import annotations

import numpy as np
import pytest
from _common import SEED, variates_per_trial
from test_bench_kernel import setup  # noqa: F401 - the fixture: 1e6 trials, packed scenario, key

from cloudsim.engine import allocate
from cloudsim.models.deal.reference import simulate_reference

ROUNDS = 5
KINDS = ["kernel-v2", "kernel-v1", "standard_normal", "numpy-model"]


class _GeneratorStreams:
    """One ``numpy.random.Generator`` serving every trial: ``normal()``/``uniform()`` give one draw per trial."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = np.random.default_rng(seed)

    def normal(self) -> np.ndarray:
        return self.rng.standard_normal(self.n)

    def uniform(self) -> np.ndarray:
        return self.rng.random(self.n)


@pytest.mark.benchmark(group="stream-1e6")
@pytest.mark.parametrize("kind", KINDS)
def test_stream(benchmark, scn, setup, _numba_threads, kind):  # noqa: F811 - the imported fixture
    """One pass over 1e6 trials of the article scenario (or the normals they consume)."""
    trials, packed, key = setup
    normals, uniforms = variates_per_trial(scn)
    k = (normals + uniforms) * trials
    model = scn.model
    pk = model.with_stream(packed, 2) if kind == "kernel-v2" else packed
    out = allocate(scn, trials, np.dtype(np.float64))
    if kind.startswith("kernel"):
        model.run(key, 0, 0, min(trials, 1000), pk, out)  # compile or load from the cache outside the timing

        def once():
            model.run(key, 0, 0, trials, pk, out)
    elif kind == "standard_normal":

        def once():
            out["z"] = np.random.default_rng(0).standard_normal(k)
    else:

        def once():
            simulate_reference(key, 0, pk, out, streams=_GeneratorStreams(trials, SEED))

    benchmark.pedantic(
        once, rounds=1 if kind == "numpy-model" else ROUNDS, warmup_rounds=0 if kind == "numpy-model" else 1
    )
    if kind == "standard_normal":
        assert out["z"].shape == (k,) and abs(out["z"].mean()) < 6.0 / np.sqrt(k)
    else:
        spend = out["spend"]
        assert np.isfinite(spend).all() and (spend > 0).all()
        # the 2028 claim year's median spend is the claim's median, whatever the stream
        med = float(np.median(out["spend"][:, 3]))
        assert 1e9 < med < 3e9, med
    benchmark.extra_info.update(kind=kind, trials=trials, threads=_numba_threads, variates=k)
