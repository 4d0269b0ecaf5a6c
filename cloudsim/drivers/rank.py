"""First-order sensitivity indices from an existing run: the rank-based given-data estimator.

For an input X and an output Y, the first-order Sobol index is ``Var(E[Y | X]) / Var(Y)``.
Sorting the trials by X makes neighbours in that order share (almost) the same X, so the
covariance of successive outputs estimates ``Var(E[Y | X])`` (Gamboa, Klein and Lagnoux 2022,
"Global sensitivity analysis: a novel generation of mighty estimators based on rank
statistics"; Chatterjee's rank correlation is the same idea):

``S = (1/N sum_j (y_(j) - ybar) (y_(j+1) - ybar)) / var(y)``, ``y_(j)`` the output of the trial
with the j-th smallest X.  It needs no extra runs, any input distribution, and it is
consistent for dependent inputs too (then it is the share of variance explained by X alone,
partly through the inputs correlated with it).

Its standard error is the delta method's: with the output centred and scaled to unit variance
(``a_j`` the j-th in the input's order) and ``D = mean(a_j a_(j+1)) - S mean(a_j^2)``,
``N Var(D) -> E[q^2] + 2 E[m^2 q] - 2 E[m^4] - 2 S (2 E[m E[Y^3 | X]] - E[m^2 q]) + S^2 E[Y^4]``
(``m = E[Y | X]``, ``q = E[Y^2 | X]``), and every moment of ``m`` is estimated by a product of
distinct neighbours in the input's order (``E[m^4]`` by ``mean(a_j a_(j+1) a_(j+2) a_(j+3))``,
``E[q^2]`` by ``mean(a_j^2 a_(j+1)^2)`` ...), which are independent given the inputs.  The
neighbours of the full run are those of the estimate itself, so the error holds at ``S = 0``
too, where a heteroscedastic output makes the variance depend on how close neighbours are (the
batch means of smaller sub-runs under-cover there: 92.7% for Ishigami's x3 at 2,000 trials).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import xarray as xr
from scipy import stats

from .._checks import check_ci
from ._rank_kernel import column_moments, neighbour_sums

__all__ = ["KIND_ASYMPTOTIC", "MIN_TRIALS", "normal_half_width", "rank_first_order", "rank_with_se", "sensitivity"]

#: Fewest trials: below them the estimator's bias (of order 1 / trials) and the error's own error grow.
MIN_TRIALS = 1000
#: The ``ci_kind`` attribute of intervals from :func:`rank_with_se`.
KIND_ASYMPTOTIC = "asymptotic normal (delta method, moments from neighbours in the input's order)"


def rank_with_se(
    x: np.ndarray, y: np.ndarray, order: np.ndarray | None = None, moments: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The rank estimator of ``S`` and its asymptotic standard error (see the module) for each column of ``y``.

    ``x`` holds ``N >= 4`` inputs, ``y`` is ``(N, m)`` (a row per trial); ``order``
    (``numpy.argsort(x)``) and ``moments`` (:func:`column_moments` of ``y``) if already known.
    Returns two ``(m,)`` arrays; a column without variance gives NaN for both.
    """
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    mean, var = column_moments(y) if moments is None else moments
    ok = var > 0
    sums = neighbour_sums(np.argsort(x) if order is None else order, y, mean, 1.0 / np.sqrt(np.where(ok, var, 1.0)))
    pair, pair2, quad, skip_sq, pair_cube, fourth = sums.T
    s = pair / n  # the estimate: mean(a_j a_(j+1)), the output standardised
    q2 = pair2 / (n - 1)  # E[q^2]
    m4 = quad / (n - 3)  # E[m^4]
    # E[m^2 q] from skip-one products a_j a_(j+2) a_(j+1)^2: from neighbouring pairs its noise would be
    # correlated with the estimate's, which at S = 0 skews the interval (the high estimates got the wide ones)
    m2q = skip_sq / (n - 2)
    m3 = 0.5 * pair_cube / (n - 1)  # E[m E[Y^3 | X]]; it counts only at S > 0
    y4 = fourth / n
    nvar = q2 + 2 * m2q - 2 * m4 - 2 * s * (2 * m3 - m2q) + s * s * y4
    se = np.sqrt(np.maximum(nvar, 0.0) / n)
    return np.where(ok, s, np.nan), np.where(ok, se, np.nan)


