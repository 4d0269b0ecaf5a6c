"""Probability distribution families usable from NumPy and from numba kernels.

Every family has a Python class (validated, immutable, with vectorised
``ppf``/``cdf``/``sample``) and an integer family ``code``.  Together with the
float64 parameter vector returned by :meth:`Distribution.packed`, the code lets
compiled kernels evaluate the family through the module-level ``@njit``
dispatchers :func:`ppf`, :func:`cdf` and :func:`from_z`.

Numba scalar primitives
-----------------------
ndtr, ndtri, betainc, betaincinv
    Standard normal CDF and its inverse; regularized incomplete beta function
    and its inverse in ``x``.
ppf, cdf, from_z
    Dispatch on ``(code, par, value)``.

Families
--------
=====  ===================  ==========================================
code   class                parameters (``packed()`` order)
=====  ===================  ==========================================
0      ``Normal``           mean, sd
1      ``LogNormal``        mu, sigma, loc
2      ``LogitNormal``      mu, sigma
3      ``PERT``             minimum, mode, maximum, shape
4      ``Fixed``            value
5      ``TruncatedNormal``  mean, sd, lower, upper
6      ``Beta``             a, b, lower, upper
7      ``Triangular``       minimum, mode, maximum
8      ``Uniform``          lower, upper
9      ``LogUniform``       lower, upper
10     ``StudentT``         df, loc, scale
11     ``Metalog``          a1..a9, lower, upper, kind
12     ``Empirical``        min, max, n (values kept on the instance)
=====  ===================  ==========================================

Examples
--------
>>> d = PERT(minimum=0.0, mode=0.35, maximum=1.0)
>>> d
PERT(minimum=0.0, mode=0.35, maximum=1.0, shape=4.0)
>>> from_dict(d.to_dict()) == d
True
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FAMILIES",
    "NPAR",
    "PERT",
    "Beta",
    "Distribution",
    "Empirical",
    "Fixed",
    "LogNormal",
    "LogUniform",
    "LogitNormal",
    "Metalog",
    "Normal",
    "ParameterError",
    "ParameterTypeError",
    "StudentT",
    "Triangular",
    "TruncatedNormal",
    "Uniform",
    "betainc",
    "betaincinv",
    "cdf",
    "from_dict",
    "from_z",
    "ndtr",
    "ndtri",
    "ppf",
]

NPAR = 12
"""Length of the packed parameter vector (room for the nine metalog coefficients)."""

CODE_NORMAL = 0
CODE_LOGNORMAL = 1
CODE_LOGITNORMAL = 2
CODE_PERT = 3
CODE_FIXED = 4
CODE_TRUNCNORMAL = 5
CODE_BETA = 6
CODE_TRIANGULAR = 7
CODE_UNIFORM = 8
CODE_LOGUNIFORM = 9
CODE_STUDENT_T = 10
CODE_METALOG = 11
CODE_EMPIRICAL = 12

#: Largest distance, in ``sd``, of a truncation interval from the normal's mean.
TRUNC_MAX_SD = 35.0
#: Number of metalog terms supported (``packed()`` slots 0..8 hold the coefficients).
METALOG_MAX_TERMS = 9

_SQRT1_2 = 0.7071067811865475244008443621048490
_EPS = 2.220446049250313e-16
_TINY = 1e-300

# ---------------------------------------------------------------------------
# numba scalar primitives
# ---------------------------------------------------------------------------


@numba.njit(cache=True, fastmath=False)
def ndtr(z: float) -> float:
    """Standard normal cumulative distribution function.

    Parameters
    ----------
    z : float
        Argument.

    Returns
    -------
    float
        ``P(Z <= z)`` for ``Z ~ N(0, 1)``.
    """
    return 0.5 * math.erfc(-z * _SQRT1_2)


@numba.njit(cache=True, fastmath=False)
def ndtri(u: float) -> float:
    """Inverse of the standard normal CDF (Wichura 1988, AS241 PPND16).

    Parameters
    ----------
    u : float
        Probability in ``[0, 1]``.

    Returns
    -------
    float
        ``z`` such that ``ndtr(z) == u``; ``-inf``/``inf`` at 0/1 and ``nan``
        outside ``[0, 1]`` (or for ``nan``).  Relative accuracy is about 1e-16.
    """
    if not (u >= 0.0 and u <= 1.0):
        return math.nan
    if u == 0.0:
        return -math.inf
    if u == 1.0:
        return math.inf
    q = u - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (
            (
                (
                    (
                        ((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r
                        + 4.5921953931549871457e4
                    )
                    * r
                    + 1.3731693765509461125e4
                )
                * r
                + 1.9715909503065514427e3
            )
            * r
            + 1.3314166789178437745e2
        ) * r + 3.3871328727963666080e0
        den = (
            (
                (
                    (
                        ((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r
                        + 2.1213794301586595867e4
                    )
                    * r
                    + 5.3941960214247511077e3
                )
                * r
                + 6.8718700749205790830e2
            )
            * r
            + 4.2313330701600911252e1
        ) * r + 1.0
        return q * num / den
    r = u if q < 0.0 else 1.0 - u
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        num = (
            (
                (
                    (
                        ((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1)
                        * r
                        + 1.27045825245236838258e0
                    )
                    * r
                    + 3.64784832476320460504e0
                )
                * r
                + 5.76949722146069140550e0
            )
            * r
            + 4.63033784615654529590e0
        ) * r + 1.42343711074968357734e0
        den = (
            (
                (
                    (
                        ((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2)
                        * r
                        + 1.48103976427480074590e-1
                    )
                    * r
                    + 6.89767334985100004550e-1
                )
                * r
                + 1.67638483018380384940e0
            )
            * r
            + 2.05319162663775882187e0
        ) * r + 1.0
    else:
        r -= 5.0
        num = (
            (
                (
                    (
                        ((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3)
                        * r
                        + 2.65321895265761230930e-2
                    )
                    * r
                    + 2.96560571828504891230e-1
                )
                * r
                + 1.78482653991729133580e0
            )
            * r
            + 5.46378491116411436990e0
        ) * r + 6.65790464350110377720e0
        den = (
            (
                (
                    (
                        ((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5)
                        * r
                        + 7.86869131145613259100e-4
                    )
                    * r
                    + 1.48753612908506148525e-2
                )
                * r
                + 1.36929880922735805310e-1
            )
            * r
            + 5.99832206555887937690e-1
        ) * r + 1.0
    val = num / den
    return -val if q < 0.0 else val


@numba.njit(cache=True, fastmath=False)
def _lbeta(a: float, b: float) -> float:
    """``log(B(a, b))`` via ``math.lgamma``."""
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@numba.njit(cache=True, fastmath=False)
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a+1)/(a+b+2)."""
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, 10001):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= _EPS:
            break
    return h


@numba.njit(cache=True, fastmath=False)
def _betainc_lb(a: float, b: float, x: float, lbeta: float) -> float:
    """I_x(a, b) for 0 < x < 1 given ``lbeta = log B(a, b)``."""
    lfront = a * math.log(x) + b * math.log1p(-x) - lbeta
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lfront) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lfront) * _betacf(b, a, 1.0 - x) / b


