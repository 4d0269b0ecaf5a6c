"""Mergeable per-column summaries of blocks of trials: a log-bucket quantile sketch and exact sums, in numba.

The sketch is DDSketch (Masson, Rim and Lee, VLDB 2019): a value ``x > 0`` falls in
bucket ``k = ceil(log_gamma(x))`` with ``gamma = (1 + a) / (1 - a)``, so every value of
bucket ``k`` lies in ``(gamma^(k-1), gamma^k]`` and the bucket's representative
``2 gamma^k / (gamma + 1)`` is within relative error ``a`` of each of them.  Negative
values use the buckets of ``|x|``, zeros have their own count.  A bucket is identified
by one int64 *code*, monotone in ``x`` (negative codes for negative values, 0 for zero,
positive codes for positive values), so the ``r``-th smallest value lies in the bucket
where the cumulative count passes ``r``.  Counts are integers: two sketches merge by
adding them, in any order, to the same result.

Exact sums: every double is an integer multiple of ``2^-1074``; its mantissa is added,
in 32-bit limbs, to an array of int64 bins (a "superaccumulator"), so the sum of any set
of values is exact and independent of the order of addition.  Squares are split into
``fl(x*x)`` plus its exact rounding error (Dekker's product), so the sum of squares is
exact too (barring overflow or underflow of ``x*x``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numba
import numpy as np

__all__ = ["NBINS", "ColumnSketch", "ExactSums", "codes", "gamma_of", "sketch_block", "value_of_code"]

#: Code offset of the positive (negative) buckets: codes are ``+-(OFFSET + k)``.
OFFSET = np.int64(1) << np.int64(55)
#: Code of a NaN or infinite value (never stored in the buckets).
NONFINITE = np.int64(np.iinfo(np.int64).max)
#: Bins of the superaccumulator: 32-bit limbs covering 2^-1074 .. 2^1024, plus carry room.
NBINS = 70
_LIMB = np.int64(0xFFFFFFFF)
#: The sketch's internal relative error is this fraction below the requested one, so floating-point
#: rounding of the logarithm and the power never carries a value past the guarantee.
SAFETY = 1.0 - 1e-6


def gamma_of(rel_error: float) -> tuple[float, float]:
    """``(log gamma, 1 / log gamma)`` of the sketch for a relative error ``rel_error``."""
    a = rel_error * SAFETY
    lg = math.log1p(2.0 * a / (1.0 - a))
    return lg, 1.0 / lg


@numba.njit(cache=True, inline="always")
def _code(x: float, inv_lg: float) -> np.int64:
    if not math.isfinite(x):
        return NONFINITE
    if x > 0.0:
        return OFFSET + np.int64(math.ceil(math.log(x) * inv_lg))
    if x < 0.0:
        return -(OFFSET + np.int64(math.ceil(math.log(-x) * inv_lg)))
    return np.int64(0)


@numba.njit(cache=True, parallel=True)
def codes(x: np.ndarray, inv_lg: float, out: np.ndarray, stats: np.ndarray) -> None:
    """Bucket codes of ``x`` (columns x rows: one column per row of the array) into ``out``; per column
    ``stats`` = min/max code of the negative and positive values, zeros, non-finite values (rows 0..5), and
    the bits of the min and max value (6, 7)."""
    m, n = x.shape
    for j in numba.prange(m):
        nlo, nhi, plo, phi = NONFINITE, -NONFINITE, NONFINITE, -NONFINITE
        zeros = 0
        bad = 0
        vmin, vmax = np.inf, -np.inf
        for i in range(n):
            v = x[j, i]
            c = _code(v, inv_lg)
            out[j, i] = c
            if c == NONFINITE:
                bad += 1
                continue
            vmin = min(vmin, v)
            vmax = max(vmax, v)
            if c > 0:
                plo = min(plo, c)
                phi = max(phi, c)
            elif c < 0:
                nlo = min(nlo, c)
                nhi = max(nhi, c)
            else:
                zeros += 1
        stats[0, j] = nlo
        stats[1, j] = nhi
        stats[2, j] = plo
        stats[3, j] = phi
        stats[4, j] = zeros
        stats[5, j] = bad
        _minmax_store(stats, j, vmin, vmax)


@numba.njit(cache=True, inline="always")
def _minmax_store(stats: np.ndarray, j: int, vmin: float, vmax: float) -> None:
    buf = np.empty(2)
    buf[0] = vmin
    buf[1] = vmax
    bits = buf.view(np.int64)
    stats[6, j] = bits[0]
    stats[7, j] = bits[1]


@numba.njit(cache=True, parallel=True)
def _count(codes_: np.ndarray, lo: np.ndarray, offset: np.ndarray, flat: np.ndarray, neg: bool) -> None:
    """Add each column's codes of one sign to its dense segment ``flat[offset[j]:...]`` (index ``code - lo[j]``)."""
    m, n = codes_.shape
    for j in numba.prange(m):
        base = offset[j] - lo[j]
        for i in range(n):
            c = codes_[j, i]
            if c == NONFINITE or c == 0 or (c < 0) != neg:
                continue
            flat[base + c] += 1


