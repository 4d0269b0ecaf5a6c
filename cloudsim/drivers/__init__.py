"""Which assumption moves the answer: sensitivity indices and what-if swings of a run's outputs.

``sensitivity`` (first-order indices from an existing run, :mod:`.rank`) and ``tornado``
(each input swung to a low and a high quantile with common random numbers, :mod:`.tornado`)
and ``goal_seek`` (bisection on a numeric scenario key, :mod:`.goal`).
"""

from __future__ import annotations

from .goal import goal_seek
from .rank import sensitivity
from .tornado import tornado

__all__ = ["goal_seek", "sensitivity", "tornado"]
