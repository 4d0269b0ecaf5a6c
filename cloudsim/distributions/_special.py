"""Special functions for numba code: normal CDF, its inverse and density, incomplete beta and its inverse."""

from __future__ import annotations

import math

import numba
import numpy as np

_SQRT1_2 = 0.7071067811865475244008443621048490
_EPS = 2.220446049250313e-16
_TINY = 1e-300


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
        return _ndtri_central(q)
    return _ndtri_tail(u, q)


@numba.njit(cache=True, fastmath=False, inline="always")
def _ndtri_central(q: float) -> float:
    """AS241 for ``|u - 0.5| <= 0.425``, at ``q = u - 0.5``."""
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


@numba.njit(cache=True, fastmath=False, inline="always")
def _ndtri_tail(u: float, q: float) -> float:
    """AS241 for ``|u - 0.5| > 0.425`` (``0 < u < 1``)."""
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


@numba.njit(cache=True, fastmath=False, inline="always")
def ndtri_into(u: np.ndarray, z: np.ndarray, tails: np.ndarray) -> None:
    """``z[d] = ndtri(u[d])`` for ``u`` in (0, 1), bit for bit, in passes a compiler can vectorise.

    The first pass evaluates the central rational for every element (no branch); the
    second lists the tail elements (about 15% of uniform points) in ``tails`` (int64,
    at least ``u.size`` long: scratch) without a branch; the third redoes just those, so
    no pass mispredicts a branch per element.
    """
    for d in range(u.size):
        z[d] = _ndtri_central(u[d] - 0.5)
    n_tail = 0
    for d in range(u.size):
        tails[n_tail] = d
        n_tail += abs(u[d] - 0.5) > 0.425
    for j in range(n_tail):
        d = tails[j]
        z[d] = _ndtri_tail(u[d], u[d] - 0.5)


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
