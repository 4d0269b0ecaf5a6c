"""What a model declares: its inputs, shocks, outputs, schema and checks; the base class every model subclasses.

The engine, the Dataset builder, the analytics, the plots and the command line
read everything they need from these declarations, so nothing outside a model's
folder knows its vocabulary.  ``docs/architecture.md`` shows how to write one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..claims import Claim
from ..distributions import Distribution

__all__ = ["ClaimSample", "Commitment", "Input", "Model", "Output"]


@dataclass(frozen=True)
class Input:
    """A per-trial input: drawn once per trial from ``distribution``, joined to the others by the copula.

    Attributes
    ----------
    name : str
        Variable name in the Dataset and in ``dependence.spearman``.
    distribution : Distribution
    long_name, units : str
    key : str
        The scenario key it comes from (``"claims.spend.post_deal"``, ``"market.volatility"``).
    """

    name: str
    distribution: Distribution
    long_name: str
    units: str
    key: str = ""


@dataclass(frozen=True)
class Output:
    """An output variable: its name, dims (``"trial"`` first), units, long name and dtype.

    ``role`` is ``"path"`` for a yearly path, ``"outcome"`` for a per-trial result
    (e.g. a commitment met), ``"input"`` for a per-trial input.  ``attrs`` are
    copied onto the Dataset variable.
    """

    name: str
    dims: tuple[str, ...]
    units: str
    long_name: str
    dtype: str = "float"
    role: str = "path"
    attrs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_bool(self) -> bool:
        return self.dtype == "bool"


@dataclass(frozen=True)
class ClaimSample:
    """Where a claim's value is checked: the simulated samples of the claimed quantity.

    Attributes
    ----------
    claim : str
        The claim's key in the scenario.
    which : {"start", "target"}
        The pre-deal or post-deal value.
    year : int
    samples : numpy.ndarray
        One value per trial.
    """

    claim: str
    which: str
    year: int
    samples: np.ndarray


@dataclass(frozen=True)
class Commitment:
    """A commitment against cumulative spend: a first year and tranches ``(due year, amount)``.

    ``amounts`` may hold NaN where the amount is a distribution drawn per trial
    (its per-trial values are the input named in ``inputs``).
    """

    name: str
    first_year: int
    due_years: tuple[int, ...]
    amounts: tuple[float, ...]
    label: str = ""

    @property
    def last_year(self) -> int:
        return self.due_years[-1]

    @property
    def total(self) -> float:
        return float(sum(self.amounts))

    @property
    def years_text(self) -> str:
        return f"{self.first_year}-{self.last_year}"


class Model:
    """Base class of every model.

    A model subclasses this, sets :attr:`name`, :attr:`schema` and
    :attr:`optional_tables`, and implements the methods below.  Every method takes
    the scenario's normalised data ``d`` (a plain nested dict, already checked
    against :attr:`schema`); none of them sees the :class:`~cloudsim.Scenario`
    class, so models sit below it.

    The kernel contract: :meth:`run` fills rows ``lo..hi-1`` of every output
    array (global trials ``start + row``) from the per-trial streams keyed by
    ``key``; :meth:`reference` computes the same equations in NumPy.
    """

    #: Registered name (the scenario's ``model`` key).
    name: ClassVar[str] = ""
    #: Nested dict of :class:`cloudsim._schema.Field` (see :mod:`cloudsim._schema`).
    schema: ClassVar[dict[str, Any]] = {}
    #: Top-level tables that may be left out (filled from defaults).
    optional_tables: ClassVar[frozenset[str]] = frozenset()
    #: One line for ``cloudsim list`` and the docs.
    summary: ClassVar[str] = ""

    # ---- declaration -----------------------------------------------------------
    def check(self, d: Mapping[str, Any]) -> None:
        """Cross-field checks after the schema's; raise ``ValueError`` naming the key path."""

    def years(self, d: Mapping[str, Any]) -> np.ndarray:
        """The simulated years."""
        return np.arange(d["years"]["start"], d["years"]["end"] + 1)

    def coords(self, d: Mapping[str, Any]) -> dict[str, Sequence[Any]]:
        """Coordinates of every dim but ``trial``: at least ``year``."""
        return {"year": self.years(d)}

    def coord_attrs(self, d: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        """Attrs of the coordinates (``long_name``, ``units``)."""
        return {"year": {"long_name": "Year", "units": "year"}}

    def inputs(self, d: Mapping[str, Any]) -> list[Input]:
        """The per-trial inputs in draw order."""
        raise NotImplementedError

    def shocks(self, d: Mapping[str, Any]) -> tuple[str, ...]:
        """Names of the yearly shocks in draw order (``dependence.shocks`` names them)."""
        raise NotImplementedError

    def outputs(self, d: Mapping[str, Any]) -> list[Output]:
        """Every output variable but the inputs, in Dataset order."""
        raise NotImplementedError

    def claims(self, d: Mapping[str, Any]) -> dict[str, Claim]:
        """The scenario's claims by key."""
        return {}

    def commitments(self, d: Mapping[str, Any]) -> list[Commitment]:
        """The scenario's commitments (an empty list for a model without any)."""
        return []

    def labels(self, d: Mapping[str, Any]) -> dict[str, str]:
        """Names for attrs, titles and CLI lines (e.g. ``buyer``, ``seller``)."""
        return {}

    def headline(self, d: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The variables a report shows first: ``(output name, selection)`` pairs."""
        return []

    def method(self, d: Mapping[str, Any]) -> str:
        """One sentence for ``ds.attrs["method"]``."""
        return ""

    # ---- numerics ---------------------------------------------------------------
    def pack(self, d: Mapping[str, Any], inputs: Sequence[Input], copula_cholesky: np.ndarray,
             shock_cholesky: np.ndarray, student_df: int) -> Any:  # fmt: skip
        """Everything the kernel needs, as arrays and a NamedTuple of named scalars."""
        raise NotImplementedError

    def run(self, key: int, start: int, lo: int, hi: int, packed: Any, out: Mapping[str, np.ndarray]) -> None:
        """The numba kernel over rows ``lo..hi-1``."""
        raise NotImplementedError

    def score_layout(self, d: Mapping[str, Any]) -> tuple[int, int, list[Any]] | None:
        """Where supplied normal scores go, for samplers other than ``"mc"``: ``None`` if unsupported.

        Otherwise ``(n_inputs, dims, segments)``: the kernel's ``run(..., scores=)`` reads
        ``dims`` scores per trial, the inputs' first, and ``segments``
        (:class:`cloudsim.engine.samplers.Segment`-shaped ``(kind, columns, horizon, scale,
        tier)``) say how the shock columns make each process's path and in which order the
        sampler's dimensions serve them.
        """
        return None

    def reference(self, key: int, start: int, packed: Any, out: Mapping[str, np.ndarray]) -> None:
        """The NumPy reference of the same equations over every row of ``out``."""
        raise NotImplementedError

    def with_stream(self, packed: Any, stream: int) -> Any:
        """``packed`` drawing from stream version ``stream`` (``2``: the lock-step kernel); 1 is the default."""
        raise ValueError(f"stream: model {self.name!r} runs on stream version 1 only, got stream={stream}")

    def with_given(self, packed: Any, columns: np.ndarray, values: np.ndarray) -> Any:
        """``packed`` with per-trial input values given from outside: input ``columns[g]`` of row ``r`` is
        ``values[r, g]`` (drawn first, then overwritten, so the streams are consumed as without them)."""
        raise ValueError(f"inputs: model {self.name!r} does not accept per-trial input values from outside")

    def streams(self, d: Mapping[str, Any]) -> list[str] | None:
        """Names of the stream groups a run can draw from a second seed (pick-freeze); ``None`` if unsupported.

        A name stands for every variate of one kind in every trial: a drawn input's independent
        (pre-copula) normal, one process's yearly shocks, ...  :meth:`with_second` takes one flag
        per name, in this order.
        """
        return None

    def with_second(self, packed: Any, key2: int, flags: np.ndarray) -> Any:
        """``packed`` drawing the streams flagged in ``flags`` (one per :meth:`streams` name) from ``key2``.

        Every trial then advances its stream for ``key2`` exactly as its first one, so trial ``i``
        depends only on the scenario, both seeds and ``i``; with every flag set the run equals the
        run with the second seed alone.
        """
        raise ValueError(f"second_seed: model {self.name!r} cannot draw streams from a second seed")

    def claim_samples(self, ds: Any, d: Mapping[str, Any]) -> list[ClaimSample]:
        """The simulated samples each claim is checked on (``ds`` is a Dataset of this model)."""
        return []

    def __repr__(self) -> str:
        return f"<cloudsim model {self.name!r}>"
