"""Models: what a model declares (:mod:`.base`), the shared per-trial helpers, and the registry.

A scenario's ``model`` key names its model here.  Users register their own with
:func:`register_model`; everything downstream (simulate, bands, claims, compare,
plots, the command line) then works for it unchanged.
"""

from __future__ import annotations

from .base import ClaimSample, Commitment, Input, Model, Output
from .deal import DealModel
from .portfolio import PortfolioModel

__all__ = [
    "ClaimSample",
    "Commitment",
    "Input",
    "Model",
    "Output",
    "get_model",
    "list_models",
    "register_model",
]

_REGISTRY: dict[str, Model] = {}


def register_model(model: Model, *, replace: bool = False) -> Model:
    """Register a model instance under ``model.name``; returns it.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`Model` instance.
    ValueError
        If the name is empty, or taken and ``replace`` is false.
    """
    if not isinstance(model, Model):
        raise TypeError(f"model: expected an instance of cloudsim.models.Model, got {type(model).__name__}")
    if not model.name or not isinstance(model.name, str):
        raise ValueError("model.name: a model needs a non-empty name")
    if model.name in _REGISTRY and not replace:
        raise ValueError(f"model.name: {model.name!r} is already registered (pass replace=True to replace it)")
    _REGISTRY[model.name] = model
    return model


def get_model(name: str) -> Model:
    """The registered model called ``name``."""
    if name not in _REGISTRY:
        raise ValueError(f"model: unknown model {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def list_models() -> list[str]:
    """Names of the registered models."""
    return sorted(_REGISTRY)


register_model(DealModel())
register_model(PortfolioModel())
