"""Per-trial random streams: SFC64 keyed by (seed, trial), ziggurat normals.

Every trial owns an independent SFC64 stream whose state is derived from the
64-bit scenario key and the *global* trial index by SplitMix64 hashing.  A
trial's draws therefore depend only on ``(seed, trial)``: never on the thread
count, the block size, ``trials`` or ``start`` (``docs/model.md``, "Randomness contract").

The generator is SFC64 and the normal transform is the 256-layer ziggurat of
``numpy.random.Generator.standard_normal``, with tables computed here in double
precision: a trial stream seeded with :func:`trial_state` reproduces
``numpy.random.Generator(numpy.random.SFC64)`` started from the same state to
within a few ulps, which the tests use as an independent reference.

Two implementations live here and share nothing but the tables:

* numba scalar functions (``next_uint64``, ``next_double``, ``next_normal``)
  used inside the fused simulation kernel, and
* :class:`VectorStreams`, a pure-NumPy implementation vectorised over trials,
  used by the NumPy reference engine.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "STREAM_VERSION",
    "VectorStreams",
    "key_from_seed",
    "next_double",
    "next_normal",
    "next_uint64",
    "seed_trial",
    "trial_state",
]

#: Bumped whenever a change alters the numbers a given (scenario, seed) produces.
STREAM_VERSION = 1

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WARMUP = 12  # SFC64 rounds discarded after seeding, as NumPy does


# --------------------------------------------------------------------------
# ziggurat tables (Marsaglia & Tsang, 256 layers, 52-bit mantissa, as NumPy)
# --------------------------------------------------------------------------
def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = 2.0**52
    dn = 3.6541528853610088
    tn = dn
    # area of each layer: r f(r) + the tail integral of f(x) = exp(-x^2 / 2)
    vn = dn * math.exp(-0.5 * dn * dn) + math.sqrt(0.5 * math.pi) * math.erfc(dn / math.sqrt(2.0))
    ki = np.zeros(256, dtype=np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    q = vn / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64(int((dn / q) * m))
    ki[1] = 0
    wi[0] = q / m
    wi[255] = dn / m
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(vn / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64(int((dn / tn) * m))
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / m
    return ki, wi, fi


KI, WI, FI = _ziggurat_tables()
_ZIG_R = 3.6541528853610088
_ZIG_INV_R = 1.0 / _ZIG_R
_M52 = np.uint64(0x000FFFFFFFFFFFFF)


# --------------------------------------------------------------------------
# seeding
# --------------------------------------------------------------------------
def key_from_seed(seed: int | np.random.SeedSequence | None) -> tuple[int, str]:
    """Return ``(key, recorded)`` for a seed.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or None
        ``None`` draws fresh entropy from the operating system.  Integers must be
        non-negative.

    Returns
    -------
    key : int
        The 64-bit stream key used by every trial.
    recorded : str
        The seed as recorded in ``ds.attrs["seed"]``: the entropy as a decimal
        integer, which reproduces the run when passed back as ``seed``; or, for a
        SeedSequence with a spawn key or list entropy, its ``repr``.
    """
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer, np.random.SeedSequence))):
        raise TypeError(f"seed: expected an int >= 0, a numpy.random.SeedSequence or None, got {type(seed).__name__}")
    if isinstance(seed, (int, np.integer)) and int(seed) < 0:
        raise ValueError(f"seed: must be >= 0, got {seed}")
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    words = ss.generate_state(2, np.uint64)
    key = int(words[0] ^ (words[1] << np.uint64(1)))
    if isinstance(ss.entropy, (int, np.integer)) and not ss.spawn_key:
        recorded = str(int(ss.entropy))
    else:
        recorded = f"SeedSequence(entropy={ss.entropy!r}, spawn_key={tuple(ss.spawn_key)!r})"
    return key, recorded


@numba.njit(cache=True, inline="always")
def _splitmix64(x: np.uint64) -> np.uint64:
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@numba.njit(cache=True, inline="always")
def next_uint64(s: np.ndarray) -> np.uint64:
    """One SFC64 step on the 4-word state ``s`` (a, b, c, counter)."""
    tmp = s[0] + s[1] + s[3]
    s[3] += np.uint64(1)
    s[0] = s[1] ^ (s[1] >> np.uint64(11))
    s[1] = s[2] + (s[2] << np.uint64(3))
    s[2] = _rotl(s[2], 24) + tmp
    return tmp


@numba.njit(cache=True, inline="always")
def next_double(s: np.ndarray) -> float:
    """A uniform double in [0, 1) with 53 random bits."""
    return float(next_uint64(s) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def seed_trial(s: np.ndarray, key: np.uint64, trial: np.int64) -> None:
    """Seed ``s`` in place with trial ``trial``'s stream for ``key``."""
    h = _splitmix64(key ^ _splitmix64(np.uint64(trial)))
    s[0] = _splitmix64(h)
    s[1] = _splitmix64(h + np.uint64(0x9E3779B97F4A7C15))
    s[2] = _splitmix64(h + np.uint64(0x3C6EF372FE94F82A))
    s[3] = np.uint64(1)
    for _ in range(12):
        next_uint64(s)


