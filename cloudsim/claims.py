"""Quantities and claims in the article's own words.

``"$1.5 Billion+"`` is parsed into a typed :class:`Quantity` (1.5e9 USD, a floor),
and a :class:`Claim` (pre-deal value, post-deal value, horizon, confidence and
spread) becomes the distributions of the model's per-trial inputs.
:func:`claim` builds a claim from the article's words (inferring its kind) and
:func:`claims_from_table` reads every claim of a Markdown table like the article's.

Forms understood by :func:`parse_quantity`
------------------------------------------
A value is money (``"$1.5 Billion"``, ``"$100M"``, ``"US$ 22.4 Billion"``; scales
Thousand/Million/Billion/Trillion or K/M/B/T), a percentage (``"28%"``) or a physical
quantity of one of :data:`UNITS` (``"1 GW"``, ``"500 MW"``, ``"1.5 gigawatts"``,
``"20 GWh"``; prefixes k/M/G/T or kilo/mega/giga/tera), in one of these forms
(``bound`` is the :class:`Quantity` field):

==========================================================  ============
form                                                         ``bound``
==========================================================  ============
``"28%"``, ``"$100 Million"``                                ``median``
``"about 28%"``, ``"around $2B"``, ``"~28%"``, ``"≈28%"``     ``about``
``"35%+"``, ``"at least 35%"``, ``"no less than $1B"``       ``at_least``
``"up to 35%"``, ``"at most $2B"``, ``"no more than 5%"``    ``at_most``
``"$1–2 Billion"``, ``"$1B-$2B"``, ``"30-35%"``,             ``range``
``"30%–35%"``, ``"30% to 35%"``, ``"between 30% and 35%"``,
``"1-1.5 GW"``, ``"500 MW to 1 GW"``
==========================================================  ============

A range's separator is a hyphen, an en or em dash, or ``to``; a scale written only
after the upper end (``"$1–2 Billion"``) applies to both ends, and so does a ``%``
(``"30-35%"``) and a unit (``"1-1.5 GW"``).  ``(approximately|approx.|roughly)`` also mean ``about``; ``>=``/``≥``
mean ``at least`` and ``<=``/``≤`` ``at most``.  A prefix cannot be combined with a
trailing ``+`` or with a range.

Claim semantics
---------------
Each value ``v`` of a claim becomes a distribution with ``g(X) ~ N(mu, sigma**2)``
on the claim kind's scale ``g``: ``log x`` for money and capacity, ``logit x`` for a market share,
``log(1 + x)`` for a growth rate (or ``x`` itself with ``family="normal"``).  With
``p`` the claim's ``confidence`` (0.8 by default) and ``sigma`` the claim's spread
(``spread`` for the post-deal value, ``start_spread`` for the pre-deal one):

* ``median`` / ``about``: ``v`` is the median, ``P(X >= v) = 0.5``, ``mu = g(v)``;
* ``at_least``: ``P(X >= v) = p``, ``mu = g(v) - sigma * ndtri(1 - p)``;
* ``at_most``: ``P(X <= v) = p``, ``mu = g(v) - sigma * ndtri(p)``;
* ``range`` ``[lo, hi]``: the central ``p`` interval, ``P(X < lo) = P(X > hi) = (1 - p)/2``
  (at 80% ``lo`` and ``hi`` are the 10th and 90th percentiles).  The range fixes both
  parameters, ``mu = (g(lo) + g(hi)) / 2`` and ``sigma = (g(hi) - g(lo)) / (2 ndtri((1 + p)/2))``;
  the claim's spread for that value is still validated but not used
  (:meth:`Claim.effective_spread` gives the ``sigma`` in use).

:meth:`Claim.stated_probability` is ``P(X >= v)`` for the value ``v`` (the lower end of
a range): 0.5, ``p``, ``1 - p`` and ``(1 + p)/2`` respectively.  :meth:`Claim.checks`
lists the statements a simulation can be checked against, as intervals
``P(low <= X <= high) = probability``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from .distributions import Distribution, LogitNormal, LogNormal, Normal, ndtri

__all__ = [
    "BOUNDS",
    "DEFAULT_SPREADS",
    "FAMILIES",
    "KINDS",
    "UNITS",
    "Claim",
    "ClaimCheck",
    "Quantity",
    "claim",
    "claims_from_table",
    "metric_key",
    "parse_quantity",
    "unit_scale",
]

#: What a claim is about, which fixes its scale: money (log), share (logit), growth (log1p),
#: capacity (log; a physical quantity in the unit the model declares, e.g. "GW").
KINDS = ("money", "share", "growth", "capacity")

#: What a value's text states about it (see the module docstring).
BOUNDS = ("median", "about", "at_least", "at_most", "range")

#: Distribution families a claim of each kind may use; the first is the default.
FAMILIES: dict[str, tuple[str, ...]] = {
    "money": ("lognormal",),
    "share": ("logitnormal",),
    "growth": ("lognormal", "normal"),
    "capacity": ("lognormal",),
}

#: Spreads ``(spread, start_spread)`` used by :func:`claim` and :func:`claims_from_table` when none is
#: given: cloudsim's defaults (the bundled scenario's assumptions), on each kind's scale.
DEFAULT_SPREADS: dict[str, tuple[float, float]] = {
    "money": (0.5, 0.25),
    "share": (0.2, 0.1),
    "growth": (0.05, 0.05),
    "capacity": (0.3, 0.1),
}

#: Physical units a quantity may be written in: the base unit's symbol -> its names.  A symbol takes
#: the prefixes k, M, G, T (``"GW"``, case as written); a name takes kilo, mega, giga, tera (``"gigawatts"``).
UNITS: dict[str, tuple[str, ...]] = {
    "W": ("watt", "watts"),
    "Wh": ("watt-hour", "watt-hours", "watt hour", "watt hours"),
}
_PREFIX_SYMBOLS = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
_PREFIX_WORDS = {"": 1.0, "kilo": 1e3, "mega": 1e6, "giga": 1e9, "tera": 1e12}

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

_ACCEPTED = (
    "expected money like '$1.5 Billion' or '$100M', or a percentage like '35%', "
    "optionally as a floor ('$1.5 Billion+', 'at least 35%'), a ceiling ('up to 35%', 'at most $2B'), "
    "a median ('about 28%', 'around $2B', '~28%') or a range ('$1–2 Billion', '$1B-$2B', '30-35%', '30%–35%'); "
    "or, for a capacity, a power like '1 GW', '500 MW' or '1.5 gigawatts'"
)

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+"
_PNUM = r"-?(?:\d+(?:\.\d+)?|\.\d+)"
_SEP = r"\s*(?:-|–|—|\bto\b)\s*"
_MONEY = re.compile(rf"^(?:US)?\$\s*(?P<num>{_NUM})\s*(?P<scale>[A-Za-z]*)$")
_PERCENT = re.compile(rf"^(?P<num>{_PNUM})\s*%$")
_MONEY_RANGE = re.compile(
    rf"^(?:US)?\$\s*(?P<lo>{_NUM})\s*(?P<lo_scale>[A-Za-z]*?){_SEP}(?:(?:US)?\$)?\s*(?P<hi>{_NUM})\s*(?P<hi_scale>[A-Za-z]*)$"
)
_UNIT = r"[A-Za-z]+(?:[- ][Hh]ours?)?"
_PHYSICAL = re.compile(rf"^(?P<num>{_NUM})\s*(?P<unit>{_UNIT})$")
_PHYSICAL_RANGE = re.compile(
    rf"^(?P<lo>{_NUM})\s*(?P<lo_unit>(?:{_UNIT})?){_SEP}(?P<hi>{_NUM})\s*(?P<hi_unit>{_UNIT})$"
)
_PERCENT_RANGE = re.compile(rf"^(?P<lo>{_PNUM})\s*(?P<lo_pct>%?){_SEP}(?P<hi>{_PNUM})\s*%$")
_BETWEEN = re.compile(r"^between\s+(?P<lo>.+?)\s+and\s+(?P<hi>.+)$", re.IGNORECASE)
_PREFIXES: tuple[tuple[str, str], ...] = (
    (r"about\b", "about"),
    (r"around\b", "about"),
    (r"approximately\b", "about"),
    (r"approx\.?", "about"),
    (r"roughly\b", "about"),
    (r"~", "about"),
    (r"≈", "about"),
    (r"at\s+least\b", "at_least"),
    (r"no\s+less\s+than\b", "at_least"),
    (r">=", "at_least"),
    (r"≥", "at_least"),
    (r"up\s+to\b", "at_most"),
    (r"at\s+most\b", "at_most"),
    (r"no\s+more\s+than\b", "at_most"),
    (r"<=", "at_most"),
    (r"≤", "at_most"),
)
_PREFIX = re.compile(
    r"^(?:" + "|".join(f"(?P<p{i}>{rx})" for i, (rx, _) in enumerate(_PREFIXES)) + r")\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: ``value`` in base units and what the text says of it.

    Attributes
    ----------
    value : float
        USD for money, a fraction (0.28 for ``"28%"``) for percentages, the base unit
        (``"W"``) or the unit asked for (``parse_quantity(..., unit="GW")``) for a
        physical quantity; the lower end of a range.
    unit : str
        ``"USD"``, ``"fraction"``, or the physical unit of ``value`` (``"W"``, ``"GW"``, ...).
    bound : {"median", "about", "at_least", "at_most", "range"}
        ``"at_least"`` for a trailing ``+`` or ``"at least"``, ``"at_most"`` for
        ``"up to"``/``"at most"``, ``"about"`` for ``"about"``/``"around"``/``"~"``,
        ``"range"`` for ``"lo-hi"``; see the module docstring.
    text : str
        The original text.
    upper : float or None
        The upper end of a range (``None`` unless ``bound == "range"``).
    """

    value: float
    unit: str
    bound: Literal["median", "about", "at_least", "at_most", "range"]
    text: str
    upper: float | None = None

    @property
    def values(self) -> tuple[float, ...]:
        """``(value,)``, or ``(value, upper)`` for a range."""
        return (self.value,) if self.upper is None else (self.value, self.upper)


