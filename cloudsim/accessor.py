"""The ``cloudsim`` accessor on xarray objects: thin forwarding to free functions.

``ds.cloudsim.<function>(...)`` calls ``cloudsim.risk.<function>(ds, ...)``.  The accessors
hold only the object (``__slots__``); every method is the free function wrapped with
:func:`functools.wraps`, so ``help(ds.cloudsim.quantile_intervals)`` shows the real
signature and docstring.  The target is imported on first use of the method, so that
``import cloudsim`` stays light (xarray only).

The Dataset accessor lists what takes a Dataset (bands, intervals, claims, commitments,
paired differences of a comparison); the DataArray accessor what takes one variable (bands,
intervals, exceedance, first passage, VaR/ES, Monte Carlo errors, paired differences).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import xarray as xr

__all__ = ["CloudsimAccessor", "DataArrayAccessor", "DatasetAccessor"]


class _Forward:
    """A method forwarding to ``cloudsim.<module>.<name>(self._obj, ...)``, resolved on first access.

    On first access (from an instance or the class, e.g. by :func:`help`) the target is
    imported and the descriptor replaces itself on the owner class with the wrapped function.
    """

    def __init__(self, module: str, name: str | None = None) -> None:
        self.module = module
        self.target = name
        self.name = ""
        self.owner: type | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.owner = owner
        self.target = self.target or name

    def _resolve(self) -> Any:
        func = getattr(importlib.import_module(f"cloudsim.{self.module}"), str(self.target))

        @functools.wraps(func)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return func(self._obj, *args, **kwargs)

        setattr(self.owner, self.name, method)
        return method

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        method = self._resolve()
        return method if obj is None else method.__get__(obj, objtype)


class CloudsimAccessor:
    """Common base of the accessors: holds the object; ``.plot`` gives the plots."""

    __slots__ = ("_obj",)

    def __init__(self, obj: xr.Dataset | xr.DataArray) -> None:
        self._obj = obj

    percentile_bands = _Forward("risk")
    quantile_intervals = _Forward("risk")
    paired_difference = _Forward("risk")

    @property
    def plot(self):
        """Plots, in the style of xarray's ``.plot``: ``ds.cloudsim.plot.fan("spend")``,
        ``ds.cloudsim.plot.dashboard()``, ...; see :class:`cloudsim.plot.PlotAccessor`."""
        from .plot import PlotAccessor

        return PlotAccessor(self._obj)


class DatasetAccessor(CloudsimAccessor):
    """``ds.cloudsim.<function>(...)`` calls ``cloudsim.<function>(ds, ...)`` for a Dataset."""

    __slots__ = ()

    check_claims = _Forward("risk")  # the scenario defaults to the one in ds.attrs["scenario"]
    commitment_probability = _Forward("risk")
    commitment_report = _Forward("risk")


class DataArrayAccessor(CloudsimAccessor):
    """``da.cloudsim.<function>(...)`` calls ``cloudsim.<function>(da, ...)`` for one variable."""

    __slots__ = ()

    exceedance_probability = _Forward("risk")
    first_passage = _Forward("risk")
    value_at_risk = _Forward("risk")
    expected_shortfall = _Forward("risk")
    mcse = _Forward("risk")


xr.register_dataset_accessor("cloudsim")(DatasetAccessor)
xr.register_dataarray_accessor("cloudsim")(DataArrayAccessor)
