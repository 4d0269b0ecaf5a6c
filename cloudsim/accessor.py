"""The ``cloudsim`` accessor on xarray objects: thin forwarding to free functions."""

from __future__ import annotations

from typing import Any

import xarray as xr

__all__ = ["CloudsimAccessor"]


class CloudsimAccessor:
    """``ds.cloudsim.<function>(...)`` calls ``cloudsim.<function>(ds, ...)``."""

    def __init__(self, obj: xr.Dataset | xr.DataArray) -> None:
        self._obj = obj

    def percentile_bands(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.percentile_bands`."""
        from .stats import percentile_bands

        return percentile_bands(self._obj, *args, **kwargs)

    def check_claims(self, scenario=None, **kwargs: Any):
        """See :func:`cloudsim.check_claims`; the scenario defaults to the one recorded in the Dataset."""
        from .scenario import Scenario
        from .stats import check_claims

        if scenario is None:
            scenario = Scenario.from_toml(self._obj.attrs["scenario"], origin="ds.attrs['scenario']")
        return check_claims(self._obj, scenario, **kwargs)

    def commitment_probability(self, **kwargs: Any):
        """See :func:`cloudsim.commitment_probability`."""
        from .stats import commitment_probability

        return commitment_probability(self._obj, **kwargs)

    # ---- risk analytics (cloudsim.risk) ----------------------------------------
    def quantile_intervals(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.quantile_intervals`."""
        from .risk import quantile_intervals

        return quantile_intervals(self._obj, *args, **kwargs)

    def exceedance_probability(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.exceedance_probability`."""
        from .risk import exceedance_probability

        return exceedance_probability(self._obj, *args, **kwargs)

    def first_passage(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.first_passage`."""
        from .risk import first_passage

        return first_passage(self._obj, *args, **kwargs)

    def value_at_risk(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.value_at_risk`."""
        from .risk import value_at_risk

        return value_at_risk(self._obj, *args, **kwargs)

    def expected_shortfall(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.expected_shortfall`."""
        from .risk import expected_shortfall

        return expected_shortfall(self._obj, *args, **kwargs)

    def mcse(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.mcse`."""
        from .risk import mcse

        return mcse(self._obj, *args, **kwargs)

    def commitment_report(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.commitment_report`."""
        from .risk import commitment_report

        return commitment_report(self._obj, *args, **kwargs)

    def paired_difference(self, *args: Any, **kwargs: Any):
        """See :func:`cloudsim.paired_difference` (on the output of :func:`cloudsim.compare`)."""
        from .risk import paired_difference

        return paired_difference(self._obj, *args, **kwargs)

    @property
    def plot(self):
        """Plots, in the style of xarray's ``.plot``: ``ds.cloudsim.plot.fan("openai_aws_spend")``,
        ``ds.cloudsim.plot.dashboard()``, ...; see :class:`cloudsim.plot.PlotAccessor`."""
        from .plot import PlotAccessor

        return PlotAccessor(self._obj)


xr.register_dataset_accessor("cloudsim")(CloudsimAccessor)
xr.register_dataarray_accessor("cloudsim")(CloudsimAccessor)