def _money_value(num: str, scale: str, text: str, path: str) -> float:
    key = scale.lower()
    if key not in _SCALES:
        raise ValueError(
            f"{path}: unknown scale {scale!r} in {text!r}; use Thousand, Million, Billion, Trillion (or K, M, B, T)"
        )
    value = float(num.replace(",", "")) * _SCALES[key]
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{path}: money must be finite and > 0, got {text!r}")
    return value


def unit_scale(unit: str) -> tuple[str, float] | None:
    """A physical unit's base unit and factor: ``"GW"`` -> ``("W", 1e9)``, ``"megawatts"`` -> ``("W", 1e6)``.

    Parameters
    ----------
    unit : str
        A symbol of :data:`UNITS` with an optional prefix k, M, G or T (case as written),
        or a name with an optional kilo, mega, giga or tera (any case).

    Returns
    -------
    tuple of (str, float) or None
        ``None`` when ``unit`` is not a physical unit this parser knows.
    """
    u = unit.strip()
    low = " ".join(u.lower().split())
    for base, names in UNITS.items():
        for prefix, factor in _PREFIX_SYMBOLS.items():
            if u == prefix + base:
                return base, factor
        for prefix, factor in _PREFIX_WORDS.items():
            if any(low == prefix + name for name in names):
                return base, factor
    return None


