"""``ds.cloudsim.plot``: the plots as methods of a Dataset or DataArray, like xarray's ``.plot``."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import xarray as xr

from .claims import claims
from .commitments import commitments
from .dashboard import dashboard
from .distribution import distribution
from .fan import fan, shares

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["DatasetPlotAccessor", "PlotAccessor"]


def _forward(func: Any) -> Any:
    """A method that calls ``func(self._obj, ...)``, with ``func``'s name, docstring and signature."""

    @functools.wraps(func)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return func(self._obj, *args, **kwargs)

    return method


class PlotAccessor:
    """``ds.cloudsim.plot.<function>(...)`` calls ``cloudsim.plot.<function>(ds, ...)``.

    Holds only the object, like xarray's ``ds.plot``; calling it draws the dashboard of a
    Dataset or the fan of a DataArray.  ``PlotAccessor(ds)`` of a Dataset is a
    :class:`DatasetPlotAccessor`, which adds the Dataset-only plots (:func:`claims`,
    :func:`commitments`, :func:`dashboard`).

    Examples
    --------
    >>> ds.cloudsim.plot.fan("spend", ci=True)  # doctest: +SKIP
    >>> ds["share"].cloudsim.plot.fan(provider=ds.attrs["seller_name"])  # doctest: +SKIP
    >>> total = ds["commitment_met"].attrs["commitment_total"]  # doctest: +SKIP
    >>> ds.cloudsim.plot.distribution("cumulative_spend", year=2032, thresholds=[total])  # doctest: +SKIP
    """

    __slots__ = ("_obj",)

    def __new__(cls, obj: xr.Dataset | xr.DataArray) -> PlotAccessor:
        if cls is PlotAccessor and isinstance(obj, xr.Dataset):
            cls = DatasetPlotAccessor
        return super().__new__(cls)

    def __init__(self, obj: xr.Dataset | xr.DataArray) -> None:
        self._obj = obj

    def __call__(self, **kwargs: Any) -> Axes | Figure:
        """:func:`dashboard` for a Dataset, :func:`fan` for a DataArray."""
        if isinstance(self._obj, xr.Dataset):
            return dashboard(self._obj, **kwargs)
        return fan(self._obj, **kwargs)

    fan = _forward(fan)
    shares = _forward(shares)
    distribution = _forward(distribution)


class DatasetPlotAccessor(PlotAccessor):
    """:class:`PlotAccessor` of a Dataset: also the plots that need the whole simulation."""

    __slots__ = ()

    claims = _forward(claims)
    commitments = _forward(commitments)
    dashboard = _forward(dashboard)