@numba.njit(cache=True, inline="always")
def _acc(bins: np.ndarray, j: int, v: float) -> None:
    """Add ``v`` exactly to column ``j`` of the superaccumulator ``bins`` (NBINS x columns)."""
    if v == 0.0:
        return
    frac, e = math.frexp(v)  # v = frac * 2^e, 0.5 <= |frac| < 1
    mant = np.int64(abs(frac) * 9007199254740992.0)  # |frac| * 2^53: an exact integer < 2^53
    t = e - 53 + 1074  # v = +-mant * 2^(t - 1074), t >= 0
    if t < 0:  # a subnormal's mantissa has fewer bits: shift them out exactly
        mant >>= -t
        t = 0
    k = t >> 5
    r = t & 31
    lo = (mant & _LIMB) << r  # < 2^63
    hi = (mant >> 32) << r  # < 2^52
    s = np.int64(1) if v > 0 else np.int64(-1)
    bins[k, j] += s * (lo & _LIMB)
    bins[k + 1, j] += s * ((lo >> 32) + (hi & _LIMB))
    bins[k + 2, j] += s * (hi >> 32)


@numba.njit(cache=True, parallel=True)
def _sums(x: np.ndarray, s1: np.ndarray, s2: np.ndarray, overflow: np.ndarray) -> None:
    """Exact sums of the finite values and of their squares, per column, into ``s1`` and ``s2`` (then carried)."""
    m, n = x.shape
    for j in numba.prange(m):
        for i in range(n):
            v = x[j, i]
            if not math.isfinite(v):
                continue
            _acc(s1, j, v)
            p = v * v
            if not math.isfinite(p):
                overflow[j] = True
                continue
            c = 134217729.0 * v  # Dekker's split: v = vh + vl, each with at most 26 significant bits
            vh = c - (c - v)
            vl = v - vh
            err = ((vh * vh - p) + 2.0 * vh * vl) + vl * vl  # p + err == v*v exactly
            _acc(s2, j, p)
            _acc(s2, j, err)
        _carry(s1, j)
        _carry(s2, j)


@numba.njit(cache=True, inline="always")
def _carry(bins: np.ndarray, j: int) -> None:
    """Normalise column ``j``: every bin but the last in [0, 2^32), the same exact value."""
    for k in range(bins.shape[0] - 1):
        c = bins[k, j] >> 32  # arithmetic shift: floor division by 2^32
        bins[k, j] -= c << 32
        bins[k + 1, j] += c


