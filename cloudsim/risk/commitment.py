"""Cumulative spend against the commitments a Dataset records: will each be met, by how much missed, and when."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..models.base import Commitment
from ._common import check_da
from ._from_summary import is_summary, summary_commitment_report
from ._intervals import (
    KIND_NORMAL,
    KIND_ORDER,
    KIND_WILSON,
    check_ci,
    check_q,
    ci_like,
    quantile_bounds,
    wilson,
    z_value,
)
from .bands import DEFAULT_QUANTILES
from .probability import first_passage
from .replicates import (
    KIND_REPLICATE_QUANTILE,
    KIND_REPLICATE_T,
    carry_layout,
    replicate_ci,
    replicate_ids,
    replicate_proportion_ci,
    replicate_quantile_bounds,
)

__all__ = ["commitment_probability", "commitment_report", "recorded_commitments"]

#: The role names of annual and cumulative spend.
SPEND, CUMULATIVE = "spend", "cumulative_spend"
_COMMITMENT_VARS = (CUMULATIVE, "commitment_met", "commitment_shortfall")


# ----------------------------------------------------------------------------
# what the Dataset records
# ----------------------------------------------------------------------------
def _recorded_toml(ds: xr.Dataset) -> tuple[str | None, str]:
    text = ds.attrs.get("scenario")
    if isinstance(text, str) and text:
        return text, "ds.attrs['scenario']"
    if "scenario_toml" in ds.variables and ds["scenario_toml"].ndim == 0:  # one scenario of compare()'s output
        return str(ds["scenario_toml"].item()), "ds['scenario_toml']"
    return None, ""


def _names(ds: xr.Dataset) -> list[str] | None:
    """The commitment names of a ``commitment`` coord (a dim, or a scalar after ``.sel``), else None."""
    if "commitment" not in ds.coords:
        return None
    return [str(v) for v in np.atleast_1d(ds["commitment"].values)]


def recorded_commitments(ds: xr.Dataset) -> list[tuple[Commitment, int | None]]:
    """The commitments a simulation records, each with its index in the recorded scenario (None if not from it).

    Read, in order, from the scenario TOML (``ds.attrs["scenario"]``, or the scalar
    ``scenario_toml`` of one scenario of :func:`cloudsim.compare`), which alone knows
    tranches; the ``commitment_total`` / ``commitment_years`` coords of a ``commitment``
    dim; the ``commitment_total`` / ``commitment_years`` attrs of ``cumulative_spend``,
    ``commitment_met`` or ``commitment_shortfall``; or :func:`cloudsim.compare`'s scalar
    ``commitment_total``, ``commitment_first_year``, ``commitment_last_year``.

    Raises
    ------
    ValueError
        If the Dataset records none of these (the message lists what was looked for).
    """
    names = _names(ds)
    text, origin = _recorded_toml(ds)
    if text is not None:
        from ..scenario import Scenario

        coms = Scenario.from_toml(text, origin=origin).commitments
        index = {c.name: k for k, c in enumerate(coms)}
        if names is not None and len(coms) > 1:
            unknown = [n for n in names if n not in index]
            if unknown:
                raise ValueError(
                    f"ds: commitment(s) {unknown} are not in the scenario recorded in {origin} "
                    f"(its commitments: {list(index)})"
                )
            return [(coms[index[n]], index[n]) for n in names]
        if coms:
            return [(c, k) for k, c in enumerate(coms)]
    if names is not None and "commitment_total" in ds.variables and "commitment_years" in ds.variables:
        totals = np.atleast_1d(np.asarray(ds["commitment_total"].values, dtype=np.float64))
        years = [str(y) for y in np.atleast_1d(ds["commitment_years"].values)]
        return [
            (_single(n, t, y, "ds['commitment_years']"), None) for n, t, y in zip(names, totals, years, strict=True)
        ]
    for var in _COMMITMENT_VARS:
        a = ds[var].attrs if var in ds else {}
        if "commitment_total" in a and "commitment_years" in a:
            return [(_single("commitment", a["commitment_total"], a["commitment_years"], f"ds['{var}'].attrs"), None)]
    keys = ("commitment_total", "commitment_first_year", "commitment_last_year")
    if all(k in ds.variables and ds[k].ndim == 0 for k in keys):
        total, first, last = (ds[k].item() for k in keys)
        return [(Commitment("commitment", int(first), (int(last),), (float(total),)), None)]
    raise ValueError(
        "ds: records no commitment: no scenario in ds.attrs['scenario'], no commitment_total/commitment_years "
        "coords on a 'commitment' dim, no commitment_total/commitment_years attrs on "
        f"{', '.join(_COMMITMENT_VARS)}; pass total= and years= explicitly"
    )


def _single(name: str, total: Any, years: Any, where: str) -> Commitment:
    first, last = _parse_years(years, where)
    return Commitment(name, first, (last,), (float(total),))


def _parse_years(years: Any, name: str) -> tuple[int, int]:
    if isinstance(years, str):
        parts = years.replace("–", "-").split("-")
        try:
            first, last = (int(p) for p in parts)
        except ValueError:
            raise ValueError(f"{name}: expected 'first-last' such as '2026-2032', got {years!r}") from None
    elif isinstance(years, Sequence) and len(years) == 2:
        first, last = years
        if not all(isinstance(y, (int, np.integer)) and not isinstance(y, bool) for y in (first, last)):
            raise TypeError(f"{name}: expected two integer years, got {years!r}")
        first, last = int(first), int(last)
    else:
        raise TypeError(f"{name}: expected (first, last) or 'first-last', got {years!r}")
    if first > last:
        raise ValueError(f"{name}: first year {first} is after last year {last}")
    return first, last


def _amounts(ds: xr.Dataset, com: Commitment, index: int | None, dim: str) -> np.ndarray:
    """Each tranche's amount: shape ``(tranches,)``, or ``(tranches, trials)`` where an amount is drawn per trial.

    A drawn amount is the per-trial input whose ``key`` attr is its scenario key path
    (``commitments[k].total`` or ``commitments[k].tranches[j].amount``).
    """
    amounts = np.asarray(com.amounts, dtype=np.float64)
    if not np.isnan(amounts).any():
        return amounts
    out = np.empty((amounts.size, ds.sizes[dim]))
    for j, a in enumerate(amounts):
        if not math.isnan(a):
            out[j] = a
            continue
        key = f"commitments[{index}].total" if len(amounts) == 1 else f"commitments[{index}].tranches[{j}].amount"
        found = [v for v in ds.data_vars.values() if v.attrs.get("key") == key and v.dims == (dim,)]
        if index is None or not found:
            raise ValueError(
                f"ds: the amount of commitment {com.name!r} (due {com.due_years[j]}) is drawn per trial, but ds "
                f"holds no input variable with key {key!r}; pass total= and years= explicitly"
            )
        out[j] = np.asarray(found[0].values, dtype=np.float64)
    return out


# ----------------------------------------------------------------------------
# P(met)
# ----------------------------------------------------------------------------
def commitment_probability(ds: xr.Dataset, *, ci: float = 0.95) -> dict[str, Any]:
    """P(the commitment is met), from the Dataset's ``commitment_met``, with its Wilson interval.

    For a Dataset with several commitments select one first: ``ds.sel(commitment="name")``.

    For a run of a replicated sampler (``sampler="sobol"`` etc.) the interval is the
    replicate Student-t interval instead (``ci_kind`` says which).

    Returns
    -------
    dict
        ``probability``, ``ci_lower``, ``ci_upper``, ``ci_kind``, ``total`` (USD) and ``years``
        (``"first-last"``) of the recorded commitment (NaN and ``""`` if the Dataset
        records none: the default commitment is never assumed), and ``n_valid``, the
        trials counted (NaN trials of a masked ``commitment_met`` are left out).
    """
    _refuse_scenario_dim(ds, "commitment_probability")
    ci = check_ci(ci)
    if "commitment_met" not in ds:
        raise ValueError("ds: not a simulation with commitments, missing variable 'commitment_met'")
    if "commitment" in ds["commitment_met"].dims:
        raise ValueError(
            f"ds: holds {ds.sizes['commitment']} commitments (dim 'commitment'); select one with "
            "ds.sel(commitment=...), or use cloudsim.commitment_report for all at once"
        )
    values = np.asarray(ds["commitment_met"].values)
    ok = ~np.isnan(values) if values.dtype.kind == "f" else np.ones(values.shape, dtype=bool)
    met = values[ok] == 1  # NaN trials (a masked Dataset) are left out
    k, n = int(np.count_nonzero(met)), met.size
    if n == 0:
        raise ValueError("ds: commitment_met has no valid (non-NaN) trial")
    lo, hi = wilson(k, n, ci)
    kind = KIND_WILSON
    ids = replicate_ids(ds)
    if ids is not None:
        lo, hi = replicate_proportion_ci(values == 1, ok, ids, ci)
        kind = KIND_REPLICATE_T
    try:
        com = recorded_commitments(ds)[0][0]
        total, years = com.total, com.years_text
    except ValueError:
        total, years = math.nan, ""
    return {
        "probability": k / n,
        "ci_lower": float(lo),
        "ci_upper": float(hi),
        "ci_kind": kind,
        "total": total,
        "years": years,
        "n_valid": n,
    }


def _refuse_scenario_dim(ds: Any, what: str) -> None:
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds: expected an xarray.Dataset from cloudsim.simulate, got {type(ds).__name__}")
    if "scenario" in ds.dims:
        # point to what does the same for every scenario: only the commitments have a report over all of them
        every = (
            "or use cloudsim.commitment_report for all at once"
            if what.startswith("commitment")
            else f"and call {what} once per scenario (no function checks every scenario's claims at once)"
        )
        raise ValueError(
            f"ds: has a 'scenario' dim (from cloudsim.compare); {what} reads one scenario: "
            f"select it with ds.sel(scenario=...), {every}"
        )


# ----------------------------------------------------------------------------
# the report
# ----------------------------------------------------------------------------
def commitment_report(
    ds: xr.Dataset,
    total: float | None = None,
    years: tuple[int, int] | str | None = None,
    *,
    q: float | Sequence[float] = DEFAULT_QUANTILES,
    ci: float = 0.95,
    dim: str = "trial",
) -> xr.Dataset:
    """Cumulative spend against each commitment: will it be met, by how much is it missed, and when is it reached?

    A commitment has a first year and tranches ``(due year, amount)``; it is met when
    cumulative spend since its first year reaches the running sum of the amounts by
    each due year (one tranche: the total by the last year).  Its shortfall is the
    largest gap ``running sum - cumulative spend`` at a due year (0 if met), as in the
    Dataset's ``commitment_shortfall``.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`cloudsim.simulate` (variable ``spend``, or ``cumulative_spend`` since
        the commitment's first year); or from :func:`cloudsim.compare` (each
        ``scenario`` gets its own commitments); or a summary from :func:`cloudsim.summarize`
        (the recorded commitments only: probabilities from its exact counts, means from its
        exact sums, quantiles from its bands at the summary's ``q``; ``attrs["source"]`` is
        ``"summary"``).
    total : float, optional
        A commitment in USD to test instead of the recorded one(s): due in full by the
        last of ``years``.  Default: the commitments the Dataset records (see
        :func:`recorded_commitments`); an error if it records none.
    years : (int, int) or str, optional
        First and last year, e.g. ``(2026, 2032)`` or ``"2026-2032"``, for ``total``
        (default: the recorded commitment's).
    q : float or sequence of float
        Quantiles reported for cumulative spend and shortfall.
    ci : float
        Interval probability.
    dim : str

    Returns
    -------
    xarray.Dataset
        Scalars (plus ``commitment`` for several commitments, ``scenario`` for a
        comparison) unless noted, each estimate ``X`` with an interval ``X_ci`` (dim
        ``ci_bound``; its ``ci_kind`` attr says which):

        * ``probability_met``: P(every tranche met) (Wilson);
        * ``cumulative_spend`` (dim ``quantile``): quantiles of cumulative spend at the
          last due year (order-statistic);
        * ``shortfall`` (dim ``quantile``): quantiles of the shortfall (order-statistic);
        * ``mean_shortfall``: E[shortfall] (normal);
        * ``mean_shortfall_given_miss``: E[shortfall | missed] (normal; NaN if never missed);
        * ``met_by`` (dim ``year``): P(cumulative spend has reached the total by each year
          of the commitment) (Wilson);
        * ``first_year_met`` (dim ``year``): P(it first reaches the total in that year);
          ``never_met``: P(it never does).  With one tranche ``never_met = 1 - probability_met``.

        Attrs ``commitment``, ``commitment_total``, ``commitment_years`` (for several
        commitments these are coords on the ``commitment`` dim instead), ``trials``,
        ``ci_prob``.  Years of a commitment that ``ds`` does not hold (a comparison
        aligned on common years) leave out the path statistics: ``probability_met``
        and the shortfall then come from the recorded ``commitment_met`` and
        ``commitment_shortfall``, and ``attrs["note"]`` says so.
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds: expected an xarray.Dataset from cloudsim.simulate, got {type(ds).__name__}")
    ci = check_ci(ci)
    qs = check_q(q)
    if is_summary(ds):
        if total is not None or years is not None:
            raise ValueError(
                "total, years: a summary counts only the commitments it was made with; to test another commitment, "
                "summarize with thresholds={'cumulative_spend': [total]} and read cumulative_spend_exceedance, "
                "or simulate the trials"
            )
        return summary_commitment_report(ds, qs, ci)
    if "scenario" in ds.dims:
        names = [str(s) for s in ds["scenario"].values]
        parts = [commitment_report(ds.sel(scenario=s, drop=True), total, years, q=qs, ci=ci, dim=dim) for s in names]
        return xr.concat(
            parts,
            dim=xr.DataArray(names, dims="scenario", name="scenario"),
            data_vars="all",
            coords="different",  # per-commitment coords (commitment_total, ...) may differ by scenario
            compat="equals",
            join="outer",
            combine_attrs="drop_conflicts",
        )
    coms = _commitments(ds, total, years)
    recorded = total is None and years is None
    if len(coms) == 1 and "commitment" not in ds.dims:
        com, index = coms[0]
        return _report(ds, com, _amounts(ds, com, index, dim), qs, ci, dim, None, recorded)
    parts = []
    for com, index in coms:
        one = ds.sel(commitment=com.name) if "commitment" in ds.dims else ds
        parts.append(_report(one, com, _amounts(ds, com, index, dim), qs, ci, dim, com.name, recorded))
    out = xr.concat(parts, dim="commitment", data_vars="all", coords="minimal", join="outer", combine_attrs="drop")
    out = out.assign_coords(
        commitment=[c.name for c, _ in coms],
        commitment_total=("commitment", [c.total for c, _ in coms], {"units": "USD"}),
        commitment_years=("commitment", [c.years_text for c, _ in coms]),
    )
    out.attrs = {"trials": int(ds.sizes[dim]), "ci_prob": ci}
    notes = [p.attrs["note"] for p in parts if "note" in p.attrs]
    if notes:
        out.attrs["note"] = "; ".join(notes)
    return out


def _commitments(ds: xr.Dataset, total: Any, years: Any) -> list[tuple[Commitment, int | None]]:
    """The recorded commitments, or the one ``total`` / ``years`` describe."""
    if total is None and years is None:
        return recorded_commitments(ds)
    if total is not None:
        if isinstance(total, bool) or not isinstance(total, (int, float, np.integer, np.floating)):
            raise TypeError(f"total: expected an amount in USD, got {type(total).__name__} {total!r}")
        total = float(total)
        if not (math.isfinite(total) and total > 0):
            raise ValueError(f"total: must be a finite amount > 0 USD, got {total}")
    span = None if years is None else _parse_years(years, "years")
    if total is None or span is None:
        try:
            rec = recorded_commitments(ds)
        except ValueError as exc:
            raise ValueError(f"total/years: give both: {exc}") from None
        if len(rec) > 1:
            raise ValueError(
                f"total/years: ds records {len(rec)} commitments; give both total= and years=, or select one "
                "with ds.sel(commitment=...)"
            )
        com = rec[0][0]
        total = com.total if total is None else total
        span = (com.first_year, com.last_year) if span is None else span
        if not math.isfinite(total):
            raise ValueError(f"total: the recorded commitment {com.name!r} is drawn per trial; pass total=")
    return [(Commitment("commitment", span[0], (span[1],), (total,)), None)]


def _report(
    ds: xr.Dataset,
    com: Commitment,
    amounts: np.ndarray,
    qs: np.ndarray,
    ci: float,
    dim: str,
    name: str | None,
    recorded: bool,
) -> xr.Dataset:
    first, due, last = com.first_year, list(com.due_years), com.last_year
    total_text = f"{com.total:.4g} USD" if math.isfinite(com.total) else "the commitment"
    src = ds[SPEND] if SPEND in ds else ds[CUMULATIVE] if CUMULATIVE in ds else None
    if src is None:
        raise ValueError(f"ds: needs the variable {SPEND!r} (or {CUMULATIVE!r}) to measure commitments against")
    src = check_da(src, f"ds[{src.name!r}]", (dim, "year"))
    n_trials = src.sizes[dim]
    complete = src.notnull().all([d for d in src.dims if d != dim])
    if not bool(complete.all()):  # the missing-value rule: a trial with a NaN path is left out
        ds = ds.isel({dim: np.flatnonzero(complete.values)})
        src = ds[src.name]
        amounts = amounts[..., complete.values] if amounts.ndim > 1 else amounts
    sim_years = src["year"].values
    wanted = np.arange(first, last + 1)
    running = np.cumsum(amounts, axis=0)  # what must be reached by each due year
    if running.ndim == 1:
        running = running[:, None]  # (tranche, 1): the same for every trial
    n = src.sizes[dim]
    attrs: dict[str, Any] = {"commitment_total": com.total, "commitment_years": com.years_text, "trials": int(n_trials),
                             "n_valid": int(n), "ci_prob": ci}  # fmt: skip
    if name is None:
        attrs = {"commitment": com.name, **attrs}
    if len(due) > 1:
        attrs["commitment_due"] = ", ".join(f"{a:.4g} USD by {y}" for y, a in zip(due, com.amounts, strict=True))
    out = xr.Dataset(attrs=attrs)
    z = z_value(ci)
    ids = replicate_ids(ds, dim)  # None for a plain Monte Carlo run
    if ids is not None:
        out.attrs["ci_kind"] = KIND_REPLICATE_T

    def scalar(key: str, value: Any, lower: Any, upper: Any, kind: str, long_name: str, units: str) -> None:
        v = xr.DataArray(np.asarray(value, dtype=np.float64), attrs={"units": units, "long_name": long_name})
        out[key] = v
        out[f"{key}_ci"] = ci_like(v, lower, upper, kind=kind, ci=ci)

    def quantiles(key: str, x: np.ndarray, long_name: str) -> None:
        v = xr.DataArray(np.quantile(x, qs), dims="quantile", coords={"quantile": qs},
                         attrs={"units": "USD", "long_name": long_name})  # fmt: skip
        if ids is None:
            b, kind = quantile_bounds(x, qs, ci), KIND_ORDER
        else:
            b, kind = replicate_quantile_bounds(x, ids, qs, ci), KIND_REPLICATE_QUANTILE
        out[key] = v
        out[f"{key}_ci"] = ci_like(v, b[..., 0], b[..., 1], kind=kind, ci=ci)

    def mean(key: str, x: np.ndarray, miss: np.ndarray, long_name: str) -> None:
        """The mean of ``x`` over the trials where ``miss`` holds: normal, or the replicates' t interval."""
        xs = x[miss]
        m = float(xs.mean()) if xs.size else math.nan
        if ids is not None:
            w = np.where(miss, x, np.nan)
            lo, hi = replicate_ci(lambda v: v.mean(axis=-1)[None], w, ids=ids, ci=ci,
                                  centre=np.array([m]))  # fmt: skip
            scalar(key, m, lo[0], hi[0], KIND_REPLICATE_T, long_name, "USD")
            return
        se = float(xs.std(ddof=1)) / math.sqrt(xs.size) if xs.size > 1 else 0.0 if xs.size else math.nan
        scalar(key, m, m - z * se, m + z * se, KIND_NORMAL, long_name, "USD")

    if np.isin(wanted, sim_years).all():
        cum = _cumulative(ds, src, first, wanted)
        c = np.asarray(cum.transpose(dim, "year").values, dtype=np.float64)  # (trial, year)
        at_due = c[:, [int(y - first) for y in due]].T  # (tranche, trial)
        met = np.all(at_due >= running, axis=0)
        shortfall = np.max(np.maximum(running - at_due, 0.0), axis=0)
        quantiles("cumulative_spend", c[:, -1], f"Cumulative spend {first}-{last}")
    elif recorded and _has_outcomes(ds, dim):
        met = np.asarray(ds["commitment_met"].values, dtype=bool)
        shortfall = np.asarray(ds["commitment_shortfall"].values, dtype=np.float64)
        cum = None
        out.attrs["note"] = (
            f"commitment {com.name!r} runs {first}-{last} but ds holds years {int(sim_years.min())}-"
            f"{int(sim_years.max())}: P(met) and the shortfall come from the recorded commitment_met and "
            "commitment_shortfall; no path statistics"
        )
    else:
        raise ValueError(
            f"years: {first}-{last} is not inside the simulated years {int(sim_years.min())}-{int(sim_years.max())}"
        )
    k = int(np.count_nonzero(met))
    if ids is None:
        lo, hi, kind = *wilson(k, n, ci), KIND_WILSON
    else:
        lo, hi = replicate_proportion_ci(met, np.ones_like(met), ids, ci)
        kind = KIND_REPLICATE_T
    scalar("probability_met", k / n, lo, hi, kind, f"P(cumulative spend {first}-{last} meets {total_text})", "1")
    quantiles("shortfall", shortfall, f"Shortfall against {total_text}")
    mean("mean_shortfall", shortfall, np.ones_like(met), "Expected shortfall against the commitment")
    mean("mean_shortfall_given_miss", shortfall, ~met, "Expected shortfall given the commitment is missed")
    if cum is not None:
        cum = carry_layout(src, cum)
        final = running[-1]
        thr = float(final[0]) if final.size == 1 else xr.DataArray(final, dims=dim, coords={dim: cum[dim].values})
        fp = first_passage(cum, thr, ci=ci, dim=dim)
        out["met_by"] = fp["crossed_by"].assign_attrs(long_name=f"P(cumulative spend has reached {total_text})")
        out["met_by_ci"] = fp["crossed_by_ci"]
        out["first_year_met"] = fp["first_year"].assign_attrs(
            long_name=f"P(cumulative spend first reaches {total_text} in this year)"
        )
        out["first_year_met_ci"] = fp["first_year_ci"]
        out["never_met"] = fp["never"].assign_attrs(long_name=f"P(cumulative spend stays below {total_text})")
        out["never_met_ci"] = fp["never_ci"]
    return out.drop_vars([c for c in out.coords if c not in out.dims])  # scalar coords of a selection


def _cumulative(ds: xr.Dataset, src: xr.DataArray, first: int, wanted: np.ndarray) -> xr.DataArray:
    """Cumulative spend since ``first`` over ``wanted``: the Dataset's own when it starts then, else summed."""
    if CUMULATIVE in ds and int(ds[CUMULATIVE].attrs.get("since", first if src.name == CUMULATIVE else -1)) == first:
        return ds[CUMULATIVE].sel(year=wanted)
    if src.name != SPEND:
        raise ValueError(f"ds: needs the variable {SPEND!r} to sum spend from {first} (its {CUMULATIVE!r} starts "
                         f"in {ds[CUMULATIVE].attrs.get('since', 'an unrecorded year')})")  # fmt: skip
    return src.sel(year=wanted).cumsum("year")


def _has_outcomes(ds: xr.Dataset, dim: str) -> bool:
    return all(v in ds and ds[v].dims == (dim,) for v in ("commitment_met", "commitment_shortfall"))
