"""Scenarios: a model's claims and every other assumption, read from TOML and validated against the model's schema.

A :class:`Scenario` is an immutable, validated, normalised nested mapping plus the
:class:`~cloudsim.models.Model` that runs it (its ``model`` key, ``"deal"`` by
default).  It is read with :meth:`Scenario.from_toml` / :func:`load_scenario` and
written back with :meth:`Scenario.to_toml`; ``Scenario.from_toml(s.to_toml()) == s``
always.  Every error names the offending key path, e.g. ``claims.spend.post_deal``.

Any key ``x`` may carry its provenance in a sibling string ``x_source``, and any
table a ``source`` string of its own.  The accepted keys, types, ranges and defaults
of the deal model are listed in ``docs/scenario-format.md``.
"""

from __future__ import annotations

import copy
import errno
import re
import stat
import tomllib
from collections.abc import Mapping
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from ._schema import normalise
from .claims import Claim
from .distributions import Distribution
from .models import Commitment, Input, Model, get_model

__all__ = ["Scenario", "list_scenarios", "load_scenario"]

DEFAULT_SCENARIO = (resources.files("cloudsim") / "scenarios" / "DEFAULT").read_text("utf-8").strip()
#: Degrees of freedom of the Student-t copula when ``dependence.df`` is not given.
DEFAULT_STUDENT_DF = 4
_INDEX = re.compile(r"^(?P<key>[^\[\]]+)\[(?P<idx>\d+)\]$")


def _type_name(v: Any) -> str:
    return type(v).__name__


