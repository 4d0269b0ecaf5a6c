"""The deal model: a buyer's spend with one seller, the seller's market and K providers' shares (``docs/model.md``)."""

from __future__ import annotations

from .model import METRIC_ROLES, DealModel

__all__ = ["METRIC_ROLES", "DealModel"]
