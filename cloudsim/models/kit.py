"""What a model of your own imports: schema fields, the keys every scenario has, and the per-trial helpers.

A model's kernel is a module-level ``@numba.njit(cache=True, parallel=True)``
function in the model's own module (numba caches only module-level functions);
the helpers below are ``inline="always"``, so each kernel compiles them into its
own loop.  Each numba helper has its NumPy counterpart for the reference:

=====================================  =============================================
kernel (numba, one trial)              reference (NumPy, every trial at once)
=====================================  =============================================
``seed_trial(s, key, start + i)``      ``st = VectorStreams(key, start + rows)``
``trial_inputs(s, pk.arrays, z, x)``   ``reference_inputs(st, pk, n)``
``next_normal(s, KI, WI, FI)``         ``st.normal()``
=====================================  =============================================

A claim of the scenario (``claims.<key>``, keys of :func:`claim_schema`) becomes a
:class:`~cloudsim.claims.Claim` with :func:`scenario_claim`; :func:`check_claim_year`
checks its year lies in the simulated years, and :func:`bridged_claim_samples` says
where a claim bridged from the start year to its own year is checked.

``docs/models.md`` shows a whole model built from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numba
import numpy as np

from .._rng import FI, KI, WI, VectorStreams, next_normal, seed_trial
from .._schema import Field, TableList, money, number
from ..claims import Claim
from ..distributions import Distribution
from ._trial import draw_inputs, reference_inputs, sparse_rows, z_table
from .base import ClaimSample, Input
from .deal.schema import SCHEMA as _DEAL_SCHEMA
from .deal.schema import claim_schema

__all__ = [
    "FI",
    "KI",
    "WI",
    "Field",
    "InputArrays",
    "PackedInputs",
    "TableList",
    "VectorStreams",
    "bridged_claim_samples",
    "check_claim_year",
    "claim_schema",
    "money",
    "next_normal",
    "number",
    "pack_inputs",
    "reference_inputs",
    "scenario_claim",
    "seed_trial",
    "standard_schema",
    "trial_inputs",
]


def standard_schema(model: str, **tables: Any) -> dict[str, Any]:
    """A model's schema: the keys every scenario has, around the model's own ``tables``.

    Parameters
    ----------
    model : str
        The model's name (the default of the scenario's ``model`` key).
    **tables
        The model's own keys: tables (dicts of :class:`Field`), fields or :class:`TableList`.

    Returns
    -------
    dict
        ``name``, ``description``, ``source``, ``model``, ``years`` (``start``, ``end``),
        the ``tables`` and ``dependence`` (``spearman``, ``shocks``, ``copula``, ``df``).
    """
    return {
        "name": Field(str, required=True, doc="the scenario's name"),
        "description": Field(str, "", doc="one line for `cloudsim list`"),
        "source": Field(str, "", doc="where the scenario's figures come from"),
        "model": Field(str, model, doc="the model that runs the scenario"),
        "years": {
            "start": Field(int, 2025, 1900, 2200, doc="the first simulated year"),
            "end": Field(int, 2032, 1900, 2200, doc="the last simulated year"),
        },
        **tables,
        "dependence": _DEAL_SCHEMA["dependence"],
    }


class InputArrays(NamedTuple):
    """The per-trial inputs and their copula as a numba kernel takes them: one argument."""

    n_drawn: int
    student: int
    df: int
    code: np.ndarray
    par: np.ndarray
    tab: np.ndarray
    chol_val: np.ndarray
    chol_col: np.ndarray
    chol_row: np.ndarray


@dataclass(frozen=True)
class PackedInputs:
    """The per-trial inputs packed once: :attr:`arrays` for the kernel, the distributions for the reference.

    Attributes
    ----------
    arrays : InputArrays
        Pass it to the kernel; :func:`trial_inputs` reads it.
    dists : tuple of Distribution
        The inputs' distributions in draw order.
    chol : numpy.ndarray
        Lower Cholesky factor of the copula's correlation matrix.
    """

    arrays: InputArrays
    dists: tuple[Distribution, ...]
    chol: np.ndarray

    @property
    def scalars(self) -> InputArrays:
        """The sizes :func:`reference_inputs` reads (``n_drawn``, ``student``, ``df``)."""
        return self.arrays

    @property
    def fixed(self) -> np.ndarray:
        """No fixed slots: the trial's value vector holds the drawn inputs only."""
        return np.zeros(self.arrays.n_drawn)


