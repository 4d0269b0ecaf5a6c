"""Tail drivers: the per-trial inputs' distributions given an event (a boolean over trials) against their own.

For an event E (``commitment_met == False``, spend below a floor, any boolean DataArray over
trials) and each input X: the shift of the median, ``median(X | E) - median(X)``; where that
conditional median sits among all trials, ``F_X(median(X | E))`` (0.5 when E says nothing of X);
the Kolmogorov-Smirnov distance ``sup |F_{X|E} - F_X|`` (it equals ``(1 - P(E))`` times the
two-sample distance between E and not-E, whose p-value is given); and the first-order index of
the event's indicator, ``Var(P(E | X)) / Var(1_E)`` (the rank estimator of :mod:`.rank`), with,
when an ``output`` is given, the first-order indices of that output within the event.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from scipy import stats

from .._checks import check_ci
from ._batch import BATCHES, KIND_BATCH, batch_se, t_half_width
from .rank import KIND_ASYMPTOTIC, _output, _run_inputs, normal_half_width, rank_with_se

__all__ = ["MIN_EVENT_TRIALS", "tail_drivers"]

#: Fewest trials in the event and fewest outside it, per batch of the error estimate.
MIN_EVENT_TRIALS = 10 * BATCHES


def _event(ds: xr.Dataset, event: Any) -> np.ndarray:
    if isinstance(event, str):
        if event not in ds.data_vars:
            raise ValueError(f"event: unknown variable {event!r}; allowed: {sorted(map(str, ds.data_vars))}")
        event = ds[event]
    if not isinstance(event, xr.DataArray):
        raise TypeError(
            f"event: expected a boolean DataArray over trials (e.g. ~ds['commitment_met']) or a variable name, "
            f"got {type(event).__name__}"
        )
    if event.dims != ("trial",):
        raise ValueError(
            f"event: must have the 'trial' dim only, got dims {event.dims}; select one year or commitment first "
            "(e.g. ds['spend'].sel(year=2028) < 1e9)"
        )
    if event.dtype != bool:
        raise TypeError(f"event: expected booleans (one per trial), got dtype {event.dtype}")
    if event.sizes["trial"] != ds.sizes.get("trial"):
        raise ValueError(f"event: has {event.sizes['trial']} trials, the Dataset {ds.sizes.get('trial')}")
    return np.asarray(event.values)


def _median_shift(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    return np.median(x[e]) - np.median(x)


def _median_level(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    return np.mean(x < np.median(x[e])) + 0.5 * np.mean(x == np.median(x[e]))


def _ks(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``sup |F_{X|E} - F_X|`` over the trials' values (both empirical CDFs are steps at those values)."""
    order = np.argsort(x, kind="stable")
    xs, es = x[order], e[order]
    last = np.r_[xs[1:] != xs[:-1], True]  # the CDFs are compared after the last of tied values
    f_all = np.arange(1, xs.size + 1)[last] / xs.size
    f_event = np.cumsum(es)[last] / es.sum()
    return np.max(np.abs(f_event - f_all))


