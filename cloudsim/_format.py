"""Numbers as text for people: money with three significant figures, probabilities with significant figures."""

from __future__ import annotations

import math

__all__ = ["money", "percent_decimals", "probability", "probability_interval"]


def money(value: float) -> str:
    """Money with three significant figures and one scale: ``$1.00B``, ``$1.63B``, ``$38.0B``, ``-$250M``."""
    if value != value:  # NaN
        return "n/a"
    sign = "-" if value < 0 else ""
    a = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= scale * 0.9995:
            x = a / scale
            digits = 2 if x < 9.995 else 1 if x < 99.95 else 0
            return f"{sign}${x:.{digits}f}{suffix}"
    return f"{sign}${a:.0f}"


def percent_decimals(p: float, sig: int = 3) -> int:
    """Decimals of a percentage that show ``sig`` significant figures of ``p`` or of ``1 - p``, whichever is smaller.

    ``0.23 -> 1`` ("23.0%"), ``0.00119 -> 3`` ("0.119%"), ``0.99881 -> 3`` ("99.881%"); at least 1.
    """
    q = min(p, 1.0 - p) * 100.0
    if not math.isfinite(q) or q <= 0.0:
        return 1
    return max(1, sig - 1 - math.floor(math.log10(q)))


def probability(p: float, sig: int = 3) -> str:
    """A probability as a percentage with ``sig`` significant figures (see :func:`percent_decimals`)."""
    if p != p:
        return "n/a"
    return f"{p * 100:.{percent_decimals(p, sig)}f}%"


def probability_interval(p: float, lo: float, hi: float, sig: int = 3) -> tuple[str, str, str]:
    """``p`` and its interval, all three with the decimals that give ``p`` ``sig`` significant figures.

    (For ``p`` of 0 or 1, the decimals that give the bounds theirs.)

    ``(0.00119, 0.00105, 0.00135) -> ("0.119%", "0.105%", "0.135%")``.
    """
    finite = [v for v in (lo, hi) if v == v]
    d = percent_decimals(p, sig) if 0.0 < p < 1.0 else max([percent_decimals(v, sig) for v in finite] or [1])
    d = min(d, 8)
    return tuple(f"{v * 100:.{d}f}%" if v == v else "n/a" for v in (p, lo, hi))  # type: ignore[return-value]
