"""``percentile_bands`` against ``numpy.quantile`` on the same array and axis.

The input is ``spend`` (dims ``trial``, ``year``) of one simulation;
both reduce the ``trial`` axis to the default quantiles.
"""

from __future__ import annotations

import numpy as np
import pytest
from _common import SEED, label

import cloudsim
from cloudsim.risk import DEFAULT_QUANTILES

ROUNDS = {10**6: 7, 10**7: 5}
CASES = [
    pytest.param(n, impl, id=f"{label(n)}-{impl}", marks=pytest.mark.benchmark(group=f"percentile_bands-{label(n)}"))
    for n in (10**6, 10**7)
    for impl in ("cloudsim", "numpy")
]


@pytest.fixture(scope="module")
def spend_cache():
    """One simulated ``spend`` at a time, keyed by nominal trials."""
    cache: dict = {}
    yield cache
    cache.clear()


@pytest.fixture
def spend(request, spend_cache, scn, compiled, size):
    """``spend`` of ``size(n)`` trials (the rest of the Dataset is freed)."""
    n = request.node.callspec.params["n"]
    if n not in spend_cache:
        spend_cache.clear()
        spend_cache[n] = cloudsim.simulate(scn, size(n), seed=SEED, progress=False)["spend"]
    return spend_cache[n]


@pytest.mark.parametrize(("n", "impl"), CASES)
def test_percentile_bands(benchmark, spend, n, impl):
    """Quantiles of the spend over trials, by ``cloudsim`` or by bare NumPy."""
    q = np.asarray(DEFAULT_QUANTILES)
    axis = spend.get_axis_num("trial")
    values = spend.values
    if impl == "cloudsim":
        res = benchmark.pedantic(cloudsim.percentile_bands, args=(spend, q), rounds=ROUNDS[n], warmup_rounds=1)
        assert res.dims == ("quantile", "year")
        np.testing.assert_array_equal(res["quantile"].values, q)
        out = res.values
    else:
        out = benchmark.pedantic(
            np.quantile, args=(values, q), kwargs={"axis": axis}, rounds=ROUNDS[n], warmup_rounds=1
        )
    assert out.shape == (q.size, spend.sizes["year"])
    assert np.isfinite(out).all()
    assert (np.diff(out, axis=0) >= 0).all()
    np.testing.assert_array_equal(out[:, -1], np.quantile(values[:, -1], q))
    benchmark.extra_info.update(kind="quantile", impl=impl, trials=int(spend.sizes["trial"]), quantiles=q.size)
