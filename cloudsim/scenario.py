"""Scenarios: the article's claims and every other assumption, read from TOML.

A :class:`Scenario` is an immutable, validated, normalised nested mapping.  It is
read with :meth:`Scenario.from_toml` / :func:`load_scenario` and written back with
:meth:`Scenario.to_toml`; ``Scenario.from_toml(s.to_toml()) == s`` always.  Every
error names the offending key path, e.g. ``claims.openai_aws_spend.post_deal``.

Any key ``x`` may carry its provenance in a sibling string ``x_source``, and any
table a ``source`` string of its own.
The accepted keys, types, ranges and defaults are listed in
``docs/scenario-format.md`` and in :data:`SCHEMA`.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from .claims import Claim
from .distributions import Distribution, from_dict

__all__ = [
    "CLAIM_KINDS",
    "INPUTS",
    "PROVIDERS",
    "SCHEMA",
    "InputSpec",
    "Scenario",
    "list_scenarios",
    "load_scenario",
]

DEFAULT_SCENARIO = "openai-aws-2025"

#: The model's three claims and the scale their spreads live on.
CLAIM_KINDS = {"openai_aws_spend": "money", "aws_share": "share", "market_cagr": "growth"}

#: Providers on the share simplex, in dataset order.
PROVIDERS = ("aws", "azure", "gcp", "other")

#: Per-trial inputs, in kernel order: (name, long name, units).
INPUTS = (
    ("spend_start", "OpenAI's annual AWS spend in the start year", "USD"),
    ("spend_target", "OpenAI's annual AWS spend in the claim year", "USD"),
    ("aws_share_start", "AWS share of the AI cloud market in the start year", "1"),
    ("aws_share_target", "AWS share of the AI cloud market in the claim year", "1"),
    ("market_cagr", "AI cloud market CAGR from the start year to the claim year", "1"),
    ("market_growth_late", "AI cloud market yearly growth after the claim year", "1"),
    ("spend_growth_late", "OpenAI AWS spend yearly growth after the claim year", "1"),
)
INPUT_NAMES = tuple(name for name, _, _ in INPUTS)

#: Variables with a yearly shock, in kernel order (``dependence.shocks`` names them).
SHOCK_NAMES = ("market", "aws_share", "spend", "azure", "gcp")

#: Copulas joining the per-trial inputs.
COPULAS = ("gaussian", "student")


@dataclass(frozen=True)
class Field:
    """One scalar key of the schema: its type, range and default."""

    type: type | str
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    required: bool = False
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """The allowed range as text, for messages and docs."""
        if self.lo is None and self.hi is None:
            return ""
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        return f"{left}{lo}, {hi}{right}"


def _f(lo=None, hi=None, *, lo_open=False, hi_open=False, default=None, required=None) -> Field:
    return Field(float, default, lo, hi, lo_open, hi_open, default is None if required is None else required)


def _claim_schema(years: int = 3) -> dict[str, Any]:
    return {
        "metric": Field(str, required=True),
        "pre_deal": Field(str, required=True),
        "post_deal": Field(str, required=True),
        "years": Field(int, years, 1, 30),
        "confidence": _f(0.0, 1.0, lo_open=True, hi_open=True, default=0.8),
        "spread": _f(0.0, 5.0, lo_open=True),
        "start_spread": _f(0.0, 5.0, lo_open=True),
        "source": Field(str, ""),
    }


#: The accepted keys: nested dicts of :class:`Field`; "distribution" marks a
#: distribution table (``{family = "...", ...}``, see :mod:`cloudsim.distributions`).
SCHEMA: dict[str, Any] = {
    "name": Field(str, required=True),
    "description": Field(str, ""),
    "source": Field(str, ""),
    "years": {
        "start": Field(int, 2025, 1900, 2200),
        "end": Field(int, 2032, 1900, 2200),
    },
    "claims": {key: _claim_schema() for key in CLAIM_KINDS},
    "market": {
        "size_start": _f(0.0, None, lo_open=True),
        "volatility": _f(0.0, 2.0),
    },
    "spend": {
        "volatility": _f(0.0, 2.0),
        "growth_after_target": Field("distribution", required=True),
        "shift_hazard": _f(0.0, 1.0, default=0.0),
        "shift_fraction": Field("distribution", {"family": "fixed", "value": 0.0}),
    },
    "shares": {
        "start": {
            "azure": _f(0.0, None, lo_open=True),
            "gcp": _f(0.0, None, lo_open=True),
            "other": _f(0.0, None, lo_open=True),
        },
        "volatility_aws": _f(0.0, 2.0),
        "volatility_others": _f(0.0, 2.0),
    },
    "commitment": {
        "total": _f(0.0, None, lo_open=True),
        "first_year": Field(int, required=True),
        "last_year": Field(int, required=True),
    },
    "dependence": {
        "copula": Field(str, "gaussian", choices=COPULAS),
        "df": Field(int, 4, 1, 100),
        "spearman": Field("pairs:inputs", []),
        "shocks": Field("pairs:shocks", []),
    },
}

#: What each kind of correlation list may name.
_PAIR_NAMES = {"pairs:inputs": ("input", INPUT_NAMES), "pairs:shocks": ("shock", SHOCK_NAMES)}

_OPTIONAL_TABLES = {"years", "dependence"}


def _type_name(v: Any) -> str:
    return type(v).__name__


def _check_field(spec: Field, value: Any, path: str) -> Any:
    if spec.type == "distribution":
        if isinstance(value, Distribution):
            return value.to_dict()
        if not isinstance(value, Mapping):
            raise TypeError(
                f"{path}: expected a distribution table like {{family = 'normal', mean = 0, sd = 1}}, "
                f"got {_type_name(value)}"
            )
        return from_dict(value, path=path).to_dict()
    if spec.type in _PAIR_NAMES:
        what, names = _PAIR_NAMES[spec.type]
        return _check_pairs(value, path, what, names)
    if spec.type is str:
        if not isinstance(value, str):
            raise TypeError(f"{path}: expected a string, got {_type_name(value)} {value!r}")
        if spec.choices and value not in spec.choices:
            raise ValueError(f"{path}: must be one of {', '.join(spec.choices)}, got {value!r}")
        return value
    if spec.type is int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{path}: expected an integer, got {_type_name(value)} {value!r}")
        value = int(value)
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{path}: expected a number, got {_type_name(value)} {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{path}: must be a finite number, got {value}")
    bad = (spec.lo is not None and (value < spec.lo or (spec.lo_open and value == spec.lo))) or (
        spec.hi is not None and (value > spec.hi or (spec.hi_open and value == spec.hi))
    )
    if bad:
        raise ValueError(f"{path}: must be in {spec.describe()}, got {value}")
    return value


def _check_pairs(value: Any, path: str, what: str, names: tuple[str, ...]) -> list[list[Any]]:
    if not isinstance(value, list):
        raise TypeError(f"{path}: expected a list of [{what}, {what}, rho] triples, got {_type_name(value)}")
    out: list[list[Any]] = []
    seen: set[frozenset[str]] = set()
    for k, item in enumerate(value):
        p = f"{path}[{k}]"
        if not (isinstance(item, list) and len(item) == 3):
            raise TypeError(f"{p}: expected [{what}, {what}, rho], got {item!r}")
        a, b, rho = item
        for name in (a, b):
            if name not in names:
                raise ValueError(f"{p}: unknown {what} {name!r}; {what}s are {', '.join(names)}")
        if a == b:
            raise ValueError(f"{p}: {a!r} cannot be correlated with itself")
        if frozenset((a, b)) in seen:
            raise ValueError(f"{p}: pair ({a}, {b}) given twice")
        seen.add(frozenset((a, b)))
        rho = _check_field(_f(-1.0, 1.0), rho, f"{p}.rho ({a}, {b})")
        out.append([a, b, rho])
    return out


def _normalise(schema: Mapping[str, Any], data: Any, path: str) -> dict[str, Any]:
    where = path or "scenario"
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}: expected a table, got {_type_name(data)}")
    out: dict[str, Any] = {}
    for key in data:
        if key in schema:
            continue
        base = key[: -len("_source")] if key.endswith("_source") else None
        if key == "source" or (base is not None and base in schema):
            out[key] = _check_field(Field(str), data[key], f"{path}.{key}".lstrip("."))
            continue
        allowed = ", ".join(sorted(schema))
        raise ValueError(f"{f'{path}.{key}'.lstrip('.')}: unknown key; allowed here: {allowed} (and <key>_source)")
    for key, spec in schema.items():
        p = f"{path}.{key}".lstrip(".")
        if isinstance(spec, dict):
            if key not in data:
                if path == "" and key in _OPTIONAL_TABLES:
                    out[key] = _normalise(spec, {}, p)
                    continue
                raise ValueError(f"{p}: missing table")
            out[key] = _normalise(spec, data[key], p)
        elif key in data:
            out[key] = _check_field(spec, data[key], p)
        elif spec.required:
            raise ValueError(f"{p}: missing required key")
        else:
            out[key] = copy.deepcopy(spec.default)
    return dict(sorted(out.items(), key=lambda kv: _order(schema, kv[0])))


def _order(schema: Mapping[str, Any], key: str) -> tuple[int, int]:
    names = list(schema)
    if key not in schema and key == "source":
        return (0, -1)
    base = key[: -len("_source")] if key.endswith("_source") else key
    # scalars first (TOML needs them before sub-tables), schema order, source after its key
    return (int(isinstance(schema.get(base), dict)), names.index(base) * 2 + (base != key))


@dataclass(frozen=True)
class InputSpec:
    """A per-trial input: its name, distribution, long name and units."""

    name: str
    distribution: Distribution
    long_name: str
    units: str


class Scenario:
    """A validated scenario.

    Build one with :func:`load_scenario`, :meth:`from_toml` or :meth:`from_dict`;
    derive variants with :meth:`replace`.  Instances are immutable and compare equal
    when their normalised contents are equal.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        norm = _normalise(SCHEMA, data, "")
        _check_consistency(norm)
        object.__setattr__(self, "_data", norm)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Scenario is immutable; use Scenario.replace(...)")

    # ---- construction and serialisation -------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Validate a nested mapping (as read from TOML)."""
        return cls(data)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "scenario") -> Scenario:
        """Parse and validate TOML text; ``origin`` names it in errors."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{origin}: not valid TOML: {exc}") from None
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the normalised contents."""
        return copy.deepcopy(self._data)

    def to_toml(self) -> str:
        """The scenario as TOML; ``Scenario.from_toml(s.to_toml()) == s``."""
        return tomli_w.dumps(self._data)

    def replace(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted key paths replaced, e.g. ``{"claims.aws_share.spread": 0.3}``."""
        data = self.to_dict()
        for dotted, value in changes.items():
            *parents, last = dotted.split(".")
            node = data
            for part in parents:
                if not isinstance(node.get(part), dict):
                    raise ValueError(f"{dotted}: no such table in the scenario")
                node = node[part]
            node[last] = value.to_dict() if isinstance(value, Distribution) else value
        return Scenario(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        return f"Scenario(name={self.name!r}, years={self.start_year}..{self.end_year}, claim_year={self.claim_year})"

    def __getitem__(self, dotted: str) -> Any:
        node: Any = self._data
        for part in dotted.split("."):
            node = node[part]
        return copy.deepcopy(node)

    # ---- typed views ----------------------------------------------------------
    @property
    def name(self) -> str:
        return self._data["name"]

    @property
    def start_year(self) -> int:
        return self._data["years"]["start"]

    @property
    def end_year(self) -> int:
        return self._data["years"]["end"]

    @property
    def years(self) -> np.ndarray:
        """The simulated years, start to end inclusive."""
        return np.arange(self.start_year, self.end_year + 1)

    @property
    def horizon(self) -> int:
        """Years from the start to the claim year (the claims' ``years``)."""
        return self._data["claims"]["openai_aws_spend"]["years"]

    @property
    def claim_year(self) -> int:
        return self.start_year + self.horizon

    @property
    def claims(self) -> dict[str, Claim]:
        """The claims by key, as :class:`~cloudsim.claims.Claim` objects."""
        return {key: _claim(self._data, key) for key in CLAIM_KINDS}

    def inputs(self) -> list[InputSpec]:
        """The per-trial inputs in kernel order, with their distributions."""
        c = self.claims
        dists = {
            "spend_start": c["openai_aws_spend"].start_distribution(),
            "spend_target": c["openai_aws_spend"].target_distribution(),
            "aws_share_start": c["aws_share"].start_distribution(),
            "aws_share_target": c["aws_share"].target_distribution(),
            "market_cagr": c["market_cagr"].target_distribution(),
            "market_growth_late": c["market_cagr"].start_distribution(),
            "spend_growth_late": from_dict(self._data["spend"]["growth_after_target"]),
        }
        return [InputSpec(name, dists[name], long, units) for name, long, units in INPUTS]

    def spearman_matrix(self) -> np.ndarray:
        """The rank-correlation matrix of the per-trial inputs (identity where unstated)."""
        return _pair_matrix(self._data["dependence"]["spearman"], INPUT_NAMES)

    def copula_cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of the copula's correlation matrix.

        Spearman's rho becomes the copula's linear correlation by ``2 sin(pi rho / 6)``,
        exact for the Gaussian copula and a close approximation for the Student-t one.
        """
        return np.linalg.cholesky(_spearman_to_pearson(self.spearman_matrix()))

    def shock_matrix(self) -> np.ndarray:
        """The correlation matrix of the yearly shocks (order :data:`SHOCK_NAMES`)."""
        return _pair_matrix(self._data["dependence"]["shocks"], SHOCK_NAMES)

    def shock_cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of :meth:`shock_matrix`."""
        return np.linalg.cholesky(self.shock_matrix())


def _claim(d: Mapping[str, Any], key: str) -> Claim:
    table = d["claims"][key]
    fields = {k: v for k, v in table.items() if k in SCHEMA["claims"][key]}
    return Claim(key=key, kind=CLAIM_KINDS[key], **fields)  # type: ignore[arg-type]


def _pair_matrix(pairs: list[list[Any]], names: tuple[str, ...]) -> np.ndarray:
    m = np.eye(len(names))
    for a, b, rho in pairs:
        i, j = names.index(a), names.index(b)
        m[i, j] = m[j, i] = rho
    return m


def _spearman_to_pearson(m: np.ndarray) -> np.ndarray:
    r = 2.0 * np.sin(np.pi * m / 6.0)
    np.fill_diagonal(r, 1.0)
    return r


def _check_positive_definite(r: np.ndarray, stated: np.ndarray, names: tuple[str, ...], path: str) -> None:
    """Refuse a correlation matrix that is not positive definite, naming the worst pair."""
    w, v = np.linalg.eigh(r)
    if w[0] > 1e-10:
        return
    vec = v[:, 0]
    contrib = np.abs(np.outer(vec, vec) * (r - np.eye(len(r))))
    i, j = np.unravel_index(np.argmax(contrib), contrib.shape)
    raise ValueError(
        f"{path}: the correlation matrix is not positive definite (smallest eigenvalue {w[0]:.3g}); "
        f"the pair ({names[i]}, {names[j]}) with rho = {stated[i, j]:g} contributes most; "
        f"weaken it or its neighbours"
    )


def _check_consistency(d: dict[str, Any]) -> None:
    y0, y1 = d["years"]["start"], d["years"]["end"]
    horizons = {k: c["years"] for k, c in d["claims"].items()}
    h = horizons["openai_aws_spend"]
    for key, years in horizons.items():
        if years != h:
            raise ValueError(
                f"claims.{key}.years: every claim must share one horizon (the claim year); "
                f"got {years} here and {h} for openai_aws_spend"
            )
    if not y0 + h < y1 <= y0 + 100:
        raise ValueError(f"years.end: must be in [{y0 + h + 1}, {y0 + 100}] (after the claim year {y0 + h}), got {y1}")
    for key in CLAIM_KINDS:
        _claim(d, key)
    c = d["commitment"]
    if not y0 <= c["first_year"] <= c["last_year"] <= y1:
        raise ValueError(
            f"commitment.first_year/last_year: need {y0} <= first_year <= last_year <= {y1}, "
            f"got {c['first_year']} and {c['last_year']}"
        )
    frac = from_dict(d["spend"]["shift_fraction"], path="spend.shift_fraction")
    # the open end of a support (e.g. logit-normal) may touch 1 only in the limit
    lo, hi = float(frac.ppf(0.0)), float(frac.ppf(1.0 - 1e-12))
    if not (0.0 <= lo and hi < 1.0):
        raise ValueError(
            f"spend.shift_fraction: the fraction of spend moved must lie in [0, 1), got support [{lo}, {hi}]"
        )
    growth = from_dict(d["spend"]["growth_after_target"], path="spend.growth_after_target")
    if not (float(growth.ppf(0.0)) >= -1.0 and float(growth.ppf(1e-12)) > -1.0):
        raise ValueError("spend.growth_after_target: growth must stay above -100% (support minimum >= -1)")
    dep = d["dependence"]
    m = _pair_matrix(dep["spearman"], INPUT_NAMES)
    _check_positive_definite(_spearman_to_pearson(m), m, INPUT_NAMES, "dependence.spearman")
    k = _pair_matrix(dep["shocks"], SHOCK_NAMES)
    _check_positive_definite(k, k, SHOCK_NAMES, "dependence.shocks")


# ---- bundled scenarios --------------------------------------------------------
def list_scenarios() -> list[str]:
    """Names of the bundled scenarios."""
    folder = resources.files("cloudsim") / "scenarios"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(name_or_path: str | PathLike[str] | None = None) -> Scenario:
    """Load a bundled scenario by name, or a scenario TOML file by path.

    Parameters
    ----------
    name_or_path : str, path-like or None
        ``None`` loads the bundled default ``"openai-aws-2025"``; a name from
        :func:`list_scenarios`; or the path of a ``.toml`` file.

    Returns
    -------
    Scenario

    Raises
    ------
    ValueError
        For an unknown name or an invalid scenario (the message names the key).
    FileNotFoundError
        For a path that does not exist.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    if isinstance(name_or_path, str) and name_or_path in list_scenarios():
        text = (resources.files("cloudsim") / "scenarios" / f"{name_or_path}.toml").read_text("utf-8")
        return Scenario.from_toml(text, origin=name_or_path)
    if not isinstance(name_or_path, (str, PathLike)):
        raise TypeError(f"name_or_path: expected a scenario name, a path or None, got {_type_name(name_or_path)}")
    path = Path(name_or_path)
    if path.is_file():
        return Scenario.from_toml(path.read_text("utf-8"), origin=str(path))
    if path.suffix == ".toml" or path.parent != Path("."):
        raise FileNotFoundError(f"scenario file {str(path)!r} does not exist")
    raise ValueError(
        f"unknown scenario {str(name_or_path)!r}; bundled: {', '.join(list_scenarios())}, or give a .toml path"
    )
