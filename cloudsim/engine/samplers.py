"""Samplers other than plain Monte Carlo: the normal scores that feed a trial's inputs and shocks.

``"mc"`` never comes here (the kernels draw from each trial's own stream).  The
others give, per trial, the normal scores of the first ``D`` dimensions of the
model's draw order (its per-trial inputs, its yearly shocks, then any other draws):

- ``"antithetic"``: trial ``2k + 1`` takes the negated scores of trial ``2k``
  (both from trial ``2k``'s score stream, keyed apart from the trial streams);
- ``"lhs"``: per replicate and dimension a random permutation of ``n`` strata;
- ``"sobol"``: scrambled (LMS + digital shift) 64-bit Sobol points;
- ``"halton"``: scrambled Halton points.

Every sampler runs ``replicates`` independent blocks of ``trials / replicates``
consecutive trials (independent scramblings, designs or streams), so every estimate
has a replicate-based interval.  The sampler's dimensions are ordered by importance:
the inputs first, then the model's segments (a process's shocks, its independent
draws such as the deal model's workload shifts) by tier and, within a tier, in
Brownian-bridge order across processes (the points with the largest conditional
variance times the segment's scale, i.e. the end and claim-year values, first); an
orthogonal map per process takes them to the kernel's draw order, so the kernel's
shocks stay independent standard normals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_REPLICATES",
    "REPLICATED",
    "SAMPLERS",
    "Segment",
    "check_sampler",
    "score_map",
    "scores",
]

SAMPLERS = ("mc", "antithetic", "lhs", "sobol", "halton")
#: Samplers whose trials come in independent replicate blocks.
REPLICATED = SAMPLERS[1:]
DEFAULT_REPLICATES = 16
#: Largest dimension scipy's Sobol direction numbers serve.
SOBOL_MAX_DIM = 21201
_CODES = {name: k for k, name in enumerate(SAMPLERS)}
# uniforms are kept in [U_MIN, 1 - U_MIN]: normal scores within about +-8.2
U_MIN = 2.0**-53
#: Consecutive Sobol points per parallel work item.
SOBOL_PIECE = 4096


class Segment(tuple):
    """One stretch of a model's score columns: ``(kind, columns, horizon, scale, tier)``.

    ``kind`` is ``"walk"`` (a random walk from a known value: point ``t`` has variance
    ``t``), ``"bridge"`` (a discrete Brownian bridge pinned at ``horizon``: covariance
    ``s (h - t) / h`` for ``s <= t``), ``"plain"`` (independent columns, each its own
    draw, unit variance) or ``"unused"`` (scores the kernel never reads); ``columns``
    are the kernel's score columns of its points in time order.  ``scale`` (default 1)
    is the variance one unit of the segment adds to the output it drives (a process's
    volatility squared) and ``tier`` (default 0) its rank among the outputs: they only
    order the segments' points against each other (lower tier first, then larger
    ``scale`` times conditional variance).
    """

    def __new__(cls, kind: str, columns: Sequence[int], horizon: int = 0, scale: float = 1.0, tier: int = 0) -> Segment:
        return super().__new__(cls, (kind, tuple(int(c) for c in columns), int(horizon), float(scale), int(tier)))


def check_sampler(sampler: Any, replicates: Any, trials: int, start: int, scenario: Any) -> tuple[str, int]:
    """Check ``sampler`` and ``replicates`` against the run; return them normalised.

    Raises
    ------
    ValueError
        For an unknown sampler, ``replicates < 2``, ``trials`` not a multiple of
        ``replicates`` (of ``2 * replicates`` for antithetic), ``start != 0`` for
        ``lhs``/``sobol``/``halton`` (an odd ``start`` for antithetic), the Student-t
        copula, or a model that does not declare its score layout.
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler: must be one of {SAMPLERS}, got {sampler!r}")
    if sampler == "mc":
        return sampler, 1
    if replicates is None:
        replicates = DEFAULT_REPLICATES
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 2:
        raise ValueError(
            f"replicates: sampler {sampler!r} needs an int >= 2 (independent replicate blocks give its "
            f"confidence intervals), got {replicates!r}"
        )
    replicates = int(replicates)
    per = 2 * replicates if sampler == "antithetic" else replicates
    if trials % per:
        raise ValueError(
            f"trials: sampler {sampler!r} with replicates={replicates} needs a multiple of {per}, got {trials}"
        )
    if sampler == "antithetic":
        if start % 2:
            raise ValueError(f"start: sampler 'antithetic' pairs trials 2k and 2k+1; start must be even, got {start}")
    elif start != 0:
        raise ValueError(
            f"start: sampler {sampler!r} lays its points out over the whole run (they depend on trials); "
            f"start must be 0, got {start}"
        )
    if scenario.student_df():
        raise ValueError(
            f"sampler: {sampler!r} supports the Gaussian copula only; scenario {scenario.name!r} uses the "
            f"Student-t copula (use sampler='mc')"
        )
    if scenario.model.score_layout(scenario.to_dict()) is None:
        raise ValueError(f"sampler: model {scenario.model.name!r} declares no score layout; use sampler='mc'")
    return sampler, replicates