def tail_drivers(
    ds: xr.Dataset,
    event: str | xr.DataArray,
    *,
    output: str | xr.DataArray | None = None,
    ci: float = 0.95,
    label: str | None = None,
) -> xr.Dataset:
    """Which inputs drive an event: their distributions given the event against their own, ranked.

    Parameters
    ----------
    ds : xarray.Dataset
        A run (:func:`cloudsim.simulate`) or any Dataset shaped like one (the inputs are its
        variables with ``attrs["role"] == "input"`` and dim ``trial`` only).
    event : str or xarray.DataArray
        Booleans over trials: ``~ds["commitment_met"]``, ``ds["spend"].sel(year=2028) < 1e9``;
        a name stands for that boolean variable being true.
    output : str or xarray.DataArray, optional
        Also give the first-order indices of this output among the event's trials alone.
    ci : float
        Probability of the intervals.
    label : str, optional
        The event in words, for tables and plots (``"commitment missed"``); default: ``"<name>
        is true"`` for a name, ``"the given event"`` for a DataArray.

    Returns
    -------
    xarray.Dataset
        Dim ``input``, sorted by ``ks`` (largest first): ``median_all``, ``median_event``,
        ``median_shift`` with ``median_shift_se`` and ``median_shift_ci``, ``median_event_level``
        (``F_X(median(X | E))``) with ``_se``/``_ci``, ``ks`` with ``ks_se``/``ks_ci`` and
        ``ks_pvalue`` (E against not-E), ``S1_event`` (the event indicator's first-order index)
        with ``_se``/``_ci``; with ``output``: ``S1_given_event`` (dims ``input`` and the output's
        others) with ``_se``. Attrs ``event_trials``, ``trials``, ``event_probability``,
        ``ci_prob``, ``ci_kind`` (batch means), ``S1_ci_kind`` (the indices: asymptotic, as
        :func:`cloudsim.sensitivity`), ``event``.

    Raises
    ------
    ValueError
        For a Dataset without inputs, an event that is not one boolean per trial, or an event
        (or its complement) with fewer than ``MIN_EVENT_TRIALS`` trials.
    """
    ci = check_ci(ci)
    names = _run_inputs(ds)
    e = _event(ds, event)
    if label is None:
        label = f"{event} is true" if isinstance(event, str) else "the given event"
    n, k = e.size, int(e.sum())
    if min(k, n - k) < MIN_EVENT_TRIALS:
        raise ValueError(
            f"event: holds in {k:,} of {n:,} trials; the table needs at least {MIN_EVENT_TRIALS} trials in the "
            "event and outside it: run more trials or choose a less rare event"
        )
    ef = e.astype(np.float64)
    cols: dict[str, list[float]] = {}
    for name in names:
        x = np.asarray(ds[name].values, dtype=np.float64)
        found = {
            "median_all": float(np.median(x)), "median_event": float(np.median(x[e])),
            "median_shift": float(_median_shift(x, e)), "median_shift_se": float(batch_se(_median_shift, x, e)),
            "median_event_level": float(_median_level(x, e)),
            "median_event_level_se": float(batch_se(_median_level, x, e)),
            "ks": float(_ks(x, e)), "ks_se": float(batch_se(_ks, x, e)),
            "ks_pvalue": float(stats.ks_2samp(x[e], x[~e], method="asymp").pvalue),
        }  # fmt: skip
        s1, s1_se = rank_with_se(x, ef[:, None])
        found.update(S1_event=float(s1[0]), S1_event_se=float(s1_se[0]))
        for key, value in found.items():
            cols.setdefault(key, []).append(value)
    order = np.argsort(-np.array(cols["ks"]), kind="stable")
    data: dict[str, Any] = {key: ("input", np.array(v)[order]) for key, v in cols.items()}
    for key in ("median_shift", "median_event_level", "ks", "S1_event"):
        est, se = data[key][1], data[f"{key}_se"][1]
        half = normal_half_width(se, ci) if key == "S1_event" else t_half_width(se, ci)
        data[f"{key}_ci"] = (("input", "ci_bound"), np.stack([est - half, est + half], axis=-1))
    ranked = [names[i] for i in order]
    out = xr.Dataset(data, coords={"input": ranked, "ci_bound": ["lower", "upper"]})
    for name in ("median_all", "median_event", "median_shift"):
        out[name].attrs["long_name"] = name.replace("_", " ")
    out["median_event_level"].attrs["long_name"] = "quantile level of the event's median among all trials"
    out["ks"].attrs["long_name"] = "Kolmogorov-Smirnov distance, given the event vs all trials"
    out["S1_event"].attrs["long_name"] = "first-order index of the event's indicator"
    units = {name: str(ds[name].attrs.get("units", "")) for name in ranked}
    out["units"] = ("input", np.array([units[name] for name in ranked]))
    if output is not None:
        da = _output(ds, output)
        sub = da.isel(trial=np.flatnonzero(e))
        y = np.ascontiguousarray(np.asarray(sub.values, dtype=np.float64).reshape(k, -1))
        est = np.empty((len(ranked), y.shape[1]))
        se = np.empty_like(est)
        for j, name in enumerate(ranked):
            x = np.asarray(ds[name].values, dtype=np.float64)[e]
            est[j], se[j] = rank_with_se(x, y)
        dims = ("input", *da.dims[1:])
        shape = (len(ranked), *da.shape[1:])
        long_name = f"first-order index of {da.name} given the event"
        out["S1_given_event"] = (dims, est.reshape(shape), {"long_name": long_name})
        out["S1_given_event_se"] = (dims, se.reshape(shape))
        out = out.assign_coords({d: da.coords[d] for d in da.dims[1:] if d in da.coords})
    out.attrs = {"event": label, "event_trials": k, "trials": n, "event_probability": k / n, "ci_prob": ci,
                 "ci_kind": KIND_BATCH, "S1_ci_kind": KIND_ASYMPTOTIC}  # fmt: skip
    return out
