"""Scrambled Sobol points straight to the kernel's normal scores, in one parallel numba pass per chunk.

A replicate's points are the 64-bit Sobol digital net (Joe-Kuo direction numbers, as
``scipy.stats.qmc.Sobol`` uses), scrambled by a linear matrix scramble (each output bit the
parity of itself and random more-significant bits: Matousek's LMS) and a random digital
shift, both drawn from the replicate's own ``SeedSequence``.  Point ``j`` of a replicate is
``shift ^ XOR(v_k for the bits k of gray(j))``, so any stretch of points is computed without
the ones before it; within a stretch one XOR per dimension steps to the next point (the
Gray-code order).  A point's top 52 bits are the uniform ``(k + 1/2) 2**-52`` (the bit
pattern of a double in [1, 2), minus just under 1); the uniforms are taken through the AS241 inverse normal
(:func:`cloudsim.distributions._special.ndtri_into`, vectorised) and through the sparse orthogonal map from
the sampler's dimensions to the kernel's score columns.  Everything depends only on
``(seed, replicate, point index)``: not on the chunk, the thread count or ``trials``.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

from ..distributions._special import ndtri_into

__all__ = ["BITS", "direction_numbers", "normal_scores", "scramble", "sobol_scores", "sparse_map"]

BITS = 64
#: Direction numbers used: points up to index 2**MAX_LOG2 - 1 per replicate.
MAX_LOG2 = 52


@functools.lru_cache(maxsize=8)
def direction_numbers(dims: int) -> np.ndarray:
    """The unscrambled 64-bit direction numbers ``v[d, k]`` (uint64, shape ``(dims, MAX_LOG2)``).

    Read from ``scipy.stats.qmc.Sobol`` (its Joe-Kuo tables); ``tests/test_samplers.py``
    checks that the unscrambled points built from them equal scipy's own.
    """
    from scipy.stats import qmc

    eng = qmc.Sobol(dims, scramble=False, bits=BITS)
    return np.ascontiguousarray(np.asarray(eng._sv, dtype=np.uint64)[:, :MAX_LOG2])


@numba.njit(cache=True)
def _lms(v: np.ndarray, lower: np.ndarray, out_v: np.ndarray) -> None:
    """``out_v[d, k] = L_d v[d, k]`` over GF(2), ``L_d`` unit lower triangular with rows from ``lower[d]``."""
    dims, nk = v.shape
    for d in range(dims):
        for k in range(nk):
            x = v[d, k]
            y = np.uint64(0)
            for i in range(BITS):  # output bit i, counted from the most significant
                pos = np.uint64(BITS - 1 - i)
                above = ~np.uint64(0) << (pos + np.uint64(1)) if i > 0 else np.uint64(0)
                mask = (lower[d, i] & above) | (np.uint64(1) << pos)
                m = mask & x
                parity = np.uint64(0)
                while m:
                    m &= m - np.uint64(1)
                    parity ^= np.uint64(1)
                y |= parity << pos
            out_v[d, k] = y


def scramble(dims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One replicate's scrambled direction numbers and digital shift (uint64), drawn from ``rng``."""
    v = direction_numbers(dims)
    lower = rng.integers(0, 2**64, size=(dims, BITS), dtype=np.uint64, endpoint=False)
    shift = rng.integers(0, 2**64, size=dims, dtype=np.uint64, endpoint=False)
    out = np.empty_like(v)
    _lms(v, lower, out)
    return out, shift


def sparse_map(smap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``smap`` (sampler dims x kernel columns) by columns: ``indptr``, the sampler dims and their weights."""
    indptr = np.zeros(smap.shape[1] + 1, dtype=np.int64)
    rows, weights = [], []
    for c in range(smap.shape[1]):
        nz = np.flatnonzero(smap[:, c])
        rows.extend(nz.tolist())
        weights.extend(smap[nz, c].tolist())
        indptr[c + 1] = len(rows)
    return indptr, np.asarray(rows, dtype=np.int64), np.asarray(weights, dtype=np.float64)


@numba.njit(cache=True, inline="always")
def _map_row(z: np.ndarray, indptr, rows, weights, out, row: int) -> None:
    """``out[row] = z @ smap`` through the map's nonzeros."""
    for c in range(indptr.size - 1):
        s = 0.0
        for p in range(indptr[c], indptr[c + 1]):
            s += weights[p] * z[rows[p]]
        out[row, c] = s


@numba.njit(cache=True, parallel=True)
def sobol_scores(sv, shift, piece_rep, piece_row, piece_j, piece_len, indptr, rows, weights, u_min, out) -> None:
    """Scores of pieces of consecutive points: piece ``p`` writes rows ``piece_row[p] ..`` from point ``piece_j[p]``.

    ``sv`` (replicates in the chunk, dims, k) and ``shift`` (replicates, dims) are the
    scrambled direction numbers; ``piece_rep`` indexes them.
    """
    dims = shift.shape[1]
    one = np.uint64(0x3FF0000000000000)  # the bits of 1.0: with 52 mantissa bits below, a double in [1, 2)
    half_below = 1.0 - 2.0**-53
    for p in numba.prange(piece_rep.size):
        r, j0 = piece_rep[p], piece_j[p]
        svt = np.ascontiguousarray(sv[r].T)  # (k, dims): one bit's direction numbers side by side
        x = shift[r].copy()
        g = j0 ^ (j0 >> 1)
        k = 0
        while g:
            if g & 1:
                for d in range(dims):
                    x[d] ^= svt[k, d]
            g >>= 1
            k += 1
        z = np.empty(dims)
        bits = np.empty(dims, dtype=np.uint64)
        u = bits.view(np.float64)
        tails = np.empty(dims, dtype=np.int64)
        for i in range(piece_len[p]):
            if i:
                j = j0 + i
                c = 0
                while not (j >> c) & 1:  # the lowest set bit of j: gray(j) = gray(j - 1) ^ 2**c
                    c += 1
                for d in range(dims):
                    x[d] ^= svt[c, d]
            for d in range(dims):  # the top 52 bits as a double in [1, 2), then the cell's midpoint in (0, 1)
                bits[d] = one | (x[d] >> np.uint64(12))
            for d in range(dims):
                u[d] = min(max(u[d] - half_below, u_min), 1.0 - u_min)
            ndtri_into(u, z, tails)
            _map_row(z, indptr, rows, weights, out, piece_row[p] + i)


@numba.njit(cache=True, parallel=True)
def normal_scores(u, indptr, rows, weights, u_min, out) -> None:
    """Scores from uniforms ``u`` (rows x dims) of another sampler: clipped, inverse normal, the sparse map."""
    n, dims = u.shape
    for i in numba.prange(n):
        z = np.empty(dims)
        v = np.empty(dims)
        tails = np.empty(dims, dtype=np.int64)
        for d in range(dims):
            v[d] = min(max(u[i, d], u_min), 1.0 - u_min)
        ndtri_into(v, z, tails)
        _map_row(z, indptr, rows, weights, out, i)