@numba.njit(cache=True, parallel=True)
def _select(codes_: np.ndarray, x: np.ndarray, targets: np.ndarray, fill: np.ndarray, starts: np.ndarray,
            buf: np.ndarray) -> None:  # fmt: skip
    """Append the values whose code is one of column ``j``'s ``targets[j]`` to its segment of ``buf``."""
    m, n = codes_.shape
    nt = targets.shape[1]
    for j in numba.prange(m):
        for i in range(n):
            c = codes_[j, i]
            for t in range(nt):
                if targets[j, t] == c:
                    slot = j * nt + t
                    buf[starts[slot] + fill[slot]] = x[j, i]
                    fill[slot] += 1
                    break


def _float_of(bits: np.int64) -> float:
    return float(np.array([bits], dtype=np.int64).view(np.float64)[0])


def value_of_code(code: np.ndarray, lg: float) -> np.ndarray:
    """The representative values of buckets: ``+-2 gamma^k / (gamma + 1)``, 0 for the zero bucket."""
    code = np.asarray(code, dtype=np.int64)
    k = (np.abs(code) - OFFSET).astype(np.float64)
    v = 2.0 * np.exp(k * lg) / (np.exp(lg) + 1.0)
    return np.where(code == 0, 0.0, np.where(code > 0, v, -v))


