"""Percentile bands of Dask-backed data, block by block: never more than a block of trials in memory.

Two passes over the blocks of ``dim``: the first builds the log-bucket sketch of every
column (integer counts, merged by addition), the second keeps only the values of the
buckets that hold the wanted order statistics.  The result equals
:func:`cloudsim.percentile_bands` of the loaded data bit for bit (the same order
statistics, the same interpolation).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..engine.quantiles import column_bands, exact_targets
from ..engine.sketch import ColumnSketch, codes, gamma_of, sketch_block
from ..engine.sketch import _select as select_values
from ._intervals import CI_BOUNDS, CI_DIM, KIND_ORDER, check_ci

__all__ = ["is_chunked", "percentile_bands_chunked"]

#: Relative error of the first pass's sketch: it only sets how many values the second pass keeps.
REL_ERROR = 1e-4


def is_chunked(obj: Any) -> bool:
    """Whether a DataArray or any variable of a Dataset is backed by a Dask array."""
    if isinstance(obj, xr.DataArray):
        return obj.chunks is not None
    if isinstance(obj, xr.Dataset):
        return any(v.chunks is not None for v in obj.data_vars.values())
    return False


def _columns(blocks: tuple[np.ndarray, ...]) -> np.ndarray:
    """One block of every variable, as one (columns x trials) float64 array."""
    return np.ascontiguousarray(np.concatenate([np.asarray(b, np.float64).reshape(b.shape[0], -1).T for b in blocks]))


def _pass1(inv_lg: float, *blocks: np.ndarray) -> list[ColumnSketch]:
    return sketch_block(_columns(blocks), inv_lg)[0]


def _merge1(a: list[ColumnSketch], b: list[ColumnSketch]) -> list[ColumnSketch]:
    return [x.merge(y) for x, y in zip(a, b, strict=True)]


def _pass2(inv_lg: float, targets: np.ndarray, sizes: np.ndarray, *blocks: np.ndarray) -> dict[int, np.ndarray]:
    x = _columns(blocks)
    c = np.empty(x.shape, np.int64)
    codes(x, inv_lg, c, np.empty((8, x.shape[0]), np.int64))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    buf = np.empty(int(sizes.sum()))
    fill = np.zeros(sizes.size, np.int64)
    select_values(c, x, targets, fill, starts, buf)
    return {s: buf[starts[s] : starts[s] + fill[s]].copy() for s in range(sizes.size) if fill[s]}


def _merge2(a: dict[int, np.ndarray], b: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    out = dict(a)
    for k, v in b.items():
        out[k] = np.concatenate([out[k], v]) if k in out else v
    return out


def _tree(parts: list[Any], merge: Any) -> Any:
    import dask

    m = dask.delayed(merge, pure=True)
    while len(parts) > 1:
        parts = [m(a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)] + (
            [parts[-1]] if len(parts) % 2 else []
        )
    return parts[0]


def percentile_bands_chunked(
    obj: xr.Dataset | xr.DataArray, qs: np.ndarray, *, dim: str, ci: float | None
) -> xr.Dataset | xr.DataArray:
    """:func:`cloudsim.percentile_bands` of Dask-backed data (same arguments and result), in two passes."""
    import dask

    if isinstance(obj, xr.DataArray):
        das = [obj]
    else:
        das = [v for v in obj.data_vars.values() if dim in v.dims and v.dtype != bool]  # as percentile_bands
        if not das:
            raise ValueError(f"dim: no variable of the Dataset has dim {dim!r} (dims: {list(obj.dims)})")
    for da in das:
        if dim not in da.dims:
            raise ValueError(f"dim: {da.name or 'the DataArray'} has no dim {dim!r} (dims: {list(da.dims)})")
        if da.dtype.kind not in "biuf":
            raise TypeError(f"{da.name or 'the DataArray'}: cannot take quantiles of dtype {da.dtype}")
    ci_ = check_ci(ci) if ci is not None else 0.95
    first = das[0].transpose(dim, ...).chunk({d: -1 for d in das[0].dims if d != dim})
    trial_chunks = first.chunks[0]
    arrays = []
    for da in das:
        t = da.transpose(dim, ...).chunk({dim: trial_chunks, **{d: -1 for d in da.dims if d != dim}})
        arrays.append(t.data.reshape(t.shape[0], -1) if t.ndim != 2 else t.data)
    blocks = [a.to_delayed().ravel() for a in arrays]
    lg, inv_lg = gamma_of(REL_ERROR)
    p1 = [dask.delayed(_pass1, pure=True)(inv_lg, *bs) for bs in zip(*blocks, strict=True)]
    (sketches,) = dask.compute(_tree(p1, _merge1))
    targets, sizes = exact_targets(sketches, qs, ci_)
    p2 = [dask.delayed(_pass2, pure=True)(inv_lg, targets, sizes, *bs) for bs in zip(*blocks, strict=True)]
    (kept,) = dask.compute(_tree(p2, _merge2))
    out_b, out_ci = {}, {}
    col = 0
    for da in das:
        rest = tuple(d for d in da.dims if d != dim)
        shape = tuple(da.sizes[d] for d in rest)
        m = int(np.prod(shape, dtype=np.int64))
        band = np.empty((qs.size, m))
        bounds = np.empty((qs.size, m, 2))
        for k in range(m):
            band[:, k], bounds[:, k, 0], bounds[:, k, 1] = column_bands(
                col + k, sketches[col + k], qs, ci_, lg, (targets, kept)
            )
        col += m
        coords = {k: v for k, v in da.coords.items() if dim not in v.dims}
        coords["quantile"] = qs
        name = da.name
        n_valid = int(da.notnull().sum(dim).min().compute())  # the missing-value rule: NaN trials are left out
        out_b[name] = xr.DataArray(
            band.reshape(qs.size, *shape), dims=("quantile", *rest), coords=coords, name=name,
            attrs={**da.attrs, "n_valid": n_valid},
        )  # fmt: skip
        attrs = dict(da.attrs)
        attrs.update(ci_kind=KIND_ORDER, ci_prob=ci_, n_valid=n_valid)
        out_ci[name] = xr.DataArray(
            bounds.reshape(qs.size, *shape, 2), dims=("quantile", *rest, CI_DIM),
            coords={**coords, CI_DIM: list(CI_BOUNDS)}, name=name, attrs=attrs,
        )  # fmt: skip
    if isinstance(obj, xr.DataArray):
        bands_da = out_b[obj.name]
        if ci is None:
            return bands_da
        label = str(obj.name) if obj.name is not None else "bands"
        res = xr.Dataset({label: bands_da, f"{label}_ci": out_ci[obj.name]})
    else:
        if ci is None:
            return xr.Dataset(out_b, attrs=dict(obj.attrs))
        res = xr.Dataset(out_b, attrs=dict(obj.attrs))
        for k, v in out_ci.items():
            res[f"{k}_ci"] = v
    res.attrs.update(ci_kind=KIND_ORDER, ci_prob=ci_)
    return res
