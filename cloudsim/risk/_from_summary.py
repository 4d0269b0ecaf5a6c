"""The risk answers read from a :func:`cloudsim.summarize` Dataset instead of the trials.

A summary keeps integer counts (claim checks, commitments met, exceedances) and exact sums,
so every answer here that is built from counts equals the full-run function's bit for bit;
quantiles come from the summary's bands (exact or within its sketch's relative error).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ._intervals import KIND_NORMAL, KIND_WILSON, ci_like, wilson, z_value

__all__ = ["is_summary", "summary_claim_counts", "summary_commitment_report", "summary_trials"]


def is_summary(ds: Any) -> bool:
    """Whether ``ds`` is a :func:`cloudsim.summarize` result (no ``trial`` dim, ``attrs["summary"]`` set)."""
    return isinstance(ds, xr.Dataset) and ds.attrs.get("summary") in ("sketch", "exact") and "trial" not in ds.dims


def summary_trials(ds: xr.Dataset) -> int:
    """The trials a summary holds (``attrs["trials"]``)."""
    n = ds.attrs.get("trials")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"ds: a summary must record its trials in attrs['trials'] (an integer >= 1), got {n!r}")
    return int(n)


def summary_claim_counts(ds: xr.Dataset, scenario: Any) -> list[tuple[dict[str, object], int, int]]:
    """Each claim check's row (as :func:`cloudsim.check_claims` builds it), its count and its trials."""
    if "claim_count" not in ds:
        raise ValueError(
            "ds: this summary holds no claim counts (variable 'claim_count'); summarize the scenario again"
        )
    n = summary_trials(ds)
    names = [str(c) for c in ds["claim"].values]
    unknown = sorted(set(names) - set(scenario.claims))
    if unknown:
        raise ValueError(f"scenario: has no claim {unknown[0]!r} that the summary checked; pass the summarized one")
    rows = []
    for i, name in enumerate(names):
        k = int(ds["claim_count"].values[i])
        claim = scenario.claims[name]
        rec = {
            "claim": name,
            "metric": claim.metric,
            "which": str(ds["which"].values[i]),
            "statement": str(ds["statement"].values[i]),
            "year": int(ds["claim_year"].values[i]),
            "stated": float(ds["stated"].values[i]),
            "simulated": k / n,
        }
        rows.append((rec, k, n))
    return rows


def _pick_quantiles(band: xr.DataArray, bounds: xr.DataArray, qs: np.ndarray, what: str):
    have = np.asarray(band["quantile"].values, dtype=np.float64)
    missing = [float(q) for q in qs if not np.any(np.isclose(have, q, rtol=0, atol=1e-12))]
    if missing:
        raise ValueError(
            f"q: the summary holds the quantiles {have.tolist()} of {what}, not {missing}; "
            f"summarize with q= including them, or pass q from those"
        )
    idx = [int(np.argmin(np.abs(have - q))) for q in qs]
    return band.isel(quantile=idx).assign_coords(quantile=qs), bounds.isel(quantile=idx).assign_coords(quantile=qs)