@numba.njit(cache=True, fastmath=False)
def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function ``I_x(a, b)``.

    Parameters
    ----------
    a, b : float
        Shape parameters, both > 0.
    x : float
        Upper integration limit; values are clipped to ``[0, 1]``.

    Returns
    -------
    float
        ``I_x(a, b)``; ``nan`` for invalid shapes or ``nan`` input.
    """
    if not (a > 0.0 and b > 0.0) or math.isnan(x):
        return math.nan
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    return _betainc_lb(a, b, x, _lbeta(a, b))


@numba.njit(cache=True, fastmath=False)
def _betaincinv_lower(a: float, b: float, p: float) -> float:
    """Solve ``I_x(a, b) = p`` for ``0 < p <= 0.5`` (Newton on ``log I``)."""
    lb = _lbeta(a, b)
    logp = math.log(p)
    # Initial guess (Numerical Recipes ``invbetai``).
    if a >= 1.0 and b >= 1.0:
        w0 = -ndtri(p)
        al = (w0 * w0 - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
        w = w0 * math.sqrt(al + h) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (
            al + 5.0 / 6.0 - 2.0 / (3.0 * h)
        )
        x = a / (a + b * math.exp(2.0 * w))
    else:
        lna = math.log(a / (a + b))
        lnb = math.log(b / (a + b))
        t = math.exp(a * lna) / a
        v = math.exp(b * lnb) / b
        s = t + v
        if p < t / s:
            x = math.pow(a * s * p, 1.0 / a)
        else:
            x = 1.0 - math.pow(b * s * (1.0 - p), 1.0 / b)
    if not (x > 0.0 and x < 1.0):
        x = 0.5
    lo = 0.0
    hi = 1.0
    for _ in range(100):
        fx = _betainc_lb(a, b, x, lb)
        if fx == p:
            return x
        if fx < p:
            lo = x
        else:
            hi = x
        xn = math.nan
        if fx > 0.0:
            pdf = math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - lb)
            if pdf > 0.0:
                xn = x - (math.log(fx) - logp) * fx / pdf
        if xn > lo and xn < hi:
            # Newton converges quadratically: once the step is this small the
            # remaining error is far below the rounding noise of I_x.
            if abs(xn - x) <= 1e-13 * xn:
                return xn
        elif lo > 0.0 and hi > 4.0 * lo:
            xn = math.sqrt(lo * hi)
        else:
            xn = 0.5 * (lo + hi)
        x = xn
        if hi - lo <= 4.0 * _EPS * hi:
            break
    return x


@numba.njit(cache=True, fastmath=False)
def _betaincinv_pq(a: float, b: float, p: float, q: float) -> float:
    """Inverse of ``I_x(a, b)`` given ``p`` and its complement ``q = 1 - p``.

    Passing both tails lets callers keep full relative accuracy in the upper
    tail (e.g. ``p = ndtr(z)``, ``q = ndtr(-z)``).
    """
    if not (a > 0.0 and b > 0.0) or not (p >= 0.0 and p <= 1.0):
        return math.nan
    if p == 0.0:
        return 0.0
    if q <= 0.0:
        return 1.0
    if a == 1.0 and b == 1.0:
        return p if p <= q else 1.0 - q
    if b == 1.0:  # I_x = x**a
        return math.exp(math.log(p) / a) if p <= q else math.exp(math.log1p(-q) / a)
    if a == 1.0:  # I_x = 1 - (1 - x)**b
        return -math.expm1(math.log1p(-p) / b) if p <= q else 1.0 - math.exp(math.log(q) / b)
    if p <= q:
        return _betaincinv_lower(a, b, p)
    return 1.0 - _betaincinv_lower(b, a, q)


@numba.njit(cache=True, fastmath=False)
def betaincinv(a: float, b: float, u: float) -> float:
    """Inverse of the regularized incomplete beta function in ``x``.

    Parameters
    ----------
    a, b : float
        Shape parameters, both > 0.
    u : float
        Probability in ``[0, 1]``.

    Returns
    -------
    float
        ``x`` in ``[0, 1]`` with ``betainc(a, b, x) == u``; ``nan`` for invalid
        input.  Relative accuracy is about 1e-13 for ``a, b`` in ``[1, 50]``.
    """
    return _betaincinv_pq(a, b, u, 1.0 - u)


@numba.njit(cache=True, fastmath=False)
def _pert_ab(par: Any) -> tuple[float, float]:
    """PERT ``(alpha, beta)`` from packed ``(minimum, mode, maximum, shape)``."""
    width = par[2] - par[0]
    alpha = 1.0 + par[3] * (par[1] - par[0]) / width
    beta = 1.0 + par[3] * (par[2] - par[1]) / width
    return alpha, beta


_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)


@numba.njit(cache=True, fastmath=False)
def _phi(z: float) -> float:
    """Standard normal density."""
    return math.exp(-0.5 * z * z) * 0.3989422804014326779399460599343819


@numba.njit(cache=True, fastmath=False)
def _normal_mass(a: float, b: float) -> float:
    """``P(a < Z < b)`` for ``Z ~ N(0, 1)`` with full relative accuracy.

    Differences of tail probabilities are used where they do not cancel; when
    more than two digits would cancel, the interval is short compared with the
    scale on which the density varies and 8-point Gauss-Legendre is exact to
    rounding.
    """
    if not b > a:
        return 0.0
    if b <= 0.0:
        big = ndtr(b)
        d = big - ndtr(a)
    elif a >= 0.0:
        big = ndtr(-a)
        d = big - ndtr(-b)
    else:
        big = 1.0
        d = 1.0 - ndtr(a) - ndtr(-b)
    if d >= 0.01 * big:
        return d
    mid = 0.5 * (a + b)
    half = 0.5 * (b - a)
    acc = 0.0
    for i in range(_GL_X.shape[0]):
        acc += _GL_W[i] * _phi(mid + half * _GL_X[i])
    return acc * half


@numba.njit(cache=True, fastmath=False)
def _truncnorm_ppf_pq(par: Any, p: float, q: float) -> float:
    """Truncated-normal quantile at ``p`` given also ``q = 1 - p``."""
    mu, sd, lo, hi = par[0], par[1], par[2], par[3]
    if p <= 0.0:
        return lo
    if q <= 0.0:
        return hi
    a = (lo - mu) / sd
    b = (hi - mu) / sd
    mass = _normal_mass(a, b)
    t = ndtr(a) + p * mass
    if t < 0.5:
        z = ndtri(t)
    else:
        z = -ndtri(ndtr(-b) + q * mass)
    return min(max(mu + sd * z, lo), hi)


@numba.njit(cache=True, fastmath=False)
def _truncnorm_cdf(par: Any, x: float) -> float:
    mu, sd, lo, hi = par[0], par[1], par[2], par[3]
    if x <= lo:
        return 0.0
    if x >= hi:
        return 1.0
    a = (lo - mu) / sd
    return min(_normal_mass(a, (x - mu) / sd) / _normal_mass(a, (hi - mu) / sd), 1.0)


@numba.njit(cache=True, fastmath=False)
def _triangular_ppf_pq(par: Any, p: float, q: float) -> float:
    lo, mode, hi = par[0], par[1], par[2]
    if p <= 0.0:
        return lo
    if q <= 0.0:
        return hi
    width = hi - lo
    if p * width < mode - lo:
        x = lo + math.sqrt(p * width * (mode - lo))
    else:
        x = hi - math.sqrt(q * width * (hi - mode))
    return min(max(x, lo), hi)


@numba.njit(cache=True, fastmath=False)
def _triangular_cdf(par: Any, x: float) -> float:
    lo, mode, hi = par[0], par[1], par[2]
    if x <= lo:
        return 0.0
    if x >= hi:
        return 1.0
    if x <= mode:
        return (x - lo) * (x - lo) / ((hi - lo) * (mode - lo))
    # 1 - (hi - x)**2 / ((hi - lo) * (hi - mode)), written without cancellation
    e = x - mode
    r = hi - mode
    return min((r * (mode - lo) + e * (2.0 * r - e)) / ((hi - lo) * r), 1.0)


@numba.njit(cache=True, fastmath=False)
def _uniform_ppf_pq(par: Any, p: float, q: float) -> float:
    if p <= 0.5:
        return par[0] + p * (par[1] - par[0])
    return par[1] - q * (par[1] - par[0])


@numba.njit(cache=True, fastmath=False)
def _loguniform_ppf_pq(par: Any, p: float, q: float) -> float:
    r = math.log(par[1] / par[0])
    if p <= 0.5:
        return min(par[0] * math.exp(p * r), par[1])
    return max(par[1] * math.exp(-q * r), par[0])


@numba.njit(cache=True, fastmath=False)
def _student_t_ppf_pq(par: Any, p: float, q: float, d: float) -> float:
    """Student-t quantile at ``p`` given ``q = 1 - p`` and ``d = |q - p|``.

    ``P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2)``: the tails invert that, the
    centre the complementary ``I_{t^2/(df+t^2)}(1/2, df/2) = d``; both call the
    lower-tail inversion only, which keeps full relative accuracy.
    """
    df, loc, scale = par[0], par[1], par[2]
    if p <= 0.0:
        return -math.inf
    if q <= 0.0:
        return math.inf
    if p == q:
        return loc
    r = 2.0 * min(p, q)
    if r <= 0.5:
        w = _betaincinv_pq(0.5 * df, 0.5, r, 1.0 - r)
        t = math.sqrt(df * ((1.0 - w) / w)) if w > 0.0 else math.inf
    else:
        v = _betaincinv_pq(0.5, 0.5 * df, d, 1.0 - d)
        t = math.sqrt(df * (v / (1.0 - v)))
    return loc + scale * t if p > q else loc - scale * t


@numba.njit(cache=True, fastmath=False)
def _student_t_cdf(par: Any, x: float) -> float:
    df, loc, scale = par[0], par[1], par[2]
    if x == math.inf:
        return 1.0
    if x == -math.inf:
        return 0.0
    t = (x - loc) / scale
    if abs(t) < 1.0:
        centre = 0.5 * betainc(0.5, 0.5 * df, t * t / (df + t * t))
        return 0.5 + centre if t > 0.0 else 0.5 - centre
    tail = 0.5 * betainc(0.5 * df, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0.0 else tail


@numba.njit(cache=True, fastmath=False)
def _metalog_m(par: Any, s: float, logit: float) -> float:
    """Metalog basis sum ``M`` at ``s = u - 1/2`` and ``logit = log(u / (1 - u))`` (Keelin 2016)."""
    poly = par[0] + s * (par[3] + s * (par[4] + s * (par[6] + s * par[8])))
    slope = par[1] + s * (par[2] + s * (par[5] + s * par[7]))
    return poly + logit * slope


@numba.njit(cache=True, fastmath=False)
def _metalog_dm_dt(par: Any, t: float) -> float:
    """``dM/dt`` with ``t = logit(u)``, i.e. ``u (1 - u) M'(u)``."""
    s = 0.5 * math.tanh(0.5 * t)
    c = math.cosh(0.5 * t)
    dd = 0.25 / (c * c)  # u (1 - u)
    dpoly = par[3] + s * (2.0 * par[4] + s * (3.0 * par[6] + s * 4.0 * par[8]))
    dslope = par[2] + s * (2.0 * par[5] + s * 3.0 * par[7])
    slope = par[1] + s * (par[2] + s * (par[5] + s * par[7]))
    return slope + dd * (dpoly + t * dslope)


@numba.njit(cache=True, fastmath=False)
def _metalog_transform(par: Any, m: float) -> float:
    """Quantile from the basis sum ``m`` (``par[11]``: 0 unbounded, 1 lower, 2 upper, 3 both)."""
    kind = par[11]
    lo, hi = par[9], par[10]
    if kind == 0.0:
        return m
    if kind == 1.0:
        return lo + math.exp(m)
    if kind == 2.0:
        return hi - math.exp(-m)
    if m <= 0.0:
        return min(lo + (hi - lo) / (1.0 + math.exp(-m)), hi)
    return max(hi - (hi - lo) / (1.0 + math.exp(m)), lo)


@numba.njit(cache=True, fastmath=False)
def _metalog_ppf_sl(par: Any, p: float, q: float, s: float, logit: float) -> float:
    """Metalog quantile given ``p``, ``q = 1 - p``, ``s = p - 1/2`` and ``logit(p)``."""
    kind = par[11]
    if p <= 0.0:
        return par[9] if kind == 1.0 or kind == 3.0 else -math.inf
    if q <= 0.0:
        return par[10] if kind == 2.0 or kind == 3.0 else math.inf
    return _metalog_transform(par, _metalog_m(par, s, logit))


@numba.njit(cache=True, fastmath=False)
def _metalog_cdf(par: Any, x: float) -> float:
    """Metalog CDF: safeguarded Newton on ``M(t) = m`` in ``t = logit(u)``."""
    kind = par[11]
    lo, hi = par[9], par[10]
    if kind == 0.0:
        m = x
    elif kind == 1.0:
        if x <= lo:
            return 0.0
        m = math.log(x - lo)
    elif kind == 2.0:
        if x >= hi:
            return 1.0
        m = -math.log(hi - x)
    else:
        if x <= lo:
            return 0.0
        if x >= hi:
            return 1.0
        m = math.log(x - lo) - math.log(hi - x)
    if m == -math.inf:
        return 0.0
    if m == math.inf:
        return 1.0
    tlo, thi = -745.0, 745.0
    if _metalog_m(par, -0.5, tlo) >= m:
        return 0.0
    if _metalog_m(par, 0.5, thi) <= m:
        return 1.0
    t = 0.0
    for _ in range(200):
        f = _metalog_m(par, 0.5 * math.tanh(0.5 * t), t) - m
        if f == 0.0:
            break
        if f < 0.0:
            tlo = t
        else:
            thi = t
        g = _metalog_dm_dt(par, t)
        tn = t - f / g if g > 0.0 else math.nan
        if not (tn > tlo and tn < thi):
            tn = 0.5 * (tlo + thi)
        step = abs(tn - t)
        t = tn
        if step <= 1e-15 * max(1.0, abs(t)) or thi - tlo <= 1e-15 * max(1.0, abs(t)):
            break
    if t >= 0.0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


