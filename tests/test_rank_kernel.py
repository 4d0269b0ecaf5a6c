"""The rank estimator's neighbour sums (numba, blocks in parallel) against NumPy, for any threads and sizes."""

from __future__ import annotations

import numba
import numpy as np
import pytest
import xarray as xr

import cloudsim
from cloudsim.drivers._rank_kernel import BLOCK, column_moments, neighbour_sums


def _numpy_sums(order: np.ndarray, y: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    a = (y[order] - mean) * scale
    p = a[:-1] * a[1:]
    return np.stack(
        [
            p.sum(0),
            (p * p).sum(0),
            (a[:-3] * a[1:-2] * a[2:-1] * a[3:]).sum(0),
            (a[:-2] * a[2:] * a[1:-1] ** 2).sum(0),
            (p * (a[:-1] ** 2 + a[1:] ** 2)).sum(0),
            (a**4).sum(0),
        ],
        axis=1,
    )


@pytest.mark.parametrize("n", [4, 5, 1000, BLOCK - 1, BLOCK, BLOCK + 1, BLOCK + 3, 3 * BLOCK + 2])
def test_sums_equal_numpy_at_every_block_boundary(n):
    rng = np.random.default_rng(n)
    y = rng.lognormal(size=(n, 3))
    order = np.argsort(rng.random(n))
    mean, scale = y.mean(0), 1 / y.std(0)
    np.testing.assert_allclose(neighbour_sums(order, y, mean, scale), _numpy_sums(order, y, mean, scale), rtol=1e-9)


def test_results_do_not_depend_on_the_number_of_threads():
    rng = np.random.default_rng(1)
    n = 5 * BLOCK + 17
    ds = xr.Dataset({f"x{i}": ("trial", rng.random(n), {"role": "input"}) for i in range(3)})
    ds["y"] = (("trial", "year"), ds["x0"].values[:, None] * rng.random((n, 4)) + rng.random((n, 4)))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = cloudsim.sensitivity(ds, "y")
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = cloudsim.sensitivity(ds, "y")
    finally:
        numba.set_num_threads(before)
    xr.testing.assert_identical(one, many)


def test_a_list_of_outputs_equals_separate_calls_bit_for_bit(ds_small):
    both = cloudsim.sensitivity(ds_small, ["spend", "commitment_met", ds_small["spend"].sel(year=2028) > 3e9])
    # the derived output keeps the name 'spend', already taken: it is named by its position
    assert list(both) == ["spend", "commitment_met", "output_2"]
    xr.testing.assert_identical(both["spend"], cloudsim.sensitivity(ds_small, "spend"))
    xr.testing.assert_identical(both["commitment_met"], cloudsim.sensitivity(ds_small, "commitment_met"))
    alone = cloudsim.sensitivity(ds_small, ds_small["spend"].sel(year=2028) > 3e9, by=None)
    np.testing.assert_array_equal(both["output_2"]["S1_ci"].values, alone["S1_ci"].values)
    with pytest.raises(ValueError, match="output: give at least one output"):
        cloudsim.sensitivity(ds_small, [])


@pytest.mark.parametrize("n", [1000, BLOCK + 1, 3 * BLOCK + 2])
def test_column_moments_equal_numpy(n):
    y = np.random.default_rng(n).lognormal(mean=20.0, size=(n, 4))  # a level of 1e9, as spend
    mean, var = column_moments(y)
    np.testing.assert_allclose(mean, y.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(var, y.var(axis=0), rtol=1e-11)