def _pivot_order(cov: np.ndarray) -> np.ndarray:
    """Greedy (pivoted) Cholesky order: each point the one of largest conditional variance given those before."""
    m = cov.shape[0]
    c = cov.astype(np.float64).copy()
    left = list(range(m))
    order = []
    for _ in range(m):
        j = max(left, key=lambda i: (c[i, i], -i))
        order.append(j)
        left.remove(j)
        if c[j, j] > 0:
            c = c - np.outer(c[:, j], c[j, :]) / c[j, j]
    return np.array(order, dtype=np.int64)


def _segment_cov(kind: str, m: int, h: int) -> np.ndarray:
    if kind == "plain":
        return np.eye(m)
    t = np.arange(1, m + 1, dtype=np.float64)
    lo, hi = np.minimum.outer(t, t), np.maximum.outer(t, t)
    return lo if kind == "walk" else lo * (h - hi) / h


def score_map(n_inputs: int, segments: Sequence[Segment], dims: int) -> np.ndarray:
    """The orthogonal ``(dims, dims)`` map from the sampler's dimensions to the kernel's score columns.

    ``kernel_scores = sampler_scores @ M``.  Dimensions ``0..n_inputs-1`` are the inputs
    (unchanged); then every segment's points by tier, then in descending conditional
    variance times the segment's scale (over all segments, stable: ties keep segment
    then point order), then the unused columns.

    Returns
    -------
    numpy.ndarray
        Shape ``(dims, dims)``, orthogonal.
    """
    m_out = np.zeros((dims, dims))
    for k in range(n_inputs):
        m_out[k, k] = 1.0
    ranked = []  # ((tier, -weight), block, local index)
    blocks = []
    unused = []
    for kind, cols, h, scale, tier in segments:
        if kind == "unused":
            unused.extend(cols)
            continue
        m = len(cols)
        cov = _segment_cov(kind, m, h)
        order = _pivot_order(cov)
        fac = np.linalg.cholesky(cov[np.ix_(order, order)])
        build = np.zeros((m, m))
        build[order, :] = fac  # path = build @ u, u in pivot order
        seq = np.linalg.cholesky(cov)  # the kernel's sequential construction: path = seq @ eps
        q = np.linalg.solve(seq, build)  # eps = q @ u, orthogonal
        q[np.abs(q) < 1e-14] = 0.0  # rounding of exact zeros: keeps the map sparse
        blocks.append((cols, q))
        for r in range(m):
            ranked.append(((tier, -(scale * fac[r, r] ** 2)), len(blocks) - 1, r))
    ranked.sort(key=lambda e: e[0])  # stable
    dim = n_inputs
    for _, b, r in ranked:
        cols, q = blocks[b]
        m_out[dim, list(cols)] = q[:, r]
        dim += 1
    for c in unused:
        m_out[dim, c] = 1.0
        dim += 1
    if dim != dims:
        raise ValueError(f"score layout: {dim} dimensions mapped, expected {dims}")
    return m_out


