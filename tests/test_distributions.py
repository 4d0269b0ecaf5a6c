"""Tests for :mod:`cloudsim.distributions`."""

from __future__ import annotations

import math
import pickle
from typing import Any

import numba
import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st
from hypothesis import assume, given, settings
from hypothesis import strategies as hst

from cloudsim import distributions as cd
from cloudsim.distributions import (
    FAMILIES,
    NPAR,
    PERT,
    Beta,
    Distribution,
    Empirical,
    Fixed,
    LogitNormal,
    LogNormal,
    LogUniform,
    Metalog,
    Normal,
    StudentT,
    Triangular,
    TruncatedNormal,
    Uniform,
    from_dict,
)
from cloudsim.models._trial import input_from_z, z_table

RTOL = 1e-9

U_GRID = np.unique(
    np.concatenate(
        [
            np.logspace(-10, -1, 46),
            np.linspace(0.1, 0.9, 33),
            1.0 - np.logspace(-1, -10, 46),
        ]
    )
)
Z_GRID = np.linspace(-6.3, 6.3, 127)


@numba.njit(cache=False)
def _njit_ppf(code: int, par: Any, u: Any) -> Any:
    out = np.empty(u.size)
    for i in range(u.size):
        out[i] = cd.ppf(code, par, u[i])
    return out


@numba.njit(cache=False)
def _njit_from_z(code: int, par: Any, z: Any) -> Any:
    out = np.empty(z.size)
    for i in range(z.size):
        out[i] = cd.from_z(code, par, z[i])
    return out


@numba.njit(cache=False)
def _njit_cdf(code: int, par: Any, x: Any) -> Any:
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = cd.cdf(code, par, x[i])
    return out


def _logitnorm_ppf(mu: float, sigma: float) -> Any:
    return lambda u: sc.expit(st.norm.ppf(u, mu, sigma))


def _logitnorm_cdf(mu: float, sigma: float) -> Any:
    return lambda x: st.norm.cdf(sc.logit(x), mu, sigma)


def _logitnorm_isf(mu: float, sigma: float) -> Any:
    return lambda q: sc.expit(st.norm.isf(q, mu, sigma))


def _pert_frozen(a: float, m: float, c: float, shape: float = 4.0) -> Any:
    alpha = 1.0 + shape * (m - a) / (c - a)
    beta = 1.0 + shape * (c - m) / (c - a)
    return st.beta(alpha, beta, loc=a, scale=c - a)


def _case(dist: Distribution, frozen: Any) -> tuple[Distribution, Any, Any, Any]:
    return dist, frozen.ppf, frozen.cdf, frozen.isf


CASES = [
    _case(Normal(0.0, 1.0), st.norm(0.0, 1.0)),
    _case(Normal(-3.5, 0.2), st.norm(-3.5, 0.2)),
    _case(Normal(1e6, 2.5e4), st.norm(1e6, 2.5e4)),
    _case(LogNormal(0.0, 1.0), st.lognorm(s=1.0, scale=1.0)),
    _case(LogNormal(12.0, 0.4), st.lognorm(s=0.4, scale=math.exp(12.0))),
    _case(LogNormal(0.05, 0.1, loc=-1.0), st.lognorm(s=0.1, loc=-1.0, scale=math.exp(0.05))),
    _case(LogNormal(-1.0, 2.0, loc=3.0), st.lognorm(s=2.0, loc=3.0, scale=math.exp(-1.0))),
    (LogitNormal(0.0, 1.0), _logitnorm_ppf(0.0, 1.0), _logitnorm_cdf(0.0, 1.0), _logitnorm_isf(0.0, 1.0)),
    (LogitNormal(-2.0, 0.5), _logitnorm_ppf(-2.0, 0.5), _logitnorm_cdf(-2.0, 0.5), _logitnorm_isf(-2.0, 0.5)),
    (LogitNormal(1.5, 3.0), _logitnorm_ppf(1.5, 3.0), _logitnorm_cdf(1.5, 3.0), _logitnorm_isf(1.5, 3.0)),
    _case(PERT(0.0, 0.35, 1.0), _pert_frozen(0.0, 0.35, 1.0)),
    _case(PERT(10.0, 10.0, 20.0), _pert_frozen(10.0, 10.0, 20.0)),
    _case(PERT(10.0, 20.0, 20.0), _pert_frozen(10.0, 20.0, 20.0)),
    _case(PERT(-5.0, 1.0, 2.0, shape=12.0), _pert_frozen(-5.0, 1.0, 2.0, 12.0)),
    _case(PERT(100.0, 150.0, 400.0, shape=0.5), _pert_frozen(100.0, 150.0, 400.0, 0.5)),
    _case(PERT(0.0, 0.02, 1.0, shape=45.0), _pert_frozen(0.0, 0.02, 1.0, 45.0)),
]


def _truncnorm_cdf_ref(mu: float, sd: float, lo: float, hi: float) -> Any:
    # scipy's truncnorm.cdf loses relative accuracy just above the lower bound
    # (2e-6 at u = 1e-10 for [0.5, 3]); integrate the density instead.
    from scipy.integrate import quad

    a, b = (lo - mu) / sd, (hi - mu) / sd
    c = a if a > 0 else (b if b < 0 else 0.0)

    def g(t: float) -> float:
        return math.exp(-0.5 * (t - c) * (t + c))

    mass = quad(g, a, b, epsabs=0.0, epsrel=1e-13, limit=200)[0]
    return lambda x: np.array(
        [quad(g, a, (xi - mu) / sd, epsabs=0.0, epsrel=1e-13, limit=200)[0] / mass for xi in np.atleast_1d(x)]
    )


def _truncnorm_case(mu: float, sd: float, lo: float, hi: float) -> tuple[Distribution, Any, Any, Any]:
    f = st.truncnorm((lo - mu) / sd, (hi - mu) / sd, loc=mu, scale=sd)
    # scipy's truncnorm.isf loses the upper tail (1e-9 relative at q = 1e-10): reflect its ppf
    mirror = st.truncnorm((mu - hi) / sd, (mu - lo) / sd, loc=-mu, scale=sd)
    return TruncatedNormal(mu, sd, lo, hi), f.ppf, _truncnorm_cdf_ref(mu, sd, lo, hi), lambda q: -mirror.ppf(q)


def _triangular_case(a: float, m: float, c: float) -> tuple[Distribution, Any, Any, Any]:
    f = st.triang((m - a) / (c - a), loc=a, scale=c - a)
    # scipy's triang.isf computes ppf(1 - q), which loses the upper tail
    isf = lambda q: np.where(q < (c - m) / (c - a), c - np.sqrt(q * (c - a) * (c - m)), f.ppf(1 - q))  # noqa: E731
    return Triangular(a, m, c), f.ppf, f.cdf, isf


def _metalog_logistic(loc: float, scale: float) -> tuple[Distribution, Any, Any, Any]:
    # a metalog through logistic quantiles is that logistic (a1 = loc, a2 = scale, a3 = 0)
    f = st.logistic(loc, scale)
    ps = [0.1, 0.5, 0.9]
    return Metalog(ps, list(f.ppf(ps))), f.ppf, f.cdf, f.isf


def _metalog_loglogistic(lower: float, a1: float, a2: float) -> tuple[Distribution, Any, Any, Any]:
    # a 2-term lower-bounded metalog is log-logistic (scipy's fisk); scipy's fisk.ppf
    # computes 1/u - 1 and loses the upper tail, so the quantiles are written out.
    f = st.fisk(1.0 / a2, loc=lower, scale=math.exp(a1))
    ps = [0.05, 0.3, 0.5, 0.9]

    def ppf(u: Any) -> Any:
        return lower + np.exp(a1 + a2 * (np.log(u) - np.log1p(-u)))

    def isf(q: Any) -> Any:
        return lower + np.exp(a1 + a2 * (np.log1p(-q) - np.log(q)))

    return Metalog(ps, list(ppf(np.array(ps))), lower=lower, terms=2), ppf, f.cdf, isf