def summary_commitment_report(ds: xr.Dataset, qs: np.ndarray, ci: float) -> xr.Dataset:
    """:func:`cloudsim.commitment_report` of the recorded commitment(s), from a summary's counts and sums.

    Kept: ``probability_met`` (the exact count), ``shortfall`` quantiles (the summary's bands at
    the requested ``q``), ``mean_shortfall`` and ``mean_shortfall_given_miss`` (exact sums; the
    latter's interval from the conditional variance those sums give), and, where the summary
    counts the cumulative spend at the commitment's total (one tranche from the cumulative's
    first year), ``met_by``, ``first_year_met`` and ``never_met``.  The summary's ``ci`` is
    used for the quantile intervals; counts get Wilson intervals at ``ci``.
    """
    n = summary_trials(ds)
    if "commitment_met_count" not in ds:
        raise ValueError("ds: this summary records no commitment (no 'commitment_met_count'); nothing to report")
    z = z_value(ci)
    met = ds["commitment_met_count"]
    coms = met["commitment"].values if "commitment" in met.dims else [None]
    parts = []
    for c in coms:

        def sel(v: xr.DataArray, c: Any = c) -> xr.DataArray:
            return v.sel(commitment=c, drop=True) if c is not None else v

        k = int(sel(met).values)
        attrs = dict(sel(met).attrs)
        total = float(attrs.get("commitment_total", math.nan))
        years = str(attrs.get("commitment_years", ""))
        out = xr.Dataset(attrs={"commitment_total": total, "commitment_years": years, "trials": n, "n_valid": n,
                                "ci_prob": ci, "source": "summary"})  # fmt: skip
        if c is not None:
            out.attrs["commitment"] = str(c)
        total_text = f"{total:.4g} USD" if math.isfinite(total) else "the commitment"

        def scalar(key: str, value: float, lower: Any, upper: Any, kind: str, long_name: str, units: str,
                   out: xr.Dataset = out) -> None:  # fmt: skip
            v = xr.DataArray(np.asarray(value, dtype=np.float64), attrs={"units": units, "long_name": long_name})
            out[key] = v
            out[f"{key}_ci"] = ci_like(v, lower, upper, kind=kind, ci=ci)

        lo, hi = wilson(k, n, ci)
        scalar("probability_met", k / n, lo, hi, KIND_WILSON, f"P(cumulative spend {years} meets {total_text})", "1")
        band, bounds = _pick_quantiles(sel(ds["commitment_shortfall"]), sel(ds["commitment_shortfall_ci"]), qs,
                                       "commitment_shortfall")  # fmt: skip
        out["shortfall"] = band.assign_attrs(units="USD", long_name=f"Shortfall against {total_text}")
        out["shortfall_ci"] = bounds
        m = float(sel(ds["commitment_shortfall_mean"]).values)
        sd = float(sel(ds["commitment_shortfall_sd"]).values)
        se = sd / math.sqrt(n) if n > 1 else 0.0
        scalar("mean_shortfall", m, m - z * se, m + z * se, KIND_NORMAL,
               "Expected shortfall against the commitment", "USD")  # fmt: skip
        # the shortfall is 0 on every trial that meets the commitment: sums over the misses are the sums over all
        n_miss = n - k
        if n_miss:
            s1 = m * n
            s2 = sd * sd * (n - 1) + s1 * s1 / n
            mm = s1 / n_miss
            var = (s2 - n_miss * mm * mm) / (n_miss - 1) if n_miss > 1 else 0.0
            se_m = math.sqrt(max(var, 0.0) / n_miss)
        else:
            mm = se_m = math.nan
        scalar("mean_shortfall_given_miss", mm, mm - z * se_m, mm + z * se_m, KIND_NORMAL,
               "Expected shortfall given the commitment is missed", "USD")  # fmt: skip
        _cumulative(ds, out, years, qs)
        _met_by(ds, out, total, years, n, ci, total_text)
        parts.append(out)
    if coms[0] is None:
        return parts[0]
    out = xr.concat(parts, dim="commitment", data_vars="all", coords="minimal", join="outer", combine_attrs="drop")
    out = out.assign_coords(
        commitment=[str(c) for c in coms],
        commitment_total=("commitment", [p.attrs["commitment_total"] for p in parts], {"units": "USD"}),
        commitment_years=("commitment", [p.attrs["commitment_years"] for p in parts]),
    )
    out.attrs = {"trials": n, "ci_prob": ci, "source": "summary"}
    return out


def _cumulative(ds: xr.Dataset, out: xr.Dataset, years: str, qs: np.ndarray) -> None:
    """Quantiles of cumulative spend at the commitment's last year, where the summary's run from its first year."""
    if "cumulative_spend" not in ds or "-" not in years:
        return
    first, last = (int(y) for y in years.split("-"))
    since = ds.get("cumulative_spend_exceedance", ds["cumulative_spend"]).attrs.get("since")
    if since is None or int(since) != first or last not in ds["year"].values:
        return
    at_last = {"year": last, "drop": True}
    band, bounds = _pick_quantiles(ds["cumulative_spend"].sel(**at_last), ds["cumulative_spend_ci"].sel(**at_last),
                                   qs, "cumulative_spend")  # fmt: skip
    out["cumulative_spend"] = band.assign_attrs(units="USD", long_name=f"Cumulative spend {first}-{last}")
    out["cumulative_spend_ci"] = bounds


def _met_by(ds: xr.Dataset, out: xr.Dataset, total: float, years: str, n: int, ci: float, total_text: str) -> None:
    """``met_by`` / ``first_year_met`` / ``never_met`` from the exceedance counts of the cumulative spend."""
    name = "cumulative_spend_exceedance_count"
    if name not in ds or not math.isfinite(total) or "-" not in years:
        return
    first, last = (int(y) for y in years.split("-"))
    counts = ds[name]
    dim = "cumulative_spend_threshold"
    thr = np.asarray(counts[dim].values, dtype=np.float64)
    hit = np.flatnonzero(thr == total)
    if hit.size == 0 or int(counts.attrs.get("since", first)) != first:
        return
    c = counts.isel({dim: int(hit[0])}, drop=True).sel(year=slice(first, last))
    if c.sizes.get("year", 0) != last - first + 1:
        return
    k = np.asarray(c.values, dtype=np.int64)
    first_k = np.diff(k, prepend=0)  # cumulative spend only grows: it first reaches the total where the count rises
    yc = {"year": c["year"].values}
    for key, cnt, long_name in (
        ("met_by", k, f"P(cumulative spend has reached {total_text})"),
        ("first_year_met", first_k, f"P(cumulative spend first reaches {total_text} in this year)"),
    ):
        lo, hi = wilson(cnt, n, ci)
        v = xr.DataArray(cnt / n, dims="year", coords=yc, attrs={"units": "1", "long_name": long_name})
        out[key] = v
        out[f"{key}_ci"] = ci_like(v, lo, hi, kind=KIND_WILSON, ci=ci)
    never = n - int(k[-1])
    lo, hi = wilson(never, n, ci)
    v = xr.DataArray(
        np.float64(never / n), attrs={"units": "1", "long_name": f"P(cumulative spend stays below {total_text})"}
    )
    out["never_met"] = v
    out["never_met_ci"] = ci_like(v, lo, hi, kind=KIND_WILSON, ci=ci)
