"""Monte Carlo standard errors by batch means: a statistic over disjoint batches of independent trials."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from scipy import stats

__all__ = ["BATCHES", "KIND_BATCH", "batch_se", "t_half_width"]

#: Disjoint batches of trials a standard error is estimated from.
BATCHES = 20
#: The ``ci_kind`` attribute of intervals built from :func:`batch_se`.
KIND_BATCH = f"batch means over {BATCHES} disjoint batches of trials (Student t, {BATCHES - 1} df)"


def batch_se(stat: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """Standard error of ``stat(*arrays)`` (rows are trials): the spread of ``stat`` over the batches / sqrt(B)."""
    n = arrays[0].shape[0]
    edges = np.linspace(0, n, BATCHES + 1).astype(np.int64)
    parts = np.stack([np.asarray(stat(*(a[lo:hi] for a in arrays))) for lo, hi in itertools.pairwise(edges)])
    return parts.std(axis=0, ddof=1) / np.sqrt(BATCHES)


def t_half_width(se: np.ndarray, ci: float) -> np.ndarray:
    """Half-width of the ``ci`` interval for a batch-means standard error."""
    return stats.t.ppf(0.5 + ci / 2, BATCHES - 1) * se