def _known_units() -> str:
    return "; ".join(
        f"{', '.join(p + b for p in _PREFIX_SYMBOLS)} (or {', '.join(p + names[-1] for p in _PREFIX_WORDS)})"
        for b, names in UNITS.items()
    )


def _physical_value(num: str, unit: str, text: str, path: str, want: str | None) -> tuple[float, str]:
    """``num unit`` in the base unit, or in ``want`` when given (same base unit)."""
    got = unit_scale(unit)
    if got is None:
        hint = "; money needs a '$' ('$1.5 Billion')" if unit.lower() in _SCALES else ""
        raise ValueError(f"{path}: unknown unit {unit!r} in {text!r}; use {_known_units()}{hint}")
    base, factor = got
    value = float(num.replace(",", "")) * factor
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{path}: a physical quantity must be finite and > 0, got {text!r}")
    if want is None:
        return value, base
    target = unit_scale(want)
    if target is None or target[0] != base:
        raise ValueError(f"{path}: {text!r} is in {base}, but this value is measured in {want}")
    return value / target[1], want


def _parse_single(core: str, text: str, path: str, unit: str | None = None) -> tuple[float, str] | None:
    m = _MONEY.match(core)
    if m:
        return _money_value(m["num"], m["scale"], text, path), "USD"
    m = _PERCENT.match(core)
    if m:
        return float(m["num"]) / 100.0, "fraction"
    m = _PHYSICAL.match(core)
    if m and (unit is not None or unit_scale(m["unit"]) is not None):  # else: the message listing every form
        return _physical_value(m["num"], m["unit"], text, path, unit)
    return None


def _parse_range(core: str, text: str, path: str, unit: str | None = None) -> tuple[float, float, str] | None:
    m = _BETWEEN.match(core)
    if m:
        lo_text, hi_text = m["lo"].strip(), m["hi"].strip()
        hi = _parse_single(hi_text, text, path, unit)
        if hi is not None and hi[1] == "fraction" and _PERCENT.match(lo_text + "%") and not lo_text.endswith("%"):
            lo_text += "%"  # "between 30 and 35%"
        lo = _parse_single(lo_text, text, path, unit)
        if lo is None or hi is None or lo[1] != hi[1]:
            return None
        return lo[0], hi[0], lo[1]
    m = _MONEY_RANGE.match(core)
    if m:
        lo_scale, hi_scale = m["lo_scale"], m["hi_scale"]
        if not lo_scale:
            lo_scale = hi_scale  # "$1–2 Billion"
        elif not hi_scale:
            raise ValueError(
                f"{path}: the upper end of {text!r} has no scale; write it after both ends ('$1B-$2B') "
                f"or after the upper one ('$1–2 Billion')"
            )
        return _money_value(m["lo"], lo_scale, text, path), _money_value(m["hi"], hi_scale, text, path), "USD"
    m = _PERCENT_RANGE.match(core)
    if m:
        return float(m["lo"]) / 100.0, float(m["hi"]) / 100.0, "fraction"
    m = _PHYSICAL_RANGE.match(core)
    if m:
        lo_value, lo_unit = _physical_value(m["lo"], m["lo_unit"] or m["hi_unit"], text, path, unit)  # "1-1.5 GW"
        hi_value, hi_unit = _physical_value(m["hi"], m["hi_unit"], text, path, unit)
        if lo_unit != hi_unit:
            raise ValueError(f"{path}: the ends of {text!r} measure different things ({lo_unit}, {hi_unit})")
        return lo_value, hi_value, hi_unit
    return None


