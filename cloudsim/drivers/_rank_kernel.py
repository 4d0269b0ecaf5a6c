"""The neighbour sums of the rank estimator and of its standard error, in one parallel numba pass.

For outputs ``y`` (``(N, C)``, a row per trial) standardised per column (``a = (y - mean) * scale``)
and the trials in the order of one input, each column gets the sums over ``j`` of the products
of neighbours ``a_j a_(j+1)``, ``(a_j a_(j+1))^2``, ``a_j a_(j+1) a_(j+2) a_(j+3)``,
``a_j a_(j+2) a_(j+1)^2``, ``a_j a_(j+1) (a_j^2 + a_(j+1)^2)`` and ``a_j^4``.

The trials are cut into blocks of :data:`BLOCK` positions (a fixed size: the sums do not depend
on the number of threads); blocks run in parallel, each reading up to three positions past its
end, and their partial sums are added in block order.  A row of ``y`` holds every column of a
trial, so one trial is one read from memory however many columns there are.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["BLOCK", "SUMS", "column_moments", "neighbour_sums"]

#: Positions per block of the parallel pass.
BLOCK = 1 << 15
#: The sums, in the order of the last axis of :func:`neighbour_sums`' result.
SUMS = ("pair", "pair2", "quad", "skip_sq", "pair_cube", "fourth")


def _block_sums(order: np.ndarray, y: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    n, c = y.shape
    nb = (n + BLOCK - 1) // BLOCK
    part = np.zeros((nb, c, 6))
    for b in numba.prange(nb):
        lo = b * BLOCK
        hi = min(lo + BLOCK, n)
        end = min(hi + 3, n)  # a block reads up to three positions past its end
        # gather the block's rows first: independent reads, which the memory system overlaps
        a = np.empty((end - lo, c))
        for j in range(lo, end):
            r = order[j]
            for k in range(c):
                a[j - lo, k] = (y[r, k] - mean[k]) * scale[k]
        acc = np.zeros((c, 6))
        for i in range(hi - lo):
            j = lo + i
            for k in range(c):
                a0 = a[i, k]
                sq0 = a0 * a0
                acc[k, 5] += sq0 * sq0
                if j + 1 < n:
                    a1 = a[i + 1, k]
                    sq1 = a1 * a1
                    p = a0 * a1
                    acc[k, 0] += p
                    acc[k, 1] += p * p
                    acc[k, 4] += p * (sq0 + sq1)
                    if j + 2 < n:
                        a2 = a[i + 2, k]
                        acc[k, 3] += a0 * a2 * sq1
                        if j + 3 < n:
                            acc[k, 2] += p * a2 * a[i + 3, k]
        part[b] = acc
    return part


#: One block runs serially (a parallel region costs more than 2,000 trials), several in parallel.
_serial = numba.njit(cache=True)(_block_sums)
_parallel = numba.njit(cache=True, parallel=True)(_block_sums)


def neighbour_sums(order: np.ndarray, y: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``(C, 6)`` sums (:data:`SUMS`) of the standardised columns of ``y`` in the trial order ``order``.

    ``order`` is a permutation of ``range(N)`` (``N >= 4``), ``y`` an ``(N, C)`` float64 array,
    ``mean`` and ``scale`` ``(C,)``.
    """
    kernel = _parallel if y.shape[0] > BLOCK else _serial
    part = kernel(
        np.ascontiguousarray(order, dtype=np.int64),
        np.ascontiguousarray(y, dtype=np.float64),
        np.ascontiguousarray(mean, dtype=np.float64),
        np.ascontiguousarray(scale, dtype=np.float64),
    )
    out = np.zeros(part.shape[1:])
    for b in range(part.shape[0]):  # in block order: the same sums for any number of threads
        out += part[b]
    return out


def _block_centred(y: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Per block of :data:`BLOCK` rows: the sums of ``y - shift`` and of its square, for each column."""
    n, c = y.shape
    nb = (n + BLOCK - 1) // BLOCK
    part = np.zeros((nb, 2, c))
    for b in numba.prange(nb):
        for j in range(b * BLOCK, min(b * BLOCK + BLOCK, n)):
            for k in range(c):
                d = y[j, k] - shift[k]
                part[b, 0, k] += d
                part[b, 1, k] += d * d
    return part


_centred_serial = numba.njit(cache=True)(_block_centred)
_centred_parallel = numba.njit(cache=True, parallel=True)(_block_centred)


def column_moments(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance (``ddof=0``) of each column of ``y`` (``(N, m)``, float64), from that column alone.

    Two passes (the second centred on the first's mean), blocks added in block order: a column's
    moments do not depend on the columns beside it nor on the number of threads.
    """
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = y.shape[0]
    kernel = _centred_parallel if n > BLOCK else _centred_serial
    sums = np.zeros((2, y.shape[1]))
    for part in kernel(y, np.zeros(y.shape[1])):
        sums += part
    mean = sums[0] / n
    centred = np.zeros((2, y.shape[1]))
    for part in kernel(y, mean):
        centred += part
    # the centred sum corrects the mean's rounding (the corrected two-pass algorithm)
    return mean + centred[0] / n, np.maximum(centred[1] / n - (centred[0] / n) ** 2, 0.0)
