"""Quantities and claims in the article's own words.

``"$1.5 Billion+"`` is parsed into a typed :class:`Quantity` (1.5e9 USD, a floor),
and a :class:`Claim` (pre-deal value, post-deal value, horizon, confidence and
spread) becomes the distributions of the model's per-trial inputs.

Claim semantics (DESIGN.md §3): a plain value is the median; a value with a
trailing ``+`` is a floor held with probability ``confidence`` (0.8 by default),
i.e. ``P(X >= value) = confidence``.  The spread is the standard deviation on the
quantity's natural scale: log for money, logit for a market share, and
``log(1 + rate)`` for a growth rate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from .distributions import Distribution, LogitNormal, LogNormal, ndtri

__all__ = ["KINDS", "Claim", "Quantity", "parse_quantity"]

#: What a claim is about, which fixes its scale: money (log), share (logit), growth (log1p).
KINDS = ("money", "share", "growth")

_SCALES = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}

_MONEY = re.compile(
    r"^\s*(?:US)?\$\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*(?P<scale>[A-Za-z]*)\s*(?P<plus>\+?)\s*$"
)
_PERCENT = re.compile(r"^\s*(?P<num>-?\d+(?:\.\d+)?|-?\.\d+)\s*%\s*(?P<plus>\+?)\s*$")


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: ``value`` in base units and what the text says of it.

    Attributes
    ----------
    value : float
        USD for money, a fraction (0.28 for ``"28%"``) for percentages.
    unit : {"USD", "fraction"}
    bound : {"median", "at_least"}
        ``"at_least"`` for a trailing ``+``.
    text : str
        The original text.
    """

    value: float
    unit: Literal["USD", "fraction"]
    bound: Literal["median", "at_least"]
    text: str


def parse_quantity(text: str, *, path: str = "quantity") -> Quantity:
    """Parse ``"$1.5 Billion+"``, ``"$100M"``, ``"28%"`` or ``"30%+"``.

    Parameters
    ----------
    text : str
        Currency with an optional Thousand/Million/Billion/Trillion (or K/M/B/T)
        scale, or a percentage; either with an optional trailing ``+``.
    path : str
        Where the text came from, used in error messages.

    Returns
    -------
    Quantity

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If the text is not a quantity this parser understands.
    """
    if not isinstance(text, str):
        raise TypeError(f"{path}: expected a string such as '$1.5 Billion+' or '35%+', got {type(text).__name__}")
    m = _MONEY.match(text)
    if m:
        scale = m["scale"].lower()
        if scale not in _SCALES:
            raise ValueError(
                f"{path}: unknown scale {m['scale']!r} in {text!r}; "
                f"use Thousand, Million, Billion, Trillion (or K, M, B, T)"
            )
        value = float(m["num"].replace(",", "")) * _SCALES[scale]
        if value <= 0:
            raise ValueError(f"{path}: money must be > 0, got {text!r}")
        return Quantity(value, "USD", "at_least" if m["plus"] else "median", text)
    m = _PERCENT.match(text)
    if m:
        value = float(m["num"]) / 100.0
        return Quantity(value, "fraction", "at_least" if m["plus"] else "median", text)
    raise ValueError(
        f"{path}: cannot read {text!r} as a quantity; expected money like '$1.5 Billion+' "
        f"or '$100M', or a percentage like '35%+'"
    )


@dataclass(frozen=True)
class Claim:
    """One row of the article's table, as a pair of distributions.

    Parameters
    ----------
    key : str
        The claim's name in the scenario (``"openai_aws_spend"``).
    kind : {"money", "share", "growth"}
        Fixes the scale of ``spread``: log, logit or ``log(1 + rate)``.
    metric : str
        The metric in the article's words.
    pre_deal, post_deal : str
        The article's values, e.g. ``"$100 Million"`` and ``"$1.5 Billion+"``.
    years : int
        Horizon of the post-deal value (3 in the article).
    confidence : float
        ``P(X >= value)`` stated by a trailing ``+``; in (0, 1).
    spread : float
        Standard deviation of the post-deal value on the kind's scale; > 0.
    start_spread : float
        Standard deviation of the pre-deal value on the kind's scale; > 0.
    source : str
        Where the numbers and spreads come from.
    """

    key: str
    kind: Literal["money", "share", "growth"]
    metric: str
    pre_deal: str
    post_deal: str
    years: int
    confidence: float
    spread: float
    start_spread: float
    source: str = ""

    def __post_init__(self) -> None:
        path = f"claims.{self.key}"
        if self.kind not in KINDS:
            raise ValueError(f"{path}.kind: must be one of {KINDS}, got {self.kind!r}")
        for name in ("pre_deal", "post_deal"):
            q = parse_quantity(getattr(self, name), path=f"{path}.{name}")
            self._check_unit(q, f"{path}.{name}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"{path}.confidence: must be in (0, 1), got {self.confidence}")
        for name in ("spread", "start_spread"):
            v = getattr(self, name)
            if not (math.isfinite(v) and 0.0 < v <= 5.0):
                raise ValueError(f"{path}.{name}: must be finite and in (0, 5], got {v}")

    def _check_unit(self, q: Quantity, path: str) -> None:
        if self.kind == "money" and q.unit != "USD":
            raise ValueError(f"{path}: a money claim needs an amount like '$1.5 Billion', got {q.text!r}")
        if self.kind == "share":
            if q.unit != "fraction" or not 0.0 < q.value < 1.0:
                raise ValueError(f"{path}: a market share must be a percentage in (0%, 100%), got {q.text!r}")
        if self.kind == "growth":
            if q.unit != "fraction" or not -1.0 < q.value <= 10.0:
                raise ValueError(f"{path}: a growth rate must be a percentage in (-100%, 1000%], got {q.text!r}")

    @property
    def start(self) -> Quantity:
        """The parsed pre-deal value."""
        return parse_quantity(self.pre_deal)

    @property
    def target(self) -> Quantity:
        """The parsed post-deal value."""
        return parse_quantity(self.post_deal)

    def stated_probability(self, which: Literal["start", "target"] = "target") -> float:
        """``P(X >= value)`` as the claim states it: 0.5 for a median, else ``confidence``."""
        q = self.start if which == "start" else self.target
        return 0.5 if q.bound == "median" else self.confidence

    def _distribution(self, q: Quantity, sigma: float) -> Distribution:
        # P(X >= v) = p  <=>  v is the (1 - p) quantile  <=>  centre = scale(v) - sigma * ndtri(1 - p)
        p = 0.5 if q.bound == "median" else self.confidence
        shift = -sigma * ndtri(1.0 - p)
        if self.kind == "money":
            return LogNormal(math.log(q.value) + shift, sigma)
        if self.kind == "share":
            return LogitNormal(math.log(q.value / (1.0 - q.value)) + shift, sigma)
        return LogNormal(math.log1p(q.value) + shift, sigma, loc=-1.0)

    def start_distribution(self) -> Distribution:
        """Distribution of the pre-deal value."""
        return self._distribution(self.start, self.start_spread)

    def target_distribution(self) -> Distribution:
        """Distribution of the post-deal value ``years`` after the start."""
        return self._distribution(self.target, self.spread)