def parse_quantity(text: str, *, path: str = "quantity", unit: str | None = None) -> Quantity:
    """Parse a value in the article's words: ``"$1.5 Billion+"``, ``"up to 35%"``, ``"$1–2 Billion"``...

    Parameters
    ----------
    text : str
        Currency with an optional Thousand/Million/Billion/Trillion (or K/M/B/T)
        scale, or a percentage; plain (a median), with a trailing ``+`` or ``at least``
        (a floor), ``up to``/``at most`` (a ceiling), ``about``/``around``/``~`` (a
        median), or a range ``lo-hi`` (hyphen, en dash, em dash or ``to``).  The
        module docstring lists every form.
    path : str
        Where the text came from, used in error messages.
    unit : str or None
        The unit a physical quantity's value is returned in (``"GW"``: ``"500 MW"`` gives 0.5);
        ``None`` for its base unit (``"W"``).  A text in another base unit is refused.

    Returns
    -------
    Quantity

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If the text is not a quantity this parser understands (the message names
        ``path`` and the accepted forms), or a range does not increase.

    Examples
    --------
    >>> parse_quantity("$1.5 Billion+")
    Quantity(value=1500000000.0, unit='USD', bound='at_least', text='$1.5 Billion+', upper=None)
    >>> parse_quantity("30-35%").values
    (0.3, 0.35)
    >>> parse_quantity("500 MW+", unit="GW")
    Quantity(value=0.5, unit='GW', bound='at_least', text='500 MW+', upper=None)
    """
    if not isinstance(text, str):
        raise TypeError(f"{path}: expected a string such as '$1.5 Billion+' or '35%+', got {type(text).__name__}")
    core = text.strip()
    bound: str = "median"
    m = _PREFIX.match(core)
    if m:
        i = next(int(k[1:]) for k, v in m.groupdict().items() if v is not None)
        bound = _PREFIXES[i][1]
        core = core[m.end() :]
    if core.endswith("+"):
        if bound != "median":
            raise ValueError(f"{path}: {text!r} combines a prefix with a trailing '+'; use one of them")
        bound = "at_least"
        core = core[:-1].rstrip()
    single = _parse_single(core, text, path, unit)
    if single is not None:
        return Quantity(single[0], single[1], bound, text)  # type: ignore[arg-type]
    rng = _parse_range(core, text, path, unit)
    if rng is not None:
        if bound != "median":
            raise ValueError(f"{path}: {text!r} is a range with a prefix or '+'; a range stands alone ('$1–2 Billion')")
        lo, hi, unit = rng
        if not lo < hi:
            raise ValueError(f"{path}: a range must increase (lower < upper), got {text!r}")
        return Quantity(lo, unit, "range", text, hi)
    raise ValueError(f"{path}: cannot read {text!r} as a quantity; {_ACCEPTED}")


def _bare_text(text: str) -> str:
    """The value's text without its prefix or trailing ``+`` (``"at least 35%"`` -> ``"35%"``)."""
    core = text.strip()
    m = _PREFIX.match(core)
    core = core[m.end() :] if m else core
    return core[:-1].rstrip() if core.endswith("+") else core


def _format_value(value: float, unit: str) -> str:
    """``1.5e9`` -> ``"$1.5B"``, ``0.35`` -> ``"35%"``, ``(0.5, "GW")`` -> ``"500 MW"`` (for check descriptions)."""
    if unit == "fraction":
        return f"{value * 100:.6g}%"
    scaled = unit_scale(unit)
    if scaled is not None:  # in the largest prefix that keeps it >= 1: 0.5 GW -> "500 MW"
        base, v = scaled[0], value * scaled[1]
        prefix, f = max(((p, f) for p, f in _PREFIX_SYMBOLS.items() if f <= v), key=lambda pf: pf[1], default=("", 1.0))
        return f"{v / f:.6g} {prefix}{base}"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"${value / scale:.6g}{suffix}"
    return f"${value:.6g}"


class ClaimCheck(NamedTuple):
    """One checkable statement of a claim: ``P(low <= X <= high) = probability``.

    Attributes
    ----------
    description : str
        The statement without its probability, e.g. ``"P(X >= $1.5 Billion)"`` (the value's
        text without its prefix or ``+``; range ends are formatted like ``"$1B"``/``"35%"``).
    low, high : float
        The interval (``-inf``/``inf`` for a one-sided statement).
    probability : float
        The stated probability of ``low <= X <= high``.
    """

    description: str
    low: float
    high: float
    probability: float