class Scenario:
    """A validated scenario of a registered model.

    Build one with :func:`load_scenario`, :meth:`from_toml` or :meth:`from_dict`;
    derive variants with :meth:`replace`.  Instances are immutable and compare equal
    when their normalised contents are equal.
    """

    __slots__ = ("_changes", "_data", "_model")

    def __init__(self, data: Mapping[str, Any], *, _changes: Mapping[str, Any] | None = None) -> None:
        if not isinstance(data, Mapping):
            raise TypeError(f"scenario: expected a table (a mapping), got {_type_name(data)}")
        name = data.get("model", "deal")
        if not isinstance(name, str):
            raise TypeError(f"model: expected a model name (a string), got {_type_name(name)} {name!r}")
        model = get_model(name)
        norm = normalise(model.schema, data, "", model.optional_tables)
        model.check(norm)
        _check_dependence(model, norm)
        object.__setattr__(self, "_data", norm)
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_changes", dict(_changes or {}))

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
        if not isinstance(text, str):
            raise TypeError(
                f"{origin}: expected TOML text (str), got {_type_name(text)}; decode bytes first, "
                "or use cloudsim.load_scenario(path)"
            )
        try:
            data = tomllib.loads(text.removeprefix("\ufeff"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{origin}: not valid TOML: {exc}") from None
        except RecursionError:
            raise ValueError(f"{origin}: not valid TOML: nested too deeply") from None
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the normalised contents."""
        return copy.deepcopy(self._data)

    def to_toml(self) -> str:
        """The scenario as TOML; ``Scenario.from_toml(s.to_toml()) == s``."""
        return tomli_w.dumps(self._data)

    def replace(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted key paths replaced.

        ``{"claims.spend.spread": 0.3, "deal.seller": "oracle", "commitments[0].total": "$50B"}``:
        a path names tables by key and list entries by ``[index]``; a value may be a
        number, a string, a table, a list or a :class:`~cloudsim.distributions.Distribution`.
        The new scenario's name gains `` (modified)`` (unless ``name`` is among the
        changes), each replaced key's ``<key>_source`` says it was changed, and
        ``repr`` lists the changes.

        Raises
        ------
        TypeError
            For a key that is not a string.
        ValueError
            For a path through a value that is not a table, an unknown table, or
            a change that makes the scenario invalid (the message names the key).
        """
        if not isinstance(changes, Mapping):
            raise TypeError(f"changes: expected a mapping of dotted key paths to values, got {_type_name(changes)}")
        data = self.to_dict()
        for dotted, value in changes.items():
            if not isinstance(dotted, str) or not dotted:
                raise TypeError(f"changes: keys must be dotted key paths (str), got {_type_name(dotted)} {dotted!r}")
            *parents, last = dotted.split(".")
            node: Any = data
            walked = []
            for part in parents:
                node = _step(node, part, ".".join([*walked, part]), dotted)
                walked.append(part)
            m = _INDEX.match(last)
            if m:
                node = _step(node, m["key"], ".".join([*walked, m["key"]]), dotted)
                idx = int(m["idx"])
                if not isinstance(node, list) or idx >= len(node):
                    raise ValueError(f"{dotted}: no entry [{idx}] here")
                node[idx] = _plain(value)
                continue
            if not isinstance(node, dict):
                raise ValueError(f"{dotted}: {'.'.join(walked) or 'scenario'} is not a table")
            node[last] = _plain(value)
            if last != "name" and not last.endswith("source"):
                node[f"{last}_source"] = "changed with Scenario.replace"
        all_changes = {**self._changes, **{k: _plain(v) for k, v in changes.items()}}
        if "name" not in changes and not data["name"].endswith(" (modified)"):
            data["name"] = f"{data['name']} (modified)"
        return Scenario(data, _changes=all_changes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        extra = f", changes={self._changes!r}" if self._changes else ""
        return (
            f"Scenario(name={self.name!r}, model={self._model.name!r}, years={self.start_year}..{self.end_year}{extra})"
        )

    def __getitem__(self, dotted: str) -> Any:
        if not isinstance(dotted, str):
            raise TypeError(f"key: expected a dotted key path (str), got {_type_name(dotted)} {dotted!r}")
        node: Any = self._data
        walked: list[str] = []
        for part in dotted.split("."):
            m = _INDEX.match(part)
            key = m["key"] if m else part
            if not isinstance(node, dict) or key not in node:
                here = ".".join(walked) or "the scenario"
                keys = ", ".join(sorted(node)) if isinstance(node, dict) else "none (not a table)"
                raise KeyError(f"{dotted}: no key {key!r} in {here}; keys there: {keys}")
            node = node[key]
            walked.append(key)
            if m:
                idx = int(m["idx"])
                if not isinstance(node, list) or idx >= len(node):
                    raise KeyError(f"{dotted}: no entry [{idx}] in {'.'.join(walked)}")
                node = node[idx]
        return copy.deepcopy(node)

    # ---- typed views ----------------------------------------------------------
    @property
    def model(self) -> Model:
        """The model that runs this scenario."""
        return self._model

    @property
    def name(self) -> str:
        return self._data["name"]

    @property
    def description(self) -> str:
        return self._data.get("description", "")

    @property
    def changes(self) -> dict[str, Any]:
        """The changes :meth:`replace` made since the scenario was read (empty for a file as read)."""
        return copy.deepcopy(self._changes)

    @property
    def start_year(self) -> int:
        return self._data["years"]["start"]

    @property
    def end_year(self) -> int:
        return self._data["years"]["end"]

    @property
    def years(self) -> np.ndarray:
        """The simulated years, start to end inclusive."""
        return np.asarray(self._model.years(self._data))

    @property
    def labels(self) -> dict[str, str]:
        """Names for titles and attrs (the deal model: ``buyer``, ``seller``, ``market``)."""
        return self._model.labels(self._data)

    @property
    def claims(self) -> dict[str, Claim]:
        """The claims by key, as :class:`~cloudsim.claims.Claim` objects."""
        return self._model.claims(self._data)

    @property
    def claim_years(self) -> dict[str, int]:
        """The year each claim speaks of, by claim key."""
        return {k: self.start_year + c.years for k, c in self.claims.items()}

    @property
    def commitments(self) -> list[Commitment]:
        """The commitments, each with its first year and tranches."""
        return self._model.commitments(self._data)

    def inputs(self) -> list[Input]:
        """The per-trial inputs in draw order, with their distributions."""
        return self._model.inputs(self._data)

    def spearman_matrix(self) -> np.ndarray:
        """The rank-correlation matrix of the per-trial inputs (identity where unstated)."""
        names = tuple(i.name for i in self.inputs())
        return _pair_matrix(self._data["dependence"]["spearman"], names)

    def copula_cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of the copula's correlation matrix.

        Spearman's rho becomes the copula's linear correlation by ``2 sin(pi rho / 6)``,
        exact for the Gaussian copula and a close approximation for the Student-t one.
        """
        return np.linalg.cholesky(_spearman_to_pearson(self.spearman_matrix()))

    def shock_matrix(self) -> np.ndarray:
        """The correlation matrix of the yearly shocks (order ``scenario.model.shocks``)."""
        return _pair_matrix(self._data["dependence"]["shocks"], self._model.shocks(self._data))

    def shock_cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of :meth:`shock_matrix`."""
        return np.linalg.cholesky(self.shock_matrix())

    def student_df(self) -> int:
        """Degrees of freedom of the Student-t copula, 0 for the Gaussian copula."""
        dep = self._data["dependence"]
        return int(dep.get("df", DEFAULT_STUDENT_DF)) if dep["copula"] == "student" else 0

    def pack(self) -> Any:
        """The scenario as its model's kernel takes it."""
        return self._model.pack(
            self._data, self.inputs(), self.copula_cholesky(), self.shock_cholesky(), self.student_df()
        )


def _plain(value: Any) -> Any:
    return value.to_dict() if isinstance(value, Distribution) else value


def _step(node: Any, part: str, where: str, dotted: str) -> Any:
    m = _INDEX.match(part)
    key = m["key"] if m else part
    if not isinstance(node, dict):
        raise ValueError(f"{dotted}: {where.rsplit('.', 1)[0]} is not a table")
    if key not in node:
        tables = ", ".join(sorted(k for k, v in node.items() if isinstance(v, (dict, list))))
        parent = where.rsplit(".", 1)[0] if "." in where else ""
        if tables:
            raise ValueError(f"{dotted}: no table {where!r} in the scenario; tables here: {tables}")
        keys = ", ".join(sorted(k for k in node if not k.endswith("source")))
        raise ValueError(
            f"{dotted}: no table {where!r} in the scenario; {parent} holds no tables, only the keys {keys}"
        )
    node = node[key]
    if m:
        idx = int(m["idx"])
        if not isinstance(node, list) or idx >= len(node):
            raise ValueError(f"{dotted}: no entry [{idx}] in {key}")
        node = node[idx]
    if not isinstance(node, dict):
        raise ValueError(f"{dotted}: {where} is not a table")
    return node


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
    if r.size == 0:  # a model with no per-trial inputs or no yearly shocks: nothing to correlate
        return
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


def _check_dependence(model: Model, d: dict[str, Any]) -> None:
    dep = d["dependence"]
    if "df" in dep and dep["copula"] != "student":
        raise ValueError(
            f"dependence.df: degrees of freedom belong to the Student-t copula, but copula = {dep['copula']!r}; "
            "set copula = 'student' to use them, or remove df"
        )
    inputs = tuple(i.name for i in model.inputs(d))
    shocks = tuple(model.shocks(d))
    for key, what, names in (("spearman", "input", inputs), ("shocks", "shock", shocks)):
        for k, (a, b, _) in enumerate(dep[key]):
            for name in (a, b):
                if name not in names:
                    raise ValueError(f"dependence.{key}[{k}]: unknown {what} {name!r}; {what}s are {', '.join(names)}")
    m = _pair_matrix(dep["spearman"], inputs)
    _check_positive_definite(_spearman_to_pearson(m), m, inputs, "dependence.spearman")
    k = _pair_matrix(dep["shocks"], shocks)
    _check_positive_definite(k, k, shocks, "dependence.shocks")


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
        ``None`` loads the bundled default named in ``cloudsim/scenarios/DEFAULT``; a name from
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
    text = _read_scenario_file(path)
    if text is not None:
        return Scenario.from_toml(text, origin=str(path))
    if path.suffix == ".toml" or path.parent != Path("."):
        raise FileNotFoundError(f"scenario file {str(path)!r} does not exist")
    raise ValueError(
        f"unknown scenario {str(name_or_path)!r}; bundled: {', '.join(list_scenarios())}, or give a .toml path"
    )


#: A scenario file larger than this is refused before it is read (the bundled ones are a few KiB).
MAX_SCENARIO_BYTES = 16 * 2**20


def _read_scenario_file(path: Path) -> str | None:
    """The text of a scenario file, ``None`` when nothing is there; clear errors for what is not a TOML file."""
    where = f"scenario file {str(path)!r}"
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError(f"{where}: a symbolic link loop (the link points back at itself)") from None
        raise ValueError(f"{where}: cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{where} is a directory; give the path of a .toml file in it")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{where} is not a regular file (a device, pipe or socket); give the path of a .toml file")
    if st.st_size > MAX_SCENARIO_BYTES:
        raise ValueError(f"{where}: {st.st_size:,} bytes is too large for a scenario (at most {MAX_SCENARIO_BYTES:,})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{where}: cannot be read: {exc.strerror}") from None
    if b"\x00" in data:
        raise ValueError(f"{where}: a binary file (it contains NUL bytes), not TOML text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); TOML files are UTF-8: "
            "save it as UTF-8 (a Latin-1 file can be converted with iconv -f latin1 -t utf-8)"
        ) from None
