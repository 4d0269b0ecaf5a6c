"""Which assumption moves the answer: sensitivity indices and what-if swings of a run's outputs.

``sensitivity`` (first-order indices from an existing run, :mod:`.rank`) and ``tornado``
(each input swung to a low and a high quantile with common random numbers, :mod:`.tornado`).
"""

from __future__ import annotations

from .rank import sensitivity
from .tornado import tornado

__all__ = ["sensitivity", "tornado"]