def _seed_seq(key: int, sampler: str, replicate: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(key) & (2**64 - 1), 0x5A3B, _CODES[sampler], int(replicate)])


def _uniforms(
    sampler: str, key: int, dims: int, replicate: int, n_per: int, j0: int, j1: int, cache: dict
) -> np.ndarray:
    """Points ``j0..j1-1`` of replicate ``replicate`` (uniforms in [0, 1), shape ``(j1 - j0, dims)``)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(_seed_seq(key, sampler, replicate))
    if sampler == "lhs":
        design = cache.get(("lhs", replicate))
        if design is None:
            for k in [k for k in cache if isinstance(k, tuple) and k[0] == "lhs"]:
                del cache[k]
            perm = np.argsort(rng.random((dims, n_per)), axis=1).T
            design = (perm + rng.random((n_per, dims))) / n_per
            cache[("lhs", replicate)] = design
        return design[j0:j1]
    eng = qmc.Halton(dims, scramble=True, rng=rng)  # "sobol" is built in _sobol, "mc"/"antithetic" never come here
    if j0:
        eng.fast_forward(j0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # balance properties need powers of 2: a note, not an error
        return eng.random(j1 - j0)


def scores(
    sampler: str, key: int, dims: int, replicates: int, trials: int, start: int, lo: int, hi: int,
    smap: np.ndarray, cache: dict,
) -> np.ndarray:  # fmt: skip
    """The kernel's normal scores for rows ``lo..hi-1`` of a run of ``trials`` (global trials ``start + row``).

    Returns
    -------
    numpy.ndarray
        Shape ``(hi - lo, dims)``, C-contiguous float64, in the kernel's column order.
    """
    from .. import _rng
    from . import _sobol

    n_per = trials // replicates
    sparse = cache.get("sparse")
    if sparse is None:
        sparse = cache["sparse"] = _sobol.sparse_map(smap)
    out = np.empty((hi - lo, dims))
    if sampler == "antithetic":
        skey = _rng.key_from_seed(_seed_seq(key, sampler, 0))[0]
        base = start + lo - (start + lo) % 2
        n = hi - lo + (start + lo) % 2 + 1
        z = np.empty((n + n % 2, dims))
        _rng.draw_normals(np.uint64(skey), np.int64(base), z)
        z[1::2] = -z[0::2]
        off = (start + lo) - base
        return np.ascontiguousarray(z[off : off + hi - lo] @ smap)
    if sampler == "sobol":
        reps, sv, shift, pieces = [], [], [], []
        row = lo
        while row < hi:
            r, j0 = divmod(row, n_per)
            j1 = min(n_per, j0 + hi - row)
            if ("sobol", r) not in cache:
                cache[("sobol", r)] = _sobol.scramble(dims, np.random.default_rng(_seed_seq(key, sampler, r)))
            v, sh = cache[("sobol", r)]
            reps.append(r)
            sv.append(v)
            shift.append(sh)
            for a in range(j0, j1, SOBOL_PIECE):  # pieces of consecutive points: the parallel work items
                pieces.append((len(reps) - 1, row - lo + a - j0, a, min(SOBOL_PIECE, j1 - a)))
            row += j1 - j0
        rep_i, row_i, j_i, len_i = (np.asarray(c, dtype=np.int64) for c in zip(*pieces, strict=True))
        _sobol.sobol_scores(np.stack(sv), np.stack(shift), rep_i, row_i, j_i, len_i, *sparse, U_MIN, out)
        return out
    parts = []
    row = lo
    while row < hi:
        r, j0 = divmod(row, n_per)
        j1 = min(n_per, j0 + hi - row)
        parts.append(_uniforms(sampler, key, dims, r, n_per, j0, j1, cache))
        row += j1 - j0
    u = np.ascontiguousarray(np.concatenate(parts) if len(parts) > 1 else parts[0], dtype=np.float64)
    _sobol.normal_scores(u, *sparse, U_MIN, out)
    return out
