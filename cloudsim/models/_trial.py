"""Shared per-trial numba helpers every model kernel inlines: input values from normal scores, the copula.

A model's kernel is a module-level ``@njit(cache=True, parallel=True)`` function of
its own (numba caches only module-level functions); these helpers are
``inline="always"`` so that each kernel compiles them into its own loop.  The
variate order they consume is part of the stream contract (``docs/architecture.md``):
``n`` normals for the inputs, then, for the Student-t copula only, ``df`` normals
whose squares make its chi-square.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._rng import FI, KI, WI, next_double, next_normal
from ..distributions import (
    CODE_EMPIRICAL,
    CODE_FIXED,
    CODE_LOGITNORMAL,
    CODE_LOGNORMAL,
    CODE_LOGUNIFORM,
    CODE_NORMAL,
    CODE_TRIANGULAR,
    CODE_UNIFORM,
    _triangular_pq,
    betainc,
    from_z,
    ndtr,
    ndtri,
)
from ._spline import not_a_knot

__all__ = [
    "CLOSED_FORM",
    "ZGRID",
    "correlate_inputs",
    "draw_inputs",
    "draw_inputs_two",
    "draw_normals_chi2",
    "draw_normals_chi2_call",
    "input_at",
    "input_from_z",
    "input_from_z_call",
    "inputs_from_scores",
    "inputs_from_scores_call",
    "normal_call",
    "reference_inputs",
    "sparse_rows",
    "t_to_normal",
    "uniform_call",
    "z_table",
]

#: Families whose value at a normal draw z is cheap in closed form; Empirical is
#: interpolated exactly from its sorted values; the others are read from a cubic spline in z.
CLOSED_FORM = (
    CODE_NORMAL,
    CODE_LOGNORMAL,
    CODE_LOGITNORMAL,
    CODE_FIXED,
    CODE_TRIANGULAR,
    CODE_UNIFORM,
    CODE_LOGUNIFORM,
)
#: Grid of the spline tables: z in [-ZMAX, ZMAX] in ZN intervals.
ZMAX = 8.5
ZN = 4096
ZGRID = np.linspace(-ZMAX, ZMAX, ZN + 1)


def z_table(dist) -> np.ndarray:
    """Cubic-spline coefficients of ``z -> dist.from_z(z)`` on :data:`ZGRID`.

    Families without a closed form (PERT, ...) would need an incomplete-beta
    inversion per draw; the kernel reads them from this table instead (relative
    error below 1e-10 over the grid, see tests), so every family costs about the
    same per trial.  Closed-form families get an all-zero table.

    Returns
    -------
    numpy.ndarray
        Shape ``(ZN, 4)``: per interval, ``c0 + c1*d + c2*d**2 + c3*d**3`` with
        ``d = z - ZGRID[k]``.
    """
    out = np.zeros((ZN, 4))
    if dist.code in CLOSED_FORM:
        return out
    if dist.code == CODE_EMPIRICAL:
        # the sorted values themselves (or, past 4 * ZN values, that many of their quantiles)
        values = np.sort(np.asarray(dist.to_dict()["values"], dtype=np.float64))
        if values.size > 4 * ZN:
            raise ValueError(
                f"Empirical: an engine input holds at most {4 * ZN:,} values, got {values.size:,}; "
                f"thin it first, e.g. Empirical(numpy.quantile(values, numpy.linspace(0, 1, {4 * ZN})))"
            )
        out.reshape(-1)[: values.size] = values
        return out
    out[:] = not_a_knot(ZGRID, dist.from_z(ZGRID))
    return out


@numba.njit(cache=True, inline="always")
def input_from_z(code: np.int64, par: np.ndarray, table: np.ndarray, z: float) -> float:
    """A per-trial input's value at the normal draw ``z``: closed form or spline table.

    Outside the table's grid (``|z| > ZMAX``, probability 2e-17) the table's end
    value is used.
    """
    if (
        code == CODE_NORMAL
        or code == CODE_LOGNORMAL
        or code == CODE_LOGITNORMAL
        or code == CODE_FIXED
        or code == CODE_TRIANGULAR
        or code == CODE_UNIFORM
        or code == CODE_LOGUNIFORM
    ):
        return from_z(code, par, z)
    if code == CODE_EMPIRICAL:
        n = np.int64(par[2])
        if n == 1:
            return table[0, 0]
        p = ndtr(z)
        pos = (n - 1) * p if p <= 0.5 else (n - 1) - (n - 1) * ndtr(-z)
        k = min(np.int64(pos), n - 2)
        f = pos - k
        a = table[k // 4, k % 4]
        b = table[(k + 1) // 4, (k + 1) % 4]
        return a + f * (b - a)
    zc = min(max(z, -ZMAX), ZMAX)
    pos = (zc + ZMAX) * (ZN / (2.0 * ZMAX))
    k = min(np.int64(pos), ZN - 1)
    d = zc - (-ZMAX + k * (2.0 * ZMAX / ZN))
    return table[k, 0] + d * (table[k, 1] + d * (table[k, 2] + d * table[k, 3]))


@numba.njit(cache=True, inline="always")
def input_at(code: np.int64, par: np.ndarray, table: np.ndarray, k: np.int64, z: float) -> float:
    """:func:`input_from_z` of input ``k`` (row ``k`` of ``par`` and ``table``), the commonest families read in place.

    The same numbers as ``input_from_z(code, par[k], table[k], z)``; a row view of an array costs a
    reference count taken and dropped, per input and per trial, which was most of the cost of the
    inputs in a small model's kernel, so normal, log-normal, logit-normal, fixed and triangular
    inputs read their parameters as ``par[k, j]``.
    """
    if code == CODE_NORMAL:
        return par[k, 0] + par[k, 1] * z
    if code == CODE_LOGNORMAL:
        return par[k, 2] + math.exp(par[k, 0] + par[k, 1] * z)
    if code == CODE_LOGITNORMAL:
        return 1.0 / (1.0 + math.exp(-(par[k, 0] + par[k, 1] * z)))
    if code == CODE_FIXED:
        return par[k, 0]
    if code == CODE_TRIANGULAR and not math.isnan(z):
        return _triangular_pq(par[k, 0], par[k, 1], par[k, 2], ndtr(z), ndtr(-z))
    return input_from_z(code, par[k], table[k], z)


@numba.njit(cache=True)
def t_to_normal(t: float, df: np.int64) -> float:
    """The standard-normal quantile of Student-t's cdf at ``t``: ``ndtri(T_df(t))``.

    Computed from the tail probability on each side, so both tails keep full precision.
    """
    tail = 0.5 * betainc(0.5 * df, 0.5, df / (df + t * t))
    return -ndtri(tail) if t > 0 else ndtri(tail)


def sparse_rows(chol: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A lower-triangular factor's non-zero entries, row by row: ``(values, cols, row_start)``.

    Row ``k``'s entries are ``values[row_start[k]:row_start[k + 1]]`` at columns
    ``cols[...]``, in increasing column order.  Leaving out the zero terms changes
    no sum (adding ``0.0 * z`` to a non-zero sum leaves it unchanged), so the
    sparse product is the dense one, bit for bit.
    """
    n = chol.shape[0]
    rows = [np.flatnonzero(chol[k, : k + 1]) for k in range(n)]
    # unsigned indices: the kernel then needs no negative-index wraparound per term
    cols = np.concatenate([np.zeros(0, dtype=np.int64), *rows]).astype(np.uint64)
    values = np.concatenate([np.zeros(0), *(chol[k, r] for k, r in enumerate(rows))]).astype(np.float64)
    row_start = np.zeros(n + 1, dtype=np.uint64)
    row_start[1:] = np.cumsum([r.size for r in rows])
    return values, cols, row_start