@dataclass(frozen=True)
class Claim:
    """One row of the article's table, as a pair of distributions.

    Parameters
    ----------
    key : str
        The claim's name in the scenario (``"spend"``).
    kind : {"money", "share", "growth", "capacity"}
        Fixes the scale of ``spread``: log, logit, ``log(1 + rate)`` or log.
    metric : str
        The metric in the article's words.
    pre_deal, post_deal : str
        The article's values, e.g. ``"$100 Million"`` and ``"$1.5 Billion+"``; any form
        :func:`parse_quantity` reads.
    years : int
        Horizon of the post-deal value (3 in the article).
    confidence : float
        The probability ``p`` a bound is held with: ``P(X >= v)`` for a floor,
        ``P(X <= v)`` for a ceiling, ``P(lo <= X <= hi)`` for a range; in (0, 1).
    spread : float
        Standard deviation of the post-deal value on the kind's scale; in (0, 5].
        Validated but not used when the post-deal value is a range, which fixes it.
    start_spread : float
        The same for the pre-deal value.
    source : str
        Where the numbers and spreads come from.
    family : str or None
        Distribution family, one of :data:`FAMILIES` for the kind (``"normal"``
        puts a growth rate itself, not ``log(1 + rate)``, on the normal scale);
        ``None`` for the kind's default.
    unit : str
        A capacity claim's unit, one of :data:`UNITS` with a prefix (``"GW"``): its values
        are read in it (``"500 MW"`` is 0.5 GW); the model passes the unit of the output the
        claim is checked on.  Empty for the other kinds (and ``"W"`` for a capacity).
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
    family: str | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        path = f"claims.{self.key}"
        if self.kind not in KINDS:
            raise ValueError(f"{path}.kind: must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.unit, str):
            raise TypeError(f"{path}.unit: expected a string such as 'GW', got {type(self.unit).__name__}")
        if self.kind != "capacity" and self.unit:
            raise ValueError(
                f"{path}.unit: only a capacity claim has a unit, got {self.unit!r} for a {self.kind} claim"
            )
        if self.kind == "capacity" and unit_scale(self.value_unit) is None:
            raise ValueError(f"{path}.unit: unknown unit {self.unit!r}; use {_known_units()}")
        if self.family is not None and self.family not in FAMILIES[self.kind]:
            raise ValueError(
                f"{path}.family: a {self.kind} claim takes one of {FAMILIES[self.kind]} (or None), got {self.family!r}"
            )
        if isinstance(self.years, bool) or not isinstance(self.years, numbers.Integral):
            raise TypeError(f"{path}.years: expected an integer, got {type(self.years).__name__} {self.years!r}")
        if not 1 <= self.years <= 30:
            raise ValueError(f"{path}.years: must be in [1, 30], got {self.years}")
        for name in ("confidence", "spread", "start_spread"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise TypeError(f"{path}.{name}: expected a number, got {type(v).__name__} {v!r}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"{path}.confidence: must be in (0, 1), got {self.confidence}")
        for name in ("spread", "start_spread"):
            v = getattr(self, name)
            if not (math.isfinite(v) and 0.0 < v <= 5.0):
                raise ValueError(f"{path}.{name}: must be finite and in (0, 5], got {v}")
        for name, which in (("pre_deal", "start"), ("post_deal", "target")):
            q = parse_quantity(getattr(self, name), path=f"{path}.{name}", unit=self.value_unit)
            self._check_unit(q, f"{path}.{name}")
            sigma = self.effective_spread(which)  # type: ignore[arg-type]
            if q.bound == "range" and not sigma <= 5.0:
                raise ValueError(
                    f"{path}.{name}: the range {q.text!r} held with confidence {self.confidence:g} fixes a spread of "
                    f"{sigma:.3g} on the claim's scale; it must be at most 5 (raise confidence or narrow the range)"
                )

    def _check_unit(self, q: Quantity, path: str) -> None:
        for v in q.values:
            if self.kind == "money" and q.unit != "USD":
                raise ValueError(f"{path}: a money claim needs an amount like '$1.5 Billion', got {q.text!r}")
            if self.kind == "share" and (q.unit != "fraction" or not 0.0 < v < 1.0):
                raise ValueError(f"{path}: a market share must be a percentage in (0%, 100%), got {q.text!r}")
            if self.kind == "growth" and (q.unit != "fraction" or not -1.0 < v <= 10.0):
                raise ValueError(f"{path}: a growth rate must be a percentage in (-100%, 1000%], got {q.text!r}")
            if self.kind == "capacity" and q.unit != self.value_unit:
                raise ValueError(
                    f"{path}: a capacity claim needs a quantity in {self.value_unit} like '1 GW' or '500 MW', "
                    f"got {q.text!r}"
                )

    @property
    def value_unit(self) -> str | None:
        """The unit a capacity claim's values are read in (``unit``, or ``"W"``); ``None`` for the other kinds."""
        return (self.unit or "W") if self.kind == "capacity" else None

    @property
    def start(self) -> Quantity:
        """The parsed pre-deal value."""
        return parse_quantity(self.pre_deal, unit=self.value_unit)

    @property
    def target(self) -> Quantity:
        """The parsed post-deal value."""
        return parse_quantity(self.post_deal, unit=self.value_unit)

    def _quantity(self, which: str) -> Quantity:
        if which == "start":
            return self.start
        if which == "target":
            return self.target
        raise ValueError(f"which: must be 'start' or 'target', got {which!r}")

    @property
    def distribution_family(self) -> str:
        """The family in use: ``family``, or the kind's default."""
        return self.family or FAMILIES[self.kind][0]

    def stated_probability(self, which: Literal["start", "target"] = "target") -> float:
        """``P(X >= value)`` as the claim states it (``value`` is the lower end of a range).

        Parameters
        ----------
        which : {"start", "target"}
            The pre-deal or the post-deal value.

        Returns
        -------
        float
            0.5 for a median (plain or ``about``), ``confidence`` for a floor,
            ``1 - confidence`` for a ceiling, ``(1 + confidence) / 2`` for a range.
        """
        q = self._quantity(which)
        if q.bound == "at_least":
            return self.confidence
        if q.bound == "at_most":
            return 1.0 - self.confidence
        if q.bound == "range":
            return 0.5 + 0.5 * self.confidence
        return 0.5

    def checks(self, which: Literal["start", "target"] = "target") -> list[ClaimCheck]:
        """The statements a simulation of this value can be checked against.

        Parameters
        ----------
        which : {"start", "target"}
            The pre-deal or the post-deal value.

        Returns
        -------
        list of ClaimCheck
            ``(description, low, high, probability)`` meaning ``P(low <= X <= high) = probability``.
            A median, floor or ceiling gives one check (``P(X >= v) = 0.5``,
            ``P(X >= v) = p``, ``P(X <= v) = p``); a range gives two, the central
            interval ``P(lo <= X <= hi) = p`` and its lower tail ``P(X >= lo) = (1 + p) / 2``
            (which, with the first, also fixes ``P(X > hi) = (1 - p) / 2``).
        """
        q = self._quantity(which)
        p = self.confidence
        if q.bound == "at_most":
            return [ClaimCheck(f"P(X <= {_bare_text(q.text)})", -math.inf, q.value, p)]
        if q.bound == "range":
            assert q.upper is not None
            lo, hi = _format_value(q.value, q.unit), _format_value(q.upper, q.unit)
            return [
                ClaimCheck(f"P({lo} <= X <= {hi})", q.value, q.upper, p),
                ClaimCheck(f"P(X >= {lo})", q.value, math.inf, self.stated_probability(which)),
            ]
        return [ClaimCheck(f"P(X >= {_bare_text(q.text)})", q.value, math.inf, self.stated_probability(which))]

    def _scale(self) -> tuple[Callable[[float], float], Callable[[float, float], Distribution]]:
        """The kind's scale ``g`` and the family built from ``(mu, sigma)`` of ``g(X)``."""
        if self.kind in ("money", "capacity"):
            return math.log, LogNormal
        if self.kind == "share":
            return (lambda v: math.log(v / (1.0 - v))), LogitNormal
        if self.distribution_family == "normal":
            return (lambda v: v), Normal
        return math.log1p, (lambda mu, sigma: LogNormal(mu, sigma, loc=-1.0))

    def _parameters(self, q: Quantity, sigma: float) -> tuple[float, float]:
        g, _ = self._scale()
        if q.bound == "range":
            assert q.upper is not None
            a, b = g(q.value), g(q.upper)
            return 0.5 * (a + b), (b - a) / (2.0 * ndtri(0.5 + 0.5 * self.confidence))
        # P(X <= v) = u  <=>  v is the u quantile  <=>  mu = g(v) - sigma * ndtri(u)
        u = 1.0 - self.confidence if q.bound == "at_least" else self.confidence if q.bound == "at_most" else 0.5
        return g(q.value) + -sigma * ndtri(u), sigma

    def effective_spread(self, which: Literal["start", "target"] = "target") -> float:
        """The standard deviation on the kind's scale in use: the spread, or the one a range fixes.

        Parameters
        ----------
        which : {"start", "target"}
            The pre-deal (``start_spread``) or post-deal (``spread``) value.

        Returns
        -------
        float
        """
        sigma = self.start_spread if which == "start" else self.spread
        return self._parameters(self._quantity(which), sigma)[1]

    def _distribution(self, q: Quantity, sigma: float) -> Distribution:
        _, make = self._scale()
        mu, s = self._parameters(q, sigma)
        return make(mu, s)

    def start_distribution(self) -> Distribution:
        """Distribution of the pre-deal value."""
        return self._distribution(self.start, self.start_spread)

    def target_distribution(self) -> Distribution:
        """Distribution of the post-deal value ``years`` after the start."""
        return self._distribution(self.target, self.spread)


