"""What-if swings: each per-trial input held at a low and a high quantile, the rest as drawn (common random numbers)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from .._checks import check_ci, check_int
from ..api import simulate
from ..scenario import Scenario
from ._batch import KIND_BATCH, batch_se, t_half_width
from ._keys import numeric_key

__all__ = ["tornado"]


def _stat_fn(stat: Any):
    if stat == "mean":
        return lambda y: np.mean(y, axis=0)
    if isinstance(stat, numbers.Real) and not isinstance(stat, bool) and 0.0 <= float(stat) <= 1.0:
        q = float(stat)
        return lambda y: np.quantile(y, q, axis=0)
    raise ValueError(f"stat: must be 'mean' or a quantile level in [0, 1], got {stat!r}")


def _check_level(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name}: must be a probability in (0, 1), got {value!r}")
    return float(value)


def _values(ds: xr.Dataset, output: str, year: int | None) -> np.ndarray:
    if not isinstance(output, str) or output not in ds.data_vars or ds[output].attrs.get("role") == "input":
        vs = ds.data_vars.items()
        outs = sorted(str(v) for v, da in vs if "trial" in da.dims and da.attrs.get("role") != "input")
        raise ValueError(f"output: unknown output {output!r}; allowed: {outs}")
    da = ds[output]
    if "year" in da.dims:
        if year is None:
            raise ValueError(f"year: output {output!r} is yearly; give one of {[int(y) for y in ds['year'].values]}")
        if int(year) not in ds["year"].values:
            raise ValueError(f"year: {year} not simulated; allowed: {[int(y) for y in ds['year'].values]}")
        da = da.sel(year=int(year))
    if da.dims != ("trial",):
        raise ValueError(f"output: {output!r} has dims {da.dims} at one year; tornado needs one value per trial")
    return np.asarray(da.values, dtype=np.float64)


def _setup(scenario: Scenario, inputs: Any, trials: Any, seed: Any) -> tuple[int, int, dict[str, Any], list[str]]:
    """Checked ``trials``, a seed (drawn when ``None``), the declared inputs by name and those to move."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    trials = check_int(trials, "trials", 1)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    declared = {i.name: i for i in scenario.inputs()}
    names = list(declared) if inputs is None else [str(n) for n in inputs]
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise ValueError(f"inputs: unknown input(s) {unknown}; allowed: {list(declared)}")
    return trials, int(seed), declared, names


def _base_run(scenario: Scenario, trials: int, seed: int, output: str, year: int | None) -> tuple[xr.Dataset, Any]:
    """The base run and its output's values (one per trial); ``ValueError`` for an unknown output."""
    base = simulate(scenario, trials, seed=seed, progress=False)
    return base, _values(base, output, year)


