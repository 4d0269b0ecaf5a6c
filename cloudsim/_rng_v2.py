"""Stream version 2: counter-based variates for kernels that run trials in lock-step lanes.

Variate ``j`` of trial ``i`` is a pure function of ``(key, i, j)``::

    tk   = splitmix64(key ^ splitmix64(i))          # the trial's key, as version 1 seeds it
    bits = splitmix64(tk + j * 0x9E3779B97F4A7C15)  # SplitMix64's j-th output from state tk

so every trial reads its ``j``-th variate at the same point of its code as every
other, with no state carried from one variate to the next and no rejection loop:
a block of trials draws variate ``j`` for all its lanes in one loop that LLVM
vectorises.  From the 64 bits:

* a **uniform** in [0, 1) is ``(bits >> 11) * 2**-53`` (as version 1's doubles);
* a **normal** is NumPy's 256-layer ziggurat's first try from the same bits (layer,
  sign, 52-bit magnitude, as ``numpy.random.Generator.standard_normal``), taken in
  every lane by one vectorised loop (the table reads are gathers); the 1.2% of tries
  the ziggurat rejects are finished one lane at a time by its tail and wedge steps,
  whose further bits come from SplitMix64 started at the rejected bits.  The
  distribution is the ziggurat's, i.e. exact.

Also here: :func:`vexp`, an exponential in plain arithmetic for the kernels' lane
loops (within 2 ulp of ``math.exp``), and :class:`CounterStreams`, the same variates
in NumPy for the NumPy reference engine.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._rng import _ZIG_INV_R, _ZIG_R, FI, KI, WI

__all__ = [
    "CounterStreams",
    "bits_at",
    "draw_normals_v2",
    "fill_normals",
    "fill_uniforms",
    "trial_keys",
    "uniform_from_bits",
    "vexp",
    "vlog",
    "zig_fast",
    "zig_slow",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MANT = np.uint64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.uint64(0x3FF0000000000000)
_MAGIC_BITS = np.uint64(0x4330000000000000)  # the bits of 2**52
_RETRY = np.uint64(0xD1B54A32D192ED03)  # the step of a rejected try's further bits

# fdlibm's log: ln 2 split, and the polynomial of log((1 + s) / (1 - s)) in s**2
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG1, _LG2 = 6.666666666666735130e-01, 3.999999999940941908e-01
_LG3, _LG4 = 2.857142874366239149e-01, 2.222219843214978396e-01
_LG5, _LG6, _LG7 = 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01
_SQRT2 = 1.4142135623730951
_INV_LN2 = 1.4426950408889634
_EXP_MAX = 709.782712893384  # above: inf
_EXP_MIN = -708.3964185322641  # below: 0 (no subnormal results)


@numba.njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, inline="always")
def bits_at(tk: np.uint64, j: np.uint64) -> np.uint64:
    """The 64 random bits of variate ``j`` of the trial whose key is ``tk``."""
    return _mix(tk + (j + np.uint64(1)) * _GOLDEN)


@numba.njit(cache=True, inline="always")
def uniform_from_bits(b: np.uint64) -> float:
    """A uniform double in [0, 1) from 64 random bits (the top 53)."""
    return float(b >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True, inline="always")
def vlog(x: float) -> float:
    """``log(x)`` in plain arithmetic (fdlibm's method, < 1 ulp) for ``x`` zero, a normal double, inf or NaN.

    Subnormal ``x`` (below 2.2e-308) are not supported.
    """
    ix = np.float64(x).view(np.uint64)
    # the biased exponent e as a double without an integer conversion: bits of 2**52 + e, minus 2**52
    dk = np.uint64(_MAGIC_BITS | (ix >> np.uint64(52))).view(np.float64) - (4503599627370496.0 + 1023.0)
    m = np.uint64((ix & _MANT) | _ONE_BITS).view(np.float64)  # in [1, 2)
    big = m > _SQRT2
    m = 0.5 * m if big else m
    dk = dk + 1.0 if big else dk
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    r = t2 + t1
    hfsq = 0.5 * f * f
    y = dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f)
    y = y if x < np.inf else x  # inf and NaN pass through
    y = -np.inf if x == 0.0 else y
    return np.nan if x < 0.0 else y


@numba.njit(cache=True, inline="always")
def vexp(x: float) -> float:
    """``exp(x)`` in plain arithmetic: Cody-Waite reduction and a degree-13 Taylor polynomial.

    Within 2 ulp of ``math.exp``; ``inf`` above 709.78, ``0`` below -708.39 (no
    subnormal results), NaN for NaN.
    """
    xc = min(max(x, _EXP_MIN), _EXP_MAX)
    kf = np.floor(xc * _INV_LN2 + 0.5)
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    # 2**k in two halves, so that k = 1024 (x near the top) does not overflow the exponent field
    k = np.int64(kf)
    h = k >> 1
    s1 = np.uint64((h + 1023) << 52).view(np.float64)
    s2 = np.uint64((k - h + 1023) << 52).view(np.float64)
    y = p * s1 * s2
    y = np.inf if x > _EXP_MAX else y
    y = 0.0 if x < _EXP_MIN else y
    return x + y if x != x else y  # NaN in, NaN out


@numba.njit(cache=True, inline="always")
def zig_fast(b: np.uint64, ki: np.ndarray, wi: np.ndarray) -> tuple[float, bool]:
    """The ziggurat's first try from 64 bits, as NumPy's: ``(x, rejected)``; ``x`` is the normal unless rejected.

    Layer ``b & 0xFF``, sign bit 8, 52 bits of magnitude above it; 98.8% of tries are accepted.
    """
    idx = np.int64(b & np.uint64(0xFF))
    r = b >> np.uint64(8)
    rabs = (r >> np.uint64(1)) & _MANT
    # rabs < 2**52 as a double without an integer conversion: the bits of 2**52 + rabs, minus 2**52
    x = (np.uint64(_MAGIC_BITS | rabs).view(np.float64) - 4503599627370496.0) * wi[idx]
    x = -x if (r & np.uint64(1)) == np.uint64(1) else x
    return x, rabs >= ki[idx]


@numba.njit(cache=True)
def zig_slow(b: np.uint64, ki: np.ndarray, wi: np.ndarray, fi: np.ndarray) -> float:
    """The normal whose first ziggurat try ``b`` was rejected: NumPy's tail and wedge steps.

    Their further bits are SplitMix64's outputs from the state ``b`` (with a constant of
    their own), so the draw stays a function of ``(key, trial, j)`` alone.
    """
    c = np.uint64(0)
    while True:
        idx = np.int64(b & np.uint64(0xFF))
        r = b >> np.uint64(8)
        rabs = (r >> np.uint64(1)) & _MANT
        x = float(rabs) * wi[idx]
        x = -x if (r & np.uint64(1)) == np.uint64(1) else x
        if rabs < ki[idx]:
            return x
        if idx == 0:
            while True:
                c += np.uint64(1)
                xx = -_ZIG_INV_R * math.log1p(-uniform_from_bits(_mix(b + c * _RETRY)))
                c += np.uint64(1)
                yy = -math.log1p(-uniform_from_bits(_mix(b + c * _RETRY)))
                if yy + yy > xx * xx:
                    return -(_ZIG_R + xx) if (rabs >> np.uint64(8)) & np.uint64(1) else _ZIG_R + xx
        c += np.uint64(1)
        if (fi[idx - 1] - fi[idx]) * uniform_from_bits(_mix(b + c * _RETRY)) + fi[idx] < vexp(-0.5 * x * x):
            return x
        c += np.uint64(1)
        b = _mix(b + c * _RETRY)


@numba.njit(cache=True, inline="always")
def fill_normals(tk: np.ndarray, j: np.uint64, n: np.int64, out: np.ndarray, rej: np.ndarray) -> None:
    """``out[l]`` = normal ``j`` of the trial keyed ``tk[l]``, for the lanes ``l < n``.

    One vectorised pass takes the ziggurat's first try in every lane and flags the lanes
    it rejects in ``rej`` (uint8 scratch, its length a multiple of 8 and >= ``n``); the
    flags are then read eight at a time, and the few rejected lanes (1.2%) finished one
    by one by :func:`zig_slow`.
    """
    ki, wi = KI, WI
    for lane in range(n):
        x, bad = zig_fast(bits_at(tk[lane], j), ki, wi)
        out[lane] = x
        rej[lane] = bad
    any_rej = np.uint8(0)
    for lane in range(n):
        any_rej |= rej[lane]
    if any_rej:
        _finish_rejected(tk, j, n, out, rej)


@numba.njit(cache=True)
def _finish_rejected(tk: np.ndarray, j: np.uint64, n: np.int64, out: np.ndarray, rej: np.ndarray) -> None:
    """The rejected lanes of :func:`fill_normals`, one by one (a call: kept out of the vectorised loop)."""
    words = rej.view(np.uint64)
    for w in range((n + 7) // 8):
        if words[w] != 0:
            for lane in range(8 * w, min(8 * w + 8, n)):
                if rej[lane]:
                    out[lane] = zig_slow(bits_at(tk[lane], j), KI, WI, FI)


@numba.njit(cache=True, inline="always")
def fill_uniforms(tk: np.ndarray, j: np.uint64, n: np.int64, out: np.ndarray) -> None:
    """``out[l]`` = uniform ``j`` of the trial keyed ``tk[l]``, for the lanes ``l < n``."""
    for lane in range(n):
        out[lane] = uniform_from_bits(bits_at(tk[lane], j))


@numba.njit(cache=True, inline="always")
def _splitmix64(x: np.uint64) -> np.uint64:
    return _mix(x + _GOLDEN)


@numba.njit(cache=True, inline="always")
def trial_keys(key: np.uint64, first: np.int64, n: np.int64, tk: np.ndarray) -> None:
    """``tk[l]`` = the key of trial ``first + l`` for ``l < n``: ``splitmix64(key ^ splitmix64(trial))``."""
    for lane in range(n):
        tk[lane] = _splitmix64(key ^ _splitmix64(np.uint64(first + lane)))


@numba.njit(cache=True, parallel=True)
def draw_normals_v2(key: np.uint64, start: np.int64, out: np.ndarray) -> None:
    """Fill ``out[i, j]`` with normal ``j`` of trial ``start + i`` (testing and benchmark aid)."""
    n, m = out.shape
    lanes = 256
    for b in numba.prange((n + lanes - 1) // lanes):
        i0 = b * lanes
        nl = min(lanes, n - i0)
        tk = np.empty(lanes, np.uint64)
        z = np.empty(lanes)
        rej = np.empty(lanes, np.uint8)
        trial_keys(key, start + i0, nl, tk)
        for j in range(m):
            fill_normals(tk, np.uint64(j), nl, z, rej)
            for lane in range(nl):
                out[i0 + lane, j] = z[lane]


# --------------------------------------------------------------------------
# the same variates in NumPy (reference engine); logarithm by numpy.log
# --------------------------------------------------------------------------
def _np_mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class CounterStreams:
    """Stream version 2 for many trials in NumPy: each call returns the next variate of every trial.

    Parameters
    ----------
    key : int
        The 64-bit stream key (:func:`cloudsim._rng.key_from_seed`).
    trials : numpy.ndarray of int
        Global trial indices.

    Notes
    -----
    Variates are numbered in call order from 0, whether uniform or normal, so the
    same sequence of calls reads the same variates as a lock-step kernel.
    """

    def __init__(self, key: int, trials: np.ndarray) -> None:
        with np.errstate(over="ignore"):
            self.tk = _np_mix((np.uint64(key) ^ _np_mix(trials.astype(np.uint64) + _GOLDEN)) + _GOLDEN)
        self.j = 0

    def bits(self) -> np.ndarray:
        """The next 64 random bits of every trial."""
        with np.errstate(over="ignore"):
            b = _np_mix(self.tk + np.uint64(self.j + 1) * _GOLDEN)
        self.j += 1
        return b

    def uniform(self) -> np.ndarray:
        """One uniform double in [0, 1) per trial."""
        return (self.bits() >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def normal(self) -> np.ndarray:
        """One standard normal per trial: the ziggurat's first try vectorised, rejected tries one by one."""
        b = self.bits()
        idx = (b & np.uint64(0xFF)).astype(np.intp)
        r = b >> np.uint64(8)
        rabs = (r >> np.uint64(1)) & _MANT
        x = rabs.astype(np.float64) * WI[idx]
        x = np.where((r & np.uint64(1)) == 1, -x, x)
        for k in np.flatnonzero(rabs >= KI[idx]):
            x[k] = _py_zig_slow(int(b[k]))
        return x


_U64 = (1 << 64) - 1


def _py_mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
    return z ^ (z >> 31)


def _py_zig_slow(b: int) -> float:
    """:func:`zig_slow` in plain Python integers (the reference's independent copy)."""
    c = 0

    def more() -> int:
        nonlocal c
        c += 1
        return _py_mix((b + c * int(_RETRY)) & _U64)

    while True:
        idx, r = b & 0xFF, b >> 8
        rabs = (r >> 1) & int(_MANT)
        x = float(rabs) * WI[idx]
        x = -x if r & 1 else x
        if rabs < int(KI[idx]):
            return x
        if idx == 0:
            while True:
                xx = -_ZIG_INV_R * math.log1p(-float(more() >> 11) * 2.0**-53)
                yy = -math.log1p(-float(more() >> 11) * 2.0**-53)
                if yy + yy > xx * xx:
                    return -(_ZIG_R + xx) if (rabs >> 8) & 1 else _ZIG_R + xx
        if (FI[idx - 1] - FI[idx]) * (float(more() >> 11) * 2.0**-53) + FI[idx] < math.exp(-0.5 * x * x):
            return x
        b = more()