def _loguniform_case(lo: float, hi: float) -> tuple[Distribution, Any, Any, Any]:
    # scipy's loguniform.cdf, log(x) - log(lower), loses relative accuracy just above lower
    f = st.loguniform(lo, hi)
    return LogUniform(lo, hi), f.ppf, lambda x: np.log1p((x - lo) / lo) / math.log(hi / lo), f.isf


NEW_CASES = [
    _truncnorm_case(0.0, 1.0, -1.0, 2.0),
    _truncnorm_case(0.0, 1.0, 0.5, 3.0),
    _truncnorm_case(5.0, 2.0, 0.0, math.inf),
    _truncnorm_case(0.0, 1.0, -math.inf, -3.0),
    _truncnorm_case(100.0, 10.0, 180.0, 190.0),
    _truncnorm_case(1.0, 1.0, 0.999, 1.001),
    _case(Beta(2.0, 5.0), st.beta(2.0, 5.0)),
    _case(Beta(0.5, 0.5, -1.0, 3.0), st.beta(0.5, 0.5, loc=-1.0, scale=4.0)),
    _case(Beta(30.0, 1.5, 10.0, 20.0), st.beta(30.0, 1.5, loc=10.0, scale=10.0)),
    _triangular_case(0.0, 0.3, 1.0),
    _triangular_case(2.0, 2.0, 5.0),
    _triangular_case(-5e6, 1e6, 1e6),
    _case(Uniform(-1.0, 3.0), st.uniform(-1.0, 4.0)),
    _case(Uniform(1e6, 1e6 + 1.0), st.uniform(1e6, 1.0)),
    _loguniform_case(1e-3, 10.0),
    _loguniform_case(1e6, 5e9),
    _case(StudentT(1.0), st.t(1.0)),
    _case(StudentT(2.5, 1.0, 2.0), st.t(2.5, 1.0, 2.0)),
    _case(StudentT(30.0, -5.0, 0.1), st.t(30.0, -5.0, 0.1)),
    _case(StudentT(0.7), st.t(0.7)),
    _case(StudentT(200.0), st.t(200.0)),
    _metalog_logistic(2.0, 3.0),
    _metalog_logistic(-1e5, 2e3),
    _metalog_loglogistic(1.0, math.log(3.0), 0.5),
]
CASES = CASES + NEW_CASES
IDS = [repr(c[0]) for c in CASES]


def _close(actual: Any, expected: Any, dist: Distribution) -> None:
    # Absolute floor relative to the distribution's scale, for values near 0.
    scale = abs(dist.median()) + abs(dist.ppf(0.75) - dist.ppf(0.25))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=1e-13 * scale)


# ---------------------------------------------------------------------------
# agreement with scipy
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("dist", "ref_ppf", "ref_cdf", "ref_isf"), CASES, ids=IDS)
def test_ppf_matches_scipy(dist: Distribution, ref_ppf: Any, ref_cdf: Any, ref_isf: Any) -> None:
    expected = ref_ppf(U_GRID)
    _close(dist.ppf(U_GRID), expected, dist)
    _close(_njit_ppf(dist.code, dist.packed(), U_GRID), expected, dist)


@pytest.mark.parametrize(("dist", "ref_ppf", "ref_cdf", "ref_isf"), CASES, ids=IDS)
def test_cdf_matches_scipy(dist: Distribution, ref_ppf: Any, ref_cdf: Any, ref_isf: Any) -> None:
    x = ref_ppf(U_GRID)
    x = x[(x > dist.ppf(0.0)) & (x < dist.ppf(1.0))]
    expected = ref_cdf(x)
    np.testing.assert_allclose(dist.cdf(x), expected, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(_njit_cdf(dist.code, dist.packed(), x), expected, rtol=RTOL)


@pytest.mark.parametrize(("dist", "ref_ppf", "ref_cdf", "ref_isf"), CASES, ids=IDS)
def test_from_z_matches_scipy(dist: Distribution, ref_ppf: Any, ref_cdf: Any, ref_isf: Any) -> None:
    # scipy reference ppf(ndtr(z)); upper half through isf(ndtr(-z)) so that the
    # reference itself keeps full accuracy in the upper tail.
    lower = Z_GRID <= 0.0
    expected = np.where(lower, ref_ppf(st.norm.cdf(Z_GRID)), ref_isf(st.norm.sf(Z_GRID)))
    _close(_njit_from_z(dist.code, dist.packed(), Z_GRID), expected, dist)
    _close(dist.from_z(Z_GRID), expected, dist)


def test_support_endpoints() -> None:
    assert Normal(1.0, 2.0).ppf(0.0) == -math.inf
    assert Normal(1.0, 2.0).ppf(1.0) == math.inf
    assert LogNormal(0.0, 1.0, loc=-1.0).ppf(0.0) == -1.0
    assert LogNormal(0.0, 1.0).ppf(1.0) == math.inf
    assert LogitNormal(0.0, 1.0).ppf(0.0) == 0.0
    assert LogitNormal(0.0, 1.0).ppf(1.0) == 1.0
    assert PERT(2.0, 3.0, 5.0).ppf(0.0) == 2.0
    assert PERT(2.0, 3.0, 5.0).ppf(1.0) == 5.0
    f = Fixed(7.5)
    assert f.ppf(0.3) == 7.5
    np.testing.assert_array_equal(f.ppf([0.0, 0.5, 1.0]), [7.5, 7.5, 7.5])
    np.testing.assert_array_equal(f.cdf([7.0, 7.5, 8.0]), [0.0, 1.0, 1.0])
    assert f.from_z(3.0) == 7.5
    assert cd.from_z(Fixed.code, f.packed(), -2.0) == 7.5


def test_numba_ppf_invalid_returns_nan() -> None:
    par = Normal(0.0, 1.0).packed()
    assert math.isnan(cd.ppf(0, par, -0.1))
    assert math.isnan(cd.ppf(0, par, 1.1))
    assert math.isnan(cd.ppf(0, par, math.nan))
    assert math.isnan(cd.ppf(99, par, 0.5))
    assert math.isnan(cd.from_z(99, par, 0.5))


def test_shapes_and_scalar_output() -> None:
    d = PERT(0.0, 0.35, 1.0)
    assert isinstance(d.ppf(0.5), float)
    assert isinstance(d.cdf(0.5), float)
    u = np.full((3, 4), 0.25)
    assert d.ppf(u).shape == (3, 4)
    assert d.cdf(u).shape == (3, 4)
    assert d.ppf([0.1, 0.2]).shape == (2,)
    for bad in (-0.01, 1.01, math.nan, [0.5, 2.0]):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            d.ppf(bad)


# ---------------------------------------------------------------------------
# scalar primitives
# ---------------------------------------------------------------------------


def test_ndtri_matches_scipy() -> None:
    u = np.concatenate(
        [
            np.logspace(-300, -1, 600),
            np.linspace(0.1, 0.9, 161),
            1.0 - np.logspace(-1, -16, 300),
        ]
    )
    u = u[u != 0.5]
    mine = np.array([cd.ndtri(x) for x in u])
    np.testing.assert_allclose(mine, sc.ndtri(u), rtol=1e-14, atol=0.0)
    assert cd.ndtri(0.5) == 0.0
    assert cd.ndtri(0.0) == -math.inf
    assert cd.ndtri(1.0) == math.inf
    assert math.isnan(cd.ndtri(-1e-300))
    assert math.isnan(cd.ndtri(1.5))
    assert math.isnan(cd.ndtri(math.nan))


def test_ndtr_matches_scipy() -> None:
    z = np.linspace(-37.0, 8.0, 901)
    mine = np.array([cd.ndtr(x) for x in z])
    np.testing.assert_allclose(mine, sc.ndtr(z), rtol=1e-13, atol=0.0)


SHAPES = [1.0, 1.001, 1.3, 2.0, 3.7, 7.0, 12.5, 25.0, 50.0]
BETA_U = np.concatenate([np.logspace(-10, -1, 37), np.linspace(0.1, 0.9, 17), 1 - np.logspace(-1, -10, 37)])


@pytest.mark.parametrize("a", SHAPES)
def test_betaincinv_matches_scipy(a: float) -> None:
    for b in SHAPES:
        mine = np.array([cd.betaincinv(a, b, u) for u in BETA_U])
        np.testing.assert_allclose(mine, sc.betaincinv(a, b, BETA_U), rtol=1e-12, err_msg=f"a={a}, b={b}")


@pytest.mark.parametrize("a", [*SHAPES, 0.3, 0.8])
def test_betainc_matches_scipy(a: float) -> None:
    x = np.concatenate([np.logspace(-12, -1, 23), np.linspace(0.1, 0.9, 33), 1 - np.logspace(-1, -12, 23)])
    for b in [*SHAPES, 0.3, 0.8]:
        mine = np.array([cd.betainc(a, b, xi) for xi in x])
        np.testing.assert_allclose(mine, sc.betainc(a, b, x), rtol=1e-11, atol=1e-300, err_msg=f"a={a}, b={b}")


def test_beta_edge_cases() -> None:
    assert cd.betainc(2.0, 3.0, 0.0) == 0.0
    assert cd.betainc(2.0, 3.0, 1.0) == 1.0
    assert cd.betaincinv(2.0, 3.0, 0.0) == 0.0
    assert cd.betaincinv(2.0, 3.0, 1.0) == 1.0
    assert math.isnan(cd.betainc(-1.0, 3.0, 0.5))
    assert math.isnan(cd.betaincinv(2.0, 3.0, 1.5))
    assert math.isnan(cd.betaincinv(0.0, 3.0, 0.5))
    # sub-unit shapes still invert correctly
    for a, b in [(0.5, 0.5), (0.3, 2.0), (3.0, 0.4)]:
        np.testing.assert_allclose([cd.betaincinv(a, b, u) for u in BETA_U], sc.betaincinv(a, b, BETA_U), rtol=1e-10)


# ---------------------------------------------------------------------------
# property-based tests
# ---------------------------------------------------------------------------

finite = hst.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@hst.composite
def distributions(draw: Any) -> Distribution:
    kind = draw(hst.sampled_from(["normal", "lognormal", "logitnormal", "pert", "fixed"]))
    if kind == "normal":
        return Normal(draw(hst.floats(-1e3, 1e3)), draw(hst.floats(1e-2, 1e4)))
    if kind == "lognormal":
        return LogNormal(draw(hst.floats(-10, 10)), draw(hst.floats(0.01, 3.0)), draw(hst.floats(-10, 10)))
    if kind == "logitnormal":
        return LogitNormal(draw(hst.floats(-5, 5)), draw(hst.floats(0.01, 5.0)))
    if kind == "pert":
        lo = draw(hst.floats(-100, 100))
        width = draw(hst.floats(0.01, 100))
        frac = draw(hst.floats(0.0, 1.0))
        return PERT(lo, lo + frac * width, lo + width, draw(hst.floats(0.05, 40.0)))
    return Fixed(draw(finite))


@settings(deadline=None, max_examples=50)
@given(distributions())
def test_ppf_monotone_and_in_support(dist: Distribution) -> None:
    u = np.concatenate(
        [[0.0], np.logspace(-12, -1, 30), np.linspace(0.1, 0.9, 41), 1 - np.logspace(-1, -12, 30), [1.0]]
    )
    x = dist.ppf(u)
    assert np.all(np.diff(x) >= 0.0)
    lo, hi = dist.ppf(0.0), dist.ppf(1.0)
    assert np.all((x >= lo) & (x <= hi))
    if isinstance(dist, LogitNormal):
        assert lo == 0.0 and hi == 1.0
    if isinstance(dist, LogNormal):
        assert lo == dist.loc
    if isinstance(dist, PERT):
        assert lo == dist.minimum and hi == dist.maximum
    # the numba path agrees bit-for-bit with the numpy path
    np.testing.assert_array_equal(_njit_ppf(dist.code, dist.packed(), u), x)


@settings(deadline=None, max_examples=50)
@given(distributions(), hst.floats(1e-6, 1 - 1e-6))
def test_cdf_inverts_ppf(dist: Distribution, u: float) -> None:
    if isinstance(dist, Fixed):
        assert dist.cdf(dist.ppf(u)) == 1.0
        return
    assert dist.cdf(dist.ppf(u)) == pytest.approx(u, abs=1e-9)


@settings(deadline=None, max_examples=50)
@given(distributions(), hst.floats(-8.0, 5.0))
def test_from_z_equals_ppf_of_ndtr(dist: Distribution, z: float) -> None:
    # (above z ~ 5 the reference ppf(ndtr(z)) itself loses accuracy)
    expected = dist.ppf(float(st.norm.cdf(z)))
    got = cd.from_z(dist.code, dist.packed(), z)
    scale = abs(dist.median()) + abs(dist.ppf(0.75) - dist.ppf(0.25))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12 * scale)