@numba.njit(cache=True, inline="always")
def correlate_inputs(z, scale, n, values, cols, row_start, student, df, in_code, in_par, in_tab, x) -> None:
    """The inputs ``x[:n]`` from the independent normals ``z[:n]`` (and the Student-t ``scale``).

    Row ``k`` of the copula's factor (the row-by-row sparse form of :func:`sparse_rows`)
    sums its non-zero terms in increasing column order: the same sum as the dense one.
    """
    for k in range(n):
        acc = 0.0
        for m in range(row_start[k], row_start[k + 1]):
            acc += values[m] * z[cols[m]]
        if student:
            acc = t_to_normal(acc * scale, df)
        x[k] = input_at(in_code[k], in_par, in_tab, k, acc)


@numba.njit(cache=True, inline="always")
def draw_normals_chi2(s, ki, wi, fi, n, student, df, z) -> float:
    """``n`` normals into ``z[:n]``, then (Student-t copula only) ``df`` more: returns the scale ``1/sqrt(chi2/df)``."""
    for k in range(n):
        z[k] = next_normal(s, ki, wi, fi)
    scale = 1.0
    if student:  # multivariate t: divide by sqrt(chi2_df / df), then back to normal scores
        chi2 = 0.0
        for _ in range(df):
            g = next_normal(s, ki, wi, fi)
            chi2 += g * g
        scale = 1.0 / math.sqrt(chi2 / df)
    return scale


@numba.njit(cache=True, inline="always")
def draw_inputs(s, ki, wi, fi, n, values, cols, row_start, student, df, in_code, in_par, in_tab, z, x) -> None:
    """Draw the trial's ``n`` per-trial inputs into ``x[:n]`` (``z`` is scratch of length ``n``).

    ``n`` standard normals, correlated by the lower Cholesky factor of the copula
    (:func:`correlate_inputs`); for the Student-t copula (``student``) divided by
    ``sqrt(chi2_df / df)`` and mapped back to normal scores; then each input's value at its score.
    """
    scale = draw_normals_chi2(s, ki, wi, fi, n, student, df, z)
    correlate_inputs(z, scale, n, values, cols, row_start, student, df, in_code, in_par, in_tab, x)


