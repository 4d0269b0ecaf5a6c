"""Sensitivity indices of a plain Python/NumPy function of independent uniforms (test functions, quick studies).

``function_sensitivity(f, 3, trials)`` draws each trial's uniforms from the trial's own stream
(keyed by the seed and the trial index, as a scenario's trials are) and estimates the indices of
``f`` with the same estimators as :func:`cloudsim.sensitivity`: ``"saltelli"`` (pick-freeze,
``N (G + 2)`` evaluations) or ``"rank"`` (one sample of ``N``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._checks import check_ci, check_int
from .._rng import VectorStreams, key_from_seed
from .rank import sensitivity as rank_sensitivity
from .saltelli import MIN_TRIALS, check_groups, default_second_seed, to_indices

__all__ = ["function_sensitivity", "uniforms"]


def uniforms(seed: int | np.random.SeedSequence | None, trials: int, dims: int, start: int = 0) -> np.ndarray:
    """``(trials, dims)`` uniforms in [0, 1): row ``r`` is trial ``start + r``'s first ``dims`` uniforms."""
    st = VectorStreams(key_from_seed(seed)[0], np.arange(start, start + trials, dtype=np.int64))
    return np.stack([st.uniform() for _ in range(dims)], axis=1) if dims else np.zeros((trials, 0))


def _names(inputs: Any) -> list[str]:
    if isinstance(inputs, (int, np.integer)) and not isinstance(inputs, bool):
        return [f"x{k + 1}" for k in range(check_int(inputs, "inputs", 1))]
    if isinstance(inputs, Sequence) and not isinstance(inputs, str) and inputs:
        names = [str(v) for v in inputs]
        if len(set(names)) != len(names):
            raise ValueError(f"inputs: names must be distinct, got {names}")
        return names
    raise TypeError(f"inputs: expected a count >= 1 or a list of names, got {inputs!r}")


def _evaluate(func: Callable[[np.ndarray], Any], u: np.ndarray) -> np.ndarray:
    y = np.asarray(func(u), dtype=np.float64)
    if y.ndim not in (1, 2) or y.shape[0] != u.shape[0]:
        raise ValueError(f"func: must return an array of shape (n,) or (n, m) for n={u.shape[0]} rows, got {y.shape}")
    return y


def function_sensitivity(
    func: Callable[[np.ndarray], Any],
    inputs: int | Sequence[str],
    trials: int,
    *,
    method: str = "saltelli",
    seed: int | np.random.SeedSequence | None = None,
    second_seed: int | np.random.SeedSequence | None = None,
    groups: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ci: float = 0.95,
) -> xr.Dataset:
    """Sensitivity indices of ``y = func(u)`` to the independent uniform inputs ``u``.

    Parameters
    ----------
    func : callable
        Takes an ``(n, d)`` array of uniforms in [0, 1) (transform them yourself, e.g.
        ``-pi + 2 pi u``) and returns ``(n,)`` outputs, or ``(n, m)`` for ``m`` outputs at once.
    inputs : int or list of str
        The number ``d`` of inputs (named ``x1 .. xd``) or their names, in column order.
    trials : int
        ``N``, >= 1000: ``"saltelli"`` evaluates ``func`` on ``N (G + 2)`` rows, ``"rank"`` on ``N``.
    method : {"saltelli", "rank"}
        Pick-freeze first-order and total indices, or the rank estimator's first-order indices.
    seed, second_seed : int, numpy.random.SeedSequence or None
        Row ``r`` of the first (second) sample is trial ``r``'s stream for ``seed``
        (``second_seed``; by default a fixed child of ``seed``).
    groups : list of str or mapping, optional
        ``"saltelli"`` only: groups of inputs, ``{name: [input, ...]}``; default each input alone.
    ci : float
        Probability of the intervals, in (0, 1).

    Returns
    -------
    xarray.Dataset
        As :func:`cloudsim.sensitivity`: ``"saltelli"``: ``S1``, ``ST`` with ``_se`` and ``_ci``
        on dims ``group`` (and ``output`` for several outputs); ``"rank"``: ``S1``, ``S1_se``,
        ``S1_ci`` on dim ``input``.

    Raises
    ------
    ValueError
        For an unknown method or input name, fewer than 1000 trials, or ``func`` returning the wrong shape.
    """
    if method not in ("saltelli", "rank"):
        raise ValueError(f"method: must be 'saltelli' or 'rank', got {method!r}")
    names = _names(inputs)
    ci = check_ci(ci)
    n = check_int(trials, "trials", MIN_TRIALS)
    if not callable(func):
        raise TypeError(f"func: expected a callable of an (n, d) array, got {type(func).__name__}")
    if method == "rank":
        if groups is not None:
            raise ValueError("groups: only method='saltelli' estimates indices of groups")
        ua = uniforms(seed, n, len(names))
        y = _evaluate(func, ua)
        ds = xr.Dataset({k: ("trial", ua[:, j], {"role": "input"}) for j, k in enumerate(names)})
        ds["y"] = (("trial", "output")[: y.ndim], y)
        return rank_sensitivity(ds, "y", by="year" if y.ndim > 1 else None, ci=ci)
    spec = check_groups(groups, names, "input")
    seed_ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    second = default_second_seed(seed_ss) if second_seed is None else second_seed
    ua = uniforms(seed_ss, n, len(names))
    ub = uniforms(second, n, len(names))
    ya, yb = _evaluate(func, ua), _evaluate(func, ub)
    yab = []
    for members in spec.values():
        u = ua.copy()
        cols = [names.index(m) for m in members]
        u[:, cols] = ub[:, cols]
        yab.append(_evaluate(func, u))
    dims = ("output",) if ya.ndim > 1 else ()
    out = to_indices(ya, yb, np.stack(yab, axis=1), list(spec), dims, {}, ci, getattr(func, "__name__", "func"))
    out.attrs.update(seed=key_from_seed(seed_ss)[1], second_seed=key_from_seed(second)[1])
    return out
