"""The interval maths of every estimate: Wilson and Clopper-Pearson proportions, order-statistic quantiles, z."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._checks import check_ci
from ..distributions import ndtri
from ._common import valid_rows

__all__ = [
    "CI_BOUNDS",
    "CI_DIM",
    "ES_MIN_TAIL_TRIALS",
    "KIND_ES",
    "KIND_EXACT",
    "KIND_NORMAL",
    "KIND_ORDER",
    "KIND_PAIRED_BOOTSTRAP",
    "KIND_PAIRED_NORMAL",
    "KIND_PAIRED_QUANTILE",
    "KIND_WILSON",
    "PAIRED_MIN_DISCORDANT",
    "binom_interval",
    "check_ci",
    "check_levels",
    "check_q",
    "ci_like",
    "excess_interval",
    "harrell_davis",
    "harrell_davis_weights",
    "order_stats",
    "os_indices",
    "paired_quantile_se",
    "quantile_bounds",
    "quantile_se",
    "wilson",
    "wilson_interval",
    "z_value",
]

#: Name and coords of the interval dim (the arviz convention).
CI_DIM = "ci_bound"
CI_BOUNDS = ("lower", "upper")

#: What each interval is: the ``ci_kind`` attribute of every interval.
KIND_ORDER = "order-statistic (binomial)"
KIND_WILSON = "Wilson score (binomial)"
KIND_EXACT = "Clopper-Pearson exact (binomial)"
KIND_NORMAL = "asymptotic normal (sample standard deviation / sqrt(n))"
KIND_ES = (
    "asymptotic normal on the log of the mean tail excess |ES - VaR| (sample variance of the tail excess "
    "(X - VaR) over the tail)"
)

#: Trials in the tail below which the expected-shortfall interval under-covers (warned at the call).
ES_MIN_TAIL_TRIALS = 100
#: Discordant trials (below their quantile in one scenario, above it in the other) below which the
#: asymptotic paired quantile interval over-covers (warned at the call).
PAIRED_MIN_DISCORDANT = 50
KIND_PAIRED_NORMAL = "paired asymptotic normal (per-trial differences)"
KIND_PAIRED_QUANTILE = (
    "paired asymptotic normal (Bahadur representation; densities from order-statistic spacings, "
    "discordance averaged over the order-statistic window)"
)
KIND_PAIRED_BOOTSTRAP = (
    "paired percentile bootstrap of the Harrell-Davis quantile difference (trials resampled jointly across scenarios)"
)


# ---- argument checks ------------------------------------------------------------
def check_q(q: float | Sequence[float]) -> np.ndarray:
    """Distinct quantiles in [0, 1] as a non-empty 1-D float64 array (numbers only: ``"0.5"`` is refused)."""
    if isinstance(q, (str, bytes)) or (isinstance(q, Sequence) and any(isinstance(v, (str, bytes)) for v in q)):
        raise TypeError(f"q: expected one or more numbers in [0, 1], got {q!r}")
    try:
        arr = np.atleast_1d(np.asarray(q, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"q: expected one or more quantiles in [0, 1], got {q!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"q: expected one or more quantiles in [0, 1], got {q!r}")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"q: every quantile must be in [0, 1], got {arr.tolist()}")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"q: quantiles must be distinct (coords of the quantile dim), got {arr.tolist()}")
    return arr


def check_levels(level: Any, name: str) -> tuple[np.ndarray, bool]:
    """Probabilities strictly inside (0, 1), as a 1-D array, and whether a scalar was given."""
    scalar = np.ndim(level) == 0
    if isinstance(level, (str, bytes)) or (scalar and isinstance(level, bool)):
        raise TypeError(f"{name}: expected a number in (0, 1) or a sequence of them, got {level!r}")
    try:
        arr = np.atleast_1d(np.asarray(level, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number in (0, 1) or a sequence of them, got {level!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a number in (0, 1) or a 1-D sequence of them, got {level!r}")
    if not np.all((arr > 0.0) & (arr < 1.0)):
        raise ValueError(f"{name}: every value must be in the open interval (0, 1), got {arr.tolist()}")
    return arr, scalar


# ---- the normal quantile ------------------------------------------------------------
def z_value(ci: float) -> float:
    """The two-sided normal quantile ``Phi^-1(1/2 + ci/2)`` (1.96 for ``ci = 0.95``)."""
    return float(ndtri(0.5 + ci / 2.0))


# ---- binomial proportions -----------------------------------------------------------
def wilson(k: Any, n: Any, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval, vectorised over arrays of counts ``k`` out of ``n`` (no checks).

    The one implementation of the formula.  Exactly 0 (1) at ``k = 0`` (``k = n``),
    never past the estimate.
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = z_value(ci)
    p = k / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / den
    half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / den
    lower = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, p))
    upper = np.where(k >= n, 1.0, np.clip(centre + half, p, 1.0))
    return lower, upper


def wilson_interval(successes: int, n: int, ci: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``successes / n``.

    Returns
    -------
    (lower, upper) : tuple of float
    """
    if n <= 0:
        raise ValueError(f"n: must be >= 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes: must be in [0, n={n}], got {successes}")
    ci = check_ci(ci)
    lower, upper = wilson(successes, n, ci)
    return float(lower), float(upper)


