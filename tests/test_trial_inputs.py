"""The kernels' input values read in place (``input_at``) are the family's ``from_z``, bit for bit."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import special, stats

from cloudsim.distributions import PERT, Beta, Fixed, LogitNormal, LogNormal, Normal, Triangular, Uniform
from cloudsim.models._trial import input_at, input_from_z_call, z_table

DISTS = [
    Normal(0.3, 2.0),
    LogNormal(-0.2, 0.7, loc=1.5),
    LogitNormal(0.4, 0.9),
    Fixed(3.25),
    Triangular(-0.1, 0.25, 0.6),
    Triangular(1.5, 1.5, 3.5),
    Uniform(0.2, 0.9),
    PERT(0.0, 0.3, 1.0),
    Beta(2.0, 5.0, 0.0, 1.0),
]


@numba.njit
def _values(code, par, tab, z):
    out = np.empty((code.size, z.size))
    for k in range(code.size):
        for m in range(z.size):
            out[k, m] = input_at(code[k], par, tab, k, z[m])
    return out


def test_input_at_is_input_from_z_bit_for_bit():
    code = np.array([d.code for d in DISTS], dtype=np.int64)
    par, tab = np.stack([d.packed() for d in DISTS]), np.stack([z_table(d) for d in DISTS])
    z = np.concatenate([np.linspace(-8.4, 8.4, 2001), [0.0, -0.0, 1e-300, -37.0, 37.0]])
    got = _values(code, par, tab, z)
    for k, d in enumerate(DISTS):
        old = np.array([input_from_z_call(code[k], par[k], tab[k], v) for v in z])
        np.testing.assert_array_equal(got[k], old, err_msg=d.family)
        if d.family in ("normal", "lognormal", "logitnormal", "fixed", "triangular", "uniform"):
            np.testing.assert_allclose(got[k, :2001], d.from_z(z[:2001]), rtol=1e-13, atol=1e-300, err_msg=d.family)
    assert np.isnan(_values(code[4:5], par[4:5], tab[4:5], np.array([np.nan]))[0, 0])


SCIPY = {  # the first five of DISTS, written out in scipy
    "normal": lambda u: stats.norm(0.3, 2.0).ppf(u),
    "lognormal": lambda u: 1.5 + stats.lognorm(s=0.7, scale=np.exp(-0.2)).ppf(u),
    "logitnormal": lambda u: special.expit(stats.norm(0.4, 0.9).ppf(u)),
    "fixed": lambda u: np.full_like(u, 3.25),
    "triangular": lambda u: stats.triang(c=0.35 / 0.7, loc=-0.1, scale=0.7).ppf(u),
}


@pytest.mark.parametrize("dist", DISTS[:5], ids=lambda d: d.family)
def test_closed_forms_against_scipy(dist):
    """The in-place closed forms against scipy's quantile at ndtr(z) (an independent reference)."""
    z = np.linspace(-5.0, 5.0, 201)
    code = np.array([dist.code], dtype=np.int64)
    got = _values(code, dist.packed()[None, :], z_table(dist)[None], z)[0]
    np.testing.assert_allclose(got, SCIPY[dist.family](stats.norm.cdf(z)), rtol=1e-9, atol=1e-12)