@numba.njit(cache=True)
def draw_normals_chi2_call(s, ki, wi, fi, n, student, df, z) -> float:
    """:func:`draw_normals_chi2` compiled once as a call (the pick-freeze path: no inlined copies to compile)."""
    return draw_normals_chi2(s, ki, wi, fi, n, student, df, z)


@numba.njit(cache=True)
def normal_call(s) -> float:
    """One standard normal from ``s`` as a compiled call: the second stream's draws in a kernel."""
    return next_normal(s, KI, WI, FI)


@numba.njit(cache=True)
def uniform_call(s) -> float:
    """One uniform double from ``s`` as a compiled call."""
    return next_double(s)


@numba.njit(cache=True)
def draw_inputs_two(
    s, s2, ki, wi, fi, n, values, cols, row_start, student, df, in_code, in_par, in_tab, alt, alt_chi2, z, z2, x
) -> None:
    """:func:`draw_inputs` with some independent normals from a second stream ``s2`` (pick-freeze).

    Both streams are advanced exactly as :func:`draw_inputs` advances one (``n`` normals,
    then the Student-t chi-square's ``df``); input ``k``'s independent normal is taken from
    ``s2`` where ``alt[k]``, and the chi-square where ``alt_chi2``.  With every flag set the
    inputs are those :func:`draw_inputs` draws from ``s2`` alone, bit for bit.  The copula is
    applied after the swap, so the swapped inputs keep their dependence on the others.
    """
    scale = draw_normals_chi2_call(s, ki, wi, fi, n, student, df, z)
    scale2 = draw_normals_chi2_call(s2, ki, wi, fi, n, student, df, z2)
    for k in range(n):
        if alt[k]:
            z[k] = z2[k]
    if alt_chi2:
        scale = scale2
    correlate_inputs(z, scale, n, values, cols, row_start, student, df, in_code, in_par, in_tab, x)


@numba.njit(cache=True, inline="always")
def inputs_from_scores(zs, n, values, cols, row_start, in_code, in_par, in_tab, x) -> None:
    """The trial's ``n`` per-trial inputs into ``x[:n]`` from supplied independent normal scores ``zs[:n]``.

    The Gaussian copula's factor correlates them exactly as :func:`draw_inputs` does
    (the samplers of ``cloudsim.engine.samplers`` supply the scores; they refuse the Student-t copula).
    """
    for k in range(n):
        acc = 0.0
        for m in range(row_start[k], row_start[k + 1]):
            acc += values[m] * zs[cols[m]]
        x[k] = input_at(in_code[k], in_par, in_tab, k, acc)


@numba.njit(cache=True)
def input_from_z_call(code: np.int64, par: np.ndarray, table: np.ndarray, z: float) -> float:
    """:func:`input_from_z` compiled once as a call, for a branch a trial rarely takes (no inlined copy)."""
    return input_from_z(code, par, table, z)


@numba.njit(cache=True)
def inputs_from_scores_call(zs, n, values, cols, row_start, in_code, in_par, in_tab, x) -> None:
    """:func:`inputs_from_scores` compiled once as a call: the samplers' path, kept out of the kernel's inlined code."""
    inputs_from_scores(zs, n, values, cols, row_start, in_code, in_par, in_tab, x)


def reference_inputs(st, pk, n: int) -> np.ndarray:
    """NumPy reference of :func:`draw_inputs` for ``n`` trials of ``st`` (a :class:`cloudsim._rng.VectorStreams`).

    ``pk`` is a model's packed scenario with ``scalars.n_drawn``, ``scalars.student``,
    ``scalars.df``, ``fixed``, ``chol`` and ``dists``; returns the trial x slot value matrix.
    """
    p = pk.scalars
    x = np.tile(pk.fixed, (n, 1))
    if p.n_drawn == 0:
        return x
    z = np.stack([st.normal() for _ in range(p.n_drawn)], axis=1)
    zc = z @ pk.chol.T
    if p.student:
        import scipy.special
        import scipy.stats

        chi2 = np.sum(np.stack([st.normal() for _ in range(p.df)]) ** 2, axis=0)
        tv = zc / np.sqrt(chi2 / p.df)[:, None]
        tail = scipy.stats.t.sf(np.abs(tv), p.df)
        zc = np.where(tv > 0, -scipy.special.ndtri(tail), scipy.special.ndtri(tail))
    for k, dist in enumerate(pk.dists):
        x[:, k] = dist.from_z(zc[:, k])
    return x
