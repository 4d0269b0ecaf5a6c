"""Coverage studies of every interval cloudsim reports: replications with a known truth, hits counted.

Each study draws ``reps`` independent replications of an ``n``-trial estimate and counts how often
the estimator's nominal 95% interval contains the truth.  Two kinds of data:

* **synthetic**: NumPy draws from a distribution with closed-form quantiles, means and tail means
  (a log-normal: skewed and heavy-tailed like spend) -- the honest check of an estimator on its own;
* **article**: real runs of the article scenario (and of the analyst trend, for paired studies).
  Trials of one run are independent, so replication ``r`` is trials ``[r n, (r + 1) n)`` of one
  large run; the truth comes from a second, much larger run with another seed.

Replications are stacked on a dim ``rep`` and every estimator is called once over it (all of them
keep the dims they do not reduce), so a study of 2,000 replications costs about one call.

``run_all(scale)`` returns one :class:`Result` per (estimator, setting); ``scale=1`` is the headline
study of ``make validate`` and ``tests/test_validation.py`` runs a light one.
"""

from __future__ import annotations

import functools
import json
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from scipy import stats

import cloudsim
from cloudsim.risk._intervals import z_value

NOMINAL = 0.95
N = 2_000  # trials per replication
SIGMA = 1.0  # log-normal shape of the synthetic studies
ARTICLE_B = "analyst-trend-2025"  # the paired studies: the article against the analyst trend


@dataclass(frozen=True)
class Result:
    """One coverage study: ``hits`` of ``reps`` intervals contained the truth."""

    estimator: str
    setting: str
    reps: int
    hits: int
    nominal: float = NOMINAL
    #: "coverage": the interval should contain the truth ``nominal`` of the time;
    #: "no alarm": a correct model should raise no alarm in ``nominal`` of the runs.
    what: str = "coverage"
    #: The estimator warned at the call (a documented limit: too few trials for its interval).
    warned: bool = False

    @property
    def coverage(self) -> float:
        return self.hits / self.reps

    @property
    def se(self) -> float:
        """Binomial standard error of the coverage."""
        p = self.coverage
        return math.sqrt(max(p * (1.0 - p), self.nominal * (1.0 - self.nominal)) / self.reps)

    def verdict(self, low: float = 0.93, high: float = 0.97) -> str:
        """ "covers" when the coverage is in ``[low, high]`` (or above ``low`` for a "no alarm" rate)."""
        c = self.coverage
        if self.what == "no alarm":
            return "ok" if c >= low else "too many alarms"
        verdict = "under-covers" if c < low else "covers" if c <= high else "conservative"
        return f"{verdict} (warned at the call)" if self.warned and verdict != "covers" else verdict


