"""Streams from a second seed (``simulate(..., second_seed=, second_streams=)``): check the names, flag them.

Saltelli's pick-freeze scheme needs runs in which a named group of streams (an input's
independent normal, a process's yearly shocks, ...) comes from a second seed while every other
variate stays on the first.  Each trial then owns two streams, keyed by ``(seed, i)`` and by
``(second_seed, i)``, advanced variate for variate alike; the model takes each flagged variate
from the second.  No sample matrix is stored: the pairing is by trial index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _rng
from ..scenario import Scenario

__all__ = ["check_second"]


def check_second(scenario: Scenario, second_seed: Any, second_streams: Any) -> tuple[int, np.ndarray, str]:
    """The second stream key, one 0/1 flag per stream group of the model, and the seed as recorded.

    Raises
    ------
    TypeError
        For a seed of the wrong type, or ``second_streams`` not a sequence of names.
    ValueError
        For a model without stream groups, a negative seed, or an unknown stream name (the
        message lists the allowed ones).
    """
    names = scenario.model.streams(scenario.to_dict())
    if names is None:
        raise ValueError(f"second_seed: model {scenario.model.name!r} cannot draw streams from a second seed")
    if isinstance(second_streams, str) or not isinstance(second_streams, Sequence):
        raise TypeError(
            f"second_streams: expected a list of stream names, got {type(second_streams).__name__}; allowed: {names}"
        )
    flags = np.zeros(len(names), np.int64)
    for name in second_streams:
        if name not in names:
            raise ValueError(f"second_streams: unknown stream {name!r}; allowed: {names}")
        flags[names.index(name)] = 1
    key2, recorded = _rng.key_from_seed(second_seed)
    return key2, flags, recorded
