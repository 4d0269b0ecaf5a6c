"""Models: what a model declares (:mod:`.base`), the shared per-trial helpers, and the registry.

A scenario's ``model`` key names its model.  Every model, bundled or a user's own,
reaches the registry by one path: a ``"module:attribute"`` reference to a
:class:`Model` instance (or a subclass, instantiated with no arguments) is
imported, its declaration checked by :func:`check_model`, and it is registered
under its ``name``.  The bundled models are the rows of :data:`BUNDLED`; a
package declares its own the same way, as entry points of the group
:data:`ENTRY_POINT_GROUP` (``cloudsim.models``) in its metadata, and a script
calls :func:`register_model`.  A scenario may also name a model by its reference
(``model = "mypackage.models:MODEL"``), imported on first use.  Everything
downstream (simulate, bands, claims, compare, plots, the command line) then works
for it unchanged.  ``docs/models.md`` shows how to write one.
"""

from __future__ import annotations

import importlib
import re
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .base import ClaimSample, Commitment, Input, Model, Output

__all__ = [
    "BUNDLED",
    "ENTRY_POINT_GROUP",
    "ClaimSample",
    "Commitment",
    "Input",
    "Model",
    "Output",
    "check_model",
    "get_model",
    "list_models",
    "load_model",
    "register_model",
]

#: The entry-point group a package declares its models in (``name = "module:attribute"``).
ENTRY_POINT_GROUP = "cloudsim.models"
#: The bundled models, declared as an entry point declares one: name -> ``"module:attribute"``.
BUNDLED: dict[str, str] = {
    "deal": "cloudsim.models.deal:DealModel",
    "portfolio": "cloudsim.models.portfolio:PortfolioModel",
}

_REGISTRY: dict[str, Model] = {}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
#: What a model's schema must hold: every scenario has these keys (the engine and ``Scenario`` read them).
_REQUIRED_KEYS = ("name", "model", "years.start", "years.end", "dependence.spearman", "dependence.shocks",
                  "dependence.copula")  # fmt: skip
#: The methods a model must define: (method, what it is).
_REQUIRED_METHODS = (
    ("inputs", "the per-trial inputs in draw order"),
    ("shocks", "the names of the yearly shocks"),
    ("outputs", "the output variables"),
    ("pack", "the scenario as the kernel takes it"),
    ("run", "the numba kernel over rows lo..hi-1"),
    ("reference", "the NumPy reference of the same equations"),
)


def check_model(model: Any) -> Model:
    """Check a model's declaration (the class attributes and methods every model needs); returns it.

    Parameters
    ----------
    model : Model
        An instance of a :class:`Model` subclass.

    Returns
    -------
    Model
        ``model`` itself.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`Model` instance, or ``schema``, ``optional_tables`` or
        ``summary`` has the wrong type (the message names the attribute).
    ValueError
        If ``name`` is empty or not a plain name, the schema lacks a key every scenario needs,
        ``optional_tables`` names a key that is not a table of the schema, or a required method
        is not defined.
    """
    if isinstance(model, type) and issubclass(model, Model):
        raise TypeError(f"model: expected an instance of cloudsim.models.Model, got the class {model.__name__}; "
                        f"register an instance, {model.__name__}()")  # fmt: skip
    if not isinstance(model, Model):
        raise TypeError(f"model: expected an instance of cloudsim.models.Model, got {type(model).__name__}")
    cls = type(model).__name__
    name = model.name
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"model.name: {cls} needs a non-empty name of letters, digits, '_', '.' or '-' "
                         f"(the scenario's model key), got {name!r}")  # fmt: skip
    if not isinstance(model.summary, str):
        raise TypeError(f"model.summary: {cls}.summary must be a string, got {type(model.summary).__name__}")
    schema = model.schema
    if not isinstance(schema, dict):
        raise TypeError(f"model.schema: {cls}.schema must be a dict of Field and tables, got {type(schema).__name__}")
    for dotted in _REQUIRED_KEYS:
        node: Any = schema
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            raise ValueError(f"model.schema: {cls}.schema has no key {dotted!r}; every scenario has name, model, "
                             "years.start, years.end and a dependence table (cloudsim.models.kit.standard_schema "
                             "gives them)")  # fmt: skip
    tables = model.optional_tables
    if not isinstance(tables, (frozenset, set)) or not all(isinstance(t, str) for t in tables):
        raise TypeError(f"model.optional_tables: {cls}.optional_tables must be a frozenset of table names, "
                        f"got {tables!r}")  # fmt: skip
    for t in sorted(tables):
        if not isinstance(schema.get(t), dict):
            raise ValueError(f"model.optional_tables: {t!r} is not a table of {cls}.schema")
    for method, what in _REQUIRED_METHODS:
        if getattr(type(model), method, None) is getattr(Model, method):
            raise ValueError(f"model.{method}: {cls} does not define {method}() ({what})")
    return model


