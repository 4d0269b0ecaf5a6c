"""The light validation suite: every coverage study of ``validation/studies.py`` at a few hundred replications.

``make validate`` runs the same studies at the headline replication counts and writes
``docs/validation.md``.  Here each coverage must lie within a binomial 4-sigma band of the
nominal 0.95 (conservative intervals by at most that much above it), which a 0.90 interval
fails at 300 replications; the family-wise claim check must raise no alarm in at least 0.95
minus 4 sigma of correct runs (the per-row rule gives about 0.7).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "validation" / "studies.py"
_spec = importlib.util.spec_from_file_location("cloudsim_validation_studies", _PATH)
studies = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = studies
_spec.loader.exec_module(studies)

SCALE = 0.08  # 320 synthetic, 80 article replications


@pytest.fixture(scope="module")
def results():
    return studies.run_all(SCALE)


def _band(r) -> float:
    return 4.0 * math.sqrt(r.nominal * (1.0 - r.nominal) / r.reps)


def test_every_interval_kind_is_studied(results):
    kinds = {r.estimator for r in results}
    assert kinds == {
        "percentile_bands ci (order statistic)",
        "value_at_risk",
        "expected_shortfall",
        "exceedance_probability (Wilson)",
        "mcse (mean +/- z se)",
        "paired_difference quantile (asymptotic)",
        "paired_difference quantile (bootstrap)",
        "paired_difference mean",
        "paired_difference probability",
        "simulate_until (stopped at half-width 0.02)",
        "check_claims (family-wise)",
        "sensitivity S1 (saltelli)",
        "sensitivity ST (saltelli)",
        "sensitivity S1 (rank)",
        "replicate interval (sobol)",
        "simulate_until (sobol)",
        "simulate_until (mc)",
    }


def test_coverage_within_four_sigma_of_nominal(results):
    bad = []
    for r in results:
        if "n p = 20" in r.setting:  # the documented, warned limit: checked below
            continue
        low = r.nominal - _band(r)
        high = 1.0 if r.what == "no alarm" else r.nominal + _band(r)
        if not low <= r.coverage <= high:
            what = f"{r.estimator} [{r.setting}]: {r.hits}/{r.reps} = {r.coverage:.3f}"
            bad.append(f"{what} not in [{low:.3f}, {high:.3f}]")
    assert not bad, "\n".join(bad)


def test_truth_cache_says_how_it_was_made():
    """The replicated-sampler studies' truth: a plain Monte Carlo run of at least 1e7 trials, its recipe recorded."""
    truth = studies.load_truth()
    assert truth["trials"] >= 10_000_000 and "sampler='mc'" in truth["how"] and truth["seed"] == 20261203
    # its own error is small against the intervals it judges (a replicate interval's half-width is ~1e-2 relative)
    assert truth["p_commitment_met_se"] < 2e-4
    assert truth["mean_cumulative_spend_se"] / truth["mean_cumulative_spend"] < 1e-3


def test_small_tail_expected_shortfall_warns_with_the_trials_it_needs():
    x = studies.lognormal(1)
    with pytest.warns(RuntimeWarning, match=r"n p = 20 trials in the tail.*at least 10,000 trials"):
        studies.cloudsim.expected_shortfall(x, 0.99, tail="upper")


def test_the_asymptotic_paired_quantile_warns_where_it_rests_on_few_discordant_trials(results):
    rows = {r.setting: r for r in results if r.estimator == "paired_difference quantile (asymptotic)"}
    small = [r for s, r in rows.items() if s.startswith("article") and "n=2000," in s]
    large = {s.rsplit("q=", 1)[1]: r for s, r in rows.items() if "n=20000," in s}
    assert len(small) == 3 and sorted(large) == ["0.05", "0.5", "0.95"]
    assert all(r.warned for r in small)  # about 3, 10 and 3 discordant trials at q = 0.05, 0.5, 0.95
    assert large["0.05"].warned and large["0.95"].warned  # 25-35 discordant trials: still fewer than 50
    assert not large["0.5"].warned  # about 90: no warning


def test_a_warned_limit_says_so_in_its_verdict():
    r = studies.Result("e", "s", 1000, 985, warned=True)
    assert r.verdict() == "conservative (warned at the call)"
    assert studies.Result("e", "s", 1000, 950, warned=True).verdict() == "covers"
    assert studies.Result("e", "s", 1000, 900, warned=True).verdict() == "under-covers (warned at the call)"
    assert studies.Result("e", "s", 1000, 985).verdict() == "conservative"


def test_sensitivity_truths_are_the_published_ones():
    s1, st = studies._ishigami_exact()
    assert abs(s1 - [0.3139, 0.4424, 0.0]).max() < 5e-5
    assert abs(st - [0.5576, 0.4424, 0.2437]).max() < 5e-5
