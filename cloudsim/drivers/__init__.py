"""Which assumption moves the answer: sensitivity indices and what-if swings of a run's outputs.

``sensitivity`` (first-order indices from an existing run, :mod:`.rank`) and ``tornado``
(each input swung to a low and a high quantile with common random numbers, :mod:`.tornado`)
and ``goal_seek`` (bisection on a numeric scenario key, :mod:`.goal`); ``method="saltelli"``
(first-order and total indices of groups of streams by pick-freeze, :mod:`.saltelli`);
``function_sensitivity`` (either method for a plain function of uniforms, :mod:`.function`);
``spider`` (the tornado
over a grid of values, :mod:`.spider`), ``tail_drivers`` (inputs given an event against their own,
:mod:`.tail`) and ``stress`` (named cases of scenario changes side by side, :mod:`.stress`).
"""

from __future__ import annotations

from .function import function_sensitivity
from .goal import goal_seek
from .rank import sensitivity
from .spider import spider
from .stress import stress
from .tail import tail_drivers
from .tornado import tornado

__all__ = ["function_sensitivity", "goal_seek", "sensitivity", "spider", "stress", "tail_drivers", "tornado"]