def register_model(model: Model, *, replace: bool = False) -> Model:
    """Register a model instance under ``model.name``; returns it.

    Parameters
    ----------
    model : Model
        An instance of a :class:`Model` subclass; its declaration is checked by :func:`check_model`.
    replace : bool, default False
        Replace a model registered under the same name.

    Raises
    ------
    TypeError, ValueError
        For a malformed declaration (see :func:`check_model`), or (``ValueError``) a name that is
        taken while ``replace`` is false.
    """
    check_model(model)
    if model.name in _REGISTRY and _REGISTRY[model.name] is not model and not replace:
        raise ValueError(f"model.name: {model.name!r} is already registered (pass replace=True to replace it)")
    _REGISTRY[model.name] = model
    return model


def load_model(reference: str, *, where: str = "model") -> Model:
    """Import the model a ``"module:attribute"`` reference names, check it and register it.

    The attribute is a :class:`Model` instance or a subclass (instantiated with no
    arguments).  A model already registered under its name is kept, so loading the same
    reference twice returns the same object.

    Parameters
    ----------
    reference : str
        ``"package.module:ATTRIBUTE"`` (the attribute may be dotted).
    where : str
        What names the reference in error messages (a scenario key or an entry point).

    Returns
    -------
    Model
        The registered model.

    Raises
    ------
    ValueError
        If the reference is not of that form, or the module or attribute cannot be found.
    TypeError
        If the attribute is not a model (see :func:`check_model`).
    """
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        raise ValueError(f"{where}: a model reference is 'package.module:ATTRIBUTE', got {reference!r}")
    module_name, attr = reference.split(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{where}: cannot import module {module_name!r} of {reference!r}: {exc}") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"{where}: module {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if isinstance(obj, type) and issubclass(obj, Model):
        obj = obj()
    if not isinstance(obj, Model):
        raise TypeError(f"{where}: {reference!r} is a {type(obj).__name__}, not a cloudsim.models.Model "
                        "instance or subclass")  # fmt: skip
    check_model(obj)
    return _REGISTRY.get(obj.name) or register_model(obj)


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _load_declared(name: str, reference: str, where: str) -> Model:
    model = load_model(reference, where=where)
    if model.name != name:
        raise ValueError(f"{where}: names a model called {model.name!r}; the declared name must be the model's name")
    return model


def get_model(name: str) -> Model:
    """The model a scenario's ``model`` key names: a registered name, an entry point's or a reference.

    Parameters
    ----------
    name : str
        A registered model's name, the name of an entry point of the group
        :data:`ENTRY_POINT_GROUP` (loaded on first use), or a ``"module:attribute"``
        reference (imported on first use, see :func:`load_model`).

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If no model goes by that name, naming the registered ones.
    """
    if name in _REGISTRY:
        return _REGISTRY[name]
    if ":" in name:
        return load_model(name)
    declared = _entry_points()
    if name in declared:
        ep = declared[name]
        return _load_declared(name, ep.value, f"entry point {name!r} (group {ENTRY_POINT_GROUP})")
    raise ValueError(
        f"model: unknown model {name!r}; registered: {', '.join(list_models())} (register your own with "
        f"cloudsim.models.register_model, an entry point of the group {ENTRY_POINT_GROUP!r}, or name it as "
        "'package.module:MODEL')"
    )


def list_models() -> list[str]:
    """Names of the registered models and of the models packages declare as entry points."""
    return sorted(set(_REGISTRY) | set(_entry_points()))


for _name, _reference in BUNDLED.items():
    _load_declared(_name, _reference, f"BUNDLED[{_name!r}]")
