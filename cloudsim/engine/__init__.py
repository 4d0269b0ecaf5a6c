"""The engine: runs any declared model over blocks of trials (validate, allocate, chunk, thread, progress)."""

from __future__ import annotations

from .run import CHUNK, ENGINES, allocate, simulate_arrays

__all__ = ["CHUNK", "ENGINES", "allocate", "simulate_arrays"]
