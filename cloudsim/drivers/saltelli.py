"""First-order and total indices by pick-freeze: Saltelli (2010) and Jansen (1999) estimators, for groups of streams.

Three kinds of run of ``N`` trials each: ``A`` (every variate from the seed), ``B`` (every
variate from a second seed) and, for each group ``g`` of streams, ``AB_g`` (the group's
variates from the second seed, the rest from the first).  With ``V`` the variance of the
output over ``A`` and ``B`` together::

    S1_g = mean((y_B - m) (y_ABg - y_A)) / V    (Saltelli et al. 2010, table 2 (b); y_B centred)
    ST_g = mean((y_A - y_ABg) ** 2) / (2 V)     (Jansen 1999)

``m`` is the mean over ``A`` and ``B``: centring leaves the estimator's limit unchanged
(``mean(y_ABg - y_A)`` tends to 0) and makes it invariant to the output's level, whose
error would otherwise grow with ``mean(y)^2 / V`` (spend is of order 1e9).
``N (G + 2)`` trials for ``G`` groups.  The runs are paired by trial index through the
engine's second seed (``simulate(..., second_seed=, second_streams=)``), so no sample matrix
is ever stored.  Intervals come from batch means over disjoint batches of trials (the trials,
and so the batches, are independent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._checks import check_ci, check_int
from .._rng import key_from_seed
from ..api import simulate
from ..scenario import Scenario
from ._batch import BATCHES, KIND_BATCH, batch_se, t_half_width

__all__ = ["METHOD", "MIN_TRIALS", "check_groups", "default_second_seed", "pick_freeze", "saltelli", "to_indices"]

#: Fewest trials per run: 50 per batch of the standard error.
MIN_TRIALS = 50 * BATCHES
#: The ``method`` attribute of the result.
METHOD = "saltelli (first order: Saltelli et al. 2010; total: Jansen 1999)"
#: Salt mixed into the seed's spawn key for the default second seed.
_SECOND = 0x5A17E111


def default_second_seed(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """The second seed used when none is given: a child of ``seed`` (a fixed spawn key), so a seed reproduces both."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, _SECOND))


