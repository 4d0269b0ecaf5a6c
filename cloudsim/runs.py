"""Functions that run several simulations: convergence on demand (:func:`simulate_until`) and :func:`compare`.

Both rest on the randomness contract: trial ``i`` of a seed draws the same random
numbers whatever the run's length, its start or the scenario (``docs/model.md``, "Randomness contract").
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from ._checks import check_int
from .api import simulate
from .engine.samplers import check_sampler
from .risk._common import STATS, Stat, check_choice, check_threshold
from .risk._intervals import binom_interval, check_ci, check_levels, quantile_bounds, z_value
from .risk.replicates import replicate_ci, replicate_ids, replicate_proportion_ci, replicate_quantile_bounds
from .scenario import Scenario, load_scenario

__all__ = ["Target", "compare", "simulate_until"]


def _resolve_seed(seed: Any) -> int | np.random.SeedSequence:
    """One seed for several runs: ``None`` becomes one fresh SeedSequence reused by every run."""
    if seed is None:
        return np.random.SeedSequence()
    return seed


@dataclass(frozen=True)
class Target:
    """A statistic :func:`simulate_until` must know within tolerance.

    Parameters
    ----------
    stat : {"mean", "quantile", "probability"}
    var : str
        A variable of the simulated Dataset, e.g. ``"cumulative_spend"``.
    sel : mapping, optional
        ``.sel`` arguments that leave only the ``trial`` dim, e.g. ``{"year": 2032}``.
    q : float, optional
        The quantile, in (0, 1), for ``stat="quantile"``.
    threshold : float, optional
        For ``stat="probability"``: ``P(var >= threshold)``; leave out for a boolean
        variable such as ``commitment_met``.
    rel_tol, abs_tol : float, optional
        Override :func:`simulate_until`'s tolerances for this target.

    Examples
    --------
    >>> Target("quantile", "cumulative_spend", {"year": 2032}, q=0.95, rel_tol=0.01)  # doctest: +SKIP
    >>> Target.parse(("probability", "commitment_met", {}, None))  # doctest: +SKIP
    """

    stat: Stat
    var: str
    sel: Mapping[str, Any] = field(default_factory=dict)
    q: float | None = None
    threshold: float | None = None
    rel_tol: float | None = None
    abs_tol: float | None = None

    def __post_init__(self) -> None:
        check_choice(self.stat, "stat", STATS)
        if not isinstance(self.var, str):
            raise TypeError(f"var: expected a variable name, got {type(self.var).__name__} {self.var!r}")
        if not isinstance(self.sel, Mapping):
            raise TypeError(f"sel: expected a mapping such as {{'year': 2032}}, got {type(self.sel).__name__}")
        if self.stat == "quantile":
            if self.q is None:
                raise ValueError(f"q: required for a quantile target ({self.var})")
            check_levels(self.q, "q")
            if np.ndim(self.q) != 0:
                raise ValueError(f"q: one quantile per target, got {self.q!r}")
        elif self.q is not None:
            raise ValueError(f"q: only for stat='quantile', got q={self.q!r} with stat={self.stat!r}")
        if self.threshold is not None:
            if self.stat != "probability":
                raise ValueError(f"threshold: only for stat='probability', got stat={self.stat!r}")
            check_threshold(self.threshold)
            if np.ndim(self.threshold) != 0:
                raise ValueError(f"threshold: one number per target, got {self.threshold!r}")
        for name in ("rel_tol", "abs_tol"):
            _check_tol(getattr(self, name), name)

    @classmethod
    def parse(cls, spec: Target | Sequence[Any] | Mapping[str, Any]) -> Target:
        """A Target from itself, a mapping of its fields, or a tuple ``(stat, var, sel, arg)``.

        ``arg`` is ``q`` for a quantile, ``threshold`` for a probability (``None`` for a
        boolean variable) and ``None`` for a mean; ``sel`` and ``arg`` may be left out.
        """
        if isinstance(spec, Target):
            return spec
        if isinstance(spec, Mapping):
            return cls(**spec)
        if isinstance(spec, (str, bytes)) or not isinstance(spec, Sequence) or not 2 <= len(spec) <= 4:
            raise TypeError(f"targets: expected a Target or a tuple (stat, var, sel, arg), got {spec!r}")
        stat, var, *more = spec
        sel = more[0] if more else {}
        arg = more[1] if len(more) > 1 else None
        if stat == "quantile":
            return cls(stat, var, sel or {}, q=arg)
        if stat == "probability":
            return cls(stat, var, sel or {}, threshold=arg)
        if arg is not None:
            raise ValueError(f"targets: a {stat!r} target takes no fourth element, got {arg!r}")
        return cls(stat, var, sel or {})

    @property
    def label(self) -> str:
        """A short name, e.g. ``quantile(cumulative_spend[year=2032], 0.95)``."""
        where = ",".join(f"{k}={v}" for k, v in self.sel.items())
        x = f"{self.var}[{where}]" if where else self.var
        if self.stat == "quantile":
            return f"quantile({x}, {self.q:g})"
        if self.stat == "probability":
            return f"P({x})" if self.threshold is None else f"P({x} >= {self.threshold:g})"
        return f"mean({x})"

    def values(self, ds: xr.Dataset) -> np.ndarray:
        """The target's variable in ``ds`` as a 1-D array over trials."""
        if self.var not in ds:
            raise ValueError(f"targets: {self.label}: no variable {self.var!r} in the simulation")
        try:
            da = ds[self.var].sel(dict(self.sel))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"targets: {self.label}: cannot select {dict(self.sel)}: {exc}") from None
        extra = [d for d in da.dims if d != "trial"]
        if extra or "trial" not in da.dims:
            raise ValueError(
                f"targets: {self.label}: the selection must leave only the 'trial' dim, got dims {list(da.dims)}; "
                f"select one value of each other dim, e.g. sel={{'year': 2032}}"
            )
        return np.asarray(da.values)

    def interval(self, x: np.ndarray, ci: float, ids: np.ndarray | None = None) -> tuple[float, float, float]:
        """``(estimate, lower, upper)`` of the statistic on trials ``x``.

        ``ids``: each trial's replicate for a run of a replicated sampler (then the
        replicate intervals of :mod:`cloudsim.risk.replicates`), ``None`` for plain Monte Carlo.
        """
        if ids is not None:
            return self._replicate_interval(x, ci, ids)
        n = x.size
        if self.stat == "mean":
            xf = x.astype(np.float64)
            m = float(xf.mean())
            half = z_value(ci) * float(xf.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
            return m, m - half, m + half
        if self.stat == "probability":
            if self.threshold is None:
                if x.dtype != bool:
                    raise ValueError(f"targets: {self.label}: threshold required for non-boolean {self.var!r}")
                k = int(np.count_nonzero(x))
            else:
                k = int(np.count_nonzero(x >= self.threshold))
            lo, hi = binom_interval(k, n, ci, "wilson")
            return k / n, float(lo), float(hi)
        qs = np.array([float(self.q)])  # type: ignore[arg-type]
        xf = x.astype(np.float64)
        est = float(np.quantile(xf, qs)[0])
        b = quantile_bounds(xf, qs, ci)[0]
        return est, float(b[0]), float(b[1])

    def _replicate_interval(self, x: np.ndarray, ci: float, ids: np.ndarray) -> tuple[float, float, float]:
        if self.stat == "quantile":
            qs = np.array([float(self.q)])  # type: ignore[arg-type]
            xf = x.astype(np.float64)
            b = replicate_quantile_bounds(xf, ids, qs, ci)[0]
            return float(np.quantile(xf, qs)[0]), float(b[0]), float(b[1])
        if self.stat == "probability":
            if self.threshold is None and x.dtype != bool:
                raise ValueError(f"targets: {self.label}: threshold required for non-boolean {self.var!r}")
            hits = x if self.threshold is None else x >= self.threshold
            lo, hi = replicate_proportion_ci(hits, np.ones(hits.shape, dtype=bool), ids, ci)
            return float(np.count_nonzero(hits)) / hits.size, float(lo), float(hi)
        xf = x.astype(np.float64)
        m = float(xf.mean())
        lo, hi = replicate_ci(lambda v: v.mean(axis=-1)[None], xf, ids=ids, ci=ci, centre=np.array([m]))
        return m, float(lo[0]), float(hi[0])


def _check_tol(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number >= 0, got {type(value).__name__} {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name}: must be a finite number >= 0, got {value}")
    return float(value)


def simulate_until(
    scenario: Scenario,
    targets: Target | Sequence[Any],
    *,
    seed: int | np.random.SeedSequence | None,
    rel_tol: float | None = None,
    abs_tol: float | None = None,
    ci: float = 0.95,
    max_trials: int = 2_000_000,
    block: int = 100_000,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str = "float64",
    sampler: Literal["mc", "antithetic", "lhs", "sobol", "halton"] = "mc",
    replicates: int | None = None,
) -> tuple[xr.Dataset, pd.DataFrame]:
    """Simulate blocks of trials until every target statistic is known within tolerance.

    Trials ``0 .. n-1`` are added in blocks (``simulate(..., start=n_so_far)``); after
    each block every target's ``ci`` interval is computed (mean: normal; quantile:
    order-statistic; probability: Wilson) and the target is met when its half-width
    ``(upper - lower) / 2 <= max(rel_tol * |estimate|, abs_tol)`` (``math.isclose``
    semantics; a target's own tolerances override the defaults).  The next block is
    sized from the ``1/sqrt(n)`` law (at least ``block``, at most doubling the run,
    rounded up to whole blocks).  By the randomness contract the result equals
    ``simulate(scenario, n_final, seed=seed)`` exactly (except ``created_at``).

    Parameters
    ----------
    scenario : Scenario
    targets : Target or sequence of Target / tuples
        Tuples ``(stat, var, sel, arg)`` are read by :meth:`Target.parse`, e.g.
        ``("quantile", "cumulative_spend", {"year": 2032}, 0.95)`` or
        ``("probability", "commitment_met", {}, None)``.
    seed : int, numpy.random.SeedSequence or None
        Required (``None`` draws fresh entropy once, recorded in the attrs).
    rel_tol, abs_tol : float, optional
        Default tolerances on the interval half-width; each target needs at least one.
    ci : float
        Interval probability (0.95: "known within tolerance at 95%").
    max_trials : int
        Stop here even if some target is not met (a ``RuntimeWarning`` says which).
    block : int
        Trials in the first block and the step of the run length.
    engine, dtype
        As in :func:`cloudsim.simulate`.
    sampler, replicates
        As in :func:`cloudsim.simulate`.  With a replicated sampler (``"sobol"`` etc.) the
        intervals are the replicate intervals (``history.attrs["ci_kind"]``), ``block``
        must be a multiple of the replicates (twice them for ``"antithetic"``), and since
        such a run's layout depends on ``trials`` every step re-runs the whole run at its
        new length; a step then grows the run by at least half, so the work stays within
        about three times that of the final run.

    Returns
    -------
    ds : xarray.Dataset
        Trials ``0 .. n_final - 1``, as :func:`cloudsim.simulate`.
    history : pandas.DataFrame
        One row per (step, target): ``step``, ``trials``, ``target``, ``estimate``,
        ``ci_lower``, ``ci_upper``, ``half_width``, ``tolerance``, ``met``;
        ``history.attrs["converged"]`` says whether every target was met.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a cloudsim.Scenario, got {type(scenario).__name__}")
    if isinstance(targets, (Target, Mapping)) or (
        isinstance(targets, tuple) and targets and isinstance(targets[0], str)
    ):
        targets = [targets]  # type: ignore[list-item]
    if isinstance(targets, (str, bytes)) or not isinstance(targets, Sequence) or len(targets) == 0:
        raise TypeError(f"targets: expected a Target or a non-empty sequence of them, got {targets!r}")
    tgts = [Target.parse(t) for t in targets]
    rel_tol = _check_tol(rel_tol, "rel_tol")
    abs_tol = _check_tol(abs_tol, "abs_tol")
    tols: list[tuple[float | None, float | None]] = []
    for t in tgts:
        r = t.rel_tol if t.rel_tol is not None else rel_tol
        a = t.abs_tol if t.abs_tol is not None else abs_tol
        if r is None and a is None:
            raise ValueError(f"rel_tol/abs_tol: give at least one (here or on the target {t.label})")
        tols.append((r, a))
    ci = check_ci(ci)
    block = check_int(block, "block", 1)
    max_trials = check_int(max_trials, "max_trials", block)
    seed = _resolve_seed(seed)
    sampler, replicates = check_sampler(sampler, replicates, block, 0, scenario)
    if sampler != "mc":
        return _until_replicated(scenario, tgts, tols, seed, ci, max_trials, block, engine, dtype, sampler, replicates)

    blocks: list[xr.Dataset] = []
    values: list[list[np.ndarray]] = [[] for _ in tgts]
    rows: list[dict[str, Any]] = []
    n = 0
    step_size = block
    while True:
        part = simulate(scenario, step_size, seed=seed, start=n, engine=engine, dtype=dtype, progress=False)
        blocks.append(part)
        for i, t in enumerate(tgts):
            values[i].append(t.values(part))
        n += step_size
        xs = [np.concatenate(v) if len(v) > 1 else v[0] for v in values]
        converged, need = _step(tgts, tols, xs, None, ci, len(blocks), n, rows)
        if converged or n >= max_trials:
            break
        grow = min(max(need - n, block), n)
        step_size = min(block * math.ceil(grow / block), max_trials - n)
    ds = (
        blocks[0]
        if len(blocks) == 1
        else xr.concat(
            blocks,
            dim="trial",
            data_vars="minimal",
            coords="minimal",
            compat="override",
            join="exact",
            combine_attrs="override",
        )
    )
    return _finish(ds, n, rows, tgts, converged, ci, max_trials, KIND_UNTIL)


#: What :func:`simulate_until`'s intervals are for plain Monte Carlo, by target statistic.
KIND_UNTIL = "mean: normal; quantile: order-statistic; probability: Wilson"


def _step(
    tgts: list[Target],
    tols: list[tuple[float | None, float | None]],
    xs: list[np.ndarray],
    ids: np.ndarray | None,
    ci: float,
    step: int,
    n: int,
    rows: list[dict[str, Any]],
) -> tuple[bool, int]:
    """Every target's interval on trials ``xs``, one history row each; whether all are met and the trials needed."""
    need = n
    all_met = True
    for t, x, (r, a) in zip(tgts, xs, tols, strict=True):
        est, lo, hi = t.interval(x, ci, ids)
        half = (hi - lo) / 2.0
        tol = max(r * abs(est) if r is not None else 0.0, a if a is not None else 0.0)
        met = bool(half <= tol)
        all_met &= met
        rows.append({"step": step, "trials": n, "target": t.label, "estimate": est, "ci_lower": lo, "ci_upper": hi,
                     "half_width": half, "tolerance": tol, "met": met})  # fmt: skip
        if not met:
            ratio = half / tol if tol > 0 and math.isfinite(half) else math.inf
            need = max(need, math.ceil(n * ratio**2 * 1.05) if math.isfinite(ratio) else 2 * n)
    return all_met, need


def _finish(
    ds: xr.Dataset,
    n: int,
    rows: list[dict[str, Any]],
    tgts: list[Target],
    converged: bool,
    ci: float,
    max_trials: int,
    kind: str,
) -> tuple[xr.Dataset, pd.DataFrame]:
    if not converged:
        unmet = sorted({r["target"] for r in rows[-len(tgts) :] if not r["met"]})
        warnings.warn(
            f"simulate_until: stopped at max_trials={max_trials:,} with target(s) not within tolerance: "
            f"{', '.join(unmet)}",
            RuntimeWarning,
            stacklevel=3,
        )
    ds.attrs["start"] = 0
    ds.attrs["trials"] = int(n)
    history = pd.DataFrame.from_records(rows)
    history.attrs["converged"] = converged
    history.attrs["ci_prob"] = ci
    history.attrs["ci_kind"] = kind
    return ds, history


def _until_replicated(
    scenario: Scenario,
    tgts: list[Target],
    tols: list[tuple[float | None, float | None]],
    seed: Any,
    ci: float,
    max_trials: int,
    block: int,
    engine: str,
    dtype: str,
    sampler: str,
    replicates: int,
) -> tuple[xr.Dataset, pd.DataFrame]:
    """:func:`simulate_until` with a replicated sampler: each step re-runs the whole run at its new length."""
    rows: list[dict[str, Any]] = []
    n, step = block, 0
    while True:
        ds = simulate(scenario, n, seed=seed, engine=engine, dtype=dtype, progress=False, sampler=sampler,
                      replicates=replicates)  # fmt: skip
        step += 1
        ids = replicate_ids(ds)
        converged, need = _step(tgts, tols, [t.values(ds) for t in tgts], ids, ci, step, n, rows)
        if converged or n >= max_trials:
            break
        grow = min(max(need - n, block, n // 2), n)
        n = min(n + block * math.ceil(grow / block), block * (max_trials // block))
        if n <= rows[-1]["trials"]:
            break
    return _finish(ds, n, rows, tgts, converged, ci, max_trials, ds.attrs.get("ci_kind", ""))


def compare(
    scenarios: Mapping[str, Scenario | str | PathLike[str]],
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str = "float64",
    sampler: Literal["mc", "antithetic", "lhs", "sobol", "halton"] = "mc",
    replicates: int | None = None,
) -> xr.Dataset:
    """Simulate scenarios side by side with common random numbers.

    Every scenario is simulated with the same seed and the same trial indices, so
    trial ``i`` uses the same random numbers in each: differences between scenarios
    are then estimated from paired trials with far less noise
    (:func:`cloudsim.paired_difference`).

    Parameters
    ----------
    scenarios : mapping of str to Scenario (or a bundled name / TOML path)
        E.g. ``{"base": load_scenario(), "trend": "analyst-trend-2025"}``.
    trials : int
    seed : int, numpy.random.SeedSequence or None
        Required (``None`` draws fresh entropy once and uses it for every scenario).
    engine, dtype, sampler, replicates
        As in :func:`cloudsim.simulate`; with a replicated sampler every scenario gets the
        same points (the pairing), and :func:`cloudsim.paired_difference` gives replicate
        intervals.

    Returns
    -------
    xarray.Dataset
        The variables of :func:`cloudsim.simulate` with a leading ``scenario`` dim
        (coords: the mapping's keys), plus per-scenario ``commitment_total``,
        ``commitment_first_year``, ``commitment_last_year`` (dim ``scenario``, and
        ``commitment`` for several commitments) and ``scenario_toml``.  Attrs ``seed``,
        ``trials``, ``scenario_names``, ``common_random_numbers = 1``; ``years_aligned``
        when the scenarios simulate different years (the Dataset holds the common
        years; each scenario's commitment outcomes still cover its own years);
        ``dropped`` naming the variables left out and why (e.g. ``share`` when the
        scenarios' providers differ, or a per-trial input only some scenarios draw).

    Raises
    ------
    ValueError
        If the scenarios share no year, or hold different numbers of commitments
        (or, for several, differently named ones): their commitments cannot be aligned.
    """
    resolved = _resolve_scenarios(scenarios)
    names = list(resolved)
    common = resolved[names[0]].years
    for s in resolved.values():
        common = np.intersect1d(common, s.years)
    spans = "; ".join(f"{n!r} simulates {s.start_year}-{s.end_year}" for n, s in resolved.items())
    if common.size == 0:
        raise ValueError(
            f"scenarios: no year in common ({spans}); scenarios compared with common random numbers must "
            "share the years they are compared on"
        )
    same_years = all(np.array_equal(s.years, common) for s in resolved.values())
    coms = {n: s.commitments for n, s in resolved.items()}
    counts = {n: len(c) for n, c in coms.items()}
    if len(set(counts.values())) > 1:
        raise ValueError(
            f"scenarios: their commitments cannot be aligned: different numbers of commitments "
            f"({', '.join(f'{n!r}: {k}' for n, k in counts.items())}); give every scenario the same commitments"
        )
    if counts[names[0]] > 1 and len({tuple(c.name for c in v) for v in coms.values()}) > 1:
        listed = "; ".join(f"{n!r}: {', '.join(c.name for c in v)}" for n, v in coms.items())
        raise ValueError(
            f"scenarios: their commitments cannot be aligned on the 'commitment' dim: the names differ ({listed}); "
            "name them alike"
        )
    seed = _resolve_seed(seed)
    parts: list[xr.Dataset] = []
    attrs: dict[str, Any] = {}
    drawn_attrs: dict[str, dict[str, Any]] = {}
    for name in names:
        scn = resolved[name]
        ds = simulate(scn, trials, seed=seed, engine=engine, dtype=dtype, progress=False, sampler=sampler,
                      replicates=replicates)  # fmt: skip
        if not attrs:
            attrs = dict(ds.attrs)
        for v in ds.data_vars.values():
            for key in ("commitment_total", "commitment_years"):
                v.attrs.pop(key, None)
        ds = ds.drop_vars([c for c in ("commitment_total", "commitment_years") if c in ds.coords])
        # a commitment total drawn per trial is already an input of that name: it stays (per trial)
        # and the scenarios with a fixed total broadcast theirs along ``trial`` in the concat below
        for k, v in _commitment_variables(coms[name]).items():
            if k in ds.data_vars:
                drawn_attrs.setdefault(k, dict(ds[k].attrs))
            else:
                ds[k] = v
        ds["scenario_toml"] = ((), scn.to_toml(), {"long_name": "The scenario as TOML"})
        if not same_years:
            ds = ds.sel(year=common)
        ds.attrs = {}
        parts.append(ds)
    parts, dropped = _common_variables(parts, names)
    out = xr.concat(
        parts,
        dim=xr.DataArray(np.array(names), dims="scenario", name="scenario"),
        data_vars="all",
        coords="minimal",
        compat="equals",
        join="exact",
    )
    out["scenario"].attrs["long_name"] = "Scenario"
    for k, a in drawn_attrs.items():
        out[k].attrs = a
    for key in ("scenario", "scenario_name", "claim_years", "title"):
        attrs.pop(key, None)
    attrs["title"] = f"cloudsim comparison of scenarios {', '.join(names)} (common random numbers)"
    attrs["scenario_names"] = ", ".join(names)
    attrs["common_random_numbers"] = 1
    attrs["method"] = f"{attrs.get('method', '')}; common random numbers: same seed and trial indices in every scenario"
    if not same_years:
        attrs["years_aligned"] = (
            f"the common years {int(common[0])}-{int(common[-1])} ({spans}); commitment_met and "
            "commitment_shortfall cover each scenario's own years"
        )
    if dropped:
        attrs["dropped"] = "; ".join(dropped)
    out.attrs = attrs
    return out


def _resolve_scenarios(scenarios: Any) -> dict[str, Scenario]:
    if not isinstance(scenarios, Mapping):
        raise TypeError(f"scenarios: expected a mapping of names to scenarios, got {type(scenarios).__name__}")
    if len(scenarios) < 2:
        raise ValueError(f"scenarios: need at least two to compare, got {len(scenarios)}")
    resolved: dict[str, Scenario] = {}
    for name, scn in scenarios.items():
        if not isinstance(name, str):
            raise TypeError(f"scenarios: keys must be strings (names), got {type(name).__name__} {name!r}")
        if isinstance(scn, (str, PathLike)):
            scn = load_scenario(scn)
        if not isinstance(scn, Scenario):
            raise TypeError(f"scenarios[{name!r}]: expected a cloudsim.Scenario or a name, got {type(scn).__name__}")
        resolved[name] = scn
    return resolved


def _commitment_variables(coms: Sequence[Any]) -> dict[str, Any]:
    """The commitments as variables: scalars for one, dim ``commitment`` for several."""
    if not coms:
        return {}
    dims: tuple[str, ...] = () if len(coms) == 1 else ("commitment",)

    def v(values: list[Any]) -> Any:
        return values[0] if len(coms) == 1 else values

    return {
        "commitment_total": (dims, v([c.total for c in coms]), {"units": "USD", "long_name": "Commitment total"}),
        "commitment_first_year": (dims, v([c.first_year for c in coms]), {"long_name": "First year of the commitment"}),
        "commitment_last_year": (dims, v([c.last_year for c in coms]), {"long_name": "Last year of the commitment"}),
    }


def _common_variables(parts: list[xr.Dataset], names: list[str]) -> tuple[list[xr.Dataset], list[str]]:
    """Leave out what the scenarios do not share: variables on a dim whose coords differ, variables only some hold."""
    dropped: list[str] = []
    drop: set[str] = set()
    dims = sorted({str(d) for p in parts for d in p.dims} - {"trial", "year", "commitment"})
    for dim in dims:
        values = [tuple(p[dim].values.tolist()) if dim in p.coords else None for p in parts]
        if len(set(values)) > 1:
            on = sorted({str(k) for p in parts for k, v in p.data_vars.items() if dim in v.dims})
            listed = "; ".join(f"{n!r}: {', '.join(map(str, v or ()))}" for n, v in zip(names, values, strict=True))
            dropped.append(
                f"{', '.join(on)}: the scenarios' {dim} coords differ ({listed}); kept only when they are identical"
            )
            drop.update(on)
            drop.add(dim)
    every = set.intersection(*(set(map(str, p.data_vars)) for p in parts))
    fill: dict[str, xr.DataArray] = {}
    for k in sorted({str(k) for p in parts for k in p.data_vars} - every - drop):
        holders = [n for n, p in zip(names, parts, strict=True) if k in p.data_vars]
        first = next(p[k] for p in parts if k in p.data_vars)
        if first.attrs.get("role") == "input" and first.dims == ("trial",):
            # a per-trial input only some scenarios draw (e.g. a drawn commitment total): NaN in the others,
            # so what reads it (commitment_report) still finds it for the scenarios that draw it
            fill[k] = xr.full_like(first, np.nan)
            dropped.append(f"{k}: drawn only in {', '.join(map(repr, holders))} (NaN in the others)")
            continue
        dropped.append(f"{k}: only in {', '.join(map(repr, holders))}")
        drop.add(k)
    since = {p["cumulative_spend"].attrs.get("since") for p in parts if "cumulative_spend" in p}
    out = []
    for p in parts:
        p = p.drop_vars([k for k in drop if k in p.variables])
        p = p.assign({k: v for k, v in fill.items() if k not in p.data_vars})
        if len(since) > 1 and "cumulative_spend" in p:
            p["cumulative_spend"].attrs.pop("since", None)  # each scenario's own first year: see commitment_first_year
        out.append(p)
    return out, dropped