def rank_first_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The rank estimator of ``S`` alone (:func:`rank_with_se`), for each column of ``y`` (``(N, m)``)."""
    return rank_with_se(x, y)[0]


def normal_half_width(se: np.ndarray, ci: float) -> np.ndarray:
    """Half-width of the ``ci`` interval for an asymptotic normal standard error."""
    return stats.norm.ppf(0.5 + ci / 2) * se


def _inputs(ds: xr.Dataset) -> list[str]:
    return [str(n) for n, v in ds.data_vars.items() if v.attrs.get("role") == "input" and v.dims == ("trial",)]


def _run_inputs(ds: Any) -> list[str]:
    """The per-trial inputs of a run; ``TypeError`` for a non-Dataset, ``ValueError`` for a run without inputs."""
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds: expected an xarray.Dataset (a run), got {type(ds).__name__}")
    names = _inputs(ds)
    if not names:
        raise ValueError("ds: has no per-trial inputs (variables with attrs role='input' and dim 'trial' only)")
    return names


def _output(ds: xr.Dataset, output: Any) -> xr.DataArray:
    if isinstance(output, xr.DataArray):
        da = output
    elif isinstance(output, str):
        if output not in ds.data_vars:
            raise ValueError(f"output: unknown variable {output!r}; allowed: {sorted(map(str, ds.data_vars))}")
        da = ds[output]
    else:
        raise TypeError(f"output: expected a variable name or an xarray.DataArray, got {type(output).__name__}")
    if "trial" not in da.dims:
        raise ValueError(f"output: must have a 'trial' dim (one value per trial), got dims {da.dims}")
    if da.sizes["trial"] != ds.sizes.get("trial"):
        raise ValueError(f"output: has {da.sizes['trial']} trials, the Dataset {ds.sizes.get('trial')}")
    return da.transpose("trial", ...)


def sensitivity(
    ds: xr.Dataset | Any,
    output: str | xr.DataArray | Any,
    *,
    method: str = "rank",
    by: str | None = "year",
    ci: float = 0.95,
    trials: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    second_seed: int | np.random.SeedSequence | None = None,
    groups: Any = None,
) -> xr.Dataset | dict[str, xr.Dataset]:
    """Sensitivity indices of ``output`` to each per-trial input (``"rank"``) or group of streams (``"saltelli"``).

    Parameters
    ----------
    ds : xarray.Dataset or Scenario
        ``"rank"``: a run (:func:`cloudsim.simulate`) or any Dataset shaped like one: the
        inputs are its variables with ``attrs["role"] == "input"`` and dim ``trial`` only.
        ``"saltelli"``: a :class:`cloudsim.Scenario` (its ``N (G + 2)`` trials are run here).
    output : str, xarray.DataArray, callable or a list of them
        A variable of ``ds`` or a derived DataArray with dim ``trial`` (booleans count as 0/1);
        with ``"saltelli"`` a variable name or a callable ``ds -> DataArray`` applied to every
        run.  A list gives a dict of results by output name (``"rank"``: one sort of each input
        serves them all; an unnamed or repeated name becomes ``output_<k>``).
    method : {"rank", "saltelli"}
        ``"rank"``: the given-data rank estimator (no extra runs; see :mod:`cloudsim.drivers.rank`).
        ``"saltelli"``: first-order (Saltelli 2010) and total (Jansen) indices by pick-freeze
        (:mod:`cloudsim.drivers.saltelli`).
    by : {"year", None}
        ``"year"``: one index per year (and per any other dim of the output); ``None``: the
        output must have no dim but ``trial``.
    ci : float
        Probability of the intervals, in (0, 1).
    trials : int, optional
        ``"saltelli"`` only: ``N``, the trials of each of its ``G + 2`` runs (default 16,384, >= 1000).
    seed, second_seed : int, numpy.random.SeedSequence or None
        ``"saltelli"`` only: the runs' seed and the seed the swapped streams come from (by
        default a fixed child of ``seed``, so ``seed`` alone reproduces the result).
    groups : list of str or mapping of str to list of str, optional
        ``"saltelli"`` only: the groups of streams (``Scenario.model.streams``); a list gives each
        stream its own group, a mapping names unions (``{"claims": ["spend_start", "spend_target"]}``);
        default: every stream alone.

    Returns
    -------
    xarray.Dataset
        ``"rank"``: ``S1`` (dims ``input`` then the output's other dims), ``S1_se`` and ``S1_ci``
        (plus ``ci_bound`` = lower, upper); attrs ``method``, ``output``, ``ci_prob``, ``ci_kind``,
        ``trials``.  ``"saltelli"``: ``S1``, ``ST`` and their ``_se`` and ``_ci`` on dim ``group``
        then the output's other dims, ``group_streams``; attrs as well as ``runs``,
        ``total_trials``, ``seed`` and ``second_seed``.

    Raises
    ------
    ValueError
        For an unknown method, output, stream or group, a Dataset without inputs or with fewer than
        ``MIN_TRIALS`` (1000) trials, or ``by=None`` with an output that has other dims.
    """
    if method == "saltelli":
        from .saltelli import saltelli

        return saltelli(ds, output, trials=trials, seed=seed, second_seed=second_seed, groups=groups, by=by, ci=ci)
    if method != "rank":
        raise ValueError(f"method: must be 'rank' or 'saltelli', got {method!r}")
    extra = {"trials": trials, "seed": seed, "second_seed": second_seed, "groups": groups}
    given = [k for k, v in extra.items() if v is not None]
    if given:
        raise ValueError(f"{given[0]}: only method='saltelli' runs the scenario; 'rank' reads an existing run")
    if by not in ("year", None):
        raise ValueError(f"by: must be 'year' or None, got {by!r}")
    ci = check_ci(ci)
    names = _run_inputs(ds)
    many = isinstance(output, (list, tuple))
    das = [_output(ds, o) for o in (output if many else [output])]
    if not das:
        raise ValueError("output: give at least one output")
    for da in das:
        if by is None and da.ndim > 1:
            raise ValueError(
                f"by=None: output {da.name!r} must have only the 'trial' dim, got {da.dims}; select a year first"
            )
    n = das[0].sizes["trial"]
    if n < MIN_TRIALS:
        raise ValueError(f"ds: needs at least {MIN_TRIALS} trials for the rank estimator's interval, got {n}")
    # every output's cells side by side: one sort of each input and one pass over the trials serve them all
    y = np.concatenate([np.asarray(da.values, dtype=np.float64).reshape(n, -1) for da in das], axis=1)
    est = np.empty((len(names), y.shape[1]))
    se = np.empty_like(est)
    moments = column_moments(y)
    for k, (name, order) in enumerate(zip(names, _orders(ds, names), strict=True)):
        est[k], se[k] = rank_with_se(np.asarray(ds[name].values, dtype=np.float64), y, order=order, moments=moments)
    results: dict[str, xr.Dataset] = {}
    lo = 0
    for k, da in enumerate(das):
        cells = int(np.prod(da.shape[1:], dtype=np.int64))
        name = str(da.name) if da.name is not None and str(da.name) not in results else f"output_{k}"
        results[name] = _result(da, names, est[:, lo : lo + cells], se[:, lo : lo + cells], ci)
        lo += cells
    return results if many else next(iter(results.values()))


def _orders(ds: xr.Dataset, names: list[str]) -> list[np.ndarray]:
    """The trial order of each input (``numpy.argsort``), sorted on up to numba's threads at once."""
    import numba

    with ThreadPoolExecutor(max_workers=max(1, min(len(names), numba.get_num_threads()))) as pool:
        return list(pool.map(lambda name: np.argsort(np.asarray(ds[name].values, dtype=np.float64)), names))


def _result(da: xr.DataArray, names: list[str], est: np.ndarray, se: np.ndarray, ci: float) -> xr.Dataset:
    """The Dataset of one output from its ``(inputs, cells)`` estimates and standard errors."""
    half = normal_half_width(se, ci)
    dims = ("input", *da.dims[1:])
    coords = {"input": names, **{d: da.coords[d] for d in da.dims[1:] if d in da.coords}}
    shape = (len(names), *da.shape[1:])
    out = xr.Dataset(
        {
            "S1": (dims, est.reshape(shape), {"long_name": "first-order sensitivity index"}),
            "S1_se": (dims, se.reshape(shape), {"long_name": "standard error of S1"}),
            "S1_ci": ((*dims, "ci_bound"), np.stack([est - half, est + half], axis=-1).reshape(*shape, 2)),
        },
        coords={**coords, "ci_bound": ["lower", "upper"]},
    )
    out.attrs = {"method": "rank (Gamboa-Klein-Lagnoux)", "output": str(da.name), "ci_prob": ci,
                 "ci_kind": KIND_ASYMPTOTIC, "trials": da.sizes["trial"]}  # fmt: skip
    return out
