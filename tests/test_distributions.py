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
from hypothesis import given, settings
from hypothesis import strategies as hst

from cloudsim import distributions as cd
from cloudsim.distributions import (
    FAMILIES,
    PERT,
    Distribution,
    Fixed,
    LogitNormal,
    LogNormal,
    Normal,
    from_dict,
)

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
    assert set(d) == {"family", *dist.param_names}
    back = from_dict(d)
    assert back == dist
    assert type(back) is type(dist)
    assert hash(back) == hash(dist)
    assert pickle.loads(pickle.dumps(dist)) == dist
    assert eval(repr(dist), {type(dist).__name__: type(dist)}) == dist


def test_repr_and_packed() -> None:
    d = PERT(minimum=0.0, mode=0.35, maximum=1.0)
    assert repr(d) == "PERT(minimum=0.0, mode=0.35, maximum=1.0, shape=4.0)"
    assert d.to_dict() == {"family": "pert", "minimum": 0.0, "mode": 0.35, "maximum": 1.0, "shape": 4.0}
    p = d.packed()
    assert p.dtype == np.float64 and p.shape == (4,)
    np.testing.assert_array_equal(p, [0.0, 0.35, 1.0, 4.0])
    p[0] = 99.0  # a copy: the distribution is unaffected
    assert d.packed()[0] == 0.0
    np.testing.assert_array_equal(Fixed(2.0).packed(), [2.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(LogNormal(1.0, 2.0, -1.0).packed(), [1.0, 2.0, -1.0, 0.0])
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
    }
    for name, cls in FAMILIES.items():
        assert cls.family == name
        assert len(cls.param_names) <= 4


def test_from_dict_errors() -> None:
    with pytest.raises(
        ValueError, match=r"unknown distribution family 'gamma'.*fixed, logitnormal, lognormal, normal, pert"
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


@pytest.mark.parametrize("dist", ALL, ids=repr)
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


@pytest.mark.parametrize("dist", [c for c in ALL if not isinstance(c, Fixed)], ids=repr)
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
