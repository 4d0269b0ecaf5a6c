"""Declarative scenario schemas: typed fields, their ranges, and the normaliser that checks a table.

A schema is a nested ``dict`` whose leaves are :class:`Field` objects.  Models declare
their own schema with these pieces (``cloudsim/models/*/schema.py``); the
:class:`~cloudsim.scenario.Scenario` class runs :func:`normalise` over it.  Every
error names the key path (``claims.spend.post_deal``) and, for numbers, the range.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .claims import parse_quantity
from .distributions import Distribution, from_dict

__all__ = ["Field", "TableList", "check_field", "describe_range", "money", "normalise", "number"]


@dataclass(frozen=True)
class Field:
    """One scalar key of a schema: its type, range, default and meaning.

    ``type`` is ``str``, ``int``, ``float`` or one of the strings:

    * ``"distribution"``: a distribution table (``{family = "pert", ...}``);
    * ``"number|distribution"``: a number, or a distribution drawn once per trial
      whose support must lie in the range;
    * ``"money"``: a number in USD or a money string (``"$38B"``, ``"$1.5 Billion"``);
    * ``"money|distribution"``: the same, or a distribution;
    * ``"list:str"``: a list of distinct non-empty strings;
    * ``"table:float"`` / ``"table:str"``: a table of numbers / strings keyed by any name;
    * ``"pairs"``: a list of ``[name, name, rho]`` triples (names are checked by the model).
    """

    type: type | str
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    required: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""

    def describe(self) -> str:
        """The allowed range as text, for messages and docs (empty when unbounded)."""
        return describe_range(self.lo, self.hi, self.lo_open, self.hi_open)


@dataclass(frozen=True)
class TableList:
    """A key holding a list of tables (TOML ``[[key]]``), each checked against ``schema``."""

    schema: Mapping[str, Any]
    min_items: int = 1
    max_items: int = 64
    doc: str = ""
    required: bool = True
    default: tuple = field(default_factory=tuple)


def describe_range(lo: float | None, hi: float | None, lo_open: bool = False, hi_open: bool = False) -> str:
    """``[0, 2]``, ``(0, inf)``: the interval notation used in every message."""
    if lo is None and hi is None:
        return ""
    left = "(" if lo_open or lo is None else "["
    right = ")" if hi_open or hi is None else "]"
    lo_s = "-inf" if lo is None else f"{lo:g}"
    hi_s = "inf" if hi is None else f"{hi:g}"
    return f"{left}{lo_s}, {hi_s}{right}"


def number(lo=None, hi=None, *, lo_open=False, hi_open=False, default=None, required=None, doc="", uncertain=False):
    """A float field (``uncertain=True``: a number or a distribution)."""
    kind = "number|distribution" if uncertain else float
    req = default is None if required is None else required
    return Field(kind, default, lo, hi, lo_open, hi_open, req, doc=doc)


def money(*, default=None, required=None, doc="", uncertain=False) -> Field:
    """A positive USD amount: a number or a money string (``uncertain=True``: or a distribution)."""
    kind = "money|distribution" if uncertain else "money"
    req = default is None if required is None else required
    return Field(kind, default, 0.0, None, True, False, req, doc=doc)


def _type_name(v: Any) -> str:
    return type(v).__name__


def _in_range(spec: Field, value: float) -> bool:
    return not (
        (spec.lo is not None and (value < spec.lo or (spec.lo_open and value == spec.lo)))
        or (spec.hi is not None and (value > spec.hi or (spec.hi_open and value == spec.hi)))
    )


def _check_distribution(spec: Field, value: Any, path: str) -> dict[str, Any]:
    dist = value if isinstance(value, Distribution) else None
    if dist is None:
        if not isinstance(value, Mapping):
            raise TypeError(
                f"{path}: expected a distribution table like {{family = 'normal', mean = 0, sd = 1}}, "
                f"got {_type_name(value)}"
            )
        dist = from_dict(value, path=path)
    if spec.lo is not None or spec.hi is not None:
        # the support, read from the quantile function (an open end may be reached only in the limit)
        lo, hi = float(dist.ppf(0.0)), float(dist.ppf(1.0))
        lo_in, hi_in = float(dist.ppf(1e-12)), float(dist.ppf(1.0 - 1e-12))
        bad_lo = spec.lo is not None and (lo < spec.lo or (spec.lo_open and lo_in <= spec.lo))
        bad_hi = spec.hi is not None and (hi > spec.hi or (spec.hi_open and hi_in >= spec.hi))
        if bad_lo or bad_hi:
            raise ValueError(
                f"{path}: a distribution here must have its support in {spec.describe()}, "
                f"got support [{lo:g}, {hi:g}] from {dist!r}"
            )
    return dist.to_dict()


def _check_number(spec: Field, value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{path}: expected a number, got {_type_name(value)} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{path}: must be a finite number, got {value}")
    if not _in_range(spec, value):
        raise ValueError(f"{path}: must be in {spec.describe()}, got {value:g}")
    return value


def _check_money(spec: Field, value: Any, path: str) -> float:
    if isinstance(value, str):
        q = parse_quantity(value, path=path)
        if q.unit != "USD" or q.bound not in ("median", "about"):
            raise ValueError(f"{path}: expected an amount of money like '$38B' or '$1.5 Billion', got {value!r}")
        value = q.value
    return _check_number(spec, value, path)


def check_field(spec: Field, value: Any, path: str) -> Any:
    """Check and normalise one value against its field; raise naming ``path`` and the range."""
    t = spec.type
    if t == "distribution":
        return _check_distribution(spec, value, path)  # its range, if any, bounds the support
    if t in ("number|distribution", "money|distribution"):
        if isinstance(value, (Mapping, Distribution)):
            return _check_distribution(spec, value, path)
        return _check_money(spec, value, path) if t.startswith("money") else _check_number(spec, value, path)
    if t == "money":
        return _check_money(spec, value, path)
    if t == "pairs":
        return _check_pairs(value, path)
    if t == "list:str":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise TypeError(f"{path}: expected a list of non-empty strings, got {value!r}")
        dupes = sorted({v for v in value if value.count(v) > 1})
        if dupes:
            raise ValueError(f"{path}: names must be distinct, got {dupes} more than once")
        return list(value)
    if t in ("table:float", "table:str"):
        if not isinstance(value, Mapping):
            raise TypeError(f"{path}: expected a table, got {_type_name(value)} {value!r}")
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path}: keys must be strings, got {_type_name(k)} {k!r}")
            if (k == "source" or k.endswith("_source")) and isinstance(v, str):
                out[k] = v  # provenance, as anywhere else
            elif t == "table:float":
                out[k] = _check_number(spec, v, f"{path}.{k}")
            elif not isinstance(v, str):
                raise TypeError(f"{path}.{k}: expected a string, got {_type_name(v)} {v!r}")
            else:
                out[k] = v
        return out
    if t is str:
        if not isinstance(value, str):
            raise TypeError(f"{path}: expected a string, got {_type_name(value)} {value!r}")
        if spec.required and not value.strip():
            raise ValueError(f"{path}: must not be empty")
        if spec.choices and value not in spec.choices:
            raise ValueError(f"{path}: must be one of {', '.join(spec.choices)}, got {value!r}")
        return value
    if t is int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{path}: expected an integer, got {_type_name(value)} {value!r}")
        value = int(value)
        if not _in_range(spec, value):
            raise ValueError(f"{path}: must be in {spec.describe()}, got {value}")
        return value
    return _check_number(spec, value, path)


def _check_pairs(value: Any, path: str) -> list[list[Any]]:
    if not isinstance(value, list):
        raise TypeError(f"{path}: expected a list of [name, name, rho] triples, got {_type_name(value)}")
    out: list[list[Any]] = []
    seen: set[frozenset[str]] = set()
    for k, item in enumerate(value):
        p = f"{path}[{k}]"
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and isinstance(item[1], str)):
            raise TypeError(f"{p}: expected [name, name, rho], got {item!r}")
        a, b, rho = item
        if a == b:
            raise ValueError(f"{p}: {a!r} cannot be correlated with itself")
        if frozenset((a, b)) in seen:
            raise ValueError(f"{p}: pair ({a}, {b}) given twice")
        seen.add(frozenset((a, b)))
        rho = _check_number(Field(float, lo=-1.0, hi=1.0), rho, f"{p}.rho ({a}, {b})")
        out.append([a, b, rho])
    return out


def normalise(schema: Mapping[str, Any], data: Any, path: str = "", optional_tables: frozenset[str] = frozenset()):
    """Check ``data`` against ``schema``; fill defaults; return a new dict in schema order.

    Any key ``x`` may carry its provenance in a sibling string ``x_source``, and any
    table a ``source`` string of its own.  Tables named in ``optional_tables`` (at the
    top level) may be left out and are filled from their defaults.
    """
    where = path or "scenario"
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}: expected a table, got {_type_name(data)}")
    out: dict[str, Any] = {}
    for key in data:
        if not isinstance(key, str):
            raise TypeError(f"{where}: keys must be strings, got {_type_name(key)} {key!r}")
        if key in schema:
            continue
        base = key[: -len("_source")] if key.endswith("_source") else None
        if key == "source" or (base is not None and base in schema):
            out[key] = check_field(Field(str), data[key], f"{path}.{key}".lstrip("."))
            continue
        allowed = ", ".join(sorted(schema))
        raise ValueError(f"{f'{path}.{key}'.lstrip('.')}: unknown key; allowed here: {allowed} (and <key>_source)")
    for key, spec in schema.items():
        p = f"{path}.{key}".lstrip(".")
        if isinstance(spec, dict):
            if key not in data:
                if path == "" and key in optional_tables:
                    out[key] = normalise(spec, {}, p)
                    continue
                raise ValueError(f"{p}: missing table")
            out[key] = normalise(spec, data[key], p)
        elif isinstance(spec, TableList):
            if key not in data:
                if spec.required:
                    raise ValueError(f"{p}: missing (a list of tables, [[{key}]] in TOML)")
                continue
            items = data[key]
            if isinstance(items, Mapping):
                items = [items]
            if not isinstance(items, list):
                raise TypeError(f"{p}: expected a list of tables ([[{key}]] in TOML), got {_type_name(items)}")
            if not spec.min_items <= len(items) <= spec.max_items:
                raise ValueError(f"{p}: needs {spec.min_items} to {spec.max_items} entries, got {len(items)}")
            out[key] = [normalise(spec.schema, item, f"{p}[{k}]") for k, item in enumerate(items)]
        elif key in data:
            out[key] = check_field(spec, data[key], p)
        elif spec.required:
            raise ValueError(f"{p}: missing required key")
        elif spec.default is not None:  # an optional key without a default stays absent
            out[key] = copy.deepcopy(spec.default)
    return dict(sorted(out.items(), key=lambda kv: _order(schema, kv[0])))


def _order(schema: Mapping[str, Any], key: str) -> tuple[int, int]:
    names = list(schema)
    if key not in schema and key == "source":
        return (0, -1)
    base = key[: -len("_source")] if key.endswith("_source") else key
    # scalars first (TOML needs them before sub-tables), schema order, source after its key
    nested = isinstance(schema.get(base), (dict, TableList))
    return (int(nested), names.index(base) * 2 + (base != key))