bad_positive = hst.one_of(hst.floats(max_value=0.0, allow_nan=False), hst.just(math.nan), hst.just(math.inf))
bad_finite = hst.sampled_from([math.nan, math.inf, -math.inf])


@settings(deadline=None, max_examples=50)
@given(
    hst.sampled_from(
        [
            (Normal, {"mean": 0.0, "sd": 1.0}, "sd", "positive"),
            (Normal, {"mean": 0.0, "sd": 1.0}, "mean", "finite"),
            (LogNormal, {"mu": 0.0, "sigma": 1.0, "loc": 0.0}, "sigma", "positive"),
            (LogNormal, {"mu": 0.0, "sigma": 1.0, "loc": 0.0}, "mu", "finite"),
            (LogNormal, {"mu": 0.0, "sigma": 1.0, "loc": 0.0}, "loc", "finite"),
            (LogitNormal, {"mu": 0.0, "sigma": 1.0}, "sigma", "positive"),
            (LogitNormal, {"mu": 0.0, "sigma": 1.0}, "mu", "finite"),
            (PERT, {"minimum": 0.0, "mode": 0.5, "maximum": 1.0, "shape": 4.0}, "shape", "positive"),
            (PERT, {"minimum": 0.0, "mode": 0.5, "maximum": 1.0, "shape": 4.0}, "minimum", "finite"),
            (Fixed, {"value": 1.0}, "value", "finite"),
        ]
    ),
    bad_positive,
    bad_finite,
)
def test_invalid_parameter_names_parameter(case: Any, bad_pos: float, bad_fin: float) -> None:
    cls, kwargs, name, kind = case
    kwargs = {**kwargs, name: bad_pos if kind == "positive" else bad_fin}
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name} must be"):
        cls(**kwargs)


@settings(deadline=None, max_examples=50)
@given(finite, hst.floats(1e-3, 1e3), hst.floats(1e-6, 1e3))
def test_invalid_pert_ordering(lo: float, width: float, outside: float) -> None:
    hi = lo + width
    with pytest.raises(ValueError, match="maximum must be > minimum"):
        PERT(hi, hi, lo)
    with pytest.raises(ValueError, match="maximum must be > minimum"):
        PERT(lo, lo, lo)
    with pytest.raises(ValueError, match="mode must be"):
        PERT(lo, hi + outside, hi)
    with pytest.raises(ValueError, match="mode must be"):
        PERT(lo, lo - outside, hi)


def test_error_messages_and_types() -> None:
    with pytest.raises(ValueError, match=r"^LogNormal: sigma must be finite and > 0, got -1.0$"):
        LogNormal(0.0, -1.0)
    with pytest.raises(ValueError, match=r"got nan"):
        Normal(math.nan, 1.0)
    with pytest.raises(TypeError, match="sd"):
        Normal(0.0, "1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mode"):
        PERT(0.0, None, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="value"):
        Fixed(True)
    # ints and numpy scalars are accepted and stored as float
    d = PERT(0, np.float32(0.5), np.int64(1))
    assert d.to_dict() == {"family": "pert", "minimum": 0.0, "mode": 0.5, "maximum": 1.0, "shape": 4.0}
    assert all(type(v) is float for v in d.params.values())


