"""Normal-based families: Normal, LogNormal, LogitNormal, TruncatedNormal and StudentT."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._special import _normal_mass, _phi, ndtri
from ._table import (
    CODE_LOGITNORMAL,
    CODE_LOGNORMAL,
    CODE_NORMAL,
    CODE_STUDENT_T,
    CODE_TRUNCNORMAL,
    NPAR,
    TRUNC_MAX_SD,
    cdf,
)
from .base import Distribution, _bracket_root, _check_reproduces, _finite_bounds, _parse_quantiles

_SQRT_2PI = math.sqrt(2.0 * math.pi)


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

    def _pdf(self, x):
        v = self._values
        z = (x - v["mean"]) / v["sd"]
        return np.exp(-0.5 * z * z) / (v["sd"] * _SQRT_2PI)

    def var(self) -> float:
        """Variance ``sd**2``."""
        return self._values["sd"] ** 2

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

    def _pdf(self, x):
        v = self._values
        y = x - v["loc"]
        pos = y > 0
        ly = np.log(np.where(pos, y, 1.0))
        z = (ly - v["mu"]) / v["sigma"]
        return np.where(pos, np.exp(-0.5 * z * z - ly) / (v["sigma"] * _SQRT_2PI), 0.0)

    def var(self) -> float:
        """Variance ``(exp(sigma**2) - 1) * exp(2 mu + sigma**2)``."""
        v = self._values
        return math.expm1(v["sigma"] ** 2) * math.exp(2.0 * v["mu"] + v["sigma"] ** 2)

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

    def _pdf(self, x):
        v = self._values
        inside = (x > 0) & (x < 1)
        xi = np.where(inside, x, 0.5)
        z = (np.log(xi) - np.log1p(-xi) - v["mu"]) / v["sigma"]
        return np.where(inside, np.exp(-0.5 * z * z) / (v["sigma"] * _SQRT_2PI * xi * (1.0 - xi)), 0.0)

    def var(self) -> float:
        """Variance (numerical; trapezoid rule in ``z``, as :meth:`mean`)."""
        z = np.linspace(-40.0, 40.0, 16385)
        s = 1.0 / (1.0 + np.exp(-(self._values["mu"] + self._values["sigma"] * z)))
        w = np.exp(-0.5 * z * z) * (z[1] - z[0]) / math.sqrt(2.0 * math.pi)
        m = float(np.sum(s * w))
        return float(np.sum((s - m) ** 2 * w))

    def median(self) -> float:
        """Median ``expit(mu)``."""
        return 1.0 / (1.0 + math.exp(-self._values["mu"]))


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

    def _pdf(self, x):
        v = self._values
        a = (v["lower"] - v["mean"]) / v["sd"]
        b = (v["upper"] - v["mean"]) / v["sd"]
        z = (x - v["mean"]) / v["sd"]
        inside = (x >= v["lower"]) & (x <= v["upper"])
        return np.where(inside, np.exp(-0.5 * z * z) / (v["sd"] * _SQRT_2PI * _normal_mass(a, b)), 0.0)

    def var(self) -> float:
        """Variance ``sd**2 (1 + (a phi(a) - b phi(b)) / Z - ((phi(a) - phi(b)) / Z)**2)`` of the truncated variable."""
        v = self._values
        a = (v["lower"] - v["mean"]) / v["sd"]
        b = (v["upper"] - v["mean"]) / v["sd"]
        pa, pb = (_phi(c) if math.isfinite(c) else 0.0 for c in (a, b))
        apa = a * pa if math.isfinite(a) else 0.0
        bpb = b * pb if math.isfinite(b) else 0.0
        mass = _normal_mass(a, b)
        return v["sd"] ** 2 * max(1.0 + (apa - bpb) / mass - ((pa - pb) / mass) ** 2, 0.0)

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

    def _pdf(self, x):
        from scipy.special import gammaln

        v = self._values
        nu, s = v["df"], v["scale"]
        z = (x - v["loc"]) / s
        logc = gammaln(0.5 * (nu + 1.0)) - gammaln(0.5 * nu) - 0.5 * math.log(nu * math.pi)
        return np.exp(logc - 0.5 * (nu + 1.0) * np.log1p(z * z / nu)) / s

    def var(self) -> float:
        """Variance ``scale**2 df / (df - 2)`` (``inf`` for ``1 < df <= 2``, ``nan`` for ``df <= 1``)."""
        nu = self._values["df"]
        if nu <= 1.0:
            return math.nan
        return math.inf if nu <= 2.0 else self._values["scale"] ** 2 * nu / (nu - 2.0)

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