def pick_freeze(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``S1`` and ``ST``, shape ``(G, cells)``, from ``ya``, ``yb`` ``(N, cells)`` and ``yab`` ``(N, G, cells)``.

    A cell without variance gives NaN.
    """
    pooled = np.concatenate([ya, yb], axis=0)
    mean = pooled.mean(axis=0)
    v = np.var(pooled, axis=0)
    a, b = ya[:, None, :], yb[:, None, :]
    # y_B centred on the pooled mean: the same limit, but no error from the output's level (spend ~ 1e9)
    first = np.mean((b - mean) * (yab - a), axis=0)
    total = 0.5 * np.mean((a - yab) ** 2, axis=0)
    ok = v > 0
    den = np.where(ok, v, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, first / den, np.nan), np.where(ok, total / den, np.nan)


def to_indices(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray, groups: Sequence[str], dims: Sequence[str],
               coords: Mapping[str, Any], ci: float, name: str) -> xr.Dataset:  # fmt: skip
    """The result Dataset from the runs' outputs: ``ya``/``yb`` ``(N, *rest)``, ``yab`` ``(N, G, *rest)``.

    ``dims`` and ``coords`` name the output's dims after ``trial``; indices, standard errors
    (batch means) and intervals on dims ``group``, ``*dims`` (``ci_bound`` for the intervals).
    """
    n = ya.shape[0]
    rest = ya.shape[1:]
    a = np.asarray(ya, np.float64).reshape(n, -1)
    b = np.asarray(yb, np.float64).reshape(n, -1)
    ab = np.asarray(yab, np.float64).reshape(n, len(groups), -1)
    s1, st = pick_freeze(a, b, ab)
    se = batch_se(lambda *parts: np.stack(pick_freeze(*parts)), a, b, ab)
    half = t_half_width(se, ci)
    shape = (len(groups), *rest)
    gd = ("group", *dims)
    data: dict[str, Any] = {}
    for k, (kind, est) in enumerate((("S1", s1), ("ST", st))):
        words = "first-order" if kind == "S1" else "total"
        ci_ = np.stack([est - half[k], est + half[k]], axis=-1).reshape(*shape, 2)
        data[kind] = (gd, est.reshape(shape), {"long_name": f"{words} sensitivity index"})
        data[f"{kind}_se"] = (gd, se[k].reshape(shape), {"long_name": f"standard error of {kind}"})
        data[f"{kind}_ci"] = ((*gd, "ci_bound"), ci_, {"long_name": f"{ci:.0%} interval of {kind}"})
    out = xr.Dataset(data, coords={"group": list(groups), **coords, "ci_bound": ["lower", "upper"]})
    out.attrs = {"method": METHOD, "output": name, "ci_prob": ci, "ci_kind": KIND_BATCH, "trials": n,
                 "runs": len(groups) + 2, "total_trials": n * (len(groups) + 2)}  # fmt: skip
    return out


def check_groups(groups: Any, allowed: Sequence[str], what: str) -> dict[str, list[str]]:
    """``groups`` as ``{group name: [stream names]}``: ``None`` (each allowed name alone), a list of names
    (each alone) or a mapping; unknown names and empty groups are refused, naming the allowed."""
    if groups is None:
        return {g: [g] for g in allowed}
    if isinstance(groups, str):
        raise TypeError(f"groups: expected a list of {what} names or a mapping of group name to names, got a str")
    if isinstance(groups, Mapping):
        out = {str(k): [v] if isinstance(v, str) else list(v) for k, v in groups.items()}
    elif isinstance(groups, Sequence):
        out = {str(g): [g] for g in groups}
    else:
        raise TypeError(f"groups: expected a list or a mapping, got {type(groups).__name__}")
    if not out:
        raise ValueError(f"groups: needs at least one group; allowed {what} names: {list(allowed)}")
    for g, names in out.items():
        if not names:
            raise ValueError(f"groups[{g!r}]: an empty group; allowed {what} names: {list(allowed)}")
        for name in names:
            if name not in allowed:
                raise ValueError(f"groups[{g!r}]: unknown {what} {name!r}; allowed: {list(allowed)}")
    return out


Output = str | Callable[[xr.Dataset], xr.DataArray]


def _extract(ds: xr.Dataset, output: Output, k: int) -> tuple[str, xr.DataArray]:
    if isinstance(output, str):
        if output not in ds.data_vars:
            raise ValueError(f"output: unknown variable {output!r}; allowed: {sorted(map(str, ds.data_vars))}")
        da = ds[output]
    elif callable(output):
        da = output(ds)
        if not isinstance(da, xr.DataArray):
            raise TypeError(f"output: the callable must return an xarray.DataArray, got {type(da).__name__}")
    else:
        raise TypeError(
            "output: with method='saltelli' give a variable name or a callable ds -> DataArray (the output is "
            f"recomputed in every run), got {type(output).__name__}"
        )
    if "trial" not in da.dims:
        raise ValueError(f"output: must have a 'trial' dim (one value per trial), got dims {da.dims}")
    name = output if isinstance(output, str) else str(da.name) if da.name is not None else f"output_{k}"
    return name, da.transpose("trial", ...)


def saltelli(
    scenario: Scenario,
    output: Output | Sequence[Output],
    *,
    trials: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    second_seed: int | np.random.SeedSequence | None = None,
    groups: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    by: str | None = "year",
    ci: float = 0.95,
) -> xr.Dataset | dict[str, xr.Dataset]:
    """First-order and total indices of ``output`` for groups of the scenario's streams (see the module).

    Parameters are those of :func:`cloudsim.sensitivity` with ``method="saltelli"``; a list of
    outputs gives a dict of results by output name from the same ``N (G + 2)`` trials.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(
            "ds_or_scenario: method='saltelli' needs a cloudsim.Scenario (its runs draw streams from a second "
            f"seed; an existing run cannot be reused), got {type(scenario).__name__}"
        )
    if by not in ("year", None):
        raise ValueError(f"by: must be 'year' or None, got {by!r}")
    ci = check_ci(ci)
    n = check_int(2**14 if trials is None else trials, "trials", MIN_TRIALS)
    streams = scenario.model.streams(scenario.to_dict())
    if streams is None:
        raise ValueError(f"method: model {scenario.model.name!r} cannot draw streams from a second seed ('saltelli')")
    spec = check_groups(groups, streams, "stream")
    many = isinstance(output, (list, tuple))
    outputs = list(output) if many else [output]
    if not outputs:
        raise ValueError("output: give at least one output")
    seed_ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    second = default_second_seed(seed_ss) if second_seed is None else second_seed

    def run(names: list[str] | None) -> list[tuple[str, xr.DataArray]]:
        kw = {} if names is None else {"second_seed": second, "second_streams": names}
        ds = simulate(scenario, n, seed=seed_ss, **kw)
        got = [_extract(ds, o, k) for k, o in enumerate(outputs)]
        for name, da in got:
            if by is None and da.ndim > 1:
                raise ValueError(f"by=None: output {name!r} must have only the 'trial' dim, got {da.dims}")
        return [(name, da.copy(data=np.asarray(da.values, np.float64))) for name, da in got]

    base_a = run(None)
    base_b = run(streams)
    ab = [[da.values for _, da in run(members)] for members in spec.values()]
    results = {}
    for k, (name, da) in enumerate(base_a):
        yab = np.stack([ab[g][k] for g in range(len(spec))], axis=1)
        dims = da.dims[1:]
        coords = {d: da.coords[d] for d in dims if d in da.coords}
        res = to_indices(da.values, base_b[k][1].values, yab, list(spec), dims, coords, ci, name)
        res["group_streams"] = ("group", [", ".join(m) for m in spec.values()])
        res.attrs.update(seed=key_from_seed(seed_ss)[1], second_seed=key_from_seed(second)[1])
        results[name] = res
    return results if many else next(iter(results.values()))
