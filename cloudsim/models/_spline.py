"""Not-a-knot cubic spline coefficients without :mod:`scipy.interpolate` (which takes 0.2-0.6 s to import).

:func:`not_a_knot` follows ``scipy.interpolate.CubicSpline(x, y, bc_type="not-a-knot")``
operation for operation: the same tridiagonal system for the slopes, solved by the
elimination with row interchanges of LAPACK's ``dgtsv`` (which SciPy calls), then the
same Hermite coefficients.  Python floats and NumPy's element-wise arithmetic are
IEEE double operations, so the coefficients equal SciPy's bit for bit (the tests
compare them) and do not depend on the machine's LAPACK.
"""

from __future__ import annotations

import numpy as np

__all__ = ["not_a_knot"]


def _gtsv(dl: list[float], d: list[float], du: list[float], b: list[float]) -> list[float]:
    """Solve the tridiagonal system (sub-, main and super-diagonal ``dl``, ``d``, ``du``) for one right-hand side.

    LAPACK's ``dgtsv`` (Gaussian elimination with partial pivoting), step for step; the
    lists are overwritten.
    """
    n = len(d)
    for i in range(n - 1):
        if abs(d[i]) >= abs(dl[i]):
            if d[i] == 0.0:
                raise ValueError("spline: singular system (repeated knots?)")
            fact = dl[i] / d[i]
            d[i + 1] = d[i + 1] - fact * du[i]
            b[i + 1] = b[i + 1] - fact * b[i]
            dl[i] = 0.0
        else:
            fact = d[i] / dl[i]
            d[i] = dl[i]
            temp = d[i + 1]
            d[i + 1] = du[i] - fact * temp
            if i < n - 2:  # dl[i] then holds the second super-diagonal the interchange fills in
                dl[i] = du[i + 1]
                du[i + 1] = -fact * dl[i]
            du[i] = temp
            temp = b[i]
            b[i] = b[i + 1]
            b[i + 1] = temp - fact * b[i + 1]
    if d[n - 1] == 0.0:
        raise ValueError("spline: singular system (repeated knots?)")
    b[n - 1] = b[n - 1] / d[n - 1]
    if n > 1:
        b[n - 2] = (b[n - 2] - du[n - 2] * b[n - 1]) / d[n - 2]
    for i in range(n - 3, -1, -1):
        b[i] = (b[i] - du[i] * b[i + 1] - dl[i] * b[i + 2]) / d[i]
    return b


def not_a_knot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Coefficients of the not-a-knot cubic spline through ``(x, y)``.

    Parameters
    ----------
    x : numpy.ndarray
        Strictly increasing knots, at least 4 of them.
    y : numpy.ndarray
        Finite values at the knots (1-d, the length of ``x``).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(x) - 1, 4)``: per interval ``k``, ``c0 + c1*d + c2*d**2 + c3*d**3``
        with ``d = t - x[k]`` (``CubicSpline(x, y).c[::-1].T``).

    Raises
    ------
    ValueError
        For fewer than 4 knots, knots not strictly increasing, or values not finite.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.shape[0]
    if x.ndim != 1 or y.shape != x.shape or n < 4:
        raise ValueError(f"spline: x and y must be 1-d, of the same length >= 4, got shapes {x.shape}, {y.shape}")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise ValueError("spline: x and y must be finite")
    dx = np.diff(x)
    if np.any(dx <= 0):
        raise ValueError("spline: x must be strictly increasing")
    slope = np.diff(y) / dx
    # the banded system of CubicSpline: diagonal, upper and lower diagonals, right-hand side
    diag = np.zeros(n)
    upper = np.zeros(n)  # upper[j] is entry (j - 1, j)
    lower = np.zeros(n)  # lower[j] is entry (j + 1, j)
    b = np.empty(n)
    diag[1:-1] = 2 * (dx[:-1] + dx[1:])
    upper[2:] = dx[:-1]
    lower[:-2] = dx[1:]
    b[1:-1] = 3 * (dx[1:] * slope[:-1] + dx[:-1] * slope[1:])
    diag[0] = dx[1]
    upper[1] = x[2] - x[0]
    d = x[2] - x[0]
    b[0] = ((dx[0] + 2 * d) * dx[1] * slope[0] + dx[0] ** 2 * slope[1]) / d
    diag[-1] = dx[-2]
    lower[-2] = x[-1] - x[-3]
    d = x[-1] - x[-3]
    b[-1] = (dx[-1] ** 2 * slope[-2] + (2 * d + dx[-1]) * dx[-2] * slope[-1]) / d
    s = np.array(_gtsv(lower[:-1].tolist(), diag.tolist(), upper[1:].tolist(), b.tolist()))
    # CubicHermiteSpline's coefficients from the slopes s
    t = (s[:-1] + s[1:] - 2 * slope) / dx
    out = np.empty((n - 1, 4))
    out[:, 0] = y[:-1]
    out[:, 1] = s[:-1]
    out[:, 2] = (slope - s[:-1]) / dx - t
    out[:, 3] = t / dx
    return out