# ---- building claims from the article's words -----------------------------------


def _normalise_metric(metric: str) -> str:
    return " ".join(metric.replace("’", "'").replace("‘", "'").split()).lower()


def metric_key(metric: str, keys: Mapping[str, str] | None = None) -> str:
    """The scenario key of a metric: from ``keys`` when it names the metric, else a slug.

    Parameters
    ----------
    metric : str
        The metric in the source's words, e.g. ``"Cloud Market Share"``.
    keys : Mapping or None
        Metric (any case and spacing) -> key, e.g. a model's roles for a known table
        (the deal model's ``cloudsim.models.deal.METRIC_ROLES`` maps the bundled
        article's three metrics to ``spend``, ``seller_share`` and ``market_growth``).

    Returns
    -------
    str
        The key from ``keys``; otherwise the metric's lower-case words joined by ``_``
        (``"Cloud AI Revenue (FY)"`` -> ``"cloud_ai_revenue_fy"``).

    Raises
    ------
    ValueError
        If the metric has no letter or digit.
    """
    norm = _normalise_metric(metric)
    known = {_normalise_metric(k): v for k, v in (keys or {}).items()}
    if norm in known:
        return known[norm]
    slug = re.sub(r"[^a-z0-9]+", "_", norm.replace("'", "")).strip("_")
    if not slug:
        raise ValueError(f"metric: cannot make a key of {metric!r}; it needs a letter or a digit")
    return slug


