"""Numeric scenario keys for what-if drivers: read a dotted key's number (or a claim's value) and write one back."""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from ..claims import parse_quantity
from ..scenario import Scenario

__all__ = ["lookup", "numeric_key"]

_PART = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<index>\d+)\])?$")
#: How a claim value's bound is written back around a new number.
_AROUND = {"median": ("", ""), "at_least": ("", "+"), "at_most": ("at most ", ""), "about": ("about ", "")}


def lookup(scenario: Scenario, key: str) -> Any:
    """The value at the dotted ``key`` of the scenario's normalised data (``"commitments[0].total"``)."""
    if not isinstance(key, str) or not key:
        raise TypeError(f"key: expected a dotted key path (str), got {type(key).__name__} {key!r}")
    node: Any = scenario.to_dict()
    for part in key.split("."):
        m = _PART.match(part)
        try:
            node = node[m["key"]] if m else node[part]
            if m and m["index"] is not None:
                node = node[int(m["index"])]
        except (KeyError, IndexError, TypeError):
            raise ValueError(f"key: {key!r} is not a key of scenario {scenario.name!r}") from None
    return node


class NumericKey:
    """A numeric scenario key: its current value and the change that sets another.

    A plain number is written as given; a claim's value in words (``"$1.5 Billion+"``,
    ``"35%+"``, ``"about 28%"``) is read as its number (USD, or a fraction for a percentage)
    and written back in the same words with the new number, so ``"$1.5 Billion+"`` at
    ``2.0e9`` becomes ``"$2000000000.0+"``: still a floor, held with the claim's confidence.
    """

    def __init__(self, scenario: Scenario, key: str) -> None:
        current = lookup(scenario, key)
        self.key = key
        self.unit = ""
        self._around: tuple[str, str] | None = None
        self._integer = isinstance(current, numbers.Integral) and not isinstance(current, bool)
        if isinstance(current, str):
            try:
                q = parse_quantity(current, path=key)
            except (TypeError, ValueError):
                q = None
            if q is None or q.bound == "range":
                what = "a range" if q is not None else "text"
                raise ValueError(
                    f"key: {key!r} holds {current!r} ({what}), not a number; give a numeric key or a claim "
                    "value with one number (such as '$1.5 Billion+')"
                )
            self._around = _AROUND[q.bound]
            self.unit = q.unit
            self.value = float(q.value)
        elif isinstance(current, bool) or not isinstance(current, numbers.Real):
            raise ValueError(f"key: {key!r} holds {current!r}, not a number; this needs a numeric key")
        else:
            self.value = float(current)

    def change(self, value: float) -> dict[str, Any]:
        """The ``Scenario.replace`` mapping that sets the key to ``value``."""
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{self.key}: expected a finite number, got {value!r}")
        if self._around is None:
            return {self.key: int(v) if self._integer and v.is_integer() else v}
        head, tail = self._around
        text = f"{v * 100!r}%" if self.unit == "fraction" else f"${v!r}"
        return {self.key: f"{head}{text}{tail}"}

    def scenario(self, scenario: Scenario, value: float) -> Scenario:
        """``scenario`` with the key set to ``value``."""
        return scenario.replace(self.change(value))


def numeric_key(scenario: Scenario, key: str) -> NumericKey:
    """The :class:`NumericKey` at ``key``; ``ValueError`` for an unknown or non-numeric key."""
    return NumericKey(scenario, key)