@numba.njit(cache=True, fastmath=False)
def _ppf_pq(code: int, par: Any, p: float, q: float, d: float, s: float, logit: float) -> float:
    """Quantile of the non-normal-based families given both tails ``p``, ``q``.

    ``d = |q - p|``, ``s = p - 1/2`` and ``logit = log(p / q)`` are passed in so
    that callers can compute them accurately (from ``u`` or from ``z``).
    """
    if code == CODE_TRUNCNORMAL:
        return _truncnorm_ppf_pq(par, p, q)
    if code == CODE_BETA:
        return min(max(par[2] + (par[3] - par[2]) * _betaincinv_pq(par[0], par[1], p, q), par[2]), par[3])
    if code == CODE_TRIANGULAR:
        return _triangular_ppf_pq(par, p, q)
    if code == CODE_UNIFORM:
        return _uniform_ppf_pq(par, p, q)
    if code == CODE_LOGUNIFORM:
        return _loguniform_ppf_pq(par, p, q)
    if code == CODE_STUDENT_T:
        return _student_t_ppf_pq(par, p, q, d)
    if code == CODE_METALOG:
        return _metalog_ppf_sl(par, p, q, s, logit)
    return math.nan


@numba.njit(cache=True, fastmath=False)
def ppf(code: int, par: Any, u: float) -> float:
    """Percent-point function (inverse CDF) of family ``code`` at ``u``.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    par : numpy.ndarray
        float64 parameter vector of length ``NPAR`` (``Distribution.packed()``).
    u : float
        Probability in ``[0, 1]``.

    Returns
    -------
    float
        The quantile; ``nan`` if ``u`` is outside ``[0, 1]`` or the code is
        unknown.
    """
    if not (u >= 0.0 and u <= 1.0):
        return math.nan
    if code == CODE_NORMAL:
        return par[0] + par[1] * ndtri(u)
    if code == CODE_LOGNORMAL:
        return par[2] + math.exp(par[0] + par[1] * ndtri(u))
    if code == CODE_LOGITNORMAL:
        return 1.0 / (1.0 + math.exp(-(par[0] + par[1] * ndtri(u))))
    if code == CODE_PERT:
        alpha, beta = _pert_ab(par)
        return par[0] + (par[2] - par[0]) * _betaincinv_pq(alpha, beta, u, 1.0 - u)
    if code == CODE_FIXED:
        return par[0]
    logit = math.log(u) - math.log1p(-u) if code == CODE_METALOG and u > 0.0 and u < 1.0 else 0.0
    return _ppf_pq(code, par, u, 1.0 - u, abs(1.0 - 2.0 * u), u - 0.5, logit)


@numba.njit(cache=True, fastmath=False)
def cdf(code: int, par: Any, x: float) -> float:
    """Cumulative distribution function of family ``code`` at ``x``.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    par : numpy.ndarray
        float64 parameter vector of length ``NPAR`` (``Distribution.packed()``).
    x : float
        Argument.

    Returns
    -------
    float
        ``P(X <= x)``; ``nan`` for ``nan`` input or an unknown code.
    """
    if math.isnan(x):
        return math.nan
    if code == CODE_NORMAL:
        return ndtr((x - par[0]) / par[1])
    if code == CODE_LOGNORMAL:
        if x <= par[2]:
            return 0.0
        if x == math.inf:
            return 1.0
        return ndtr((math.log(x - par[2]) - par[0]) / par[1])
    if code == CODE_LOGITNORMAL:
        if x <= 0.0:
            return 0.0
        if x >= 1.0:
            return 1.0
        return ndtr((math.log(x) - math.log1p(-x) - par[0]) / par[1])
    if code == CODE_PERT:
        if x <= par[0]:
            return 0.0
        if x >= par[2]:
            return 1.0
        alpha, beta = _pert_ab(par)
        return betainc(alpha, beta, (x - par[0]) / (par[2] - par[0]))
    if code == CODE_FIXED:
        return 1.0 if x >= par[0] else 0.0
    if code == CODE_TRUNCNORMAL:
        return _truncnorm_cdf(par, x)
    if code == CODE_BETA:
        return betainc(par[0], par[1], (x - par[2]) / (par[3] - par[2]))
    if code == CODE_TRIANGULAR:
        return _triangular_cdf(par, x)
    if code == CODE_UNIFORM:
        return min(max((x - par[0]) / (par[1] - par[0]), 0.0), 1.0)
    if code == CODE_LOGUNIFORM:
        if x <= par[0]:
            return 0.0
        if x >= par[1]:
            return 1.0
        t = math.log1p((x - par[0]) / par[0]) if x < 2.0 * par[0] else math.log(x / par[0])
        return min(t / math.log(par[1] / par[0]), 1.0)
    if code == CODE_STUDENT_T:
        return _student_t_cdf(par, x)
    if code == CODE_METALOG:
        return _metalog_cdf(par, x)
    return math.nan


@numba.njit(cache=True, fastmath=False)
def from_z(code: int, par: Any, z: float) -> float:
    """Value of family ``code`` at the standard-normal draw ``z``.

    Equivalent to ``ppf(code, par, ndtr(z))`` but with direct paths for the
    normal-based families (no ``erfc``/``ndtri``) and full upper-tail accuracy
    for the others (both tails ``ndtr(z)`` and ``ndtr(-z)`` are passed on).
    Allocation-free; intended for use inside ``parallel=True`` kernels.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    par : numpy.ndarray
        float64 parameter vector of length ``NPAR`` (``Distribution.packed()``).
    z : float
        Standard-normal variate.

    Returns
    -------
    float
        The family's value; ``nan`` for an unknown code.
    """
    if code == CODE_NORMAL:
        return par[0] + par[1] * z
    if code == CODE_LOGNORMAL:
        return par[2] + math.exp(par[0] + par[1] * z)
    if code == CODE_LOGITNORMAL:
        return 1.0 / (1.0 + math.exp(-(par[0] + par[1] * z)))
    if code == CODE_PERT:
        alpha, beta = _pert_ab(par)
        x = _betaincinv_pq(alpha, beta, ndtr(z), ndtr(-z))
        return par[0] + (par[2] - par[0]) * x
    if code == CODE_FIXED:
        return par[0]
    if math.isnan(z):
        return math.nan
    p = ndtr(z)
    q = ndtr(-z)
    logit = math.log(p) - math.log(q) if code == CODE_METALOG and p > 0.0 and q > 0.0 else 0.0
    return _ppf_pq(code, par, p, q, math.erf(abs(z) * _SQRT1_2), 0.5 * math.erf(z * _SQRT1_2), logit)


@numba.njit(cache=True, fastmath=False)
def _ppf_array(code: int, par: Any, u: Any) -> Any:
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = ppf(code, par, u[i])
    return out


@numba.njit(cache=True, fastmath=False)
def _cdf_array(code: int, par: Any, x: Any) -> Any:
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = cdf(code, par, x[i])
    return out


@numba.njit(cache=True, fastmath=False)
def _from_z_array(code: int, par: Any, z: Any) -> Any:
    out = np.empty(z.shape[0])
    for i in range(z.shape[0]):
        out[i] = from_z(code, par, z[i])
    return out


# ---------------------------------------------------------------------------
# Python classes
# ---------------------------------------------------------------------------


