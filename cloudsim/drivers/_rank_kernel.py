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

__all__ = ["BLOCK", "SUMS", "neighbour_sums"]

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
        acc = np.zeros((c, 6))
        w = np.zeros((4, c))  # the window a_j .. a_(j+3) of every column; zero past the end
        for d in range(3):
            if lo + d < n:
                r = order[lo + d]
                for k in range(c):
                    w[d, k] = (y[r, k] - mean[k]) * scale[k]
        inner = min(hi, n - 3)  # positions whose four neighbours all exist
        for j in range(lo, inner):
            r3 = order[j + 3]
            for k in range(c):
                a0 = w[0, k]
                a1 = w[1, k]
                a2 = w[2, k]
                a3 = (y[r3, k] - mean[k]) * scale[k]
                sq0 = a0 * a0
                sq1 = a1 * a1
                p = a0 * a1
                acc[k, 0] += p
                acc[k, 1] += p * p
                acc[k, 2] += p * a2 * a3
                acc[k, 3] += a0 * a2 * sq1
                acc[k, 4] += p * (sq0 + sq1)
                acc[k, 5] += sq0 * sq0
                w[0, k] = a1
                w[1, k] = a2
                w[2, k] = a3
        for j in range(max(lo, inner), hi):  # the last three positions of the run
            for k in range(c):
                a0 = w[0, k]
                a1 = w[1, k]
                a2 = w[2, k]
                sq0 = a0 * a0
                acc[k, 5] += sq0 * sq0
                if j + 1 < n:
                    p = a0 * a1
                    acc[k, 0] += p
                    acc[k, 1] += p * p
                    acc[k, 4] += p * (sq0 + a1 * a1)
                if j + 2 < n:
                    acc[k, 3] += a0 * a2 * a1 * a1
                w[0, k] = a1
                w[1, k] = a2
                w[2, k] = 0.0
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