def pack_inputs(inputs: Sequence[Input], copula_cholesky: np.ndarray, student_df: int) -> PackedInputs:
    """Pack a model's per-trial inputs (the arguments :meth:`Model.pack` receives).

    Parameters
    ----------
    inputs : sequence of Input
        The model's inputs in draw order.
    copula_cholesky : numpy.ndarray
        Lower Cholesky factor of the copula's correlation matrix.
    student_df : int
        Degrees of freedom of the Student-t copula, 0 for the Gaussian copula.

    Returns
    -------
    PackedInputs
    """
    dists = tuple(i.distribution for i in inputs)
    if not dists:
        raise ValueError("inputs: a model needs at least one per-trial input")
    arrays = InputArrays(
        len(dists), int(student_df > 0), max(int(student_df), 1),
        np.array([d.code for d in dists], dtype=np.int64), np.stack([d.packed() for d in dists]),
        np.stack([z_table(d) for d in dists]), *sparse_rows(copula_cholesky),
    )  # fmt: skip
    return PackedInputs(arrays, dists, copula_cholesky)


@numba.njit(cache=True, inline="always")
def trial_inputs(s: np.ndarray, a: InputArrays, z: np.ndarray, x: np.ndarray) -> None:
    """Draw the trial's per-trial inputs into ``x[:a.n_drawn]`` from its stream ``s`` (``z``: scratch, same size)."""
    draw_inputs(s, KI, WI, FI, a.n_drawn, a.chol_val, a.chol_col, a.chol_row, a.student, a.df, a.code, a.par,
                a.tab, z, x)  # fmt: skip


def scenario_claim(d: Mapping[str, Any], key: str, kind: str, *, unit: str = "") -> Claim:
    """The scenario's claim ``claims.<key>`` (a table of :func:`claim_schema`'s keys) as a :class:`Claim`.

    Parameters
    ----------
    d : Mapping
        The scenario's normalised data.
    key : str
        The claim's key under ``claims``.
    kind : {"money", "share", "growth", "capacity"}
        The claim's kind (its scale).
    unit : str
        A capacity claim's unit: pass the ``units`` of the output it is checked on (``"GW"``).

    Returns
    -------
    Claim
    """
    table = d["claims"][key]
    return Claim(key=key, kind=kind, unit=unit, **{f: table[f] for f in claim_schema() if f in table})  # type: ignore[arg-type]


def check_claim_year(d: Mapping[str, Any], key: str) -> None:
    """Raise ``ValueError`` naming ``claims.<key>.years`` unless the claim year is a simulated year after the start."""
    y0, y1 = d["years"]["start"], d["years"]["end"]
    if not y0 < y0 + d["claims"][key]["years"] <= y1:
        raise ValueError(
            f"claims.{key}.years: the claim year must lie in {y0 + 1}-{y1}, got {y0 + d['claims'][key]['years']}"
        )


def bridged_claim_samples(ds: Any, d: Mapping[str, Any], key: str, output: str) -> list[ClaimSample]:
    """Where a claim bridged from the start year is checked: ``output`` at the start year and at the claim's year.

    Returns
    -------
    list of ClaimSample
        The pre-deal value's samples (``which="start"``) and the post-deal value's (``"target"``).
    """
    y0 = d["years"]["start"]
    return [ClaimSample(key, which, y, ds[output].sel(year=y).values)
            for which, y in (("start", y0), ("target", y0 + d["claims"][key]["years"]))]  # fmt: skip