def _fmt(value: object) -> str:
    """Format a parameter value for an error message."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return repr(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return repr(value)


class ParameterError(ValueError):
    """Invalid distribution parameter value.

    Parameters
    ----------
    family : str
        Class name of the distribution.
    param : str
        Name of the offending parameter.
    requirement : str
        Allowed range, phrased to follow "must be".
    value : object
        The value that was supplied.
    """

    def __init__(self, family: str, param: str, requirement: str, value: object) -> None:
        self.family = family
        self.param = param
        self.requirement = requirement
        self.value = value
        super().__init__(f"{family}: {param} must be {requirement}, got {_fmt(value)}")

    def with_path(self, path: str) -> ValueError:
        """Return a plain ``ValueError`` whose message is prefixed by ``path``."""
        return ValueError(f"{path}.{self.param}: must be {self.requirement}, got {_fmt(self.value)}")


class ParameterTypeError(TypeError):
    """Distribution parameter of the wrong type (not a real number).

    Parameters
    ----------
    family : str
        Class name of the distribution.
    param : str
        Name of the offending parameter.
    value : object
        The value that was supplied.
    expected : str, optional
        What was expected, phrased to follow "must be"; default "a real number".
    """

    def __init__(self, family: str, param: str, value: object, expected: str = "a real number") -> None:
        self.family = family
        self.param = param
        self.value = value
        self.expected = expected
        super().__init__(f"{family}: {param} must be {expected}, got {type(value).__name__} {value!r}")

    def with_path(self, path: str) -> TypeError:
        """Return a plain ``TypeError`` whose message is prefixed by ``path``."""
        return TypeError(
            f"{path}.{self.param}: must be {self.expected}, got {type(self.value).__name__} {self.value!r}"
        )


FAMILIES: dict[str, type[Distribution]] = {}
"""Registry ``family name -> class``, filled by ``Distribution.__init_subclass__``."""

_BY_CODE: dict[int, type[Distribution]] = {}


class Distribution:
    """Base class of the distribution families.

    Subclasses set the class attributes below, define ``__init__`` calling
    :meth:`_init` with their parameters as keywords, and implement
    :meth:`_validate`, :meth:`_pack`, :meth:`mean` and :meth:`median` as needed.
    Registration in :data:`FAMILIES` is automatic.

    Parameter values are available as read-only attributes (``d.sigma``) and
    as :attr:`params`.  Instances are immutable, hashable and comparable.

    Attributes
    ----------
    code : int
        Integer family code used by the numba dispatchers.
    family : str
        Family name used in configuration files (``to_dict()["family"]``).
    param_names : tuple of str
        Parameter names, in constructor order.
    """

    code: ClassVar[int]
    family: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]

    __slots__ = ("_par", "_values")

    _values: dict[str, float]
    _par: NDArray[np.float64]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "family" not in cls.__dict__:
            return
        if cls.family in FAMILIES or cls.code in _BY_CODE:
            raise TypeError(f"duplicate distribution family {cls.family!r} / code {cls.code}")
        if len(cls.param_names) > NPAR:
            raise TypeError(f"{cls.__name__}: at most {NPAR} parameters are supported")
        FAMILIES[cls.family] = cls
        _BY_CODE[cls.code] = cls

    # -- construction -----------------------------------------------------

    def _init(self, **kwargs: object) -> None:
        """Coerce, store and validate parameters (call from ``__init__``)."""
        values: dict[str, Any] = {key: self._coerce(key, kwargs[key]) for key in self.param_names}
        object.__setattr__(self, "_values", values)
        self._validate(kwargs)
        par = self._pack()
        par.setflags(write=False)
        object.__setattr__(self, "_par", par)

    def _coerce(self, key: str, raw: object) -> Any:
        """Convert one raw parameter value (a real number to ``float``); raise :class:`ParameterTypeError`."""
        if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
            raise ParameterTypeError(type(self).__name__, key, raw)
        return float(raw)

    def _validate(self, raw: Mapping[str, object]) -> None:
        """Check parameter values; raise :class:`ParameterError`."""

    def _require(self, ok: bool, param: str, requirement: str, raw: Mapping[str, object]) -> None:
        if not ok:
            raise ParameterError(type(self).__name__, param, requirement, raw[param])

    def _require_finite(self, param: str, raw: Mapping[str, object]) -> None:
        self._require(math.isfinite(self._values[param]), param, "finite", raw)

    def _require_positive(self, param: str, raw: Mapping[str, object]) -> None:
        v = self._values[param]
        self._require(math.isfinite(v) and v > 0.0, param, "finite and > 0", raw)

    def _pack(self) -> NDArray[np.float64]:
        par = np.zeros(NPAR, dtype=np.float64)
        for i, key in enumerate(self.param_names):
            par[i] = self._values[key]
        return par

    # -- immutability / identity -------------------------------------------

    def __getattr__(self, name: str) -> float:
        if not name.startswith("_"):
            values = object.__getattribute__(self, "_values")
            if name in values:
                return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), tuple(self._values[k] for k in self.param_names))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values == other._values  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._values[k] for k in self.param_names)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={self._values[k]!r}" for k in self.param_names)
        return f"{type(self).__name__}({args})"

    # -- accessors ----------------------------------------------------------

    @property
    def params(self) -> dict[str, float]:
        """Parameter values keyed by name (a copy)."""
        return dict(self._values)

    def packed(self) -> NDArray[np.float64]:
        """Parameter vector for the numba dispatchers.

        Returns
        -------
        numpy.ndarray
            float64 array of length ``NPAR``: the parameters in ``param_names`` order,
            unused slots 0.0.
        """
        return self._par.copy()

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, e.g. for TOML; inverse of :func:`from_dict`.

        Returns
        -------
        dict
            ``{"family": <name>, <param>: <float>, ...}``.
        """
        out: dict[str, Any] = {"family": self.family}
        out.update(self._values)
        return out

    # -- numerical methods ----------------------------------------------------

    def ppf(self, u: ArrayLike) -> Any:
        """Percent-point function (inverse CDF).

        Parameters
        ----------
        u : array_like
            Probabilities in ``[0, 1]``.

        Returns
        -------
        float or numpy.ndarray
            Quantiles, same shape as ``u`` (a float for scalar input).

        Raises
        ------
        ValueError
            If any ``u`` is outside ``[0, 1]`` or ``nan``.
        """
        arr = np.asarray(u, dtype=np.float64)
        if not np.all((arr >= 0.0) & (arr <= 1.0)):
            raise ValueError(f"{type(self).__name__}.ppf: u must be in [0, 1]")
        out = _ppf_array(self.code, self._par, np.ascontiguousarray(arr).reshape(-1))
        return float(out[0]) if arr.ndim == 0 else out.reshape(arr.shape)

    def cdf(self, x: ArrayLike) -> Any:
        """Cumulative distribution function.

        Parameters
        ----------
        x : array_like
            Points at which to evaluate.

        Returns
        -------
        float or numpy.ndarray
            ``P(X <= x)``, same shape as ``x`` (a float for scalar input).
        """
        arr = np.asarray(x, dtype=np.float64)
        out = _cdf_array(self.code, self._par, np.ascontiguousarray(arr).reshape(-1))
        return float(out[0]) if arr.ndim == 0 else out.reshape(arr.shape)

    def from_z(self, z: ArrayLike) -> Any:
        """Values at standard-normal draws ``z`` (vectorised :func:`from_z`).

        Parameters
        ----------
        z : array_like
            Standard-normal variates.

        Returns
        -------
        float or numpy.ndarray
            Same shape as ``z`` (a float for scalar input).
        """
        arr = np.asarray(z, dtype=np.float64)
        out = _from_z_array(self.code, self._par, np.ascontiguousarray(arr).reshape(-1))
        return float(out[0]) if arr.ndim == 0 else out.reshape(arr.shape)

    def sample(self, n: int, *, seed: int | np.random.Generator | None = None) -> NDArray[np.float64]:
        """Draw ``n`` independent samples.

        Uses ``numpy.random.default_rng(seed)`` standard-normal draws mapped
        through :meth:`from_z` (the same transform the simulation kernels use);
        global RNG state is never touched.

        Parameters
        ----------
        n : int
            Number of samples (>= 0).
        seed : int, numpy.random.Generator or None, optional
            Seed or generator for ``numpy.random.default_rng``.

        Returns
        -------
        numpy.ndarray
            float64 array of shape ``(n,)``.
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        z = np.random.default_rng(seed).standard_normal(int(n))
        return np.asarray(self.from_z(z), dtype=np.float64)

    def mean(self) -> float:
        """Expected value."""
        raise NotImplementedError

    def median(self) -> float:
        """Median."""
        return float(self.ppf(0.5))


def _parse_quantiles(
    cls_name: str, quantiles: Mapping[float, float], count: tuple[int, int] = (2, 2)
) -> tuple[list[float], list[float]]:
    """Validate ``{probability: value}`` pairs; return probabilities and values sorted by probability."""
    lo, hi = count
    if not isinstance(quantiles, Mapping) or not lo <= len(quantiles) <= hi:
        need = "exactly two" if count == (2, 2) else f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
        raise ValueError(f"{cls_name}.from_quantiles: need {need} {{probability: value}} pairs, got {quantiles!r}")
    pairs = sorted((float(p), float(x)) for p, x in quantiles.items())
    for p, x in pairs:
        if not (0.0 < p < 1.0):
            raise ValueError(f"{cls_name}.from_quantiles: probability must be in (0, 1), got {p!r}")
        if not math.isfinite(x):
            raise ValueError(f"{cls_name}.from_quantiles: value must be finite, got {x!r}")
    for (p1, x1), (p2, x2) in itertools.pairwise(pairs):
        if p1 == p2:
            raise ValueError(f"{cls_name}.from_quantiles: probabilities must differ")
        if not x1 < x2:
            raise ValueError(
                f"{cls_name}.from_quantiles: values must increase with probability, "
                f"got q({p1!r})={x1!r} >= q({p2!r})={x2!r}"
            )
    return [p for p, _ in pairs], [x for _, x in pairs]


def _normal_quantile_fit(
    cls_name: str, quantiles: Mapping[float, float], transform: Any, support: str
) -> tuple[float, float]:
    """Fit ``(mu, sigma)`` of ``transform(X) ~ N(mu, sigma)`` to two quantiles."""
    (p1, p2), (x1, x2) = _parse_quantiles(cls_name, quantiles)
    t1, t2 = transform(x1), transform(x2)
    if t1 is None or t2 is None:
        raise ValueError(f"{cls_name}.from_quantiles: values must lie in the support {support}, got {x1!r}, {x2!r}")
    z1, z2 = ndtri(p1), ndtri(p2)
    sigma = (t2 - t1) / (z2 - z1)
    mu = t1 - sigma * z1
    return mu, sigma


class Normal(Distribution):
    """Normal distribution ``N(mean, sd**2)``.

    Parameters
    ----------
    mean : float
        Mean (finite).
    sd : float
        Standard deviation (finite, > 0).
    """

    code = CODE_NORMAL
    family = "normal"
    param_names = ("mean", "sd")
    __slots__ = ()

    sd: float

    def __init__(self, mean: float, sd: float) -> None:
        self._init(mean=mean, sd=sd)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_finite("mean", raw)
        self._require_positive("sd", raw)

    def mean(self) -> float:  # the ``mean`` parameter is also the mean
        """Expected value (the ``mean`` parameter)."""
        return self._values["mean"]

    def median(self) -> float:
        """Median (equal to the mean)."""
        return self._values["mean"]

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float]) -> Normal:
        """Normal distribution through two quantiles.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs, e.g. ``{0.05: 1, 0.95: 3}``.

        Returns
        -------
        Normal
        """
        mean, sd = _normal_quantile_fit(cls.__name__, quantiles, lambda x: x, "(-inf, inf)")
        return cls(mean, sd)


class LogNormal(Distribution):
    """Shifted log-normal: ``loc + exp(N(mu, sigma**2))``.

    Parameters
    ----------
    mu : float
        Mean of the underlying normal (finite).
    sigma : float
        Standard deviation of the underlying normal (finite, > 0).
    loc : float, optional
        Lower bound of the support (finite); default 0.  With ``loc=-1`` the
        variable is a growth rate ``g`` with ``log(1 + g)`` normal.
    """

    code = CODE_LOGNORMAL
    family = "lognormal"
    param_names = ("mu", "sigma", "loc")
    __slots__ = ()

    mu: float
    sigma: float
    loc: float

    def __init__(self, mu: float, sigma: float, loc: float = 0.0) -> None:
        self._init(mu=mu, sigma=sigma, loc=loc)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_finite("mu", raw)
        self._require_positive("sigma", raw)
        self._require_finite("loc", raw)

    @classmethod
    def from_median(cls, median: float, sigma: float, loc: float = 0.0) -> LogNormal:
        """Log-normal with the given median (``loc + exp(mu)``).

        Parameters
        ----------
        median : float
            Median, > ``loc``.
        sigma : float
            Log-scale standard deviation (> 0).
        loc : float, optional
            Shift, default 0.

        Returns
        -------
        LogNormal
        """
        m, lo = float(median), float(loc)
        if not (math.isfinite(m) and math.isfinite(lo) and m > lo):
            raise ValueError(f"LogNormal: median must be finite and > loc ({lo!r}), got {median!r}")
        return cls(math.log(m - lo), sigma, loc)

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float], *, loc: float = 0.0) -> LogNormal:
        """Log-normal with given ``loc`` through two quantiles.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs; values must be > ``loc``.
        loc : float, optional
            Shift, default 0.

        Returns
        -------
        LogNormal
        """
        lo = float(loc)

        def transform(x: float) -> float | None:
            return math.log(x - lo) if x > lo else None

        mu, sigma = _normal_quantile_fit(cls.__name__, quantiles, transform, f"({lo!r}, inf)")
        return cls(mu, sigma, loc)

    def mean(self) -> float:
        """Expected value ``loc + exp(mu + sigma**2 / 2)``."""
        v = self._values
        return v["loc"] + math.exp(v["mu"] + 0.5 * v["sigma"] ** 2)

    def median(self) -> float:
        """Median ``loc + exp(mu)``."""
        return self._values["loc"] + math.exp(self._values["mu"])


class LogitNormal(Distribution):
    """Logit-normal on ``(0, 1)``: ``expit(N(mu, sigma**2))``.

    Parameters
    ----------
    mu : float
        Mean of the underlying normal (finite).
    sigma : float
        Standard deviation of the underlying normal (finite, > 0).
    """

    code = CODE_LOGITNORMAL
    family = "logitnormal"
    param_names = ("mu", "sigma")
    __slots__ = ()

    mu: float
    sigma: float

    def __init__(self, mu: float, sigma: float) -> None:
        self._init(mu=mu, sigma=sigma)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_finite("mu", raw)
        self._require_positive("sigma", raw)

    @classmethod
    def from_median(cls, median: float, sigma: float) -> LogitNormal:
        """Logit-normal with the given median (``expit(mu)``).

        Parameters
        ----------
        median : float
            Median in ``(0, 1)``.
        sigma : float
            Logit-scale standard deviation (> 0).

        Returns
        -------
        LogitNormal
        """
        m = float(median)
        if not (0.0 < m < 1.0):
            raise ValueError(f"LogitNormal: median must be in (0, 1), got {median!r}")
        return cls(math.log(m) - math.log1p(-m), sigma)

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float]) -> LogitNormal:
        """Logit-normal through two quantiles.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs with values in ``(0, 1)``.

        Returns
        -------
        LogitNormal
        """

        def transform(x: float) -> float | None:
            return math.log(x) - math.log1p(-x) if 0.0 < x < 1.0 else None

        mu, sigma = _normal_quantile_fit(cls.__name__, quantiles, transform, "(0, 1)")
        return cls(mu, sigma)

    def mean(self) -> float:
        """Expected value (numerical; trapezoid rule in ``z``, error < 1e-12)."""
        z = np.linspace(-40.0, 40.0, 16385)
        t = self._values["mu"] + self._values["sigma"] * z
        f = np.exp(-0.5 * z * z) / (1.0 + np.exp(-t))
        return float(np.sum(f) * (z[1] - z[0]) / math.sqrt(2.0 * math.pi))

    def median(self) -> float:
        """Median ``expit(mu)``."""
        return 1.0 / (1.0 + math.exp(-self._values["mu"]))


class PERT(Distribution):
    """(Modified) PERT distribution: a scaled beta on ``[minimum, maximum]``.

    ``alpha = 1 + shape * (mode - minimum) / (maximum - minimum)`` and
    ``beta = 1 + shape * (maximum - mode) / (maximum - minimum)``.

    Parameters
    ----------
    minimum : float
        Lower bound (finite).
    mode : float
        Most likely value, ``minimum <= mode <= maximum``.
    maximum : float
        Upper bound (finite), ``> minimum``.
    shape : float, optional
        Concentration (finite, > 0); default 4 (classic PERT).
    """

    code = CODE_PERT
    family = "pert"
    param_names = ("minimum", "mode", "maximum", "shape")
    __slots__ = ()

    minimum: float
    mode: float
    maximum: float
    shape: float

    def __init__(self, minimum: float, mode: float, maximum: float, shape: float = 4.0) -> None:
        self._init(minimum=minimum, mode=mode, maximum=maximum, shape=shape)

    def _validate(self, raw: Mapping[str, object]) -> None:
        v = self._values
        self._require_finite("minimum", raw)
        self._require_finite("maximum", raw)
        self._require(v["maximum"] > v["minimum"], "maximum", f"> minimum ({v['minimum']!r})", raw)
        self._require(
            math.isfinite(v["mode"]) and v["minimum"] <= v["mode"] <= v["maximum"],
            "mode",
            f"finite and within [minimum, maximum] = [{v['minimum']!r}, {v['maximum']!r}]",
            raw,
        )
        self._require_positive("shape", raw)

    @property
    def alpha(self) -> float:
        """First beta shape parameter."""
        return float(_pert_ab(self._par)[0])

    @property
    def beta(self) -> float:
        """Second beta shape parameter."""
        return float(_pert_ab(self._par)[1])

    def mean(self) -> float:
        """Expected value ``(minimum + shape * mode + maximum) / (shape + 2)``."""
        v = self._values
        return (v["minimum"] + v["shape"] * v["mode"] + v["maximum"]) / (v["shape"] + 2.0)


class Fixed(Distribution):
    """Degenerate distribution at ``value``.

    Parameters
    ----------
    value : float
        The constant (finite).
    """

    code = CODE_FIXED
    family = "fixed"
    param_names = ("value",)
    __slots__ = ()

    value: float

    def __init__(self, value: float) -> None:
        self._init(value=value)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_finite("value", raw)

    def mean(self) -> float:
        """The constant."""
        return self._values["value"]

    def median(self) -> float:
        """The constant."""
        return self._values["value"]


def _finite_bounds(cls_name: str, lower: float, upper: float) -> tuple[float, float]:
    """Validate support bounds passed to a ``from_quantiles`` method."""
    lo, hi = float(lower), float(upper)
    if math.isnan(lo) or math.isnan(hi) or not lo < hi:
        raise ValueError(f"{cls_name}.from_quantiles: need lower < upper, got lower={lo!r}, upper={hi!r}")
    return lo, hi


def _bracket_root(fun: Any, grid: NDArray[np.float64], increasing: bool) -> float | None:
    """Root of a monotone ``fun`` on ``grid``: first sign change (``nan`` values skipped), then Brent."""
    from scipy.optimize import brentq

    vals = np.array([fun(g) for g in grid])
    sign = 1.0 if increasing else -1.0
    ok = np.flatnonzero(np.isfinite(vals))
    for i, j in itertools.pairwise(ok):
        if sign * vals[i] <= 0.0 <= sign * vals[j]:
            if vals[i] == 0.0:
                return float(grid[i])
            if vals[j] == 0.0:
                return float(grid[j])
            return float(brentq(fun, grid[i], grid[j], xtol=1e-15, rtol=8.9e-16, maxiter=300))
    return None


def _check_reproduces(dist: Distribution, ps: list[float], xs: list[float], what: str) -> None:
    """Refuse a numerical quantile fit that does not reproduce its inputs."""
    scale = max(abs(x) for x in xs) + (xs[-1] - xs[0])
    for p, x in zip(ps, xs, strict=True):
        if not abs(dist.ppf(p) - x) <= 1e-10 * scale:
            raise ValueError(f"{type(dist).__name__}.from_quantiles: {what}")


class TruncatedNormal(Distribution):
    """Normal ``N(mean, sd**2)`` truncated to ``[lower, upper]``.

    ``mean`` and ``sd`` are those of the parent (untruncated) normal; the
    distribution's own mean is :meth:`mean`.

    Parameters
    ----------
    mean : float
        Mean of the parent normal (finite).
    sd : float
        Standard deviation of the parent normal (finite, > 0).
    lower : float, optional
        Lower truncation point, ``-inf`` (default) for none.
    upper : float, optional
        Upper truncation point, ``> lower``; ``inf`` (default) for none.

    Notes
    -----
    The interval may lie in a tail of the parent normal, but not more than
    ``TRUNC_MAX_SD`` (35) standard deviations away from its mean.
    """

    code = CODE_TRUNCNORMAL
    family = "truncatednormal"
    param_names = ("mean", "sd", "lower", "upper")
    __slots__ = ()

    sd: float
    lower: float
    upper: float

    def __init__(self, mean: float, sd: float, lower: float = -math.inf, upper: float = math.inf) -> None:
        self._init(mean=mean, sd=sd, lower=lower, upper=upper)

    def _validate(self, raw: Mapping[str, object]) -> None:
        v = self._values
        self._require_finite("mean", raw)
        self._require_positive("sd", raw)
        lo, hi, mu, sd = v["lower"], v["upper"], v["mean"], v["sd"]
        self._require(lo < math.inf, "lower", "a number < inf (-inf for no bound)", raw)
        self._require(hi > lo, "upper", f"> lower ({lo!r}); inf for no bound", raw)
        limit = TRUNC_MAX_SD
        self._require(lo < mu + limit * sd, "lower", f"< mean + {limit:g} * sd = {mu + limit * sd!r}", raw)
        self._require(hi > mu - limit * sd, "upper", f"> mean - {limit:g} * sd = {mu - limit * sd!r}", raw)

    def mean(self) -> float:
        """Expected value ``mean + sd * (phi(a) - phi(b)) / (Phi(b) - Phi(a))`` of the truncated variable."""
        v = self._values
        a = (v["lower"] - v["mean"]) / v["sd"]
        b = (v["upper"] - v["mean"]) / v["sd"]
        pa = _phi(a) if math.isfinite(a) else 0.0
        pb = _phi(b) if math.isfinite(b) else 0.0
        return min(max(v["mean"] + v["sd"] * (pa - pb) / _normal_mass(a, b), v["lower"]), v["upper"])

    @classmethod
    def from_quantiles(
        cls, quantiles: Mapping[float, float], *, lower: float = -math.inf, upper: float = math.inf
    ) -> TruncatedNormal:
        """Truncated normal with given bounds through two quantiles (numerical solve).

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs inside ``(lower, upper)``.
        lower, upper : float, optional
            Truncation points (default: none).

        Returns
        -------
        TruncatedNormal

        Raises
        ------
        ValueError
            If no truncated normal on ``[lower, upper]`` has these quantiles
            (e.g. they are spread wider than a uniform on the bounds would be).
        """
        name = cls.__name__
        (p1, p2), (x1, x2) = _parse_quantiles(name, quantiles)
        lo, hi = _finite_bounds(name, lower, upper)
        if not (lo < x1 and x2 < hi):
            raise ValueError(
                f"{name}.from_quantiles: values must lie in the support ({lo!r}, {hi!r}), got {x1!r}, {x2!r}"
            )
        if lo == -math.inf and hi == math.inf:
            mu, sd = _normal_quantile_fit(name, quantiles, lambda x: x, "(-inf, inf)")
            return cls(mu, sd, lo, hi)
        par = np.zeros(NPAR)
        par[2], par[3] = lo, hi
        limit = TRUNC_MAX_SD - 0.1

        def mean_for(sd: float) -> float | None:
            from scipy.optimize import brentq

            def f(m: float) -> float:
                par[0], par[1] = m, sd
                return cdf(CODE_TRUNCNORMAL, par, x1) - p1

            mlo = max(x1 - 40.0 * sd, lo - limit * sd)
            mhi = min(x1 + 40.0 * sd, hi + limit * sd)
            if f(mlo) < 0.0 or f(mhi) > 0.0:
                return None
            return float(brentq(f, mlo, mhi, xtol=1e-15 * (abs(x1) + sd), rtol=8.9e-16, maxiter=300))

        def h(log_sd: float) -> float:
            sd = math.exp(log_sd)
            m = mean_for(sd)
            if m is None:
                return math.nan
            par[0], par[1] = m, sd
            return cdf(CODE_TRUNCNORMAL, par, x2) - p2

        spread = x2 - x1
        width = hi - lo if math.isfinite(hi - lo) else spread
        grid = np.linspace(math.log(1e-3 * spread), math.log(1e3 * max(spread, width)), 61)
        log_sd = _bracket_root(h, grid, increasing=False)
        reason = f"no truncated normal on ({lo!r}, {hi!r}) has these quantiles; try Beta or PERT"
        if log_sd is None:
            raise ValueError(f"{name}.from_quantiles: {reason}")
        sd = math.exp(log_sd)
        mu = mean_for(sd)
        if mu is None:
            raise ValueError(f"{name}.from_quantiles: {reason}")
        dist = cls(mu, sd, lo, hi)
        _check_reproduces(dist, [p1, p2], [x1, x2], reason)
        return dist


class Beta(Distribution):
    """Beta distribution with shapes ``a``, ``b`` scaled to ``[lower, upper]``.

    Parameters
    ----------
    a, b : float
        Shape parameters (finite, > 0).
    lower : float, optional
        Lower bound (finite); default 0.
    upper : float, optional
        Upper bound (finite, > lower); default 1.
    """

    code = CODE_BETA
    family = "beta"
    param_names = ("a", "b", "lower", "upper")
    __slots__ = ()

    a: float
    b: float
    lower: float
    upper: float

    def __init__(self, a: float, b: float, lower: float = 0.0, upper: float = 1.0) -> None:
        self._init(a=a, b=b, lower=lower, upper=upper)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_positive("a", raw)
        self._require_positive("b", raw)
        self._require_finite("lower", raw)
        lo, hi = self._values["lower"], self._values["upper"]
        self._require(math.isfinite(hi) and hi > lo, "upper", f"finite and > lower ({lo!r})", raw)

    def mean(self) -> float:
        """Expected value ``lower + (upper - lower) * a / (a + b)``."""
        v = self._values
        return v["lower"] + (v["upper"] - v["lower"]) * v["a"] / (v["a"] + v["b"])

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float], *, lower: float = 0.0, upper: float = 1.0) -> Beta:
        """Beta on ``[lower, upper]`` through two quantiles (numerical solve).

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs inside ``(lower, upper)``.
        lower, upper : float, optional
            Bounds, default ``[0, 1]``.

        Returns
        -------
        Beta

        Raises
        ------
        ValueError
            If no beta with shapes in ``[1e-3, 1e5]`` has these quantiles.
        """
        name = cls.__name__
        (p1, p2), (x1, x2) = _parse_quantiles(name, quantiles)
        lo, hi = _finite_bounds(name, lower, upper)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < x1 and x2 < hi):
            raise ValueError(
                f"{name}.from_quantiles: values must lie in the support ({lo!r}, {hi!r}), got {x1!r}, {x2!r}"
            )
        y1, y2 = (x1 - lo) / (hi - lo), (x2 - lo) / (hi - lo)
        log_min, log_max = math.log(1e-3), math.log(1e5)

        def b_for(a: float) -> float | None:
            from scipy.optimize import brentq

            def f(log_b: float) -> float:  # increasing in b
                return betainc(a, math.exp(log_b), y1) - p1

            if f(log_min) > 0.0 or f(log_max) < 0.0:
                return None
            return math.exp(brentq(f, log_min, log_max, xtol=1e-15, rtol=8.9e-16, maxiter=300))

        def h(log_a: float) -> float:
            a = math.exp(log_a)
            b = b_for(a)
            return math.nan if b is None else betainc(a, b, y2) - p2

        log_a = _bracket_root(h, np.linspace(log_min, log_max, 81), increasing=True)
        reason = f"no beta on ({lo!r}, {hi!r}) with shapes in [1e-3, 1e5] has these quantiles"
        b = None if log_a is None else b_for(math.exp(log_a))
        if log_a is None or b is None:
            raise ValueError(f"{name}.from_quantiles: {reason}")
        dist = cls(math.exp(log_a), b, lo, hi)
        _check_reproduces(dist, [p1, p2], [x1, x2], reason)
        return dist


def _triangular_unit_ppf(p: float, m: float) -> float:
    """Quantile of the triangular distribution on ``[0, 1]`` with mode ``m``."""
    return math.sqrt(p * m) if p < m else 1.0 - math.sqrt((1.0 - p) * (1.0 - m))


class Triangular(Distribution):
    """Triangular distribution on ``[minimum, maximum]`` with peak at ``mode``.

    Parameters
    ----------
    minimum : float
        Lower bound (finite).
    mode : float
        Most likely value, ``minimum <= mode <= maximum``.
    maximum : float
        Upper bound (finite), ``> minimum``.
    """

    code = CODE_TRIANGULAR
    family = "triangular"
    param_names = ("minimum", "mode", "maximum")
    __slots__ = ()

    minimum: float
    mode: float
    maximum: float

    def __init__(self, minimum: float, mode: float, maximum: float) -> None:
        self._init(minimum=minimum, mode=mode, maximum=maximum)

    def _validate(self, raw: Mapping[str, object]) -> None:
        v = self._values
        self._require_finite("minimum", raw)
        self._require_finite("maximum", raw)
        self._require(v["maximum"] > v["minimum"], "maximum", f"> minimum ({v['minimum']!r})", raw)
        self._require(
            math.isfinite(v["mode"]) and v["minimum"] <= v["mode"] <= v["maximum"],
            "mode",
            f"finite and within [minimum, maximum] = [{v['minimum']!r}, {v['maximum']!r}]",
            raw,
        )

    def mean(self) -> float:
        """Expected value ``(minimum + mode + maximum) / 3``."""
        v = self._values
        return (v["minimum"] + v["mode"] + v["maximum"]) / 3.0

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float]) -> Triangular:
        """Triangular distribution through three quantiles.

        A triangle has three parameters, so two quantiles do not determine it.
        With the mode's probability ``m = (mode - minimum) / (maximum - minimum)``
        fixed, the quantiles are affine in ``(minimum, maximum - minimum)``;
        ``m`` is found by a one-dimensional root search.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly three ``{probability: value}`` pairs.

        Returns
        -------
        Triangular

        Raises
        ------
        ValueError
            If no triangle has these quantiles (e.g. ``{0.1: 0, 0.5: 9, 0.9: 10}``
            is more skewed than any triangle).
        """
        name = cls.__name__
        ps, xs = _parse_quantiles(name, quantiles, (3, 3))
        target = (xs[1] - xs[0]) / (xs[2] - xs[0])

        def ratio(m: float) -> float:
            g = [_triangular_unit_ppf(p, m) for p in ps]
            return (g[1] - g[0]) / (g[2] - g[0]) - target

        m = _bracket_root(ratio, np.linspace(0.0, 1.0, 201), increasing=True)
        if m is None:
            m = _bracket_root(ratio, np.linspace(0.0, 1.0, 201), increasing=False)
        reason = "no triangular distribution has these quantiles; try PERT, Beta or Metalog"
        if m is None:
            raise ValueError(f"{name}.from_quantiles: {reason}")
        g = [_triangular_unit_ppf(p, m) for p in ps]
        width = (xs[2] - xs[0]) / (g[2] - g[0])
        lo = xs[0] - width * g[0]
        hi = xs[2] + width * (1.0 - g[2])
        dist = cls(lo, min(max(lo + m * (hi - lo), lo), hi), hi)
        _check_reproduces(dist, ps, xs, reason)
        return dist


class Uniform(Distribution):
    """Continuous uniform distribution on ``[lower, upper]``.

    Parameters
    ----------
    lower : float
        Lower bound (finite).
    upper : float
        Upper bound (finite, > lower).
    """

    code = CODE_UNIFORM
    family = "uniform"
    param_names = ("lower", "upper")
    __slots__ = ()

    lower: float
    upper: float

    def __init__(self, lower: float, upper: float) -> None:
        self._init(lower=lower, upper=upper)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_finite("lower", raw)
        lo, hi = self._values["lower"], self._values["upper"]
        self._require(math.isfinite(hi) and hi > lo, "upper", f"finite and > lower ({lo!r})", raw)

    def mean(self) -> float:
        """Expected value ``(lower + upper) / 2``."""
        return 0.5 * (self._values["lower"] + self._values["upper"])

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float]) -> Uniform:
        """Uniform distribution through two quantiles.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs.

        Returns
        -------
        Uniform
        """
        (p1, p2), (x1, x2) = _parse_quantiles(cls.__name__, quantiles)
        width = (x2 - x1) / (p2 - p1)
        return cls(x1 - p1 * width, x2 + (1.0 - p2) * width)


class LogUniform(Distribution):
    """Log-uniform (reciprocal) distribution: ``log(X)`` uniform on ``[log(lower), log(upper)]``.

    Parameters
    ----------
    lower : float
        Lower bound (finite, > 0).
    upper : float
        Upper bound (finite, > lower).
    """

    code = CODE_LOGUNIFORM
    family = "loguniform"
    param_names = ("lower", "upper")
    __slots__ = ()

    lower: float
    upper: float

    def __init__(self, lower: float, upper: float) -> None:
        self._init(lower=lower, upper=upper)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_positive("lower", raw)
        lo, hi = self._values["lower"], self._values["upper"]
        self._require(math.isfinite(hi) and hi > lo, "upper", f"finite and > lower ({lo!r})", raw)

    def mean(self) -> float:
        """Expected value ``(upper - lower) / log(upper / lower)``."""
        lo, hi = self._values["lower"], self._values["upper"]
        return (hi - lo) / math.log(hi / lo)

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float]) -> LogUniform:
        """Log-uniform distribution through two quantiles.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs with values > 0.

        Returns
        -------
        LogUniform
        """
        name = cls.__name__
        (p1, p2), (x1, x2) = _parse_quantiles(name, quantiles)
        if not x1 > 0.0:
            raise ValueError(f"{name}.from_quantiles: values must lie in the support (0, inf), got {x1!r}, {x2!r}")
        width = math.log(x2 / x1) / (p2 - p1)
        return cls(x1 * math.exp(-p1 * width), x2 * math.exp((1.0 - p2) * width))


class StudentT(Distribution):
    """Location-scale Student's t: ``loc + scale * T`` with ``T ~ t(df)``.

    Parameters
    ----------
    df : float
        Degrees of freedom (finite, > 0); small values give heavy tails
        (``df = 1`` is the Cauchy distribution).
    loc : float, optional
        Location (median), finite; default 0.
    scale : float, optional
        Scale (finite, > 0); default 1.
    """

    code = CODE_STUDENT_T
    family = "studentt"
    param_names = ("df", "loc", "scale")
    __slots__ = ()

    df: float
    loc: float
    scale: float

    def __init__(self, df: float, loc: float = 0.0, scale: float = 1.0) -> None:
        self._init(df=df, loc=loc, scale=scale)

    def _validate(self, raw: Mapping[str, object]) -> None:
        self._require_positive("df", raw)
        self._require_finite("loc", raw)
        self._require_positive("scale", raw)

    def mean(self) -> float:
        """Expected value ``loc`` (``nan`` for ``df <= 1``, where it does not exist)."""
        return self._values["loc"] if self._values["df"] > 1.0 else math.nan

    def median(self) -> float:
        """Median ``loc``."""
        return self._values["loc"]

    @classmethod
    def from_quantiles(cls, quantiles: Mapping[float, float], *, df: float) -> StudentT:
        """Student's t with given ``df`` through two quantiles.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            Exactly two ``{probability: value}`` pairs.
        df : float
            Degrees of freedom (> 0).

        Returns
        -------
        StudentT
        """
        (p1, p2), (x1, x2) = _parse_quantiles(cls.__name__, quantiles)
        unit = cls(df)
        t1, t2 = unit.ppf(p1), unit.ppf(p2)
        scale = (x2 - x1) / (t2 - t1)
        return cls(df, x1 - scale * t1, scale)


def _real_list(cls_name: str, key: str, raw: object) -> tuple[float, ...]:
    """Coerce a sequence of real numbers; raise :class:`ParameterTypeError`."""
    expected = "a list of real numbers"
    if isinstance(raw, np.ndarray):
        if raw.ndim != 1 or raw.dtype.kind not in "iuf":
            raise ParameterTypeError(cls_name, key, raw, expected)
        return tuple(float(v) for v in raw)
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Sequence):
        raise ParameterTypeError(cls_name, key, raw, expected)
    for v in raw:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ParameterTypeError(cls_name, key, raw, expected)
    return tuple(float(v) for v in raw)


def _metalog_basis(p: ArrayLike, terms: int) -> NDArray[np.float64]:
    """Metalog basis (Keelin 2016) at probabilities ``p``: shape ``(len(p), terms)``."""
    p = np.asarray(p, dtype=np.float64)
    s = p - 0.5
    logit = np.log(p) - np.log1p(-p)
    cols = [np.ones_like(p), logit, s * logit, s, s**2, s**2 * logit, s**3, s**3 * logit, s**4]
    return np.stack(cols[:terms], axis=1)


def _logistic_density(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``u (1 - u)`` at ``u = expit(t)``, without overflow."""
    e = np.exp(-np.abs(t))
    return e / (1.0 + e) ** 2