def _infer_kind(metric: str, quantities: list[Quantity], path: str) -> str:
    units = {q.unit for q in quantities}
    if units == {"USD"}:
        return "money"
    if len(units) == 1 and unit_scale(next(iter(units))) is not None:
        return "capacity"
    if units != {"fraction"}:
        raise ValueError(f"{path}: the values mix units ({', '.join(sorted(units))}): {[q.text for q in quantities]}")
    norm = _normalise_metric(metric)
    share = re.search(r"\bshares?\b", norm) is not None
    growth = re.search(r"\b(growth|cagr|rates?)\b", norm) is not None
    if share and not growth:
        return "share"
    if growth and not share:
        return "growth"
    why = "mentions both a share and a growth" if share else "mentions neither 'share' nor 'growth'/'CAGR'/'rate'"
    raise ValueError(f"{path}: cannot infer the kind of the percentage claim {metric!r} (it {why}); pass kind=")


def claim(
    metric: str,
    start: str,
    target: str,
    *,
    years: int,
    confidence: float = 0.8,
    spread: float | None = None,
    start_spread: float | None = None,
    kind: str | None = None,
    family: str | None = None,
    key: str | None = None,
    source: str = "",
    unit: str = "",
) -> Claim:
    """A :class:`Claim` from the article's words.

    Parameters
    ----------
    metric : str
        The metric, e.g. ``"Annual Cloud Spend"``.
    start, target : str
        The pre-deal and post-deal values (any form :func:`parse_quantity` reads).
    years : int
        Horizon of ``target``.
    confidence : float
        Probability a floor, ceiling or range is held with.
    spread, start_spread : float or None
        Standard deviations on the kind's scale of ``target`` and ``start``.  ``None``
        records, for a range, the ``sigma`` the range fixes (or, if that exceeds 5, the
        default; a range's spread is unused either way); otherwise it takes
        :data:`DEFAULT_SPREADS`, and says so in ``source``.
    kind : {"money", "share", "growth", "capacity"} or None
        ``None`` infers it: money for currency, capacity for a physical quantity
        (``"1 GW"``); for percentages, share when the metric mentions "share", growth
        when it mentions "growth", "CAGR" or "rate".
    family : str or None
        See :class:`Claim`.
    key : str or None
        The claim's key; ``None`` for :func:`metric_key` of ``metric``.
    source : str
        Provenance.
    unit : str
        A capacity claim's unit (``"GW"``), see :class:`Claim`.

    Returns
    -------
    Claim

    Raises
    ------
    ValueError
        If a value cannot be read, the kind cannot be inferred, or a field is invalid
        (the message names the field, ``claims.<key>.<field>``).
    """
    if not isinstance(metric, str):
        raise TypeError(f"metric: expected a string, got {type(metric).__name__}")
    key = metric_key(metric) if key is None else key
    path = f"claims.{key}"
    want = (unit or "W") if kind == "capacity" or unit else None
    qs = {
        "start": parse_quantity(start, path=f"{path}.pre_deal", unit=want),
        "target": parse_quantity(target, path=f"{path}.post_deal", unit=want),
    }
    if kind is None:
        kind = _infer_kind(metric, list(qs.values()), f"{path}.kind")
    if kind not in KINDS:
        raise ValueError(f"{path}.kind: must be one of {KINDS} or None, got {kind!r}")
    given = {"target": spread, "start": start_spread}
    defaults = dict(zip(("target", "start"), DEFAULT_SPREADS[kind], strict=True))
    notes = []
    for which, name in (("target", "spread"), ("start", "start_spread")):
        if given[which] is not None:
            continue
        if qs[which].bound == "range":
            given[which] = defaults[which]  # replaced below by the range's own sigma
        else:
            given[which] = defaults[which]
            notes.append(f"{name} {defaults[which]:g}: cloudsim default for a {kind} claim")
    c = Claim(
        key=key,
        kind=kind,  # type: ignore[arg-type]
        metric=metric,
        pre_deal=start,
        post_deal=target,
        years=years,
        confidence=confidence,
        spread=given["target"],  # type: ignore[arg-type]
        start_spread=given["start"],  # type: ignore[arg-type]
        source="; ".join([source, *notes]) if source and notes else source or "; ".join(notes),
        family=family,
        unit=unit,
    )
    # a range fixes its sigma: record it as the spread when none was given
    fixes = {}
    for which, name, value in (("target", "spread", spread), ("start", "start_spread", start_spread)):
        if value is None and qs[which].bound == "range":
            sigma = c.effective_spread(which)  # type: ignore[arg-type]
            if 0.0 < sigma <= 5.0:
                fixes[name] = sigma
    if fixes:
        c = replace(c, **fixes)
    return c