def _recording(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """``fn(*args, **kwargs)`` and whether it warned (a ``RuntimeWarning``: a documented small-n limit)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", RuntimeWarning)
        out = fn(*args, **kwargs)
    return out, any(issubclass(w.category, RuntimeWarning) for w in seen)


def _hits(estimate_ci: xr.DataArray, truth: float | np.ndarray) -> int:
    lo = estimate_ci.sel(ci_bound="lower").values
    hi = estimate_ci.sel(ci_bound="upper").values
    return int(np.count_nonzero((lo <= truth) & (truth <= hi)))


def _normal_hits(est: np.ndarray, se: np.ndarray, truth: float) -> int:
    z = z_value(NOMINAL)
    return int(np.count_nonzero(np.abs(est - truth) <= z * se))


# ---- synthetic data: log-normal(0, SIGMA) ---------------------------------------------------
def lognormal(reps: int, n: int = N, seed: int = 0) -> xr.DataArray:
    """``reps x n`` log-normal draws as a DataArray with dims ``rep``, ``trial``."""
    rng = np.random.default_rng(seed)
    x = np.exp(SIGMA * rng.standard_normal((reps, n)))
    return xr.DataArray(x, dims=("rep", "trial"), name="x", attrs={"units": "1"})


def ln_quantile(q: float) -> float:
    return float(math.exp(SIGMA * stats.norm.ppf(q)))


def ln_tail_mean(level: float, tail: str) -> float:
    """E[X | X beyond its VaR] of the log-normal, closed form."""
    m = math.exp(SIGMA**2 / 2.0)
    if tail == "upper":
        return m * float(stats.norm.cdf(SIGMA - stats.norm.ppf(level))) / (1.0 - level)
    return m * float(stats.norm.cdf(stats.norm.ppf(1.0 - level) - SIGMA)) / (1.0 - level)


def synthetic_studies(reps: int) -> Iterator[Result]:
    x = lognormal(reps, seed=1)
    qs = [0.05, 0.5, 0.95]
    qi = cloudsim.quantile_intervals(x, qs, ci=NOMINAL)
    for q in qs:
        yield Result(
            "percentile_bands ci (order statistic)",
            f"log-normal, q={q}, n={N}",
            reps,
            _hits(qi.sel(quantile=q), ln_quantile(q)),
        )
    for level, tail in ((0.95, "lower"), (0.95, "upper"), (0.99, "upper")):
        v = cloudsim.value_at_risk(x, level, tail=tail, ci=NOMINAL)
        truth = ln_quantile(level if tail == "upper" else 1.0 - level)
        yield Result("value_at_risk", f"log-normal, {tail} {level}, n={N}", reps, _hits(v["value_at_risk_ci"], truth))
    for level, tail in ((0.95, "lower"), (0.95, "upper"), (0.99, "upper")):
        e, warned = _recording(cloudsim.expected_shortfall, x, level, tail=tail, ci=NOMINAL)
        yield Result(
            "expected_shortfall",
            f"log-normal, {tail} {level}, n={N} (n p = {round(N * (1 - level))})",
            reps,
            _hits(e["expected_shortfall_ci"], ln_tail_mean(level, tail)),
            warned=warned,
        )
    big_n = 10_000  # n p = 100 at level 0.99: the trials the warning asks for
    xl = lognormal(max(reps // 4, 50), n=big_n, seed=3)
    e = cloudsim.expected_shortfall(xl, 0.99, tail="upper", ci=NOMINAL)
    yield Result(
        "expected_shortfall",
        f"log-normal, upper 0.99, n={big_n} (n p = 100)",
        xl.sizes["rep"],
        _hits(e["expected_shortfall_ci"], ln_tail_mean(0.99, "upper")),
    )
    for p in (0.05, 0.5):
        thr = ln_quantile(1.0 - p)
        pr = cloudsim.exceedance_probability(x, thr, ci=NOMINAL)
        yield Result("exceedance_probability (Wilson)", f"P = {p}, n={N}", reps, _hits(pr["probability_ci"], p))
    se = cloudsim.mcse(x, "mean").values
    yield Result(
        "mcse (mean +/- z se)",
        f"log-normal mean, n={N}",
        reps,
        _normal_hits(x.mean("trial").values, se, math.exp(SIGMA**2 / 2.0)),
    )
    yield from _synthetic_paired(reps)


def _synthetic_paired(reps: int) -> Iterator[Result]:
    """Common random numbers in closed form: ``b = 0.9 * exp(Z + 0.02 E)`` beside ``a = exp(Z)``.

    Nearly every trial has the same rank in both, the case where counting discordant trials at the
    one rank of the quantile made the interval collapse.
    """
    rng = np.random.default_rng(2)
    zz = rng.standard_normal((reps, N))
    xa = np.exp(zz)
    xb = 0.9 * np.exp(zz + 0.02 * rng.standard_normal((reps, N)))
    da = xr.DataArray(np.stack([xa, xb]), dims=("scenario", "rep", "trial"), coords={"scenario": ["a", "b"]})
    sd_b = math.sqrt(1.0 + 0.02**2)
    for q in (0.05, 0.5, 0.95):
        truth = math.exp(stats.norm.ppf(q)) - 0.9 * math.exp(sd_b * stats.norm.ppf(q))
        d, warned = _recording(cloudsim.paired_difference, da, a="a", b="b", q=q, ci=NOMINAL)
        yield Result(
            "paired_difference quantile (asymptotic)",
            f"synthetic common random numbers, q={q}, n={N}",
            reps,
            _hits(d["difference_ci"], truth),
            warned=warned,
        )


# ---- the article scenario -----------------------------------------------------------------
#: The variables the studies read from a truth run or a paired run (a full run holds ~650 bytes a trial).
KEEP = ("cumulative_spend", "commitment_met")


@functools.lru_cache(maxsize=4)
def article(trials: int, seed: int, full: bool = True) -> xr.Dataset:
    ds = cloudsim.simulate(cloudsim.load_scenario(), trials, seed=seed, progress=False)
    return ds if full else ds[list(KEEP)]


@functools.lru_cache(maxsize=4)
def article_pair(trials: int, seed: int) -> xr.Dataset:
    scn = {"article": cloudsim.load_scenario(), "trend": cloudsim.load_scenario(ARTICLE_B)}
    return cloudsim.compare(scn, trials, seed=seed)[list(KEEP)]


def blocks(da: xr.DataArray, reps: int, n: int = N) -> xr.DataArray:
    """Trials ``[r n, (r + 1) n)`` of ``da`` as replication ``r``: dims ``rep``, ``trial`` (then the rest)."""
    x = da.isel(trial=slice(0, reps * n))
    other = [d for d in x.dims if d != "trial"]
    x = x.transpose("trial", *other)
    values = x.values.reshape(reps, n, *x.shape[1:])
    coords = {k: v for k, v in x.coords.items() if "trial" not in v.dims}
    return xr.DataArray(values, dims=("rep", "trial", *other), coords=coords, name=da.name, attrs=dict(da.attrs))


def article_studies(reps: int, truth_trials: int) -> Iterator[Result]:
    big = article(reps * N, 1)
    truth = article(truth_trials, 2, full=False)
    last = int(big["year"].values[-1])
    cum = blocks(big["cumulative_spend"].sel(year=last), reps)
    cum_truth = truth["cumulative_spend"].sel(year=last).values
    setting = f"article, cumulative spend {last}, n={N}"
    qs = [0.05, 0.5, 0.95]
    qi = cloudsim.quantile_intervals(cum, qs, ci=NOMINAL)
    for q in qs:
        yield Result(
            "percentile_bands ci (order statistic)",
            f"{setting}, q={q}",
            reps,
            _hits(qi.sel(quantile=q), float(np.quantile(cum_truth, q))),
        )
    se = cloudsim.mcse(cum, "mean").values
    yield Result("mcse (mean +/- z se)", setting, reps, _normal_hits(cum.mean("trial").values, se, cum_truth.mean()))
    e = cloudsim.expected_shortfall(cum, 0.95, tail="upper", ci=NOMINAL)
    yield Result(
        "expected_shortfall",
        f"{setting}, upper 0.95",
        reps,
        _hits(e["expected_shortfall_ci"], float(np.sort(cum_truth)[-round(truth_trials * 0.05) :].mean())),
    )
    met = blocks(big["commitment_met"], reps)
    p_met = float(truth["commitment_met"].mean())
    pr = cloudsim.exceedance_probability(met, ci=NOMINAL)
    yield Result("exceedance_probability (Wilson)", f"article, P(commitment met) = {p_met:.3f}", reps,
                 _hits(pr["probability_ci"], p_met))  # fmt: skip


def paired_studies(reps: int, truth_trials: int, boot_reps: int, n_boot: int) -> Iterator[Result]:
    big = article_pair(reps * N, 3)
    truth = article_pair(truth_trials, 4)
    last = int(big["year"].values[-1])
    cum = blocks(big["cumulative_spend"].sel(year=last), reps)
    tc = truth["cumulative_spend"].sel(year=last)
    ta, tb = tc.sel(scenario="article").values, tc.sel(scenario="trend").values
    setting = f"article - analyst trend, cumulative spend {last}, n={N}"
    qs = [0.05, 0.5, 0.95]
    true_d = np.quantile(ta, qs) - np.quantile(tb, qs)
    boot_hits = np.zeros(len(qs), dtype=np.int64)
    for r in range(boot_reps):  # one bootstrap per replication, all three quantiles from the same resamples
        db = cloudsim.paired_difference(
            cum.isel(rep=r), a="article", b="trend", q=qs, ci=NOMINAL, method="bootstrap", n_boot=n_boot, boot_seed=r
        )
        ci = db["difference_ci"]
        boot_hits += (ci.sel(ci_bound="lower").values <= true_d) & (true_d <= ci.sel(ci_bound="upper").values)
    for i, q in enumerate(qs):
        d, warned = _recording(cloudsim.paired_difference, cum, a="article", b="trend", q=q, ci=NOMINAL)
        yield Result("paired_difference quantile (asymptotic)", f"{setting}, q={q}", reps,
                     _hits(d["difference_ci"], float(true_d[i])), warned=warned)  # fmt: skip
        yield Result("paired_difference quantile (bootstrap)", f"{setting}, q={q}, n_boot={n_boot}", boot_reps,
                     int(boot_hits[i]))  # fmt: skip
    d = cloudsim.paired_difference(cum, a="article", b="trend", stat="mean", ci=NOMINAL)
    yield Result("paired_difference mean", setting, reps, _hits(d["difference_ci"], float(ta.mean() - tb.mean())))
    met = blocks(big["commitment_met"], reps)
    tm = truth["commitment_met"]
    true_p = float(tm.sel(scenario="article").mean() - tm.sel(scenario="trend").mean())
    d = cloudsim.paired_difference(met, a="article", b="trend", stat="probability", ci=NOMINAL)
    yield Result("paired_difference probability", f"article - analyst trend, P(commitment met), n={N}", reps,
                 _hits(d["difference_ci"], true_p))  # fmt: skip


def paired_large_study(reps: int, truth_trials: int, n: int = 10 * N, batch: int = 500_000) -> Iterator[Result]:
    """The asymptotic paired quantile interval at ``n`` trials, where it rests on enough discordant trials.

    The replications are consecutive blocks of one large common-random-numbers run (simulated in
    batches of ``batch`` trials with the trial offset ``start``, so memory stays small).
    """
    scns = [cloudsim.load_scenario(), cloudsim.load_scenario(ARTICLE_B)]
    truth = article_pair(truth_trials, 4)
    last = int(truth["year"].values[-1])
    tc = truth["cumulative_spend"].sel(year=last)
    qs = [0.05, 0.5, 0.95]
    true_d = np.quantile(tc.sel(scenario="article").values, qs) - np.quantile(tc.sel(scenario="trend").values, qs)
    per = max(1, batch // n)
    hits = np.zeros(len(qs), dtype=np.int64)
    warned = np.zeros(len(qs), dtype=bool)
    done = 0
    while done < reps:
        k = min(per, reps - done)
        runs = [
            cloudsim.simulate(sc, k * n, seed=5, start=done * n, progress=False)["cumulative_spend"].sel(year=last)
            for sc in scns
        ]
        cum = blocks(xr.concat(runs, dim=xr.DataArray(["article", "trend"], dims="scenario", name="scenario")), k, n)
        for i, q in enumerate(qs):
            d, w = _recording(cloudsim.paired_difference, cum, a="article", b="trend", q=q, ci=NOMINAL)
            hits[i] += _hits(d["difference_ci"], float(true_d[i]))
            warned[i] |= w
        done += k
    for i, q in enumerate(qs):
        yield Result("paired_difference quantile (asymptotic)",
                     f"article - analyst trend, cumulative spend {last}, n={n}, q={q}", reps, int(hits[i]),
                     warned=bool(warned[i]))  # fmt: skip


def simulate_until_study(reps: int, truth_trials: int) -> Iterator[Result]:
    """P(commitment met) known to +/- 0.02: the final interval of each stopped run against the truth."""
    scn = cloudsim.load_scenario()
    p_met = float(article(truth_trials, 2, full=False)["commitment_met"].mean())
    hits = 0
    for r in range(reps):
        _, hist = cloudsim.simulate_until(
            scn, ("probability", "commitment_met", {}, None), seed=1000 + r, abs_tol=0.02, block=N
        )
        last = hist.iloc[-1]
        hits += bool(last["ci_lower"] <= p_met <= last["ci_upper"])
    yield Result("simulate_until (stopped at half-width 0.02)", f"article, P(commitment met), blocks of {N}", reps,
                 hits)  # fmt: skip


#: The plain Monte Carlo truth of the replicated-sampler studies, made by ``validation/truth.py`` (see its "how").
TRUTH_PATH = Path(__file__).resolve().parent / "truth.json"
RQMC_TRIALS, RQMC_REPLICATES = 2**12, 16
#: simulate_until's target in the sampler comparison: the 2032 p95 of cumulative spend to 1% (95% interval).
UNTIL_REL_TOL, UNTIL_BLOCK = 0.01, 2**11


def load_truth() -> dict:
    return json.loads(TRUTH_PATH.read_text(encoding="utf-8"))


def replicated_studies(reps: int, sampler: str = "sobol") -> Iterator[Result]:
    """Replicate intervals of a randomised-QMC run (independent seeds) against the cached 1e7-trial truth."""
    truth = load_truth()
    scn = cloudsim.load_scenario()
    year = truth["year"]
    t_q = float(stats.t.ppf(0.5 + NOMINAL / 2, RQMC_REPLICATES - 1))
    hits = np.zeros(3, dtype=np.int64)
    for r in range(reps):
        ds = cloudsim.simulate(scn, RQMC_TRIALS, seed=5000 + r, sampler=sampler, replicates=RQMC_REPLICATES,
                               progress=False)  # fmt: skip
        c = ds["cumulative_spend"].sel(year=year)
        m, se = float(c.mean()), float(cloudsim.mcse(c, "mean"))
        hits[0] += abs(m - truth["mean_cumulative_spend"]) <= t_q * se
        b = cloudsim.percentile_bands(c, q=0.95, ci=NOMINAL)["cumulative_spend_ci"].values.ravel()
        hits[1] += b[0] <= truth["p95_cumulative_spend"] <= b[1]
        pr = cloudsim.exceedance_probability(ds["commitment_met"], ci=NOMINAL)["probability_ci"].values
        hits[2] += pr[0] <= truth["p_commitment_met"] <= pr[1]
    setting = f"article, sampler={sampler!r}, {RQMC_TRIALS:,} trials = {RQMC_REPLICATES} replicates"
    for i, what in enumerate((f"mean of cumulative spend {year} (mcse x t)", f"p95 of cumulative spend {year}",
                              "P(commitment met)")):  # fmt: skip
        yield Result(f"replicate interval ({sampler})", f"{setting}: {what}", reps, int(hits[i]))


def until_sampler_study(reps: int, sampler: str) -> Iterator[Result]:
    """simulate_until on the 2032 p95 of cumulative spend to 1%: coverage of the stopped interval, trials used."""
    truth = load_truth()
    scn = cloudsim.load_scenario()
    target = ("quantile", "cumulative_spend", {"year": truth["year"]}, 0.95)
    kw = {"replicates": RQMC_REPLICATES} if sampler != "mc" else {}
    hits, used = 0, []
    for r in range(reps):
        _, hist = cloudsim.simulate_until(scn, target, seed=7000 + r, rel_tol=UNTIL_REL_TOL, block=UNTIL_BLOCK,
                                          sampler=sampler, max_trials=2**22, **kw)  # fmt: skip
        last = hist.iloc[-1]
        hits += bool(last["ci_lower"] <= truth["p95_cumulative_spend"] <= last["ci_upper"])
        used.append(int(last["trials"]))
    yield Result(
        f"simulate_until ({sampler})",
        f"article, p95 of cumulative spend {truth['year']} to {UNTIL_REL_TOL:.0%}, blocks of {UNTIL_BLOCK:,}: "
        f"median {int(np.median(used)):,} trials (mean {round(np.mean(used)):,})",
        reps,
        hits,
    )


def check_claims_study(reps: int) -> Iterator[Result]:
    """A correct model (the claims hold in distribution): runs in which no row is flagged."""
    big = article(reps * N, 1)
    clean = 0
    rows = 0
    for r in range(reps):
        table = cloudsim.check_claims(big.isel(trial=slice(r * N, (r + 1) * N)))
        rows = len(table)
        clean += bool(table["holds"].all())
    yield Result("check_claims (family-wise)", f"article, {rows} checks per run, n={N}", reps, clean, what="no alarm")


#: Sensitivity test functions: Ishigami (a=7, b=0.1) and Sobol's G function, with closed-form indices.
G_A = np.array([0.0, 1.0, 4.5, 9.0, 99.0])
SENS_N = 2_000  # rows per replication (saltelli: N (d + 2) evaluations)


def _ishigami(u: np.ndarray) -> np.ndarray:
    x = -np.pi + 2.0 * np.pi * u
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def _sobol_g(u: np.ndarray) -> np.ndarray:
    return np.prod((np.abs(4.0 * u - 2.0) + G_A) / (1.0 + G_A), axis=1)


def _ishigami_exact() -> tuple[np.ndarray, np.ndarray]:
    """Closed form (Ishigami and Homma 1990; a=7, b=0.1, inputs uniform on [-pi, pi])."""
    a, b = 7.0, 0.1
    v1 = 0.5 * (1.0 + b * np.pi**4 / 5.0) ** 2
    v2 = a**2 / 8.0
    v13 = b**2 * np.pi**8 * (1.0 / 18.0 - 1.0 / 50.0)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def _g_exact() -> tuple[np.ndarray, np.ndarray]:
    vi = 1.0 / (3.0 * (1.0 + G_A) ** 2)
    v = np.prod(1.0 + vi) - 1.0
    return vi / v, np.array([vi[i] * np.prod(np.delete(1.0 + vi, i)) for i in range(G_A.size)]) / v


def sensitivity_studies(reps: int, methods: tuple[str, ...] = ("saltelli", "rank")) -> Iterator[Result]:
    """Coverage of the 95% intervals of every index, of each of ``methods``, on the two test functions."""
    cases = (("Ishigami", _ishigami, 3, _ishigami_exact()), ("Sobol G", _sobol_g, G_A.size, _g_exact()))
    for label, func, d, (s1, st) in cases:
        for method in methods:
            hits = {"S1": np.zeros(d, np.int64), "ST": np.zeros(d, np.int64)}
            for r in range(reps):
                res = cloudsim.function_sensitivity(func, d, SENS_N, method=method, seed=10_000 + r, ci=NOMINAL)
                for kind, truth in (("S1", s1), ("ST", st)):
                    if kind in res:
                        ci = res[f"{kind}_ci"]
                        hits[kind] += (ci.sel(ci_bound="lower").values <= truth) & (
                            truth <= ci.sel(ci_bound="upper").values
                        )
            kinds = ("S1", "ST") if method == "saltelli" else ("S1",)
            for kind in kinds:
                truth = s1 if kind == "S1" else st
                for k in range(d):
                    yield Result(
                        f"sensitivity {kind} ({method})",
                        f"{label}, x{k + 1} ({kind} = {truth[k]:.4g}), N={SENS_N}",
                        reps,
                        int(hits[kind][k]),
                    )


def run_all(scale: float = 1.0, progress: Callable[[Result], None] | None = None) -> list[Result]:
    """Every study; ``scale`` multiplies the replication counts (1: the headline ``make validate``)."""

    def k(base: int) -> int:
        return max(50, round(base * scale))

    truth = max(200_000, round(2_000_000 * scale))
    gens = [
        synthetic_studies(k(4000)),
        article_studies(k(1000), truth),
        paired_studies(k(1000), truth, k(1000), 200),
        paired_large_study(k(1000), truth),
        simulate_until_study(k(300), truth),
        check_claims_study(k(1000)),
        sensitivity_studies(k(1000)),
        replicated_studies(k(1000)),
        until_sampler_study(k(300), "sobol"),
        until_sampler_study(k(300), "mc"),
    ]
    out = []
    for g in gens:
        for res in g:
            out.append(res)
            if progress is not None:
                progress(res)
    return out