def _metalog_slope_t(coef: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``dM/dt`` at ``t = logit(u)``: positive everywhere iff the quantile function increases."""
    a = np.zeros(METALOG_MAX_TERMS)
    a[: coef.size] = coef
    s = 0.5 * np.tanh(0.5 * t)
    dd = _logistic_density(t)
    dpoly = a[3] + s * (2 * a[4] + s * (3 * a[6] + s * 4 * a[8]))
    dslope = a[2] + s * (2 * a[5] + s * 3 * a[7])
    slope = a[1] + s * (a[2] + s * (a[5] + s * a[7]))
    return slope + dd * (dpoly + t * dslope)


class Metalog(Distribution):
    """Keelin (2016) metalog distribution fitted to 3 to 9 quantiles.

    The quantile function is ``Q(u) = T(M(u))`` with the metalog series
    ``M(u) = a1 + a2 L + a3 s L + a4 s + a5 s**2 + a6 s**2 L + a7 s**3 + ...``,
    ``L = log(u / (1 - u))``, ``s = u - 1/2``, and ``T`` the identity
    (unbounded), ``lower + exp(M)`` (``lower`` given), ``upper - exp(-M)``
    (``upper`` given) or ``(lower + upper * exp(M)) / (1 + exp(M))`` (both).
    The ``terms`` coefficients are the exact solution (``terms`` equal to the
    number of quantiles) or the least-squares fit of the transformed values
    on the basis.

    Parameters
    ----------
    probabilities : sequence of float
        3 to 9 distinct probabilities in ``(0, 1)``.
    values : sequence of float
        The matching quantiles, strictly increasing with probability.
    lower, upper : float or None, optional
        Bounds of the support (``None``: unbounded on that side).
    terms : int or None, optional
        Number of metalog terms, from 2 to the number of quantiles; default:
        the number of quantiles (exact fit).

    Raises
    ------
    ValueError
        Invalid input, or an infeasible fit: a quantile function that is not
        strictly increasing (negative density somewhere).

    Notes
    -----
    Pairs are stored sorted by probability.  ``packed()`` holds the nine
    coefficients (zero-padded), ``lower``, ``upper`` and the kind of bounds.
    """

    code = CODE_METALOG
    family = "metalog"
    param_names = ("probabilities", "values", "lower", "upper", "terms")
    __slots__ = ("_coef",)

    probabilities: tuple[float, ...]
    values: tuple[float, ...]
    lower: float | None
    upper: float | None
    terms: int

    def __init__(
        self,
        probabilities: Sequence[float],
        values: Sequence[float],
        lower: float | None = None,
        upper: float | None = None,
        terms: int | None = None,
    ) -> None:
        self._init(probabilities=probabilities, values=values, lower=lower, upper=upper, terms=terms)

    def _coerce(self, key: str, raw: object) -> Any:
        name = type(self).__name__
        if key in ("probabilities", "values"):
            return _real_list(name, key, raw)
        if raw is None:
            return None
        if key == "terms":
            if isinstance(raw, bool) or not isinstance(raw, numbers.Integral):
                raise ParameterTypeError(name, key, raw, "an integer")
            return int(raw)
        return super()._coerce(key, raw)

    def _validate(self, raw: Mapping[str, object]) -> None:
        v = self._values
        ps, xs = v["probabilities"], v["values"]
        n = len(ps)
        self._require(3 <= n <= METALOG_MAX_TERMS, "probabilities", "a list of 3 to 9 probabilities", raw)
        self._require(len(xs) == n, "values", f"a list of {n} values, one per probability", raw)
        self._require(all(0.0 < p < 1.0 for p in ps), "probabilities", "in (0, 1)", raw)
        self._require(len(set(ps)) == n, "probabilities", "distinct", raw)
        self._require(all(math.isfinite(x) for x in xs), "values", "finite", raw)
        order = sorted(range(n), key=lambda i: ps[i])
        ps = tuple(ps[i] for i in order)
        xs = tuple(xs[i] for i in order)
        self._require(
            all(a < b for a, b in itertools.pairwise(xs)), "values", "strictly increasing with probability", raw
        )
        lo, hi = v["lower"], v["upper"]
        for key in ("lower", "upper"):
            self._require(v[key] is None or math.isfinite(v[key]), key, "finite or None (unbounded)", raw)
        if lo is not None and hi is not None:
            self._require(hi > lo, "upper", f"> lower ({lo!r})", raw)
        inside = (lo is None or xs[0] > lo) and (hi is None or xs[-1] < hi)
        support = f"({'-inf' if lo is None else repr(lo)}, {'inf' if hi is None else repr(hi)})"
        self._require(inside, "values", f"inside the support {support}", raw)
        if v["terms"] is None:
            v["terms"] = n
        k = v["terms"]
        self._require(2 <= k <= n, "terms", f"an integer from 2 to the number of quantiles ({n})", raw)
        v["probabilities"], v["values"] = ps, xs
        x = np.asarray(xs)
        if lo is not None and hi is not None:
            y = np.log(x - lo) - np.log(hi - x)
        elif lo is not None:
            y = np.log(x - lo)
        elif hi is not None:
            y = -np.log(hi - x)
        else:
            y = x
        basis = _metalog_basis(ps, k)
        with np.errstate(all="ignore"):
            coef = np.linalg.solve(basis, y) if k == n else np.linalg.lstsq(basis, y, rcond=None)[0]
        kind = {(False, False): "unbounded", (True, False): "lower-bounded", (False, True): "upper-bounded"}.get(
            (lo is not None, hi is not None), "bounded"
        )
        self._require(
            bool(np.all(np.isfinite(coef))),
            "values",
            f"quantiles that a {k}-term {kind} metalog can fit (the system is singular)",
            raw,
        )
        # dM/dt on a fine grid in t = logit(u), plus its limits at u = 0 and 1
        t = np.concatenate([[-np.inf], np.linspace(-60.0, 60.0, 24001), [np.inf]])
        a = np.zeros(METALOG_MAX_TERMS)
        a[:k] = coef
        slope = np.concatenate(
            [
                [a[1] - 0.5 * a[2] + 0.25 * a[5] - 0.125 * a[7]],
                _metalog_slope_t(coef, t[1:-1]),
                [a[1] + 0.5 * a[2] + 0.25 * a[5] + 0.125 * a[7]],
            ]
        )
        if not np.all(slope > 0.0):
            i = int(np.argmin(slope))
            u = 0.0 if i == 0 else 1.0 if i == t.size - 1 else 1.0 / (1.0 + math.exp(-t[i]))
            self._require(
                False,
                "values",
                f"quantiles of a feasible metalog, but the {k}-term {kind} fit has a quantile function that is not "
                f"strictly increasing (negative density near u={u:.3g}); use fewer or less skewed quantiles, "
                "more terms, or bounds",
                raw,
            )
        object.__setattr__(self, "_coef", coef)

    def _pack(self) -> NDArray[np.float64]:
        par = np.zeros(NPAR, dtype=np.float64)
        par[: self._coef.size] = self._coef
        lo, hi = self._values["lower"], self._values["upper"]
        par[9] = 0.0 if lo is None else lo
        par[10] = 0.0 if hi is None else hi
        par[11] = (lo is not None) + 2.0 * (hi is not None)
        return par

    @property
    def coefficients(self) -> tuple[float, ...]:
        """The ``terms`` fitted metalog coefficients ``a1, a2, ...``."""
        return tuple(float(c) for c in self._coef)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (lists for the quantiles; ``lower``/``upper`` only if set)."""
        v = self._values
        out: dict[str, Any] = {"family": self.family, "probabilities": list(v["probabilities"])}
        out["values"] = list(v["values"])
        for key in ("lower", "upper"):
            if v[key] is not None:
                out[key] = v[key]
        out["terms"] = v["terms"]
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._values.items() if v is not None)
        return f"{type(self).__name__}({args})"

    def mean(self) -> float:
        """Expected value (numerical; trapezoid rule in ``logit(u)``).

        Returns ``inf`` (``-inf``) when the upper (lower) tail of a
        semi-bounded metalog is too heavy for the mean to exist.
        """
        a = np.zeros(METALOG_MAX_TERMS)
        a[: self._coef.size] = self._coef
        tail_lo = a[1] - 0.5 * a[2] + 0.25 * a[5] - 0.125 * a[7]
        tail_hi = a[1] + 0.5 * a[2] + 0.25 * a[5] + 0.125 * a[7]
        lo, hi = self._values["lower"], self._values["upper"]
        t_lo, t_hi = -60.0, 60.0
        if lo is not None and hi is None:
            if tail_hi >= 1.0:
                return math.inf
            t_hi = min(700.0, 60.0 / (1.0 - tail_hi))
        if hi is not None and lo is None:
            if tail_lo >= 1.0:
                return -math.inf
            t_lo = -min(700.0, 60.0 / (1.0 - tail_lo))
        t = np.linspace(t_lo, t_hi, int((t_hi - t_lo) * 200) + 1)
        x = _from_t(self._par, t)
        w = _logistic_density(t)
        f = x * w
        return float((np.sum(f) - 0.5 * (f[0] + f[-1])) * (t[1] - t[0]))

    @classmethod
    def from_quantiles(
        cls,
        quantiles: Mapping[float, float],
        *,
        lower: float | None = None,
        upper: float | None = None,
        terms: int | None = None,
    ) -> Metalog:
        """Metalog through 3 to 9 ``{probability: value}`` pairs.

        Parameters
        ----------
        quantiles : Mapping[float, float]
            3 to 9 ``{probability: value}`` pairs.
        lower, upper : float or None, optional
            Bounds of the support (``None``: unbounded on that side).
        terms : int or None, optional
            Number of terms (default: one per quantile, an exact fit).

        Returns
        -------
        Metalog

        Raises
        ------
        ValueError
            Invalid quantiles or an infeasible fit (message says why).
        """
        ps, xs = _parse_quantiles(cls.__name__, quantiles, (3, METALOG_MAX_TERMS))
        return cls(ps, xs, lower, upper, terms)


