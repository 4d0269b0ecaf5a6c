"""Replicate intervals in every analytic function: one contract, each function a case, NumPy/scipy references.

A run of a replicated sampler is ``R`` independent blocks of ``n = trials / R`` trials.  Each
case's reference computes the statistic on every block with NumPy alone and forms
``pooled estimate +- t_{R-1} sd / sqrt(R)`` with scipy's t quantile; the function under test must
give that interval and say so in ``ci_kind``.  For plain Monte Carlo it must not.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cloudsim
from cloudsim.risk.replicates import KIND_REPLICATE_QUANTILE, KIND_REPLICATE_T

R = 8
N = 2**10 * R
CI = 0.95


@pytest.fixture(scope="module")
def scn():
    return cloudsim.load_scenario()


@pytest.fixture(scope="module")
def sobol(scn):
    return cloudsim.simulate(scn, N, seed=5, sampler="sobol", replicates=R)


@pytest.fixture(scope="module")
def plain(scn):
    return cloudsim.simulate(scn, N, seed=5)


@pytest.fixture(scope="module")
def pair(scn):
    return cloudsim.compare({"a": scn, "b": "analyst-trend-2025"}, N, seed=5, sampler="sobol", replicates=R)


def blocks(x: np.ndarray) -> np.ndarray:
    """Trials (last axis) split into the R replicate blocks: shape (R, ..., n)."""
    return np.stack(np.split(np.asarray(x, dtype=np.float64), R, axis=-1))


def t_interval(centre: float, per_replicate: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.5 + CI / 2, R - 1) * np.std(per_replicate, ddof=1) / np.sqrt(R)
    return centre - half, centre + half


def es_upper(x: np.ndarray, level: float) -> float:
    """Upper-tail expected shortfall by its definition (integral of the empirical quantile function)."""
    s = np.sort(x)[::-1]
    k = x.size * (1 - level)
    m = int(np.floor(k))
    return (s[:m].sum() + (k - m) * s[m]) / k


C2032 = {"year": 2032}
THR = 38e9


def cum(ds):
    return ds["cumulative_spend"].sel(C2032)


# each case: (name, the function's (estimate, lower, upper, ci_kind), the reference statistic of one block)
CASES = [
    (
        "exceedance_probability",
        lambda ds: (lambda r: (float(r["probability"]), *r["probability_ci"].values, r.attrs["ci_kind"]))(
            cloudsim.exceedance_probability(cum(ds), THR)
        ),
        lambda ds: (cum(ds).values >= THR).astype(float),
        np.mean,
    ),
    (
        "expected_shortfall",
        lambda ds: (lambda r: (float(r["expected_shortfall"]), *r["expected_shortfall_ci"].values, r.attrs["ci_kind"]))(
            cloudsim.expected_shortfall(cum(ds), 0.9, tail="upper")
        ),
        lambda ds: cum(ds).values,
        lambda b: es_upper(b, 0.9),
    ),
    (
        "mean_shortfall",
        lambda ds: (
            lambda r: (
                float(r["mean_shortfall"]),
                *r["mean_shortfall_ci"].values,
                r["mean_shortfall_ci"].attrs["ci_kind"],
            )
        )(cloudsim.commitment_report(ds)),
        lambda ds: ds["commitment_shortfall"].values,
        np.mean,
    ),
    (
        "probability_met",
        lambda ds: (
            lambda r: (
                float(r["probability_met"]),
                *r["probability_met_ci"].values,
                r["probability_met_ci"].attrs["ci_kind"],
            )
        )(cloudsim.commitment_report(ds)),
        lambda ds: ds["commitment_met"].values.astype(float),
        np.mean,
    ),
    (
        "commitment_probability",
        lambda ds: (lambda d: (d["probability"], d["ci_lower"], d["ci_upper"], d["ci_kind"]))(
            cloudsim.commitment_probability(ds)
        ),
        lambda ds: ds["commitment_met"].values.astype(float),
        np.mean,
    ),
    (
        "first_passage",
        lambda ds: (
            lambda r: (
                float(r["crossed_by"].sel(year=2028)),
                *r["crossed_by_ci"].sel(year=2028).values,
                r.attrs["ci_kind"],
            )
        )(cloudsim.first_passage(ds["spend"], 1.5e9)),
        lambda ds: (ds["spend"].sel(year=slice(None, 2028)) >= 1.5e9).any("year").values.astype(float),
        np.mean,
    ),
]


class ReplicateIntervalContract:
    """What every replicate interval promises: the reference t interval, and the kind recorded."""

    case: tuple

    def test_equals_reference(self, sobol):
        _, fn, data, stat = self.case
        est, lo, hi, kind = fn(sobol)
        per = np.array([stat(b) for b in blocks(data(sobol))])
        ref_lo, ref_hi = t_interval(est, per)
        assert kind == KIND_REPLICATE_T
        if data is not None and stat is np.mean and set(np.unique(data(sobol))) <= {0.0, 1.0}:
            ref_lo, ref_hi = max(ref_lo, 0.0), min(ref_hi, 1.0)  # a probability's interval is clipped to [0, 1]
        np.testing.assert_allclose([lo, hi], [ref_lo, ref_hi], rtol=1e-9)

    def test_plain_mc_keeps_its_own_kind(self, plain):
        _, fn, _, _ = self.case
        assert fn(plain)[3] != KIND_REPLICATE_T


for _case in CASES:
    globals()[f"Test_{_case[0]}"] = type(f"Test_{_case[0]}", (ReplicateIntervalContract,), {"case": _case})


def pooled_cdf_interval(x: np.ndarray, q: float) -> tuple[float, float]:
    """The pooled-CDF interval by its definition, by brute force over the pooled order statistics."""
    pooled = np.sort(x)
    cdf = np.array([[np.mean(b <= v) for v in pooled] for b in blocks(x)])
    half = stats.t.ppf(0.5 + CI / 2, R - 1) * cdf.std(axis=0, ddof=1) / np.sqrt(R)
    lo_f, hi_f = cdf.mean(axis=0) - half, cdf.mean(axis=0) + half
    return pooled[np.argmax(hi_f >= q)], pooled[np.argmax(lo_f > q)]


def test_value_at_risk_pooled_cdf(sobol):
    x = cum(sobol).values[::4]  # a quarter of each block keeps the brute force small
    da = cum(sobol).isel(trial=slice(None, None, 4))
    r = cloudsim.value_at_risk(da, 0.95, tail="upper")
    assert r.attrs["ci_kind"] == KIND_REPLICATE_QUANTILE
    np.testing.assert_array_equal(r["value_at_risk_ci"].values, pooled_cdf_interval(x, 0.95))


def test_commitment_quantiles_pooled_cdf(sobol):
    r = cloudsim.commitment_report(sobol, q=[0.5])
    assert r["cumulative_spend_ci"].attrs["ci_kind"] == KIND_REPLICATE_QUANTILE
    np.testing.assert_array_equal(r["cumulative_spend_ci"].values[0], pooled_cdf_interval(cum(sobol).values, 0.5))


@pytest.mark.parametrize("stat", ["mean", "probability", "quantile"])
def test_paired_difference(pair, stat):
    x = cum(pair)
    r = cloudsim.paired_difference(
        pair, x, a="a", b="b", stat=stat, q=0.5, threshold=THR if stat == "probability" else None
    )
    xa, xb = x.sel(scenario="a").values, x.sel(scenario="b").values
    if stat == "mean":
        per = blocks(xa).mean(-1) - blocks(xb).mean(-1)
    elif stat == "probability":
        per = (blocks(xa) >= THR).mean(-1) - (blocks(xb) >= THR).mean(-1)
    else:
        per = np.quantile(blocks(xa), 0.5, axis=-1) - np.quantile(blocks(xb), 0.5, axis=-1)
    assert r.attrs["ci_kind"] == KIND_REPLICATE_T
    np.testing.assert_allclose(r["difference_ci"].values, t_interval(float(r["difference"]), per), rtol=1e-9)


def test_paired_bootstrap_refused(pair):
    with pytest.raises(ValueError, match="method: 'bootstrap'"):
        cloudsim.paired_difference(pair, cum(pair), a="a", b="b", method="bootstrap")


@pytest.mark.parametrize("stat", ["mean", "quantile", "probability"])
def test_mcse_is_replicate_sd(sobol, stat):
    x = blocks(cum(sobol).values)
    per = {"mean": x.mean(-1), "quantile": np.quantile(x, 0.95, axis=-1), "probability": (x >= THR).mean(-1)}[stat]
    se = cloudsim.mcse(
        cum(sobol), stat, q=0.95 if stat == "quantile" else None, threshold=THR if stat == "probability" else None
    )
    assert se.attrs["ci_kind"] == KIND_REPLICATE_T
    np.testing.assert_allclose(float(se), np.std(per, ddof=1) / np.sqrt(R), rtol=1e-9)


def test_check_claims_replicate(sobol, plain):
    """Every claim row's interval is the t interval over the blocks' shares of trials inside the check's range."""
    t = cloudsim.check_claims(sobol)
    assert t.attrs["ci_kind"] == KIND_REPLICATE_T and cloudsim.check_claims(plain).attrs["ci_kind"] != KIND_REPLICATE_T
    scn = cloudsim.Scenario.from_toml(sobol.attrs["scenario"])
    rows = iter(t.itertuples())
    for s in scn.model.claim_samples(sobol, scn.to_dict()):
        for _, low, high, _ in scn.claims[s.claim].checks(s.which):
            row = next(rows)
            hits = blocks((np.asarray(s.samples) >= low) & (np.asarray(s.samples) <= high)).mean(-1)
            lo, hi = t_interval(row.simulated, hits)
            np.testing.assert_allclose([row.ci_lower_row, row.ci_upper_row], [max(lo, 0), min(hi, 1)], rtol=1e-9)


def test_selection_keeps_layout(sobol):
    """A DataArray taken from the Dataset (sel/isel) still gives replicate intervals; one replicate alone is refused."""
    r = cloudsim.exceedance_probability(sobol["spend"].sel(year=2028), 1.5e9)
    assert r.attrs["ci_kind"] == KIND_REPLICATE_T
    with pytest.raises(ValueError, match=">= 2 replicates"):
        cloudsim.exceedance_probability(sobol["spend"].sel(year=2028).isel(trial=slice(0, N // R)), 1.5e9)