def tornado(
    scenario: Scenario,
    output: str,
    *,
    year: int | None = None,
    stat: str | float = "mean",
    trials: int = 100_000,
    seed: int | None = None,
    low: float = 0.1,
    high: float = 0.9,
    inputs: list[str] | None = None,
    keys: Mapping[str, tuple[float, float]] | None = None,
    ci: float = 0.95,
) -> xr.Dataset:
    """The statistic of ``output`` with each per-trial input held at its ``low`` and its ``high`` quantile.

    Each swing is a run of the same ``trials`` with the same seed in which one input takes
    one value in every trial (``simulate(..., inputs=...)``): the other inputs and all
    shocks are those of the base run, so the swing measures that input alone, with far
    less noise than independent runs (common random numbers).

    Parameters
    ----------
    scenario : Scenario
        Any registered model.
    output : str
        An output variable (a boolean one, e.g. ``"commitment_met"``, gives a probability).
    year : int, optional
        The year, for a yearly output.
    stat : "mean" or float
        ``"mean"`` or a quantile level in [0, 1].
    trials : int
        Trials per run (``2 * len(inputs) + 1`` runs).
    seed : int, optional
        The seed of every run; ``None`` draws one, recorded in ``attrs["seed"]``.
    low, high : float
        The quantile levels of the input's distribution the input is held at, in (0, 1).
    inputs : list of str, optional
        The inputs to swing (default: every per-trial input; ``[]`` for keys only).
    keys : mapping, optional
        Numeric scenario keys (or a claim's value, ``"claims.spend.post_deal"``) to swing too,
        each to its ``(low, high)`` values: the two runs are ``simulate(scenario.replace({key:
        value}), trials, seed=seed)``, so a key's swing equals that of a :func:`cloudsim.compare`
        of the two changed scenarios, bit for bit.
    ci : float
        Probability of the swings' intervals ``swing_ci``.

    Returns
    -------
    xarray.Dataset
        Dim ``input`` (the inputs, then the keys), sorted by ``abs(swing)`` (largest first):
        ``low_value``/``high_value`` (the input's values), ``stat_low``/``stat_high`` and their ``_mcse``, ``swing``
        (``stat_high - stat_low``) and ``swing_mcse`` (paired, trial by trial), ``swing_ci``
        (dim ``ci_bound``, Student t over the batches); attrs
        ``baseline`` and ``baseline_mcse`` (the base run's statistic), ``stat``, ``output``,
        ``year``, ``low``, ``high``, ``trials``, ``seed``, ``mcse_kind``, ``ci_prob``.

    Raises
    ------
    ValueError
        For an unknown output or input, a missing or unknown year, ``stat``, ``low`` or
        ``high`` out of range, or ``low >= high``.
    """
    fn = _stat_fn(stat)
    ci = check_ci(ci)
    low, high = _check_level(low, "low"), _check_level(high, "high")
    if low >= high:
        raise ValueError(f"low, high: low must be below high, got {low} and {high}")
    trials, seed, declared, names = _setup(scenario, inputs, trials, seed)
    grid = {}
    for key, pair in (keys or {}).items():
        try:
            kl, kh = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ValueError(f"keys[{key!r}]: expected (low, high) numbers, got {pair!r}") from None
        grid[str(key)] = (numeric_key(scenario, key), kl, kh)
    if not names and not grid:
        raise ValueError("inputs, keys: nothing to swing; give at least one input or key")
    base, y0 = _base_run(scenario, trials, seed, output, year)
    fields = ("low_value", "high_value", "stat_low", "stat_high", "stat_low_mcse", "stat_high_mcse", "swing",
            "swing_mcse")  # fmt: skip
    rows: dict[str, list[float]] = {k: [] for k in fields}
    swings = []
    for name in names:
        lv, hv = (float(v) for v in declared[name].distribution.ppf(np.array([low, high])))
        y_lo = _values(simulate(scenario, trials, seed=seed, inputs={name: np.full(trials, lv)}), output, year)
        y_hi = _values(simulate(scenario, trials, seed=seed, inputs={name: np.full(trials, hv)}), output, year)
        swings.append((lv, hv, y_lo, y_hi))
    for knob, lv, hv in grid.values():
        y_lo = _values(simulate(knob.scenario(scenario, lv), trials, seed=seed), output, year)
        y_hi = _values(simulate(knob.scenario(scenario, hv), trials, seed=seed), output, year)
        swings.append((lv, hv, y_lo, y_hi))
    for lv, hv, y_lo, y_hi in swings:
        s_lo, s_hi = float(fn(y_lo)), float(fn(y_hi))
        found = {
            "low_value": lv, "high_value": hv, "stat_low": s_lo, "stat_high": s_hi,
            "stat_low_mcse": float(batch_se(fn, y_lo)), "stat_high_mcse": float(batch_se(fn, y_hi)),
            "swing": s_hi - s_lo, "swing_mcse": float(batch_se(lambda a, b: fn(b) - fn(a), y_lo, y_hi)),
        }  # fmt: skip
        for key, value in found.items():
            rows[key].append(value)
    order = np.argsort(-np.abs(np.array(rows["swing"])), kind="stable")
    out = xr.Dataset({k: ("input", np.array(v)[order]) for k, v in rows.items()},
                     coords={"input": np.array([*names, *grid], dtype=object)[order].astype(str)})  # fmt: skip
    half = t_half_width(out["swing_mcse"].values, ci)
    sw = out["swing"].values
    out["swing_ci"] = (("input", "ci_bound"), np.stack([sw - half, sw + half], axis=-1))
    out = out.assign_coords(ci_bound=["lower", "upper"])
    attrs = base[output].attrs
    out.attrs = {
        "baseline": float(fn(y0)), "baseline_mcse": float(batch_se(fn, y0)), "stat": str(stat), "output": output,
        "long_name": str(attrs.get("long_name", output)), "units": str(attrs.get("units", "")),
        "year": -1 if year is None else int(year), "low": low, "high": high, "trials": trials, "seed": int(seed),
        "mcse_kind": KIND_BATCH, "ci_prob": ci,
    }  # fmt: skip
    return out