@numba.njit(cache=True, inline="always")
def next_normal(s: np.ndarray, ki: np.ndarray, wi: np.ndarray, fi: np.ndarray) -> float:
    """A standard normal by NumPy's 256-layer ziggurat."""
    while True:
        r = next_uint64(s)
        idx = np.int64(r & np.uint64(0xFF))
        r >>= np.uint64(8)
        sign = r & np.uint64(1)
        rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = float(rabs) * wi[idx]
        if sign == 1:
            x = -x
        if rabs < ki[idx]:
            return x
        if idx == 0:
            while True:
                xx = -_ZIG_INV_R * math.log1p(-next_double(s))
                yy = -math.log1p(-next_double(s))
                if yy + yy > xx * xx:
                    if (rabs >> np.uint64(8)) & np.uint64(1):
                        return -(_ZIG_R + xx)
                    return _ZIG_R + xx
        elif (fi[idx - 1] - fi[idx]) * next_double(s) + fi[idx] < math.exp(-0.5 * x * x):
            return x


def trial_state(key: int, trial: int) -> np.ndarray:
    """The seeded SFC64 state ``[a, b, c, counter]`` of one trial (a copy)."""
    s = np.empty(4, dtype=np.uint64)
    seed_trial(s, np.uint64(key), np.int64(trial))
    return s


@numba.njit(cache=True, parallel=True)
def draw_normals(key: np.uint64, start: np.int64, out: np.ndarray) -> None:
    """Fill ``out[i, :]`` with trial ``start + i``'s first normals (testing aid)."""
    ki, wi, fi = KI, WI, FI
    for i in numba.prange(out.shape[0]):
        s = np.empty(4, dtype=np.uint64)
        seed_trial(s, key, start + i)
        for j in range(out.shape[1]):
            out[i, j] = next_normal(s, ki, wi, fi)


# --------------------------------------------------------------------------
# pure-NumPy streams, vectorised over trials (reference engine)
# --------------------------------------------------------------------------
def _np_splitmix64(x: np.ndarray) -> np.ndarray:
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class VectorStreams:
    """The per-trial SFC64 streams of many trials, advanced together in NumPy.

    Parameters
    ----------
    key : int
        The 64-bit stream key (:func:`key_from_seed`).
    trials : numpy.ndarray of int
        Global trial indices.
    """

    def __init__(self, key: int, trials: np.ndarray) -> None:
        with np.errstate(over="ignore"):
            h = _np_splitmix64(np.uint64(key) ^ _np_splitmix64(trials.astype(np.uint64)))
            self.a = _np_splitmix64(h)
            self.b = _np_splitmix64(h + _GOLDEN)
            self.c = _np_splitmix64(h + np.uint64(0x3C6EF372FE94F82A))
        self.n = np.ones_like(self.a)
        for _ in range(_WARMUP):
            self.uint64()

    def uint64(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Advance the streams (all, or those at ``idx``) one SFC64 step."""
        sl = slice(None) if idx is None else idx
        a, b, c, n = self.a[sl], self.b[sl], self.c[sl], self.n[sl]
        tmp = a + b + n
        self.n[sl] = n + np.uint64(1)
        self.a[sl] = b ^ (b >> np.uint64(11))
        self.b[sl] = c + (c << np.uint64(3))
        self.c[sl] = ((c << np.uint64(24)) | (c >> np.uint64(40))) + tmp
        return tmp

    def uniform(self, idx: np.ndarray | None = None) -> np.ndarray:
        """One uniform double in [0, 1) per stream."""
        return (self.uint64(idx) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def normal(self) -> np.ndarray:
        """One standard normal per stream (NumPy's ziggurat, vectorised)."""
        out = np.empty(self.a.shape[0])
        pending = np.arange(self.a.shape[0])
        while pending.size:
            r = self.uint64(pending)
            idx = (r & np.uint64(0xFF)).astype(np.intp)
            r = r >> np.uint64(8)
            neg = (r & np.uint64(1)).astype(bool)
            rabs = (r >> np.uint64(1)) & _M52
            x = rabs.astype(np.float64) * WI[idx]
            x[neg] = -x[neg]
            ok = rabs < KI[idx]
            out[pending[ok]] = x[ok]
            rej = ~ok
            # tail (layer 0): exponential rejection sampling, looped per stream
            tail = rej & (idx == 0)
            for j in np.flatnonzero(tail):
                t = pending[j : j + 1]
                while True:
                    xx = -_ZIG_INV_R * np.log1p(-self.uniform(t))[0]
                    yy = -np.log1p(-self.uniform(t))[0]
                    if yy + yy > xx * xx:
                        v = _ZIG_R + xx
                        out[t[0]] = -v if (int(rabs[j]) >> 8) & 1 else v
                        break
            wedge = np.flatnonzero(rej & (idx != 0))
            if wedge.size:
                t = pending[wedge]
                iw = idx[wedge]
                u = self.uniform(t)
                acc = (FI[iw - 1] - FI[iw]) * u + FI[iw] < np.exp(-0.5 * x[wedge] ** 2)
                out[t[acc]] = x[wedge][acc]
                pending = t[~acc]
            else:
                pending = pending[:0]
        return out
