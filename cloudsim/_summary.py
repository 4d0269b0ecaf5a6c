"""Summaries of a run without its trials: blocks of trials -> mergeable statistics -> a summary Dataset.

Each task simulates its range of trials block by block (:data:`BLOCK` trials at a
time, never more in memory), and reduces every block to integer counts (the
log-bucket sketch of every output column, exceedance and claim counts, true counts
of boolean outputs) and exact sums (:class:`cloudsim.engine.sketch.ExactSums`).  These
merge exactly, so the summary is the same bit for bit for any chunk size, scheduler
or worker count.  ``bands="exact"`` runs a second pass that regenerates the trials and
keeps only the values in the sketch buckets that hold the wanted order statistics.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import xarray as xr

from ._dataset import to_dataset
from .engine import allocate
from .engine.quantiles import column_bands, interpolate, ranks
from .engine.sketch import ColumnSketch, ExactSums, codes, gamma_of, sketch_block, value_of_code
from .engine.sketch import _select as select_values
from .risk import exceedance_probability, percentile_bands, quantile_intervals
from .risk._intervals import KIND_NORMAL, KIND_ORDER, KIND_WILSON, ci_like, wilson, z_value
from .scenario import Scenario

__all__ = ["BLOCK", "HIST_BINS", "Plan", "Summary", "make_plan", "summary_dataset"]

#: Trials simulated at once inside a task: with the deal model's ~80 values a trial, about 40 MB.
BLOCK = 1 << 16
#: Bins of each histogram (between the 0.1% and 99.9% quantiles).
HIST_BINS = 60
HIST_RANGE = (0.001, 0.999)


@dataclass(frozen=True)
class Plan:
    """What a task needs: the scenario (as TOML, so it pickles), the stream key, and the column layout."""

    toml: str
    key: int
    floats: tuple[tuple[str, int, int], ...]  # (variable, first column, end column) in the stacked block
    bools: tuple[tuple[str, int, int], ...]
    thresholds: tuple[np.ndarray, ...]  # per float variable, its exceedance thresholds (maybe empty)
    rel_error: float

    @property
    def width(self) -> int:
        return self.floats[-1][2] if self.floats else 0

    @property
    def bool_width(self) -> int:
        return self.bools[-1][2] if self.bools else 0


@functools.lru_cache(maxsize=8)
def _scenario(toml: str) -> Scenario:
    return Scenario.from_toml(toml, origin="summary plan")


@functools.lru_cache(maxsize=8)
def _packed(toml: str) -> Any:
    return _scenario(toml).pack()


def make_plan(scenario: Scenario, key: int, thresholds: Mapping[str, np.ndarray], rel_error: float) -> Plan:
    """The column layout of the scenario's outputs and inputs (floats) and boolean outputs."""
    d = scenario.to_dict()
    coords = scenario.model.coords(d)
    floats: list[tuple[str, int, int]] = []
    bools: list[tuple[str, int, int]] = []
    fc = bc = 0
    for o in scenario.model.outputs(d):
        size = int(np.prod([len(coords[dim]) for dim in o.dims[1:]], dtype=np.int64))
        if o.is_bool:
            bools.append((o.name, bc, bc + size))
            bc += size
        else:
            floats.append((o.name, fc, fc + size))
            fc += size
    for inp in scenario.inputs():
        floats.append((inp.name, fc, fc + 1))
        fc += 1
    known = {name for name, _, _ in floats}
    unknown = sorted(set(thresholds) - known)
    if unknown:
        raise ValueError(f"thresholds: unknown variable(s) {unknown}; allowed: {sorted(known)}")
    thr = tuple(np.asarray(thresholds.get(name, ()), dtype=np.float64) for name, _, _ in floats)
    return Plan(scenario.to_toml(), int(key), tuple(floats), tuple(bools), thr, float(rel_error))


# ---- one block -> counts and sums ------------------------------------------------------------
@dataclass
class Summary:
    """The mergeable statistics of some trials: sketches and exact sums per float column, counts."""

    n: int
    sketches: list[ColumnSketch]
    sums: ExactSums
    true_counts: np.ndarray  # per boolean column
    exceed: np.ndarray  # per (float column, threshold) slot
    claim_hits: np.ndarray  # per claim check
    kept: dict[int, np.ndarray] = field(default_factory=dict)  # exact pass: values per (column, target) slot

    def merge(self, other: Summary) -> Summary:
        """The statistics of both sets of trials (exact: any order or tree gives the same result)."""
        kept = dict(self.kept)
        for k, v in other.kept.items():
            kept[k] = np.concatenate([kept[k], v]) if k in kept else v
        return Summary(
            self.n + other.n,
            [a.merge(b) for a, b in zip(self.sketches, other.sketches, strict=True)],
            self.sums.merge(other.sums),
            self.true_counts + other.true_counts,
            self.exceed + other.exceed,
            self.claim_hits + other.claim_hits,
            kept,
        )