def binom_interval(k: Any, n: Any, ci: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised binomial-proportion interval: ``"wilson"`` (score) or ``"exact"`` (Clopper-Pearson)."""
    if method == "wilson":
        return wilson(k, n, ci)
    from scipy import stats as sps  # imported here: scipy.stats costs 0.3 s at import

    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    a = (1.0 - ci) / 2.0
    lower = np.where(k > 0, sps.beta.ppf(a, np.maximum(k, 1.0), n - k + 1.0), 0.0)
    upper = np.where(k < n, sps.beta.ppf(1.0 - a, k + 1.0, np.maximum(n - k, 1.0)), 1.0)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


# ---- quantiles: order statistics ------------------------------------------------------
def os_indices(n: int, q: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """0-based order-statistic indices ``(lo, hi)`` bracketing the ``q`` quantile with probability >= ``ci``.

    With ``B ~ Binomial(n, q)``, ``P(X_(lo+1) <= xi_q <= X_(hi+1)) = P(lo < B <= hi) >= ci`` for a
    continuous distribution.  ``lo = -1`` / ``hi = n`` mean no order statistic is extreme enough.
    """
    from scipy import stats as sps  # imported here: scipy.stats costs 0.3 s at import

    a = (1.0 - ci) / 2.0
    lo = sps.binom.ppf(a, n, q).astype(np.int64) - 1
    hi = sps.binom.ppf(1.0 - a, n, q).astype(np.int64)
    return lo, hi


def order_stats(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The order statistics ``idx`` (0-based) along the last axis; -inf/+inf outside ``[0, n)``; NaN rows stay NaN."""
    n = x.shape[-1]
    idx = np.asarray(idx, dtype=np.int64)
    out = np.empty((*x.shape[:-1], idx.size), dtype=np.float64)
    ok = (idx >= 0) & (idx < n)
    if ok.any():
        part = np.partition(x, np.unique(idx[ok]), axis=-1)
        out[..., ok] = part[..., idx[ok]]
    out[..., idx < 0] = -np.inf
    out[..., idx >= n] = np.inf
    nan = np.isnan(x).any(axis=-1)
    if nan.any():
        out[nan] = np.nan
    return out


def quantile_bounds(x: np.ndarray, qs: np.ndarray, ci: float) -> np.ndarray:
    """Order-statistic interval of each quantile along the last axis: shape ``(k, *x.shape[:-1], 2)``.

    NaN trials are left out (each row's interval rests on its valid trials; see ``valid_rows``).
    """
    return valid_rows(lambda v: _quantile_bounds(v, qs, ci), x)[0]


def _quantile_bounds(x: np.ndarray, qs: np.ndarray, ci: float) -> np.ndarray:
    lo, hi = os_indices(x.shape[-1], qs, ci)
    vals = order_stats(x, np.concatenate([lo, hi]))
    vals = vals.reshape(*x.shape[:-1], 2, qs.size)
    return np.moveaxis(vals, -1, 0)


def quantile_se(x: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Order-statistic standard error of each quantile: the 95% interval's width / (2 z); shape ``(k, *x.shape[:-1])``.

    Density-free; asymptotically ``sqrt(q (1 - q) / n) / f(xi_q)``.
    """
    b = quantile_bounds(x, qs, 0.95)
    return (b[..., 1] - b[..., 0]) / (2.0 * z_value(0.95))


def _ranks(x: np.ndarray) -> np.ndarray:
    """0-based ranks along the last axis (ties broken by position)."""
    order = np.argsort(x, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(x.shape[-1]), axis=-1)
    return ranks


def paired_quantile_se(xa: np.ndarray, xb: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Standard error of ``Q_a(q) - Q_b(q)`` from paired trials (last axis), and the discordant trials.

    Returns shape ``(k, *xa.shape[:-1], 2)``: ``[..., 0]`` the standard errors, ``[..., 1]`` ``n delta``,
    the number of discordant trials the variance rests on (averaged over the window, so not an integer).

    The Bahadur representation ``Q_hat - xi ~ (q - F_n(xi)) / f(xi)`` of both quantiles gives
    ``n Var = q (1 - q) (1/f_a - 1/f_b)^2 + delta / (f_a f_b)``, with ``delta`` the probability that a
    trial lies below its quantile in one scenario and above it in the other.  With ``se = sqrt(q (1 - q)
    / n) / f`` (:func:`quantile_se`) this is ``(se_a - se_b)^2 + delta se_a se_b / (q (1 - q))``: two
    non-negative terms, no cancellation.

    Under common random numbers ``delta`` is small (often ``n delta`` ~ 1), so counting the discordant
    trials at the single rank of the quantile rests on one or two trials and is often 0, which makes the
    interval collapse.  Here ``delta`` is averaged over every rank of the 95% order-statistic window
    that also gives the densities: a trial of ranks ``r_a``, ``r_b`` is discordant at rank ``j`` when
    ``min(r_a, r_b) <= j < max(r_a, r_b)``, so the count is an interval overlap per trial.
    """
    n = xa.shape[-1]
    sa = quantile_se(xa, qs)
    sb = quantile_se(xb, qs)
    ra, rb = _ranks(xa), _ranks(xb)
    rmin, rmax = np.minimum(ra, rb), np.maximum(ra, rb) - 1
    lo, hi = os_indices(n, qs, 0.95)
    out = np.empty((*sa.shape, 2))
    for i, q in enumerate(qs):
        j0, j1 = max(int(lo[i]), 0), min(int(hi[i]), n - 1)
        overlap = np.minimum(rmax, j1) - np.maximum(rmin, j0) + 1
        delta = np.maximum(overlap, 0).sum(axis=-1) / ((j1 - j0 + 1) * n)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (sa[i] - sb[i]) ** 2 + delta * sa[i] * sb[i] / (q * (1.0 - q))
        out[i, ..., 0] = np.sqrt(var)
        out[i, ..., 1] = n * delta
    return out


def harrell_davis_weights(n: int, qs: np.ndarray) -> np.ndarray:
    """Weights of the Harrell-Davis quantile: ``W[i, j] = I_{(j+1)/n}(a, b) - I_{j/n}(a, b)``, shape ``(k, n)``.

    ``I`` is the regularised incomplete beta function with ``a = q (n + 1)``, ``b = (1 - q) (n + 1)``:
    the Harrell-Davis estimate ``sum_j W[i, j] x_(j)`` is the expectation of the ``q (n + 1)``-th order
    statistic of a sample of ``n`` from the empirical distribution.
    """
    from scipy import special  # imported here: scipy costs time at import

    grid = np.arange(n + 1, dtype=np.float64) / n
    out = np.empty((qs.size, n))
    for i, q in enumerate(qs):
        cdf = special.betainc(float(q) * (n + 1), (1.0 - float(q)) * (n + 1), grid)
        out[i] = np.diff(cdf)
    return out


def harrell_davis(sorted_x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Harrell-Davis quantiles of ``sorted_x`` (sorted along the last axis): shape ``(k, *sorted_x.shape[:-1])``.

    ``weights`` from :func:`harrell_davis_weights` for ``n = sorted_x.shape[-1]``.  The statistic of the
    paired bootstrap: a smooth function of the sample (a weighted mean of every order statistic, the
    weights spread over about ``sqrt(n q (1 - q))`` ranks), for which the bootstrap is consistent.  A
    plain sample quantile is not smooth: a resampled quantile jumps between a few original order
    statistics, and under common random numbers the difference of two such jumps (the gaps between
    neighbouring order statistics of the two scenarios) is as large as the paired error itself, so
    its bootstrap overstates that error by a share that depends on ``q``.
    """
    return np.moveaxis(sorted_x @ weights.T, -1, 0)


# ---- tail means ---------------------------------------------------------------------------
def excess_interval(excess: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Interval ``(lower, upper)`` for a positive mean excess ``e`` with standard error ``se``: normal on ``log e``.

    ``e * exp(-/+ z se / e)``: the delta method on the log scale.  The excess beyond the VaR of a
    skewed tail is estimated too low far more often than too high, and the symmetric
    ``e +/- z se`` missed mostly on its upper side (0.912 at ``n p = 100`` for a log-normal(0, 1)
    upper tail); on the log scale the interval leans the way the errors do (0.929 there, 0.94 at
    ``n p = 500``).  ``e = 0`` gives ``(0, 0)``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(excess > 0, z * se / np.where(excess > 0, excess, 1.0), 0.0)
    return excess * np.exp(-r), excess * np.exp(r)


# ---- interval DataArrays ---------------------------------------------------------------
def ci_like(like: xr.DataArray, lower: Any, upper: Any, *, kind: str, ci: float, **attrs: Any) -> xr.DataArray:
    """An interval DataArray: ``like``'s dims and coords plus a trailing ``ci_bound``."""
    values = np.stack([np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)], axis=-1)
    coords = dict(like.coords)
    coords[CI_DIM] = list(CI_BOUNDS)
    a = {k: v for k, v in like.attrs.items() if k in ("units", "long_name")}
    a.update(attrs)
    a["ci_kind"] = kind
    a["ci_prob"] = ci
    return xr.DataArray(values, dims=(*like.dims, CI_DIM), coords=coords, attrs=a)
