"""Bounded families: PERT, Fixed, Beta, Triangular, Uniform and LogUniform."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ._special import betainc
from ._table import CODE_BETA, CODE_FIXED, CODE_LOGUNIFORM, CODE_PERT, CODE_TRIANGULAR, CODE_UNIFORM, _pert_ab
from .base import Distribution, _bracket_root, _check_reproduces, _finite_bounds, _parse_quantiles


def _beta_pdf(x: np.ndarray, a: float, b: float, lo: float, hi: float) -> np.ndarray:
    """Density of Beta(``a``, ``b``) scaled to ``[lo, hi]``."""
    from scipy.special import betaln, xlog1py, xlogy

    y = (x - lo) / (hi - lo)
    inside = (y >= 0.0) & (y <= 1.0)
    yi = np.where(inside, y, 0.5)
    with np.errstate(divide="ignore"):
        logf = xlogy(a - 1.0, yi) + xlog1py(b - 1.0, -yi) - betaln(a, b)
    return np.where(inside, np.exp(logf) / (hi - lo), 0.0)


def _beta_var(a: float, b: float, width: float) -> float:
    s = a + b
    return width * width * a * b / (s * s * (s + 1.0))


#: The largest Beta ``a``/``b`` (and PERT ``shape``) the incomplete-beta numerics keep accurate (to 1e-11
#: against scipy); beyond it the inverse slows without bound (``a = b = 1e300`` never returns).
BETA_MAX_AB = 1e6
BETA_LIMIT_TEXT = f"in (0, {BETA_MAX_AB:g}] (the range the incomplete-beta numerics support)"


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
        self._require(v["shape"] <= BETA_MAX_AB, "shape", BETA_LIMIT_TEXT, raw)

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

    def _pdf(self, x):
        v = self._values
        return _beta_pdf(x, self.alpha, self.beta, v["minimum"], v["maximum"])

    def var(self) -> float:
        """Variance of the scaled Beta(``alpha``, ``beta``) on ``[minimum, maximum]``."""
        v = self._values
        return _beta_var(self.alpha, self.beta, v["maximum"] - v["minimum"])


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

    def _pdf(self, x):
        return np.where(x == self._values["value"], np.inf, 0.0)

    def var(self) -> float:
        """Variance 0."""
        return 0.0

    def median(self) -> float:
        """The constant."""
        return self._values["value"]


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
        for key in ("a", "b"):
            self._require_positive(key, raw)
            self._require(self._values[key] <= BETA_MAX_AB, key, BETA_LIMIT_TEXT, raw)
        self._require_finite("lower", raw)
        lo, hi = self._values["lower"], self._values["upper"]
        self._require(math.isfinite(hi) and hi > lo, "upper", f"finite and > lower ({lo!r})", raw)

    def mean(self) -> float:
        """Expected value ``lower + (upper - lower) * a / (a + b)``."""
        v = self._values
        return v["lower"] + (v["upper"] - v["lower"]) * v["a"] / (v["a"] + v["b"])

    def _pdf(self, x):
        v = self._values
        return _beta_pdf(x, v["a"], v["b"], v["lower"], v["upper"])

    def var(self) -> float:
        """Variance ``(upper - lower)**2 a b / ((a + b)**2 (a + b + 1))``."""
        v = self._values
        return _beta_var(v["a"], v["b"], v["upper"] - v["lower"])

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

    def _pdf(self, x):
        v = self._values
        a, c, b = v["minimum"], v["mode"], v["maximum"]
        up = np.where(c > a, 2.0 * (x - a) / ((b - a) * (c - a if c > a else 1.0)), 0.0)
        down = np.where(b > c, 2.0 * (b - x) / ((b - a) * (b - c if b > c else 1.0)), 0.0)
        out = np.where(x < c, up, down)
        out = np.where(x == c, 2.0 / (b - a), out)
        return np.where((x >= a) & (x <= b), out, 0.0)

    def var(self) -> float:
        """Variance ``(a**2 + b**2 + c**2 - a b - a c - b c) / 18``."""
        v = self._values
        a, c, b = v["minimum"], v["mode"], v["maximum"]
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

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

    def _pdf(self, x):
        lo, hi = self._values["lower"], self._values["upper"]
        return np.where((x >= lo) & (x <= hi), 1.0 / (hi - lo), 0.0)

    def var(self) -> float:
        """Variance ``(upper - lower)**2 / 12``."""
        return (self._values["upper"] - self._values["lower"]) ** 2 / 12.0

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

    def _pdf(self, x):
        lo, hi = self._values["lower"], self._values["upper"]
        inside = (x >= lo) & (x <= hi)
        return np.where(inside, 1.0 / (np.where(inside, x, 1.0) * math.log(hi / lo)), 0.0)

    def var(self) -> float:
        """Variance ``(upper**2 - lower**2) / (2 log(upper / lower)) - mean**2``."""
        lo, hi = self._values["lower"], self._values["upper"]
        r = math.log(hi / lo)
        return max((hi - lo) * (hi + lo) / (2.0 * r) - ((hi - lo) / r) ** 2, 0.0)

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
