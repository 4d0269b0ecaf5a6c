"""The ``Distribution`` base class, parameter errors, the family registry, ``from_dict`` and shared fitting helpers."""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._table import NPAR, _cdf_array, _from_z_array, _ppf_array


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
        self._check_finite_draws(kwargs)

    #: Draws are checked at standard-normal values this far out (the sampler's variates stay inside).
    Z_CHECK: ClassVar[float] = 9.0

    def _check_finite_draws(self, raw: Mapping[str, object]) -> None:
        """Refuse parameters whose draws overflow: the values at ``z = -Z_CHECK, 0, Z_CHECK`` must be finite."""
        zs = np.array([-self.Z_CHECK, 0.0, self.Z_CHECK])
        ends = np.asarray(self.from_z(zs), dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(ends))
        if bad.size == 0:
            return
        z, value = zs[bad[0]], ends[bad[0]]
        # name the parameter of the largest size: the one that overflows (a location or a scale)
        sizes = {k: abs(v) for k, v in self._values.items() if isinstance(v, float)}
        param = max(sizes, key=sizes.__getitem__) if sizes else self.param_names[0]
        raise ParameterError(
            type(self).__name__,
            param,
            f"a value for which draws stay finite in float64 (with {self!r} the draw at z = {z:g} is {value})",
            raw.get(param, self._values.get(param)),
        )

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
        # a writable copy: the kernels pass writable parameter rows, so from_z/ppf compile once, not twice
        out = _ppf_array(self.code, self._par.copy(), np.ascontiguousarray(arr).reshape(-1))
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
        out = _cdf_array(self.code, self._par.copy(), np.ascontiguousarray(arr).reshape(-1))
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
        out = _from_z_array(self.code, self._par.copy(), np.ascontiguousarray(arr).reshape(-1))
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

    def pdf(self, x: ArrayLike) -> Any:
        """Probability density function: the density at each of ``x`` (array_like), 0 outside the support.

        Returns a float for scalar input, else an array of the shape of ``x``.  :class:`Fixed` is
        a point mass: ``inf`` at its value, 0 elsewhere.
        """
        arr = np.asarray(x, dtype=np.float64)
        out = np.asarray(self._pdf(np.ascontiguousarray(arr).reshape(-1)), dtype=np.float64)
        return float(out[0]) if arr.ndim == 0 else out.reshape(arr.shape)

    def _pdf(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Density at a flat array of points; the default differentiates the quantile function numerically."""
        p = np.asarray(self.cdf(x), dtype=np.float64)
        out = np.zeros_like(x)
        inside = (p > 0.0) & (p < 1.0)
        if np.any(inside):
            pi = p[inside]
            h = 1e-5 * np.minimum(pi, 1.0 - pi)
            dx = np.asarray(self.ppf(pi + h)) - np.asarray(self.ppf(pi - h))
            out[inside] = np.where(dx > 0, 2.0 * h / np.where(dx > 0, dx, 1.0), np.inf)
        return out

    def var(self) -> float:
        """Variance (``inf`` where the second moment diverges, ``nan`` where the mean does not exist)."""
        return _quantile_variance(self)

    def std(self) -> float:
        """Standard deviation, ``sqrt(var())``."""
        return math.sqrt(self.var())

    def mean(self) -> float:
        """Expected value."""
        raise NotImplementedError

    def median(self) -> float:
        """Median."""
        return float(self.ppf(0.5))


def _quantile_variance(dist: Distribution) -> float:
    """``E[(X - mean)^2] = int_0^1 (ppf(u) - mean)^2 du``, by the trapezoid rule in ``t = logit(u)``.

    The integrand decays like ``u (1 - u)`` times the squared quantile in the tails, so the rule on
    ``t`` in [-36, 36] converges fast for every family whose tails are not heavy (the metalog).
    """
    m = dist.mean()
    if not math.isfinite(m):
        return math.nan if math.isnan(m) else math.inf
    t = np.linspace(-36.0, 36.0, 14401)  # expit(36) = 1 - 2.3e-16: the last u below 1; the tails left out weigh ~1e-16
    u = 1.0 / (1.0 + np.exp(-t))
    x = np.asarray(dist.ppf(u), dtype=np.float64)
    if not np.all(np.isfinite(x)):
        return math.inf
    f = (x - m) ** 2 * u * (1.0 - u)
    return float(np.sum(f) * (t[1] - t[0]))


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