@numba.njit(cache=True, fastmath=False)
def _from_t(par: Any, t: Any) -> Any:
    """Metalog quantile at ``t = logit(u)`` (vectorised, for the mean)."""
    out = np.empty(t.shape[0])
    for i in range(t.shape[0]):
        out[i] = _metalog_transform(par, _metalog_m(par, 0.5 * math.tanh(0.5 * t[i]), t[i]))
    return out


class Empirical(Distribution):
    """Empirical distribution of observed values or samples.

    The quantile function interpolates the sorted values linearly, like
    ``numpy.quantile(values, u, method="linear")``; the CDF is its
    piecewise-linear inverse (right-continuous at ties).  The support is
    ``[min(values), max(values)]``.

    Parameters
    ----------
    values : sequence of float or numpy.ndarray
        At least two finite values, not all equal (stored sorted).

    Notes
    -----
    Evaluated in Python/NumPy only: the numba dispatchers return ``nan`` for
    this family; the simulation engine interpolates the sorted values exactly
    (at most 16,384 of them per input).  ``packed()`` holds ``(min, max, n)``.
    """

    code = CODE_EMPIRICAL
    family = "empirical"
    param_names = ("values",)
    __slots__ = ()

    values: NDArray[np.float64]

    def __init__(self, values: ArrayLike) -> None:
        self._init(values=values)

    def _coerce(self, key: str, raw: object) -> Any:
        arr = np.sort(np.asarray(_real_list(type(self).__name__, key, raw), dtype=np.float64))
        arr.setflags(write=False)
        return arr

    def _validate(self, raw: Mapping[str, object]) -> None:
        v = self._values["values"]
        self._require(v.size >= 2, "values", "a list of at least two values", raw)
        self._require(bool(np.all(np.isfinite(v))), "values", "finite", raw)
        self._require(v[-1] > v[0], "values", "not all equal (use Fixed for a constant)", raw)

    def _pack(self) -> NDArray[np.float64]:
        v = self._values["values"]
        par = np.zeros(NPAR, dtype=np.float64)
        par[:3] = v[0], v[-1], v.size
        return par

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(np.array_equal(self._values["values"], other._values["values"]))  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values["values"].tobytes()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._values["values"].copy(),))

    def __repr__(self) -> str:
        v = self._values["values"]
        if v.size <= 8:
            return f"{type(self).__name__}(values={[float(x) for x in v]!r})"
        lo, mid, hi = float(v[0]), self.median(), float(v[-1])
        return f"<{type(self).__name__}: {v.size} values, min={lo!r}, median={mid!r}, max={hi!r}>"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form ``{"family": "empirical", "values": [sorted values]}``."""
        return {"family": self.family, "values": [float(x) for x in self._values["values"]]}

    def _ppf_pq(self, p: NDArray[np.float64], q: NDArray[np.float64]) -> NDArray[np.float64]:
        v = self._values["values"]
        n1 = v.size - 1
        pos = np.where(p <= 0.5, n1 * p, n1 - n1 * q)
        return np.interp(pos, np.arange(v.size, dtype=np.float64), v)

    def ppf(self, u: ArrayLike) -> Any:
        """Percent-point function: linear interpolation of the sorted values.

        Parameters
        ----------
        u : array_like
            Probabilities in ``[0, 1]``.

        Returns
        -------
        float or numpy.ndarray
            Same as ``numpy.quantile(values, u, method="linear")`` up to rounding.
        """
        arr = np.asarray(u, dtype=np.float64)
        if not np.all((arr >= 0.0) & (arr <= 1.0)):
            raise ValueError(f"{type(self).__name__}.ppf: u must be in [0, 1]")
        out = self._ppf_pq(arr, 1.0 - arr)
        return float(out) if arr.ndim == 0 else out

    def cdf(self, x: ArrayLike) -> Any:
        """Cumulative distribution function (inverse of :meth:`ppf`, right-continuous).

        Parameters
        ----------
        x : array_like
            Points at which to evaluate.

        Returns
        -------
        float or numpy.ndarray
            ``P(X <= x)``; ``nan`` for ``nan`` input.
        """
        arr = np.asarray(x, dtype=np.float64)
        v = self._values["values"]
        n1 = v.size - 1
        k = np.searchsorted(v, arr, side="right")  # number of values <= x
        i = np.clip(k - 1, 0, n1 - 1)
        lo, hi = v[i], v[i + 1]
        frac = np.where(hi > lo, (arr - lo) / np.where(hi > lo, hi - lo, 1.0), 1.0)
        out = np.where(k <= 0, 0.0, np.where(k > n1, 1.0, (i + np.clip(frac, 0.0, 1.0)) / n1))
        out = np.where(np.isnan(arr), np.nan, out)
        return float(out) if arr.ndim == 0 else out

    def from_z(self, z: ArrayLike) -> Any:
        """Values at standard-normal draws ``z`` (``ppf(ndtr(z))``, both tails accurate).

        Parameters
        ----------
        z : array_like
            Standard-normal variates.

        Returns
        -------
        float or numpy.ndarray
            Same shape as ``z`` (a float for scalar input).
        """
        from scipy.special import ndtr as sp_ndtr

        arr = np.asarray(z, dtype=np.float64)
        out = self._ppf_pq(sp_ndtr(arr), sp_ndtr(-arr))
        return float(out) if arr.ndim == 0 else out

    def mean(self) -> float:
        """Expected value of the interpolated distribution (not the sample mean).

        ``(sum(v) - (v[0] + v[-1]) / 2) / (n - 1)`` for sorted values ``v``.
        """
        v = self._values["values"]
        return float((np.sum(v) - 0.5 * (v[0] + v[-1])) / (v.size - 1))


def _defaults(cls: type[Distribution]) -> dict[str, Any]:
    """Constructor defaults of ``cls`` (e.g. ``loc``, ``shape``)."""
    sig = inspect.signature(cls.__init__)
    return {
        k: p.default
        for k, p in sig.parameters.items()
        if k in cls.param_names and p.default is not inspect.Parameter.empty
    }


def from_dict(d: Mapping[str, Any], *, path: str = "") -> Distribution:
    """Build a distribution from its dict form (inverse of ``to_dict``).

    Parameters
    ----------
    d : Mapping
        ``{"family": <name>, <param>: <number>, ...}``; parameters with a
        default (``loc``, ``shape``) may be omitted.
    path : str, optional
        Dotted location of ``d`` in a configuration, used as the prefix of
        error messages (``"<path>.<key>: ..."``).

    Returns
    -------
    Distribution

    Raises
    ------
    ValueError
        Unknown family (message lists the known ones), missing or unknown key,
        or invalid parameter value (message names the parameter).
    TypeError
        ``d`` is not a mapping, or a parameter is not a real number.
    """
    where = f"{path}." if path else ""
    if not isinstance(d, Mapping):
        raise TypeError(f"{path or 'distribution'}: expected a table/mapping, got {type(d).__name__}")
    if "family" not in d:
        raise ValueError(f"{where}family: missing required key 'family'")
    family = d["family"]
    cls = FAMILIES.get(family.strip().lower()) if isinstance(family, str) else None
    if cls is None:
        known = ", ".join(sorted(FAMILIES))
        raise ValueError(f"{where}family: unknown distribution family {family!r}; known: {known}")
    unknown = [k for k in d if k != "family" and k not in cls.param_names]
    if unknown:
        raise ValueError(
            f"{where}{unknown[0]}: unknown parameter for {cls.family!r} (allowed: {', '.join(cls.param_names)})"
        )
    kwargs = _defaults(cls)
    for key in cls.param_names:
        if key in d:
            kwargs[key] = d[key]
        elif key not in kwargs:
            raise ValueError(f"{where}{key}: missing required parameter for {cls.family!r}")
    try:
        return cls(**kwargs)
    except (ParameterError, ParameterTypeError) as exc:
        if path:
            raise exc.with_path(path) from None
        raise
