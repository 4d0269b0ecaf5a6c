"""Checks of ``[[commitments]]`` tables every model with commitments shares: names, totals or tranches, years."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["check_commitments", "due_years"]


def due_years(c: Mapping[str, Any]) -> list[int]:
    """A commitment table's due years: its tranches' years, or its ``last_year``."""
    return [t["year"] for t in c["tranches"]] if "tranches" in c else [c["last_year"]]


def check_commitments(coms: Sequence[Mapping[str, Any]], y0: int, y1: int) -> None:
    """Raise ``ValueError`` naming the key path of the first bad commitment in the years ``y0..y1``."""
    seen: set[str] = set()
    for k, c in enumerate(coms):
        p = f"commitments[{k}]"
        if c["name"] in seen:
            raise ValueError(f"{p}.name: {c['name']!r} is used twice; commitment names must be distinct")
        seen.add(c["name"])
        has_total, has_tr = "total" in c, "tranches" in c
        if has_total == has_tr:
            raise ValueError(
                f"{p}: give either total (with last_year) or tranches, not {'both' if has_total else 'neither'}"
            )
        if has_total and "last_year" not in c:
            raise ValueError(f"{p}.last_year: missing required key (the year the total is due)")
        if has_tr and "last_year" in c:
            raise ValueError(f"{p}.last_year: a commitment with tranches takes each tranche's year instead")
        due = due_years(c)
        if not y0 <= c["first_year"] <= due[0]:
            raise ValueError(
                f"{p}.first_year: must be in [{y0}, {due[0]}] (the simulated years start in {y0}), "
                f"got {c['first_year']}"
            )
        if any(b <= a for a, b in itertools.pairwise(due)):
            raise ValueError(f"{p}.tranches: tranche years must increase, got {due}")
        if due[-1] > y1:
            key = f"{p}.tranches" if has_tr else f"{p}.last_year"
            raise ValueError(f"{key}: must be in [{c['first_year']}, {y1}] (the last simulated year), got {due[-1]}")
