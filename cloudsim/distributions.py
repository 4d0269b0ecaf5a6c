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
=====  ===============  ==========================================
code   class            parameters (``packed()`` order)
=====  ===============  ==========================================
0      ``Normal``       mean, sd
1      ``LogNormal``    mu, sigma, loc
2      ``LogitNormal``  mu, sigma
3      ``PERT``         minimum, mode, maximum, shape
4      ``Fixed``        value
=====  ===============  ==========================================

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
import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FAMILIES",
    "PERT",
    "Distribution",
    "Fixed",
    "LogNormal",
    "LogitNormal",
    "Normal",
    "ParameterError",
    "betainc",
    "betaincinv",
    "cdf",
    "from_dict",
    "from_z",
    "ndtr",
    "ndtri",
    "ppf",
]

NPAR = 4
"""Length of the packed parameter vector."""

CODE_NORMAL = 0
CODE_LOGNORMAL = 1
CODE_LOGITNORMAL = 2
CODE_PERT = 3
CODE_FIXED = 4

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


@numba.njit(cache=True, fastmath=False)
def ppf(code: int, par: Any, u: float) -> float:
    """Percent-point function (inverse CDF) of family ``code`` at ``u``.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    par : numpy.ndarray
        float64 parameter vector of length 4 (``Distribution.packed()``).
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
    return math.nan


@numba.njit(cache=True, fastmath=False)
def cdf(code: int, par: Any, x: float) -> float:
    """Cumulative distribution function of family ``code`` at ``x``.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    par : numpy.ndarray
        float64 parameter vector of length 4 (``Distribution.packed()``).
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
    return math.nan


@numba.njit(cache=True, fastmath=False)
def from_z(code: int, par: Any, z: float) -> float:
    """Value of family ``code`` at the standard-normal draw ``z``.

    Equivalent to ``ppf(code, par, ndtr(z))`` but with direct paths for the
    normal-based families (no ``erfc``/``ndtri``) and full upper-tail accuracy
    for PERT.  Allocation-free; intended for use inside ``parallel=True``
    kernels.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    par : numpy.ndarray
        float64 parameter vector of length 4 (``Distribution.packed()``).
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
    return math.nan


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
    """Distribution parameter of the wrong type (not a real number)."""

    def __init__(self, family: str, param: str, value: object) -> None:
        self.family = family
        self.param = param
        self.value = value
        super().__init__(f"{family}: {param} must be a real number, got {type(value).__name__} {value!r}")

    def with_path(self, path: str) -> TypeError:
        """Return a plain ``TypeError`` whose message is prefixed by ``path``."""
        return TypeError(f"{path}.{self.param}: must be a real number, got {type(self.value).__name__} {self.value!r}")


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
        name = type(self).__name__
        values: dict[str, float] = {}
        for key in self.param_names:
            raw = kwargs[key]
            if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
                raise ParameterTypeError(name, key, raw)
            values[key] = float(raw)
        object.__setattr__(self, "_values", values)
        self._validate(kwargs)
        par = self._pack()
        par.setflags(write=False)
        object.__setattr__(self, "_par", par)

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
            float64 array of length 4: the parameters in ``param_names`` order,
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
        return _from_z_array(self.code, self._par, z)

    def mean(self) -> float:
        """Expected value."""
        raise NotImplementedError

    def median(self) -> float:
        """Median."""
        return float(self.ppf(0.5))


def _normal_quantile_fit(
    cls_name: str, quantiles: Mapping[float, float], transform: Any, support: str
) -> tuple[float, float]:
    """Fit ``(mu, sigma)`` of ``transform(X) ~ N(mu, sigma)`` to two quantiles."""
    if not isinstance(quantiles, Mapping) or len(quantiles) != 2:
        raise ValueError(f"{cls_name}.from_quantiles: need exactly two {{probability: value}} pairs, got {quantiles!r}")
    (p1, x1), (p2, x2) = sorted((float(p), float(x)) for p, x in quantiles.items())
    for p in (p1, p2):
        if not (0.0 < p < 1.0):
            raise ValueError(f"{cls_name}.from_quantiles: probability must be in (0, 1), got {p!r}")
    if p1 == p2:
        raise ValueError(f"{cls_name}.from_quantiles: probabilities must differ")
    for x in (x1, x2):
        if not math.isfinite(x):
            raise ValueError(f"{cls_name}.from_quantiles: value must be finite, got {x!r}")
    if not x1 < x2:
        raise ValueError(
            f"{cls_name}.from_quantiles: values must increase with probability, "
            f"got q({p1!r})={x1!r} >= q({p2!r})={x2!r}"
        )
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
