"""check_claims, commitment_report and the plots take a summary where they take a full run, with the same answers.

A summary keeps integer counts and exact sums; the answers built from them must equal the
full-run functions' (counts bit for bit, sums to rounding), and anything a summary cannot
answer must be refused by name, never computed from its bands as if they were trials.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import cloudsim
from cloudsim import plot

TRIALS = 20_000


@pytest.fixture(scope="module", params=["openai-aws-2025", "openai-aws-2026-expansion"])
def pair(request):
    scenario = cloudsim.load_scenario(request.param)
    full = cloudsim.simulate(scenario, TRIALS, seed=7)
    summary = cloudsim.summarize(scenario, TRIALS, seed=7, bands="exact", chunk=6_000)
    return full, summary


def test_check_claims_of_a_summary_equals_the_full_run(pair):
    full, summary = pair
    a, b = cloudsim.check_claims(summary), cloudsim.check_claims(full)
    assert a.equals(b)
    assert a.attrs == b.attrs


def test_check_claims_family_none_too(pair):
    full, summary = pair
    assert cloudsim.check_claims(summary, family="none").equals(cloudsim.check_claims(full, family="none"))


def test_commitment_report_of_a_summary_equals_the_full_run(pair):
    full, summary = pair
    a, b = cloudsim.commitment_report(summary), cloudsim.commitment_report(full)
    assert set(a.data_vars) == set(b.data_vars)
    for v in b.data_vars:
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-12, atol=0, equal_nan=True, err_msg=v)
        assert a[v].dims == b[v].dims, v
    assert a.attrs["source"] == "summary"


def test_commitment_report_of_a_summary_refuses_what_it_did_not_count(pair):
    _, summary = pair
    with pytest.raises(ValueError, match="total, years: a summary counts only the commitments"):
        cloudsim.commitment_report(summary, total=1e10, years=(2026, 2030))
    with pytest.raises(ValueError, match=r"q: the summary holds the quantiles"):
        cloudsim.commitment_report(summary, q=[0.123])


def test_summary_statistics_count_every_trial(pair):
    _, summary = pair
    assert summary["spend"].attrs["n_valid"] == TRIALS
    assert summary["spend_ci"].attrs["n_valid"] == TRIALS


def test_distribution_of_a_summary_marks_the_same_exceedance_as_the_full_run(pair):
    full, summary = pair
    total = float(summary["cumulative_spend_threshold"].values[-1])  # a total the summary counted
    texts = []
    for obj in (full, summary):
        ax = plot.distribution(obj, "cumulative_spend", year=2032, thresholds=[total])
        texts.append([t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("threshold_text")])
        assert any(p.get_gid() == "hist" for p in ax.patches)
        plt.close(ax.figure)
    assert texts[0] == texts[1] and texts[0]


def test_distribution_of_a_summary_refuses_an_uncounted_threshold(pair):
    _, summary = pair
    with pytest.raises(ValueError, match=r"thresholds: the summary counted cumulative_spend at"):
        plot.distribution(summary, "cumulative_spend", year=2032, thresholds=[1.234e9])
    with pytest.raises(ValueError, match="var: required with a summary"):
        plot.distribution(summary, year=2032)


def test_distribution_cdf_of_a_summary_is_monotone_and_ends_near_one(pair):
    _, summary = pair
    ax = plot.distribution(summary, "spend", year=2028, kind="cdf")
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "cdf"]
    p = np.asarray(line.get_ydata())
    assert np.all(np.diff(p) >= 0)
    # the bins run between the sketch's 0.1% and 99.9% quantiles: about 0.1% of trials lie outside each end
    assert p[0] == pytest.approx(0.001) and p[-1] == pytest.approx(0.999, abs=1e-3)
    plt.close(ax.figure)


def test_commitments_plot_of_a_summary_draws_the_full_run_probabilities(pair):
    full, summary = pair
    ys = []
    for obj in (full, summary):
        ax = plot.commitments(obj)
        ys.append(sorted(float(ln.get_ydata()[0]) for ln in ax.lines if (ln.get_gid() or "").startswith("met:")))
        reached = [np.asarray(ln.get_ydata()) for ln in ax.lines if (ln.get_gid() or "").startswith("reached:")]
        ys.append([r.tolist() for r in reached])
        plt.close(ax.figure)
    assert ys[0] == ys[2] and ys[0]
    assert ys[1] == ys[3]


def test_dashboard_of_a_summary(pair):
    _, summary = pair
    fig = plot.dashboard(summary)
    assert len(fig.axes) == 4
    assert f"{TRIALS:,} trials" in fig._suptitle.get_text()
    plt.close(fig)