@dataclass
class ColumnSketch:
    """The sketch of one column: dense counts of the negative and positive bucket codes, zeros, extremes.

    ``neg_lo``/``pos_lo`` are the codes of the first count of each store.
    """

    neg_lo: int = 0
    neg: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pos_lo: int = 0
    pos: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    zeros: int = 0
    nonfinite: int = 0
    vmin: float = math.inf
    vmax: float = -math.inf

    @property
    def count(self) -> int:
        """Finite values summarised."""
        return int(self.neg.sum() + self.pos.sum()) + self.zeros

    def merge(self, other: ColumnSketch) -> ColumnSketch:
        """The sketch of both columns' values (counts added; the result is independent of order)."""
        neg_lo, neg = _merge_store(self.neg_lo, self.neg, other.neg_lo, other.neg)
        pos_lo, pos = _merge_store(self.pos_lo, self.pos, other.pos_lo, other.pos)
        return ColumnSketch(neg_lo, neg, pos_lo, pos, self.zeros + other.zeros, self.nonfinite + other.nonfinite,
                            min(self.vmin, other.vmin), max(self.vmax, other.vmax))  # fmt: skip

    def buckets(self) -> tuple[np.ndarray, np.ndarray]:
        """Occupied bucket codes in increasing order and their counts."""
        parts_c, parts_n = [], []
        for lo, counts in ((self.neg_lo, self.neg), (0, np.array([self.zeros], np.int64)), (self.pos_lo, self.pos)):
            nz = np.flatnonzero(counts)
            parts_c.append(nz.astype(np.int64) + lo)
            parts_n.append(counts[nz])
        return np.concatenate(parts_c), np.concatenate(parts_n)

    def rank_codes(self, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For 0-based ranks (each in [0, count)): the code of the bucket holding that order statistic and the
        number of values in lower buckets."""
        c, n = self.buckets()
        cum = np.cumsum(n)
        idx = np.searchsorted(cum, ranks, side="right")
        below = np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0)
        return c[idx], below

    def order_stats(self, ranks: np.ndarray, lg: float) -> np.ndarray:
        """Sketch estimates of the order statistics ``ranks`` (exact at the minimum and the maximum)."""
        codes_, _ = self.rank_codes(ranks)
        out = np.clip(value_of_code(codes_, lg), self.vmin, self.vmax)
        out[ranks == 0] = self.vmin
        out[ranks == self.count - 1] = self.vmax
        return out


def _merge_store(lo_a: int, a: np.ndarray, lo_b: int, b: np.ndarray) -> tuple[int, np.ndarray]:
    if a.size == 0:
        return lo_b, b.copy()
    if b.size == 0:
        return lo_a, a
    lo = min(lo_a, lo_b)
    hi = max(lo_a + a.size, lo_b + b.size)
    if lo == lo_a and hi == lo_a + a.size:
        out = a.copy()  # never modify an input: a sketch may be merged twice
    else:
        out = np.zeros(hi - lo, np.int64)
        out[lo_a - lo : lo_a - lo + a.size] += a
    out[lo_b - lo : lo_b - lo + b.size] += b
    return lo, out


def sketch_block(x: np.ndarray, inv_lg: float) -> tuple[list[ColumnSketch], np.ndarray]:
    """The sketch of every column of a block ``x`` (columns x rows, float64) and the block's bucket codes."""
    m, n = x.shape
    c = np.empty((m, n), np.int64)
    stats = np.empty((8, m), np.int64)
    codes(x, inv_lg, c, stats)
    out = []
    stores = {}
    for neg, (lo_row, hi_row) in ((True, (0, 1)), (False, (2, 3))):
        lo, hi = stats[lo_row], stats[hi_row]
        size = np.where(lo <= hi, hi - lo + 1, 0)
        offset = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
        flat = np.zeros(int(size.sum()), np.int64)
        _count(c, np.where(size > 0, lo, 0), offset, flat, neg)
        stores[neg] = (lo, size, offset, flat)
    for j in range(m):
        nlo, nsz, noff, nflat = (s[j] if k < 3 else s for k, s in enumerate(stores[True]))
        plo, psz, poff, pflat = (s[j] if k < 3 else s for k, s in enumerate(stores[False]))
        out.append(
            ColumnSketch(
                int(nlo) if nsz else 0, nflat[noff : noff + nsz], int(plo) if psz else 0, pflat[poff : poff + psz],
                int(stats[4, j]), int(stats[5, j]), _float_of(stats[6, j]), _float_of(stats[7, j]),
            )
        )  # fmt: skip
    return out, c


@dataclass
class ExactSums:
    """Exact per-column sums of the finite values and of their squares (superaccumulator bins, NBINS x columns)."""

    s1: np.ndarray
    s2: np.ndarray
    overflow: np.ndarray

    @classmethod
    def of_block(cls, x: np.ndarray) -> ExactSums:
        """The sums of every column of ``x`` (columns x rows)."""
        m = x.shape[0]
        s1 = np.zeros((NBINS, m), np.int64)
        s2 = np.zeros((NBINS, m), np.int64)
        overflow = np.zeros(m, np.bool_)
        _sums(x, s1, s2, overflow)
        return cls(s1, s2, overflow)

    def merge(self, other: ExactSums) -> ExactSums:
        out = ExactSums(self.s1 + other.s1, self.s2 + other.s2, self.overflow | other.overflow)
        _carry_all(out.s1)
        _carry_all(out.s2)
        return out

    @staticmethod
    def _value(bins: np.ndarray) -> list[int]:
        """Each column's exact sum as an integer multiple of 2^-1074."""
        return [sum(int(bins[k, j]) << (32 * k) for k in range(bins.shape[0])) for j in range(bins.shape[1])]

    def moments(self, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean (``fsum(x) / n``, bit for bit) and sample sd (``ddof=1``, the exact variance rounded once)."""
        scale = 1 << 1074
        mean = np.full(n.shape, np.nan)
        sd = np.full(n.shape, np.nan)
        for j, (a, b) in enumerate(zip(self._value(self.s1), self._value(self.s2), strict=True)):
            k = int(n[j])
            if k == 0:
                continue
            mean[j] = float(Fraction(a, scale)) / k
            if self.overflow[j]:
                sd[j] = math.inf
            elif k > 1:
                var = Fraction(k * b * scale - a * a, scale * scale * k * (k - 1))
                sd[j] = math.sqrt(float(var))
        return mean, sd


def _carry_all(bins: np.ndarray) -> None:
    for j in range(bins.shape[1]):
        _carry(bins, j)
