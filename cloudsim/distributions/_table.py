"""Numba dispatch table: family codes, per-family kernels, ``ppf``/``cdf``/``from_z`` on ``(code, par, value)``."""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

from ._special import _SQRT1_2, _betaincinv_pq, _normal_mass, betainc, ndtr, ndtri

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


@numba.njit(cache=True, fastmath=False)
def _pert_ab(par: Any) -> tuple[float, float]:
    """PERT ``(alpha, beta)`` from packed ``(minimum, mode, maximum, shape)``."""
    width = par[2] - par[0]
    alpha = 1.0 + par[3] * (par[1] - par[0]) / width
    beta = 1.0 + par[3] * (par[2] - par[1]) / width
    return alpha, beta


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
    return _triangular_pq(par[0], par[1], par[2], p, q)


@numba.njit(cache=True, fastmath=False, inline="always")
def _triangular_pq(lo: float, mode: float, hi: float, p: float, q: float) -> float:
    """The triangular's quantile from both tails, its parameters as scalars (a kernel reads them in place)."""
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
    if code != CODE_STUDENT_T and code != CODE_METALOG:
        return _ppf_pq(code, par, p, q, 0.0, 0.0, 0.0)  # d, s and logit are read by Student-t and Metalog only
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