# ---------------------------------------------------------------------------
# construction helpers, serialisation, sampling
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "quantiles", "kw"),
    [
        (Normal, {0.05: -1.0, 0.95: 3.0}, {}),
        (Normal, {0.5: 10.0, 0.9: 12.0}, {}),
        (LogNormal, {0.1: 5e5, 0.9: 4e6}, {}),
        (LogNormal, {0.05: -0.1, 0.95: 0.3}, {"loc": -1.0}),
        (LogitNormal, {0.1: 0.02, 0.9: 0.3}, {}),
        (LogitNormal, {0.25: 0.5, 0.999: 0.9999}, {}),
    ],
)
def test_from_quantiles(cls: Any, quantiles: dict[float, float], kw: dict[str, float]) -> None:
    d = cls.from_quantiles(quantiles, **kw)
    for p, x in quantiles.items():
        assert d.ppf(p) == pytest.approx(x, rel=1e-9, abs=1e-12)
    # order of the mapping does not matter
    assert cls.from_quantiles(dict(reversed(list(quantiles.items()))), **kw) == d


@pytest.mark.parametrize(
    ("cls", "quantiles", "match"),
    [
        (Normal, {0.05: 1.0}, "exactly two"),
        (Normal, {0.05: 1.0, 0.5: 2.0, 0.95: 3.0}, "exactly two"),
        (Normal, {0.0: 1.0, 0.95: 3.0}, r"\(0, 1\)"),
        (Normal, {0.05: 1.0, 1.0: 3.0}, r"\(0, 1\)"),
        (Normal, {0.05: 3.0, 0.95: 1.0}, "increase"),
        (Normal, {0.05: 1.0, 0.95: 1.0}, "increase"),
        (LogNormal, {0.05: -1.0, 0.95: 1.0}, "support"),
        (LogitNormal, {0.05: 0.1, 0.95: 1.0}, "support"),
    ],
)
def test_from_quantiles_invalid(cls: Any, quantiles: dict[float, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        cls.from_quantiles(quantiles)


def test_from_median() -> None:
    d = LogNormal.from_median(2e6, 0.5)
    assert d.median() == pytest.approx(2e6, rel=1e-15)
    assert d.ppf(0.5) == pytest.approx(2e6, rel=1e-12)
    g = LogNormal.from_median(0.05, 0.1, loc=-1.0)
    assert g.median() == pytest.approx(0.05, rel=1e-14)
    assert g.loc == -1.0
    ln = LogitNormal.from_median(0.2, 0.7)
    assert ln.median() == pytest.approx(0.2, rel=1e-15)
    assert ln.ppf(0.5) == pytest.approx(0.2, rel=1e-12)
    with pytest.raises(ValueError, match="median"):
        LogNormal.from_median(-2.0, 0.5, loc=-1.0)
    with pytest.raises(ValueError, match="median"):
        LogitNormal.from_median(1.0, 0.5)
    with pytest.raises(ValueError, match="sigma"):
        LogitNormal.from_median(0.5, 0.0)


ALL = [c[0] for c in CASES] + [Fixed(3.25), Fixed(-1.0)]


@pytest.mark.parametrize("dist", ALL, ids=repr)
def test_dict_round_trip(dist: Distribution) -> None:
    d = dist.to_dict()
    assert d["family"] == dist.family
    assert FAMILIES[d["family"]] is type(dist)
    assert set(d) <= {"family", *dist.param_names}
    back = from_dict(d)
    assert back == dist
    assert type(back) is type(dist)
    assert hash(back) == hash(dist)
    assert pickle.loads(pickle.dumps(dist)) == dist
    assert eval(repr(dist), {type(dist).__name__: type(dist), "inf": math.inf}) == dist


def test_repr_and_packed() -> None:
    d = PERT(minimum=0.0, mode=0.35, maximum=1.0)
    assert repr(d) == "PERT(minimum=0.0, mode=0.35, maximum=1.0, shape=4.0)"
    assert d.to_dict() == {"family": "pert", "minimum": 0.0, "mode": 0.35, "maximum": 1.0, "shape": 4.0}
    p = d.packed()
    assert NPAR == 12
    assert p.dtype == np.float64 and p.shape == (NPAR,)
    np.testing.assert_array_equal(p[:4], [0.0, 0.35, 1.0, 4.0])
    assert not p[4:].any()
    p[0] = 99.0  # a copy: the distribution is unaffected
    assert d.packed()[0] == 0.0
    np.testing.assert_array_equal(Fixed(2.0).packed(), [2.0] + [0.0] * (NPAR - 1))
    np.testing.assert_array_equal(LogNormal(1.0, 2.0, -1.0).packed(), [1.0, 2.0, -1.0] + [0.0] * (NPAR - 3))
    assert d.alpha == pytest.approx(2.4) and d.beta == pytest.approx(3.6)


def test_immutable_and_attributes() -> None:
    d = LogNormal(1.0, 0.5)
    assert (d.mu, d.sigma, d.loc) == (1.0, 0.5, 0.0)
    with pytest.raises(AttributeError):
        d.mu = 2.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        d.nonexistent  # noqa: B018
    n = Normal(3.0, 2.0)
    assert n.mean() == 3.0 and n.sd == 2.0 and n.params == {"mean": 3.0, "sd": 2.0}


def test_registry_and_codes() -> None:
    assert {k: v.code for k, v in FAMILIES.items()} == {
        "normal": 0,
        "lognormal": 1,
        "logitnormal": 2,
        "pert": 3,
        "fixed": 4,
        "truncatednormal": 5,
        "beta": 6,
        "triangular": 7,
        "uniform": 8,
        "loguniform": 9,
        "studentt": 10,
        "metalog": 11,
        "empirical": 12,
    }
    for name, cls in FAMILIES.items():
        assert cls.family == name
        assert len(cls.param_names) <= NPAR


def test_from_dict_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"unknown distribution family 'gamma'.*fixed, logitnormal, lognormal, loguniform, metalog, normal",
    ):
        from_dict({"family": "gamma", "k": 1.0})
    with pytest.raises(ValueError, match=r"^x\.family: missing"):
        from_dict({"mean": 1.0, "sd": 1.0}, path="x")
    with pytest.raises(ValueError, match=r"^a\.b\.sdev: unknown parameter"):
        from_dict({"family": "normal", "mean": 1.0, "sdev": 1.0}, path="a.b")
    with pytest.raises(ValueError, match=r"^a\.sd: missing required"):
        from_dict({"family": "normal", "mean": 1.0}, path="a")
    with pytest.raises(ValueError, match=r"^spend\.growth_after_target\.sd: must be finite and > 0, got -1$"):
        from_dict({"family": "normal", "mean": 0.1, "sd": -1}, path="spend.growth_after_target")
    with pytest.raises(ValueError, match=r"^Normal: sd must be finite and > 0, got -1$"):
        from_dict({"family": "normal", "mean": 0.1, "sd": -1})
    with pytest.raises(ValueError, match=r"^p\.mode: must be finite and within"):
        from_dict({"family": "pert", "minimum": 0, "mode": 2, "maximum": 1}, path="p")
    with pytest.raises(TypeError, match=r"^p\.sigma: must be a real number"):
        from_dict({"family": "lognormal", "mu": 0, "sigma": "big"}, path="p")
    with pytest.raises(TypeError):
        from_dict([("family", "normal")])  # type: ignore[arg-type]
    # defaults may be omitted
    assert from_dict({"family": "pert", "minimum": 0, "mode": 1, "maximum": 2}) == PERT(0.0, 1.0, 2.0)
    assert from_dict({"family": "lognormal", "mu": 0, "sigma": 1}) == LogNormal(0.0, 1.0, 0.0)


FINITE_VARIANCE = [c for c in ALL if not (isinstance(c, StudentT) and c.df <= 2.0)]


@pytest.mark.parametrize("dist", FINITE_VARIANCE, ids=repr)
def test_sample_reproducible_and_mean(dist: Distribution) -> None:
    a = dist.sample(200_000, seed=123)
    b = dist.sample(200_000, seed=123)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (200_000,) and a.dtype == np.float64
    assert not np.array_equal(a[:100], dist.sample(100, seed=124)) or isinstance(dist, Fixed)
    sd = float(np.std(a))
    assert abs(float(np.mean(a)) - dist.mean()) <= 5.0 * sd / math.sqrt(a.size) + 1e-12 * abs(dist.mean())
    assert dist.sample(0).shape == (0,)
    with pytest.raises(ValueError):
        dist.sample(-1)


def test_sample_does_not_touch_global_rng() -> None:
    np.random.seed(5)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    Normal(0.0, 1.0).sample(10)
    PERT(0.0, 0.5, 1.0).sample(10, seed=np.random.default_rng(1))
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.parametrize("dist", [c for c in ALL if isinstance(c, (Normal, LogNormal, LogitNormal, PERT))], ids=repr)
def test_mean_and_median_against_scipy(dist: Distribution) -> None:
    assert dist.median() == pytest.approx(dist.ppf(0.5), rel=1e-12, abs=1e-12)
    if isinstance(dist, LogitNormal):
        from scipy.integrate import quad

        mu, sigma = dist.mu, dist.sigma
        ref = quad(lambda z: sc.expit(mu + sigma * z) * st.norm.pdf(z), -40, 40, epsabs=1e-14, limit=200)[0]
    elif isinstance(dist, PERT):
        ref = _pert_frozen(dist.minimum, dist.mode, dist.maximum, dist.shape).mean()
    elif isinstance(dist, LogNormal):
        ref = st.lognorm(s=dist.sigma, loc=dist.loc, scale=math.exp(dist.mu)).mean()
    else:
        ref = st.norm(dist.mean(), dist.sd).mean()
    assert dist.mean() == pytest.approx(ref, rel=1e-10, abs=1e-12)


# ---------------------------------------------------------------------------
# the families added with NPAR = 12
# ---------------------------------------------------------------------------


def _scipy_mean(dist: Distribution) -> float:
    v = dist.params
    if isinstance(dist, TruncatedNormal):
        mu, sd = v["mean"], v["sd"]
        return st.truncnorm((v["lower"] - mu) / sd, (v["upper"] - mu) / sd, loc=mu, scale=sd).mean()
    if isinstance(dist, Beta):
        return st.beta(v["a"], v["b"], loc=v["lower"], scale=v["upper"] - v["lower"]).mean()
    if isinstance(dist, Triangular):
        a, m, c = v["minimum"], v["mode"], v["maximum"]
        return st.triang((m - a) / (c - a), loc=a, scale=c - a).mean()
    if isinstance(dist, Uniform):
        return st.uniform(v["lower"], v["upper"] - v["lower"]).mean()
    if isinstance(dist, LogUniform):
        return st.loguniform(v["lower"], v["upper"]).mean()
    if isinstance(dist, StudentT):
        return st.t(v["df"], v["loc"], v["scale"]).mean()
    from scipy.integrate import quad  # Metalog: integrate the quantile function

    return quad(lambda u: dist.ppf(u), 0.0, 1.0, epsabs=0.0, epsrel=1e-12, limit=500)[0]


@pytest.mark.parametrize("dist", [c[0] for c in NEW_CASES], ids=repr)
def test_new_family_mean_and_median(dist: Distribution) -> None:
    assert dist.median() == pytest.approx(dist.ppf(0.5), rel=1e-12, abs=1e-12)
    ref = _scipy_mean(dist)
    if isinstance(dist, StudentT) and dist.df <= 1.0:
        assert math.isnan(dist.mean())  # scipy says inf or nan; the mean does not exist
    else:
        assert dist.mean() == pytest.approx(ref, rel=1e-9, abs=1e-12 * (abs(dist.median()) + 1.0))


@pytest.mark.parametrize(
    ("cls", "quantiles", "kw"),
    [
        (Uniform, {0.1: 2.0, 0.9: 3.0}, {}),
        (Uniform, {0.5: -1e6, 0.75: 2e6}, {}),
        (LogUniform, {0.05: 1e6, 0.95: 5e9}, {}),
        (StudentT, {0.05: -1.0, 0.95: 3.0}, {"df": 3.0}),
        (StudentT, {0.5: 100.0, 0.99: 1e4}, {"df": 1.0}),
        (TruncatedNormal, {0.1: 0.2, 0.9: 0.6}, {"lower": 0.0, "upper": 1.0}),
        (TruncatedNormal, {0.05: 0.01, 0.95: 0.3}, {"lower": 0.0}),
        (TruncatedNormal, {0.25: -3.0, 0.75: -1.0}, {"upper": 0.0}),
        (TruncatedNormal, {0.1: 1.0, 0.9: 3.0}, {}),
        (TruncatedNormal, {0.1: 0.01, 0.9: 0.02}, {"lower": 0.0, "upper": 1.0}),
        (Beta, {0.1: 0.2, 0.9: 0.6}, {}),
        (Beta, {0.05: 0.01, 0.95: 0.3}, {}),
        (Beta, {0.1: 0.05, 0.9: 0.95}, {}),
        (Beta, {0.25: 120.0, 0.5: 150.0}, {"lower": 100.0, "upper": 400.0}),
        (Triangular, {0.1: 2.0, 0.5: 4.0, 0.9: 7.0}, {}),
        (Triangular, {0.05: -1.0, 0.5: 0.0, 0.95: 1.0}, {}),
        (Metalog, {0.1: 1.0, 0.5: 2.0, 0.9: 5.0}, {}),
        (Metalog, {0.1: 1.0, 0.5: 2.0, 0.9: 5.0}, {"lower": 0.0}),
        (Metalog, {0.05: 1.0, 0.25: 3.0, 0.5: 4.0, 0.75: 6.0, 0.95: 12.0}, {}),
        (Metalog, {0.05: 1.0, 0.25: 3.0, 0.5: 4.0, 0.75: 6.0, 0.95: 12.0}, {"lower": 0.0, "upper": 20.0}),
        (Metalog, {0.1: 0.02, 0.5: 0.1, 0.9: 0.35}, {"lower": 0.0, "upper": 1.0}),
        (Metalog, {p: float(st.norm.ppf(p, 3.0, 2.0)) for p in (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)}, {}),
        (Metalog, {p: float(st.lognorm(0.5, scale=1e6).ppf(p)) for p in np.linspace(0.05, 0.95, 9)}, {"lower": 0.0}),
        (
            Metalog,
            {p: 1e7 - float(st.lognorm(0.3, scale=1e6).ppf(1 - p)) for p in (0.1, 0.3, 0.5, 0.7, 0.9)},
            {"upper": 1e7},
        ),
    ],
)
def test_new_from_quantiles(cls: Any, quantiles: dict[float, float], kw: dict[str, float]) -> None:
    d = cls.from_quantiles(quantiles, **kw)
    for p, x in quantiles.items():
        assert d.ppf(p) == pytest.approx(x, rel=1e-9, abs=1e-12)
        assert d.cdf(x) == pytest.approx(p, rel=1e-9)
    assert cls.from_quantiles(dict(reversed(list(quantiles.items()))), **kw) == d


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Uniform.from_quantiles({0.1: 2.0}), "exactly two"),
        (lambda: LogUniform.from_quantiles({0.1: -1.0, 0.9: 2.0}), "support"),
        (lambda: StudentT.from_quantiles({0.1: 2.0, 0.9: 1.0}, df=3.0), "increase"),
        (lambda: TruncatedNormal.from_quantiles({0.1: 0.05, 0.9: 0.95}, lower=0.0, upper=1.0), "no truncated normal"),
        (lambda: TruncatedNormal.from_quantiles({0.1: -0.5, 0.9: 0.5}, lower=0.0), "support"),
        (lambda: Beta.from_quantiles({0.1: 0.5, 0.9: 1.5}), "support"),
        (lambda: Beta.from_quantiles({0.1: 0.2, 0.9: 0.3}, lower=1.0, upper=0.0), "lower < upper"),
        (lambda: Triangular.from_quantiles({0.1: 0.0, 0.9: 1.0}), "exactly 3"),
        (lambda: Triangular.from_quantiles({0.1: 0.0, 0.5: 9.0, 0.9: 10.0}), "no triangular"),
        (lambda: Metalog.from_quantiles({0.1: 0.0, 0.9: 1.0}), "3 to 9"),
        (lambda: Metalog.from_quantiles({0.1: 0.0, 0.5: 10.0, 0.9: 10.5}), "not strictly increasing"),
        (lambda: Metalog.from_quantiles({0.1: 1.0, 0.5: 2.0, 0.9: 5.0}, lower=1.5), "support"),
    ],
)
def test_new_from_quantiles_invalid(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_metalog_fits_and_refusals() -> None:
    q3 = {0.1: 10.0, 0.5: 20.0, 0.9: 45.0}
    m3 = Metalog.from_quantiles(q3, lower=0.0)
    assert len(m3.coefficients) == 3 and m3.terms == 3
    np.testing.assert_allclose(m3.ppf(list(q3)), list(q3.values()), rtol=1e-12)
    q5 = {0.05: 1.0, 0.25: 3.0, 0.5: 4.0, 0.75: 6.0, 0.95: 12.0}
    m5 = Metalog.from_quantiles(q5)
    np.testing.assert_allclose(m5.ppf(list(q5)), list(q5.values()), rtol=1e-12)
    # least squares with fewer terms: close, not exact; a normal is nearly a 3-term metalog
    qn = {p: float(st.norm.ppf(p)) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
    ls = Metalog.from_quantiles(qn, terms=3)
    assert ls.terms == 3 and np.max(np.abs(ls.ppf(list(qn)) - list(qn.values()))) < 0.1
    # the classic infeasible fit: strongly left-skewed quantiles with an unbounded 3-term metalog
    with pytest.raises(ValueError, match=r"^Metalog: values must be .*3-term unbounded.*not strictly increasing"):
        Metalog([0.1, 0.5, 0.9], [0.0, 10.0, 10.5])
    # a 5-term fit whose density goes negative between the quantiles
    with pytest.raises(ValueError, match="negative density"):
        Metalog.from_quantiles({0.1: 0.0, 0.3: 1.0, 0.5: 1.01, 0.7: 1.02, 0.9: 5.0})
    with pytest.raises(ValueError, match="terms must be an integer from 2"):
        Metalog(list(q3), list(q3.values()), terms=4)
    with pytest.raises(TypeError, match="terms must be an integer"):
        Metalog(list(q3), list(q3.values()), terms=3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="values must be a list of real numbers"):
        Metalog(list(q3), "10 20 45")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="probabilities must be distinct"):
        Metalog([0.1, 0.1, 0.9], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="values must be strictly increasing"):
        Metalog([0.1, 0.5, 0.9], [1.0, 3.0, 2.0])
    with pytest.raises(ValueError, match=r"upper must be > lower"):
        Metalog([0.1, 0.5, 0.9], [1.0, 2.0, 3.0], lower=5.0, upper=0.0)
    # bounds are reached at u = 0 and 1; the unbounded metalog is infinite there
    b = Metalog.from_quantiles({0.1: 0.1, 0.5: 0.3, 0.9: 0.7}, lower=0.0, upper=1.0)
    assert b.ppf(0.0) == 0.0 and b.ppf(1.0) == 1.0 and b.cdf(-1.0) == 0.0 and b.cdf(1.0) == 1.0
    assert m5.ppf(0.0) == -math.inf and m5.ppf(1.0) == math.inf
    # TOML-friendly dict form, stored sorted by probability
    d = Metalog([0.9, 0.1, 0.5], [45.0, 10.0, 20.0], lower=0)
    assert d == m3
    assert d.to_dict() == {
        "family": "metalog",
        "probabilities": [0.1, 0.5, 0.9],
        "values": [10.0, 20.0, 45.0],
        "lower": 0.0,
        "terms": 3,
    }
    assert from_dict(d.to_dict()) == d
    with pytest.raises(ValueError, match=r"^x\.values: must be quantiles of a feasible metalog"):
        from_dict({"family": "metalog", "probabilities": [0.1, 0.5, 0.9], "values": [0, 10, 10.5]}, path="x")
    # a heavy upper tail: no mean
    assert Metalog.from_quantiles({0.1: 1.0, 0.5: 10.0, 0.9: 1000.0}, lower=0.0).mean() == math.inf


def test_empirical() -> None:
    rng = np.random.default_rng(3)
    raw = rng.lognormal(size=501)
    raw[:5] = raw[5]  # ties
    e = Empirical(raw)
    assert e.values.size == 501 and np.all(np.diff(e.values) >= 0.0)
    u = np.concatenate([[0.0], U_GRID, [1.0]])
    np.testing.assert_allclose(e.ppf(u), np.quantile(raw, u, method="linear"), rtol=1e-13)
    assert e.ppf(0.0) == raw.min() and e.ppf(1.0) == raw.max()
    distinct = Empirical(raw[5:])
    np.testing.assert_allclose(distinct.cdf(distinct.ppf(u[10:-10])), u[10:-10], rtol=1e-9)
    np.testing.assert_array_equal(e.cdf([raw.min() - 1.0, raw.max(), np.inf]), [0.0, 1.0, 1.0])
    # ties: P(X <= tied value) is the largest u at which ppf returns it
    small = Empirical([3, 1, 2, 2, 5])
    np.testing.assert_allclose(small.cdf([1.0, 1.5, 2.0, 2.5, 5.0]), [0.0, 0.125, 0.5, 0.625, 1.0])
    assert small.mean() == pytest.approx(np.mean(small.sample(400_000, seed=1)), abs=0.01)
    z = np.linspace(-8.5, 8.5, 341)
    np.testing.assert_allclose(e.from_z(z), np.quantile(raw, st.norm.cdf(z)), rtol=1e-12)
    assert isinstance(e.ppf(0.5), float) and isinstance(e.cdf(1.0), float) and e.ppf([[0.5]]).shape == (1, 1)
    assert small.to_dict() == {"family": "empirical", "values": [1.0, 2.0, 2.0, 3.0, 5.0]}
    assert from_dict(small.to_dict()) == small == Empirical((5, 3, 2, 1, 2))
    assert hash(small) == hash(Empirical([1, 2, 2, 3, 5]))
    assert repr(small) == "Empirical(values=[1.0, 2.0, 2.0, 3.0, 5.0])"
    assert repr(e).startswith("<Empirical: 501 values, min=")
    assert pickle.loads(pickle.dumps(e)) == e
    with pytest.raises(ValueError, match="values must be not all equal"):
        Empirical([1.0, 1.0])
    with pytest.raises(ValueError, match="at least two"):
        Empirical([1.0])
    with pytest.raises(ValueError, match="values must be finite"):
        Empirical([1.0, math.nan])
    with pytest.raises(TypeError, match="values must be a list of real numbers"):
        Empirical([1.0, "2"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        e.ppf(1.5)


def test_new_family_validation_messages() -> None:
    with pytest.raises(ValueError, match=r"^TruncatedNormal: upper must be > lower \(1.0\)"):
        TruncatedNormal(0.0, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"^TruncatedNormal: lower must be < mean \+ 35 \* sd"):
        TruncatedNormal(0.0, 1.0, 40.0, 41.0)
    with pytest.raises(ValueError, match=r"^TruncatedNormal: upper must be > mean - 35 \* sd"):
        TruncatedNormal(0.0, 1.0, -50.0, -40.0)
    with pytest.raises(ValueError, match=r"^LogUniform: lower must be finite and > 0"):
        LogUniform(0.0, 1.0)
    with pytest.raises(ValueError, match=r"^Uniform: upper must be finite and > lower"):
        Uniform(1.0, 1.0)
    with pytest.raises(ValueError, match=r"^Triangular: mode must be finite and within"):
        Triangular(0.0, 2.0, 1.0)
    with pytest.raises(ValueError, match=r"^Beta: upper must be finite and > lower"):
        Beta(2.0, 2.0, 1.0, 1.0)
    with pytest.raises(TypeError, match="df must be a real number"):
        StudentT("3")  # type: ignore[arg-type]
    assert math.isnan(StudentT(1.0).mean())
    assert TruncatedNormal(0.0, 1.0).ppf(0.0) == -math.inf and TruncatedNormal(0.0, 1.0, lower=0.0).ppf(0.0) == 0.0
    assert from_dict({"family": "beta", "a": 2, "b": 3}) == Beta(2.0, 3.0, 0.0, 1.0)
    assert from_dict({"family": "studentt", "df": 4}) == StudentT(4.0, 0.0, 1.0)
    assert from_dict({"family": "truncatednormal", "mean": 1, "sd": 2, "lower": 0}).upper == math.inf
    with pytest.raises(ValueError, match=r"^s\.df: must be finite and > 0, got 0$"):
        from_dict({"family": "studentt", "df": 0}, path="s")


# -- property-based ---------------------------------------------------------


@hst.composite
def new_distributions(draw: Any) -> Distribution:
    kind = draw(
        hst.sampled_from(["truncnorm", "beta", "triangular", "uniform", "loguniform", "t", "metalog", "empirical"])
    )
    lo = draw(hst.floats(-100, 100))
    width = draw(hst.floats(0.01, 100))
    if kind == "truncnorm":
        sd = draw(hst.floats(0.01, 100))
        mu = draw(hst.floats(lo - 5 * sd, lo + width + 5 * sd))
        upper = draw(hst.sampled_from([lo + width, math.inf]))
        lower = draw(hst.sampled_from([lo, -math.inf])) if upper < math.inf else lo
        return TruncatedNormal(mu, sd, lower, upper)
    if kind == "beta":
        return Beta(draw(hst.floats(0.3, 40)), draw(hst.floats(0.3, 40)), lo, lo + width)
    if kind == "triangular":
        return Triangular(lo, lo + draw(hst.floats(0.0, 1.0)) * width, lo + width)
    if kind == "uniform":
        return Uniform(lo, lo + width)
    if kind == "loguniform":
        low = draw(hst.floats(1e-6, 1e6))
        return LogUniform(low, low * draw(hst.floats(1.001, 1e6)))
    if kind == "t":
        return StudentT(draw(hst.floats(0.5, 100)), lo, draw(hst.floats(0.01, 100)))
    if kind == "empirical":
        values = draw(hst.lists(hst.floats(-1e3, 1e3), min_size=2, max_size=50, unique=True))
        return Empirical(values)
    # metalog through quantiles of a skewed reference (always feasible), possibly bounded
    n = draw(hst.integers(3, 9))
    ps = np.linspace(0.5 / n, 1 - 0.5 / n, n)
    skew = draw(hst.floats(0.05, 1.0))
    xs = lo + width * st.lognorm(skew).ppf(ps) / st.lognorm(skew).ppf(0.5)
    bounds = draw(hst.sampled_from([{}, {"lower": lo}, {"lower": lo, "upper": xs[-1] + width}]))
    try:
        return Metalog(list(ps), list(xs), **bounds)
    except ValueError as exc:  # some exact high-order fits are infeasible: refused, as they must be
        assert "not strictly increasing" in str(exc)
        assume(False)
        raise


@settings(deadline=None, max_examples=80)
@given(new_distributions())
def test_new_ppf_monotone_and_in_support(dist: Distribution) -> None:
    u = np.concatenate(
        [[0.0], np.logspace(-12, -1, 30), np.linspace(0.1, 0.9, 41), 1 - np.logspace(-1, -12, 30), [1.0]]
    )
    x = dist.ppf(u)
    assert np.all(np.diff(x) >= 0.0)
    lo, hi = dist.ppf(0.0), dist.ppf(1.0)
    assert np.all((x >= lo) & (x <= hi))
    for name in ("lower", "minimum"):
        if name in dist.param_names and dist.params[name] is not None:
            assert lo == dist.params[name]
    for name in ("upper", "maximum"):
        if name in dist.param_names and dist.params[name] is not None:
            assert hi == dist.params[name]
    if isinstance(dist, Empirical):
        assert math.isnan(cd.ppf(dist.code, dist.packed(), 0.5))
    else:
        np.testing.assert_array_equal(_njit_ppf(dist.code, dist.packed(), u), x)
        z = np.linspace(-8.5, 8.5, 35)
        fz = dist.from_z(z)
        assert np.all(np.isfinite(fz)) or isinstance(dist, StudentT)
        assert np.all(np.diff(fz) >= 0.0)


@settings(deadline=None, max_examples=80)
@given(new_distributions(), hst.floats(1e-6, 1 - 1e-6))
def test_new_cdf_inverts_ppf(dist: Distribution, u: float) -> None:
    x = dist.ppf(u)
    # u is reproduced up to the cdf's change over one ulp of x (steep densities near a bound)
    lo, hi = dist.cdf(np.nextafter(x, -math.inf)), dist.cdf(np.nextafter(x, math.inf))
    assert dist.cdf(x) == pytest.approx(u, abs=1e-9) or lo - 1e-9 <= u <= hi + 1e-9
    if not isinstance(dist, Empirical):
        assert cd.cdf(dist.code, dist.packed(), x) == dist.cdf(x)


@settings(deadline=None, max_examples=50)
@given(new_distributions(), hst.floats(-8.0, 5.0))
def test_new_from_z_equals_ppf_of_ndtr(dist: Distribution, z: float) -> None:
    u = float(st.norm.cdf(z))
    expected = dist.ppf(u)
    scale = abs(dist.median()) + abs(dist.ppf(0.75) - dist.ppf(0.25))
    # the reference itself is only as good as u: near 1, a few ulps of u move a steep ppf (from_z is exact there)
    du = 4 * np.spacing(u)
    conditioning = abs(dist.ppf(min(u + du, 1.0)) - dist.ppf(max(u - du, 0.0)))
    assert dist.from_z(z) == pytest.approx(expected, rel=1e-9, abs=1e-12 * scale + conditioning)


@settings(deadline=None, max_examples=60)
@given(
    hst.sampled_from(
        [
            (TruncatedNormal, {"mean": 0.0, "sd": 1.0, "lower": -1.0, "upper": 1.0}, "sd", "positive"),
            (TruncatedNormal, {"mean": 0.0, "sd": 1.0, "lower": -1.0, "upper": 1.0}, "mean", "finite"),
            (Beta, {"a": 2.0, "b": 2.0, "lower": 0.0, "upper": 1.0}, "a", "positive"),
            (Beta, {"a": 2.0, "b": 2.0, "lower": 0.0, "upper": 1.0}, "b", "positive"),
            (Beta, {"a": 2.0, "b": 2.0, "lower": 0.0, "upper": 1.0}, "lower", "finite"),
            (Triangular, {"minimum": 0.0, "mode": 0.5, "maximum": 1.0}, "minimum", "finite"),
            (Uniform, {"lower": 0.0, "upper": 1.0}, "lower", "finite"),
            (LogUniform, {"lower": 1.0, "upper": 2.0}, "lower", "positive"),
            (StudentT, {"df": 3.0, "loc": 0.0, "scale": 1.0}, "df", "positive"),
            (StudentT, {"df": 3.0, "loc": 0.0, "scale": 1.0}, "scale", "positive"),
            (StudentT, {"df": 3.0, "loc": 0.0, "scale": 1.0}, "loc", "finite"),
            (Metalog, {"probabilities": [0.1, 0.5, 0.9], "values": [1.0, 2.0, 3.0]}, "lower", "finite"),
        ]
    ),
    bad_positive,
    bad_finite,
)
def test_new_invalid_parameter_names_parameter(case: Any, bad_pos: float, bad_fin: float) -> None:
    cls, kwargs, name, kind = case
    kwargs = {**kwargs, name: bad_pos if kind == "positive" else bad_fin}
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name} must be"):
        cls(**kwargs)


# -- the engine's spline-table path -------------------------------------------

TABLE_CASES = [
    *(c[0] for c in NEW_CASES if not (isinstance(c[0], StudentT) and c[0].df < 3.0)),
    Empirical(np.random.default_rng(1).normal(size=200)),
    PERT(0.0, 0.35, 1.0),
]


@pytest.mark.parametrize("dist", TABLE_CASES, ids=repr)
def test_engine_table_reproduces_from_z(dist: Distribution) -> None:
    """The engine's per-family path (closed form, exact Empirical interpolation or spline) matches from_z."""
    table = z_table(dist)
    z = np.concatenate([np.random.default_rng(7).standard_normal(2000), np.random.default_rng(8).uniform(-6, 6, 500)])
    got = np.array([input_from_z(dist.code, dist.packed(), table, zi) for zi in z])
    expected = dist.from_z(z)
    lo, hi = dist.ppf(0.0), dist.ppf(1.0)
    scale = hi - lo if math.isfinite(hi - lo) else abs(dist.median()) + dist.ppf(0.75) - dist.ppf(0.25)
    # absolute error within 1e-9 of the scale (relative in far heavy tails)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * scale)


# ---- parameters the numerics cannot carry ---------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "param"),
    [
        (lambda: cd.PERT(0.0, 0.5, 1.0, shape=1e300), "shape"),
        (lambda: cd.PERT(0.0, 0.5, 1.0, shape=2e6), "shape"),
        (lambda: cd.Beta(1e300, 1e300), "a"),
        (lambda: cd.Beta(2.0, 1e7), "b"),
    ],
)
def test_beta_parameters_beyond_the_numerics_are_refused(make, param):
    with pytest.raises(ValueError, match=rf"{param} must be in \(0, 1e\+06\] \(the range the incomplete-beta numerics"):
        make()


def test_largest_beta_parameters_allowed_still_match_scipy():
    u = np.array([1e-9, 0.01, 0.5, 0.99, 1 - 1e-9])
    d = cd.Beta(1e6, 3e5)
    np.testing.assert_allclose(d.ppf(u), st.beta(1e6, 3e5).ppf(u), rtol=1e-9)
    p = cd.PERT(0.0, 0.3, 1.0, shape=1e6)
    np.testing.assert_allclose(p.ppf(u), st.beta(p.alpha, p.beta).ppf(u), rtol=1e-9)


@pytest.mark.parametrize(
    ("make", "param"),
    [
        (lambda: cd.LogNormal(705.0, 1.0), "mu"),
        (lambda: cd.Normal(0.0, 1e308), "sd"),
        (lambda: cd.Uniform(-1e308, 1e308), "lower"),
        (lambda: cd.StudentT(3.0, 0.0, 1e307), "scale"),
    ],
)
def test_parameters_whose_draws_overflow_are_refused(make, param):
    with pytest.raises(ValueError, match=rf"{param} must be a value for which draws stay finite in float64"):
        make()


@pytest.mark.parametrize(
    "growth",
    [{"family": "fixed", "value": 1e308}, {"family": "lognormal", "mu": 700.0, "sigma": 1.0}],
    ids=["fixed-1e308", "lognormal-mu-700"],
)
def test_a_scenario_that_overflows_is_refused_at_simulate_naming_the_output(growth):
    import cloudsim

    cd.from_dict(growth)  # accepted as a distribution: it is the compounded paths that overflow
    scn = cloudsim.load_scenario().replace({"spend.growth_after_target": growth})
    for engine in ("numba", "numpy"):
        with pytest.raises(ValueError, match=r"output 'spend': not finite \(inf\) at trial \d+"):
            cloudsim.simulate(scn, 50, seed=1, engine=engine)


# ---- pdf, var and std of every family --------------------------------------------------------------
MOMENT_CASES = [
    (cd.Normal(1.5, 0.7), st.norm(1.5, 0.7)),
    (cd.LogNormal(0.3, 0.6, loc=2.0), st.lognorm(0.6, loc=2.0, scale=math.exp(0.3))),
    (cd.PERT(1.0, 2.0, 5.0, shape=3.0), st.beta(1.75, 3.25, loc=1.0, scale=4.0)),
    (cd.Beta(2.5, 0.7, lower=-1.0, upper=3.0), st.beta(2.5, 0.7, loc=-1.0, scale=4.0)),
    (cd.TruncatedNormal(0.2, 1.3, lower=-0.5, upper=2.0), st.truncnorm(-0.7 / 1.3, 1.8 / 1.3, loc=0.2, scale=1.3)),
    (cd.TruncatedNormal(0.2, 1.3, lower=0.0), st.truncnorm(-0.2 / 1.3, np.inf, loc=0.2, scale=1.3)),
    (cd.Triangular(0.0, 0.3, 2.0), st.triang(0.15, loc=0.0, scale=2.0)),
    (cd.Triangular(0.0, 0.0, 2.0), st.triang(0.0, loc=0.0, scale=2.0)),
    (cd.Uniform(-2.0, 5.0), st.uniform(-2.0, 7.0)),
    (cd.LogUniform(0.1, 50.0), st.loguniform(0.1, 50.0)),
    (cd.StudentT(5.0, loc=1.0, scale=2.0), st.t(5.0, loc=1.0, scale=2.0)),
]


@pytest.mark.parametrize(("dist", "ref"), MOMENT_CASES, ids=lambda d: repr(d)[:40])
def test_pdf_var_std_match_scipy(dist, ref):
    lo, hi = ref.ppf([1e-6, 1 - 1e-6])
    x = np.linspace(lo, hi, 201)[1:-1]
    x = x[np.abs(x - float(dist.ppf(0.0))) > 1e-9 * (hi - lo)]  # skip a density singularity at an edge
    np.testing.assert_allclose(dist.pdf(x), ref.pdf(x), rtol=1e-9, atol=1e-300)
    assert dist.pdf(hi + (hi - lo) + 1.0) == pytest.approx(ref.pdf(hi + (hi - lo) + 1.0), rel=1e-9, abs=1e-300)
    assert dist.var() == pytest.approx(ref.var(), rel=1e-9)
    assert dist.std() == pytest.approx(ref.std(), rel=1e-9)
    assert isinstance(dist.pdf(float(x[50])), float) and dist.pdf(x[:150].reshape(3, 50)).shape == (3, 50)


def test_student_t_variance_where_it_does_not_exist():
    assert cd.StudentT(2.0).var() == math.inf and math.isnan(cd.StudentT(1.0).var())


def test_fixed_is_a_point_mass():
    d = cd.Fixed(3.0)
    assert d.var() == 0.0 and d.std() == 0.0
    assert d.pdf(3.0) == math.inf and d.pdf(2.9) == 0.0


QUADRATURE_CASES = [
    cd.LogitNormal(0.4, 0.8),
    cd.Metalog.from_quantiles({0.1: 1.0, 0.5: 2.0, 0.9: 4.5}),
    cd.Metalog.from_quantiles({0.1: 1.0, 0.5: 2.0, 0.9: 4.5}, lower=0.0),
    cd.Empirical([1.0, 2.0, 2.5, 4.0, 7.0]),
]


def test_every_family_has_its_pdf_var_std_checked():
    checked = {d.family for d, _ in MOMENT_CASES} | {d.family for d in QUADRATURE_CASES} | {cd.Fixed(3.0).family}
    assert checked == set(cd.FAMILIES)


@pytest.mark.parametrize("dist", QUADRATURE_CASES, ids=["logitnormal", "metalog", "metalog-lower", "empirical"])
def test_pdf_and_var_of_families_without_a_scipy_twin_agree_with_quadrature(dist):
    from scipy.integrate import quad

    lo, hi = float(dist.ppf(1e-10)), float(dist.ppf(1 - 1e-10))
    kinks = list(dist.values) if isinstance(dist, cd.Empirical) else None
    mass = quad(lambda t: dist.pdf(t), lo, hi, points=kinks, limit=400)[0]
    assert mass == pytest.approx(1.0, abs=1e-6)
    m = dist.mean()
    var = quad(lambda u: (dist.ppf(u) - m) ** 2, 0.0, 1.0, points=None, limit=400, epsabs=1e-13)[0]
    assert dist.var() == pytest.approx(var, rel=1e-6)
    assert dist.std() == pytest.approx(math.sqrt(var), rel=1e-6)
    x = np.asarray(dist.ppf(np.linspace(0.005, 0.995, 57)))
    h = 1e-6 * float(dist.ppf(0.995) - dist.ppf(0.005))  # the density is the slope of the cdf
    slope = (np.asarray(dist.cdf(x + h)) - np.asarray(dist.cdf(x - h))) / (2 * h)
    keep = np.all(np.abs(x[:, None] - np.asarray(kinks or [np.inf])[None, :]) > 10 * h, axis=1)
    keep &= slope > 1e-4 * slope.max()  # where the finite difference of the cdf is not round-off
    np.testing.assert_allclose(dist.pdf(x)[keep], slope[keep], rtol=1e-4)
