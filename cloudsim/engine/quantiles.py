"""Quantiles from sketches: the ranks numpy's ``linear`` quantile and the order-statistic intervals need, and
the exact mode's targets (the buckets that hold those order statistics) and selection."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..risk._intervals import os_indices
from .sketch import NONFINITE, ColumnSketch

__all__ = ["column_bands", "exact_targets", "interpolate", "needed_ranks", "order_stats", "ranks"]

_NO_TARGET = -NONFINITE  # a code no value has


def ranks(n: int, qs: np.ndarray, ci: float) -> tuple[np.ndarray, ...]:
    """Ranks of the numpy ``linear`` quantile (lower, upper, weight) and of the order-statistic interval."""
    virt = qs * (n - 1)
    lo = np.minimum(np.floor(virt).astype(np.int64), n - 1)
    frac = virt - lo
    hi = np.minimum(lo + 1, n - 1)
    ci_lo, ci_hi = os_indices(n, qs, ci)
    return lo, hi, frac, ci_lo, ci_hi


def interpolate(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy.quantile's linear interpolation between the order statistics ``a`` and ``b``, the same formula."""
    d = b - a
    return np.where(t >= 0.5, b - d * (1.0 - t), a + d * t)


def needed_ranks(n: int, qs: np.ndarray, ci: float) -> np.ndarray:
    """The 0-based ranks the bands and their intervals need, within [0, n)."""
    lo, hi, _, ci_lo, ci_hi = ranks(n, qs, ci)
    r = np.concatenate([lo, hi, ci_lo, ci_hi])
    return np.unique(r[(r >= 0) & (r < n)])


def exact_targets(sketches: Sequence[ColumnSketch], qs: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """For every column, the bucket codes holding the wanted order statistics (padded with a code no value
    has), and each (column, target) slot's size: what the second pass of the exact mode keeps."""
    m = len(sketches)
    per = []
    for sk in sketches:
        rk = needed_ranks(sk.count, qs, ci) if sk.count else np.zeros(0, np.int64)
        c, _ = sk.rank_codes(rk) if rk.size else (np.zeros(0, np.int64), None)
        per.append(np.unique(c))
    width = max((p.size for p in per), default=0)
    targets = np.full((m, max(width, 1)), _NO_TARGET, np.int64)
    sizes = np.zeros(targets.size, np.int64)
    for j, (p, sk) in enumerate(zip(per, sketches, strict=True)):
        targets[j, : p.size] = p
        bc, bn = sk.buckets()
        sizes[j * targets.shape[1] : j * targets.shape[1] + p.size] = bn[np.searchsorted(bc, p)]
    return targets, sizes


def order_stats(
    j: int, sk: ColumnSketch, ranks: np.ndarray, lg: float, exact: tuple[np.ndarray, dict[int, np.ndarray]] | None
) -> np.ndarray:
    """Column ``j``'s order statistics at ``ranks`` (-1 -> -inf, n -> +inf): from the sketch, or with ``exact`` =
    ``(targets, kept values per slot)`` the exact ones."""
    n = sk.count
    out = np.empty(ranks.size)
    out[ranks < 0] = -np.inf
    out[ranks >= n] = np.inf
    ok = (ranks >= 0) & (ranks < n)
    if not ok.any():
        return out
    r = ranks[ok]
    if exact is None:
        out[ok] = sk.order_stats(r, lg)
        return out
    targets, kept_values = exact
    c, below = sk.rank_codes(r)
    vals = np.empty(r.size)
    for i, (code, rank, b) in enumerate(zip(c, r, below, strict=True)):
        slot = j * targets.shape[1] + int(np.flatnonzero(targets[j] == code)[0])
        kept = np.sort(kept_values[slot])
        vals[i] = kept[rank - b]
    out[ok] = vals
    return out


def column_bands(
    j: int, sk: ColumnSketch, qs: np.ndarray, ci: float, lg: float,
    exact: tuple[np.ndarray, dict[int, np.ndarray]] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Column ``j``'s bands at ``qs`` and their order-statistic interval (lower, upper); NaN for a column with a
    non-finite value (as ``percentile_bands``)."""
    if sk.nonfinite or sk.count == 0:
        nan = np.full(qs.size, np.nan)
        return nan, nan, nan
    lo, hi, frac, ci_lo, ci_hi = ranks(sk.count, qs, ci)
    stats = order_stats(j, sk, np.concatenate([lo, hi, ci_lo, ci_hi]), lg, exact)
    a, b, lower, upper = np.split(stats, 4)
    return interpolate(a, b, frac), lower, upper
