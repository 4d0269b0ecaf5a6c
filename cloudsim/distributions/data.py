"""Families defined by data: Metalog (fitted to quantiles) and Empirical (observed values)."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._table import CODE_EMPIRICAL, CODE_METALOG, METALOG_MAX_TERMS, NPAR, _metalog_m, _metalog_transform
from .base import Distribution, ParameterTypeError, _parse_quantiles


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
        tail_lo, tail_hi = self._tail_slopes()
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

    def _tail_slopes(self) -> tuple[float, float]:
        """Slopes of ``M`` in ``t = logit(u)`` as ``t -> -inf`` and ``t -> inf`` (they decide which moments exist)."""
        a = np.zeros(METALOG_MAX_TERMS)
        a[: self._coef.size] = self._coef
        return a[1] - 0.5 * a[2] + 0.25 * a[5] - 0.125 * a[7], a[1] + 0.5 * a[2] + 0.25 * a[5] + 0.125 * a[7]

    def var(self) -> float:
        """Variance (numerical; trapezoid rule in ``logit(u)`` as :meth:`mean`, over the range the tails need).

        ``inf`` when a semi-bounded tail is too heavy for the second moment to exist.
        """
        m = self.mean()
        if not math.isfinite(m):
            return math.nan
        tail_lo, tail_hi = self._tail_slopes()
        lo, hi = self._values["lower"], self._values["upper"]
        t_lo, t_hi = -60.0, 60.0
        if lo is not None and hi is None:  # x - lower ~ exp(tail_hi t): x**2 weighs exp((2 tail_hi - 1) t)
            if 2.0 * tail_hi >= 1.0:
                return math.inf
            t_hi = min(700.0, 60.0 / (1.0 - 2.0 * tail_hi))
        if hi is not None and lo is None:
            if 2.0 * tail_lo >= 1.0:
                return math.inf
            t_lo = -min(700.0, 60.0 / (1.0 - 2.0 * tail_lo))
        t = np.linspace(t_lo, t_hi, int((t_hi - t_lo) * 200) + 1)
        f = (_from_t(self._par, t) - m) ** 2 * _logistic_density(t)
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

    def _pdf(self, x):
        v = self._values["values"]
        n1 = v.size - 1
        k = np.clip(np.searchsorted(v, x, side="right") - 1, 0, n1 - 1)
        width = v[k + 1] - v[k]
        inside = (x >= v[0]) & (x <= v[-1])
        dens = np.where(width > 0, 1.0 / (n1 * np.where(width > 0, width, 1.0)), np.inf)
        return np.where(inside, dens, 0.0)

    def var(self) -> float:
        """Variance of the interpolated distribution (each gap between sorted values holds ``1/(n-1)``)."""
        v = self._values["values"]
        a, b = v[:-1], v[1:]
        second = float(np.sum(a * a + a * b + b * b) / (3.0 * (v.size - 1)))
        m = self.mean()
        return max(second - m * m, 0.0)