_HORIZON = re.compile(r"(\d+)\s*-?\s*years?\b", re.IGNORECASE)


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip().strip("*_`").strip() for c in re.split(r"(?<!\\)\|", inner)]


def claims_from_table(
    markdown_text: str,
    *,
    years: int | None = None,
    spreads: Mapping[str, Mapping[str, float]] | None = None,
    confidence: float = 0.8,
    source: str = "",
    keys: Mapping[str, str] | None = None,
) -> dict[str, Claim]:
    """The claims of a Markdown table shaped like the article's.

    The first table in ``markdown_text`` is read: a header row
    (``| Metric | Pre-Deal (Estimated) | Post-Deal (Projected - 3 Years) |``), the
    ``|---|---|---|`` row, and one row per claim.  The pre- and post-deal columns
    are the ones whose header mentions "pre" and "post" (else the 2nd and 3rd).

    Parameters
    ----------
    markdown_text : str
        Markdown containing the table (surrounding prose is ignored).
    years : int or None
        Horizon of the post-deal values; ``None`` reads it from the post-deal header
        (``"3 Years"``).
    spreads : Mapping or None
        Per claim key, ``{"spread": ..., "start_spread": ...}`` (either may be left out);
        missing ones as in :func:`claim`.  E.g. ``{k: {"spread": c.spread, "start_spread":
        c.start_spread} for k, c in scenario.claims.items()}``.
    confidence : float
        The confidence of every claim.
    source : str
        Provenance recorded in every claim (default: the table's row).
    keys : Mapping or None
        Metric -> claim key, as in :func:`metric_key`; e.g.
        ``cloudsim.models.deal.METRIC_ROLES`` for the article's table.

    Returns
    -------
    dict of str to Claim
        Keyed by :func:`metric_key`, in table order; each claim's kind is inferred.

    Raises
    ------
    ValueError
        No table, a malformed row, a horizon that cannot be read, a duplicate key, an
        unknown key in ``spreads``, or a claim that cannot be built (the message names
        the table row).
    """
    if not isinstance(markdown_text, str):
        raise TypeError(f"markdown_text: expected a string, got {type(markdown_text).__name__}")
    lines = markdown_text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().startswith("|")), None)
    if start is None:
        raise ValueError("table: no Markdown table (lines starting with '|') in the text")
    block = []
    for ln in lines[start:]:
        if not ln.strip().startswith("|"):
            break
        block.append(ln)
    if len(block) < 3 or not re.fullmatch(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?", block[1].strip()):
        raise ValueError(
            "table: expected a header row, a '|---|---|---|' row and at least one data row, "
            f"got {len(block)} line(s) starting with {block[0].strip()!r}"
        )
    header = _cells(block[0])
    lowered = [h.lower() for h in header]
    pre = next((i for i, h in enumerate(lowered) if i > 0 and "pre" in h), 1)
    post = next((i for i, h in enumerate(lowered) if i > 0 and "post" in h), 2)
    if len(header) < 3 or pre == post:
        raise ValueError(f"table: expected columns Metric, Pre-Deal and Post-Deal, got {header}")
    if years is None:
        m = _HORIZON.search(header[post])
        if m is None:
            raise ValueError(
                f"table: cannot read the horizon from the header {header[post]!r} (e.g. '3 Years'); pass years="
            )
        years = int(m[1])
    spreads = {} if spreads is None else spreads
    out: dict[str, Claim] = {}
    for n, ln in enumerate(block[2:], start=1):
        cells = _cells(ln)
        where = f"table row {n}"
        if len(cells) != len(header):
            raise ValueError(f"{where}: expected {len(header)} cells like the header, got {len(cells)}: {ln.strip()!r}")
        metric = cells[0]
        try:
            key = metric_key(metric, keys)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if key in out:
            raise ValueError(f"{where} ({metric!r}): duplicate key {key!r}")
        given = spreads.get(key, {})
        unknown = set(given) - {"spread", "start_spread"}
        if unknown:
            raise ValueError(f"spreads.{key}: unknown key(s) {sorted(unknown)}; use 'spread' and 'start_spread'")
        try:
            out[key] = claim(
                metric,
                cells[pre],
                cells[post],
                years=years,
                confidence=confidence,
                spread=given.get("spread"),
                start_spread=given.get("start_spread"),
                key=key,
                source=source or f"table row {metric!r}",
            )
        except ValueError as exc:
            raise ValueError(f"{where} ({metric!r}): {exc}") from None
    extra = set(spreads) - set(out)
    if extra:
        raise ValueError(f"spreads: no table row has the key(s) {sorted(extra)}; the rows give {list(out)}")
    return out
