"""The portfolio model: one buyer's spend split across its sellers, against all its commitments.

Equations: ``docs/model-portfolio.md``.
"""

from __future__ import annotations

from .model import PortfolioModel

__all__ = ["PortfolioModel"]