def _stack(plan: Plan, out: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """The block's float columns as one (columns x trials) array, and its boolean columns likewise."""
    x = np.empty((plan.width, n))
    inputs = out["inputs"][:n]
    k = 0
    for name, c0, c1 in plan.floats:
        if name in out:
            x[c0:c1] = out[name][:n].reshape(n, -1).T
        else:
            x[c0] = inputs[:, k]
            k += 1
    b = np.empty((plan.bool_width, n), np.bool_)
    for name, c0, c1 in plan.bools:
        b[c0:c1] = out[name][:n].reshape(n, -1).T
    return x, b


@numba.njit(cache=True, parallel=True)
def _exceed(x: np.ndarray, cols: np.ndarray, thr: np.ndarray, counts: np.ndarray) -> None:
    """``counts[s] += #(x[cols[s]] >= thr[s])`` for every slot ``s``."""
    n = x.shape[1]
    for s in numba.prange(cols.shape[0]):
        c = 0
        row = cols[s]
        t = thr[s]
        for i in range(n):
            c += x[row, i] >= t
        counts[s] += c


def _slots(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    cols, thr = [], []
    for (_, c0, c1), t in zip(plan.floats, plan.thresholds, strict=True):
        for c in range(c0, c1):
            cols.extend([c] * t.size)
            thr.extend(t.tolist())
    return np.asarray(cols, np.int64), np.asarray(thr, np.float64)


def _claim_hits(scenario: Scenario, out: Mapping[str, np.ndarray], n: int, lo: int) -> np.ndarray:
    arrays = {k: v[:n] for k, v in out.items()}
    ds = to_dataset(arrays, scenario, start=lo, seed="", engine="numba")
    d = scenario.to_dict()
    hits = []
    for s in scenario.model.claim_samples(ds, d):
        x = np.asarray(s.samples)
        for _, low, high, _ in scenario.claims[s.claim].checks(s.which):
            hits.append(int(np.count_nonzero((x >= low) & (x <= high))))
    return np.asarray(hits, np.int64)


def claim_checks(scenario: Scenario) -> list[tuple[str, str, int, str, float]]:
    """``(claim, which, year, statement, stated)`` of every claim check, in the order :func:`_claim_hits` counts."""
    ds = to_dataset(allocate_filled(scenario), scenario, start=0, seed="", engine="numba")
    rows = []
    for s in scenario.model.claim_samples(ds, scenario.to_dict()):
        for description, _, _, stated in scenario.claims[s.claim].checks(s.which):
            rows.append((s.claim, s.which, int(s.year), f"{description} = {stated:.2f}", float(stated)))
    return rows


def allocate_filled(scenario: Scenario) -> dict[str, np.ndarray]:
    out = allocate(scenario, 1, np.dtype(np.float64))
    for v in out.values():
        v[...] = 1
    return out


def summarize_range(plan: Plan, lo: int, hi: int, targets: np.ndarray | None = None,
                    sizes: np.ndarray | None = None) -> Summary:  # fmt: skip
    """The statistics of trials ``[lo, hi)``; with ``targets`` (exact pass) only the values in those buckets."""
    scenario = _scenario(plan.toml)
    packed = _packed(plan.toml)
    _, inv_lg = gamma_of(plan.rel_error)
    out = allocate(scenario, min(BLOCK, hi - lo), np.dtype(np.float64))
    cols, thr = _slots(plan)
    acc: Summary | None = None
    if targets is not None:
        assert sizes is not None
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        buf = np.empty(int(sizes.sum()))
        fill = np.zeros(sizes.size, np.int64)
    for a in range(lo, hi, BLOCK):
        n = min(BLOCK, hi - a)
        view = {k: v[:n] for k, v in out.items()}
        scenario.model.run(plan.key, a, 0, n, packed, view)
        x, b = _stack(plan, out, n)
        if targets is not None:
            c = np.empty(x.shape, np.int64)
            codes(x, inv_lg, c, np.empty((8, x.shape[0]), np.int64))
            select_values(c, x, targets, fill, starts, buf)
            continue
        sketches, _ = sketch_block(x, inv_lg)
        exceed = np.zeros(cols.size, np.int64)
        _exceed(x, cols, thr, exceed)
        part = Summary(n, sketches, ExactSums.of_block(x), np.count_nonzero(b, axis=1).astype(np.int64), exceed,
                       _claim_hits(scenario, out, n, a))  # fmt: skip
        acc = part if acc is None else acc.merge(part)
    if targets is not None:
        kept = {s: buf[starts[s] : starts[s] + fill[s]].copy() for s in range(sizes.size) if fill[s]}
        return Summary(hi - lo, [], ExactSums.of_block(np.zeros((0, 0))), np.zeros(0, np.int64),
                       np.zeros(0, np.int64), np.zeros(0, np.int64), kept)  # fmt: skip
    assert acc is not None
    return acc


def merge(a: Summary, b: Summary) -> Summary:
    """``a.merge(b)`` as a plain function (for schedulers)."""
    return a.merge(b)


# ---- the Dataset -----------------------------------------------------------------------------------
def summary_dataset(
    plan: Plan, total: Summary, template: xr.Dataset, qs: np.ndarray, ci: float, *,
    bands: str, exact: tuple[np.ndarray, dict[int, np.ndarray]] | None,
) -> xr.Dataset:  # fmt: skip
    """The summary Dataset: for each variable ``v`` the layout of ``percentile_bands(ds[v], q)``, and the rest."""
    scenario = _scenario(plan.toml)
    lg, _ = gamma_of(plan.rel_error)
    n = total.n
    z = z_value(ci)
    data: dict[str, xr.DataArray] = {}
    slot = 0
    for (name, c0, c1), thr in zip(plan.floats, plan.thresholds, strict=True):
        da = template[name]
        pb = percentile_bands(da, q=qs)
        qi = quantile_intervals(da, qs, ci=ci)
        rest = pb.shape[1:]
        band = np.empty((qs.size, c1 - c0))
        bounds = np.empty((qs.size, c1 - c0, 2))
        hist = np.zeros((c1 - c0, HIST_BINS), np.int64)
        edges = np.empty((c1 - c0, HIST_BINS + 1))
        vmin, vmax = np.empty(c1 - c0), np.empty(c1 - c0)
        for k, j in enumerate(range(c0, c1)):
            sk = total.sketches[j]
            vmin[k], vmax[k] = (sk.vmin, sk.vmax) if not sk.nonfinite else (np.nan, np.nan)
            if sk.nonfinite or sk.count == 0:
                band[:, k] = np.nan
                bounds[:, k] = np.nan
                edges[k] = np.nan
                continue
            band[:, k], bounds[:, k, 0], bounds[:, k, 1] = column_bands(j, sk, qs, ci, lg, exact)
            hist[k], edges[k] = _histogram(sk, lg)
        data[name] = pb.copy(data=band.reshape(qs.size, *rest))
        data[name].attrs.update(summary=bands)
        data[f"{name}_ci"] = qi.copy(data=bounds.reshape(qs.size, *rest, 2))
        moments = _moments(da, total, c0, c1, z, ci, rest)
        data.update({f"{name}_{k}": v for k, v in moments.items()})
        like = pb.isel(quantile=0, drop=True)
        data[f"{name}_min"] = like.copy(data=vmin.reshape(rest)).assign_attrs(long_name=f"Minimum of {_label(da)}")
        data[f"{name}_max"] = like.copy(data=vmax.reshape(rest)).assign_attrs(long_name=f"Maximum of {_label(da)}")
        hdims = (*like.dims, "bin")
        data[f"{name}_hist"] = xr.DataArray(
            hist.reshape(*rest, HIST_BINS), dims=hdims, coords=like.coords,
            attrs={"units": "1", "long_name": f"Trials per bin of {_label(da)} (bins between its 0.1% and 99.9% "
                   "quantiles; trials outside are in no bin)"},
        )  # fmt: skip
        data[f"{name}_bin_edges"] = xr.DataArray(
            edges.reshape(*rest, HIST_BINS + 1), dims=(*like.dims, "bin_edge"), coords=like.coords,
            attrs={"units": da.attrs.get("units", ""), "long_name": f"Bin edges of {name}_hist"},
        )  # fmt: skip
        if thr.size:
            counts = total.exceed[slot : slot + thr.size * (c1 - c0)].reshape(c1 - c0, thr.size)
            slot += thr.size * (c1 - c0)
            ep = exceedance_probability(da, thr.tolist(), ci=ci)
            dim = f"{name}_threshold"
            for var in ("probability", "probability_ci", "count"):
                ep[var] = ep[var].rename(threshold=dim)
            cnt = counts.reshape(*rest, thr.size)
            lower, upper = wilson(cnt, n, ci)
            p = ep["probability"].copy(data=cnt / n)
            data[f"{name}_exceedance"] = p
            data[f"{name}_exceedance_ci"] = ep["probability_ci"].copy(data=np.stack([lower, upper], axis=-1))
            data[f"{name}_exceedance_count"] = ep["count"].copy(data=cnt)
    for name, c0, c1 in plan.bools:
        da = template[name]
        cnt = total.true_counts[c0:c1]
        pb = percentile_bands(da, q=qs)
        qi = quantile_intervals(da, qs, ci=ci)
        rest = pb.shape[1:]
        lo, hi, frac, ci_lo, ci_hi = ranks(n, qs, ci)
        falses = (n - cnt)[None, :]

        def at(r: np.ndarray, falses: np.ndarray = falses) -> np.ndarray:
            r = r[:, None]
            return np.where(r < 0, -np.inf, np.where(r >= n, np.inf, 1.0 * (r >= falses)))

        data[name] = pb.copy(data=interpolate(at(lo), at(hi), frac[:, None]).reshape(qs.size, *rest))
        data[f"{name}_ci"] = qi.copy(data=np.stack([at(ci_lo), at(ci_hi)], axis=-1).reshape(qs.size, *rest, 2))
        ep = exceedance_probability(da, ci=ci)
        lower, upper = wilson(cnt, n, ci)
        data[f"{name}_probability"] = ep["probability"].copy(data=(cnt / n).reshape(rest))
        data[f"{name}_probability_ci"] = ep["probability_ci"].copy(data=np.stack([lower, upper], -1).reshape(*rest, 2))
        data[f"{name}_count"] = ep["count"].copy(data=cnt.reshape(rest))
    out = xr.Dataset(data, attrs=dict(template.attrs))
    for v in out.data_vars.values():  # the template is one trial: every statistic here counts all n
        if "n_valid" in v.attrs:
            v.attrs["n_valid"] = int(n)
    _add_claims(out, scenario, total, n, ci)
    out.attrs.update(
        trials=int(n), summary=bands, rel_error=plan.rel_error, ci_prob=ci, ci_kind=KIND_ORDER,
        title=f"cloudsim summary of scenario {scenario.name!r}",
    )  # fmt: skip
    return out


def _label(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name)


def _moments(da: xr.DataArray, total: Summary, c0: int, c1: int, z: float, ci: float, rest: Sequence[int]):
    sub = ExactSums(total.sums.s1[:, c0:c1], total.sums.s2[:, c0:c1], total.sums.overflow[c0:c1])
    counts = np.array([total.sketches[j].count if not total.sketches[j].nonfinite else 0 for j in range(c0, c1)])
    mean, sd = sub.moments(counts)
    se = sd / np.sqrt(np.maximum(counts, 1))
    like = da.isel(trial=0, drop=True)
    units = da.attrs.get("units", "")
    what = _label(da)
    m = like.copy(data=mean.reshape(rest)).assign_attrs(units=units, long_name=f"Mean of {_label(da)}")
    out = {
        "mean": m,
        "sd": like.copy(data=sd.reshape(rest)).assign_attrs(units=units, long_name=f"Standard deviation of {what}"),
        "mean_mcse": like.copy(data=se.reshape(rest)).assign_attrs(units=units, long_name=f"MCSE of mean of {what}"),
    }
    out["mean_ci"] = ci_like(m, (mean - z * se).reshape(rest), (mean + z * se).reshape(rest), kind=KIND_NORMAL, ci=ci)
    for v in out.values():
        for k in ("role", "key"):
            v.attrs.pop(k, None)
    return out


def _histogram(sk: ColumnSketch, lg: float) -> tuple[np.ndarray, np.ndarray]:
    n = sk.count
    r = np.array([math.floor(p * (n - 1)) for p in HIST_RANGE], np.int64)
    lo, hi = sk.order_stats(r, lg)
    if not hi > lo:
        pad = max(abs(lo), 1.0) * 1e-6
        lo, hi = lo - pad, hi + pad
    edges = np.linspace(lo, hi, HIST_BINS + 1)
    c, counts = sk.buckets()
    values = np.clip(value_of_code(c, lg), sk.vmin, sk.vmax)
    hist, _ = np.histogram(values, edges, weights=counts)
    return np.rint(hist).astype(np.int64), edges


def _add_claims(out: xr.Dataset, scenario: Scenario, total: Summary, n: int, ci: float) -> None:
    rows = claim_checks(scenario)
    if not rows:
        return
    hits = total.claim_hits
    lower, upper = wilson(hits, n, ci)
    coords = {
        "claim": ("claim_check", [r[0] for r in rows]),
        "which": ("claim_check", [r[1] for r in rows]),
        "claim_year": ("claim_check", np.array([r[2] for r in rows], np.int64)),
        "statement": ("claim_check", [r[3] for r in rows]),
        "stated": ("claim_check", np.array([r[4] for r in rows])),
    }
    p = xr.DataArray(hits / n, dims="claim_check", coords=coords,
                     attrs={"units": "1", "long_name": "Simulated probability of each claim check"})  # fmt: skip
    out["claim_probability"] = p
    out["claim_probability_ci"] = ci_like(p, lower, upper, kind=KIND_WILSON, ci=ci)
    out["claim_count"] = p.copy(data=hits).assign_attrs(long_name="Trials satisfying each claim check")
