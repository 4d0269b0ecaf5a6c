"""The spline tables' own not-a-knot spline against ``scipy.interpolate.CubicSpline``, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from scipy.interpolate import CubicSpline

from cloudsim.distributions import PERT, Beta, Metalog, StudentT, TruncatedNormal
from cloudsim.models._spline import not_a_knot
from cloudsim.models._trial import ZGRID, z_table

#: Every family the engine reads from a spline table, with the article's PERT among them.
SPLINE_FAMILIES = [
    PERT(0.0, 0.35, 1.0),
    PERT(0.05, 0.2, 0.5, shape=4.0),
    Beta(2.0, 18.0),
    Beta(0.5, 0.5, -1.0, 3.0),
    TruncatedNormal(0.1, 0.3, lower=0.0, upper=1.0),
    StudentT(4.0, loc=1.0, scale=0.5),
    Metalog([0.1, 0.5, 0.9], [0.1, 0.3, 0.7]),
]


def _scipy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return CubicSpline(x, y, bc_type="not-a-knot").c[::-1].T


@pytest.mark.parametrize("dist", SPLINE_FAMILIES, ids=repr)
def test_z_table_equals_scipy_bit_for_bit(dist):
    """The engine's table is SciPy's not-a-knot spline of ``from_z`` on the grid, every bit (results unchanged)."""
    expected = _scipy(ZGRID, dist.from_z(ZGRID))
    np.testing.assert_array_equal(z_table(dist), expected)


@settings(max_examples=60, deadline=None)
@given(
    steps=hst.lists(hst.floats(1e-3, 1e3), min_size=3, max_size=40),
    values=hst.lists(hst.floats(-1e6, 1e6), min_size=41, max_size=41),
)
def test_not_a_knot_equals_scipy_on_any_knots(steps, values):
    """Uneven knots (the elimination's row interchanges happen there): the same coefficients as SciPy's."""
    x = np.concatenate([[0.0], np.cumsum(steps)])
    y = np.asarray(values[: x.size])
    assert x.size >= 4
    np.testing.assert_array_equal(not_a_knot(x, y), _scipy(x, y))


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        (np.arange(3.0), np.zeros(3), "same length >= 4"),
        (np.arange(5.0), np.zeros(4), "same length"),
        (np.array([0.0, 1.0, 1.0, 2.0]), np.zeros(4), "strictly increasing"),
        (np.arange(4.0), np.array([0.0, np.inf, 1.0, 2.0]), "finite"),
    ],
)
def test_not_a_knot_refuses_bad_knots(x, y, match):
    with pytest.raises(ValueError, match=match):
        not_a_knot(x, y)
