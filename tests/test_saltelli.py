"""Saltelli/Jansen indices (``method="saltelli"``) and ``function_sensitivity``: analytic pins for both methods,
the estimators against a direct loop, groups of streams, the article model, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudsim
from cloudsim.drivers.saltelli import pick_freeze

#: Ishigami (a=7, b=0.1), inputs uniform on [-pi, pi]: the closed-form indices.
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
G_A = np.array([0.0, 1.0, 4.5, 9.0, 99.0])


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -np.pi + 2.0 * np.pi * u
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def sobol_g(u: np.ndarray) -> np.ndarray:
    return np.prod((np.abs(4.0 * u - 2.0) + G_A) / (1.0 + G_A), axis=1)


def g_exact(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed form of the G function's indices: V_i = 1 / (3 (1 + a_i)^2), V = prod(1 + V_i) - 1."""
    vi = 1.0 / (3.0 * (1.0 + a) ** 2)
    v = np.prod(1.0 + vi) - 1.0
    total = np.array([vi[i] * np.prod(np.delete(1.0 + vi, i)) for i in range(a.size)]) / v
    return vi / v, total


def test_g_closed_form_matches_the_published_values():
    s1, _ = g_exact(G_A)
    # the published values are rounded to two significant figures at the small end
    np.testing.assert_allclose(s1, [0.7162, 0.1790, 0.0237, 0.0072, 7.2e-5], rtol=6e-3)


def _z(r, kind, exact):
    return (r[kind].values - exact) / r[f"{kind}_se"].values


@pytest.mark.parametrize("method", ["saltelli", "rank"])
def test_ishigami_within_three_standard_errors(method):
    r = cloudsim.function_sensitivity(ishigami, 3, 100_000, method=method, seed=5)
    assert np.all(np.abs(_z(r, "S1", ISHIGAMI_S1)) < 3), r["S1"].values
    if method == "saltelli":
        assert np.all(np.abs(_z(r, "ST", ISHIGAMI_ST)) < 3), r["ST"].values
        assert list(r["group"].values) == ["x1", "x2", "x3"]


@pytest.mark.parametrize("method", ["saltelli", "rank"])
def test_sobol_g_within_three_standard_errors(method):
    s1, st = g_exact(G_A)
    r = cloudsim.function_sensitivity(sobol_g, 5, 100_000, method=method, seed=6)
    assert np.all(np.abs(_z(r, "S1", s1)) < 3), r["S1"].values
    if method == "saltelli":
        assert np.all(np.abs(_z(r, "ST", st)) < 3), r["ST"].values


@pytest.mark.parametrize("method", ["saltelli", "rank"])
def test_additive_model_first_order_indices_sum_to_one(method):
    c = np.array([1.0, 2.0, 0.5, 3.0])
    r = cloudsim.function_sensitivity(lambda u: u @ c, 4, 50_000, method=method, seed=7)
    exact = c**2 / np.sum(c**2)  # uniforms share one variance
    assert np.all(np.abs(_z(r, "S1", exact)) < 3)
    total_se = np.sqrt(np.sum(r["S1_se"].values ** 2))
    assert abs(float(r["S1"].sum()) - 1.0) < 3 * total_se


def test_groups_of_inputs():
    """{x1, x3} of Ishigami: first-order and total index both 1 - S1(x2) (x2 acts alone)."""
    r = cloudsim.function_sensitivity(ishigami, 3, 100_000, seed=8, groups={"x1+x3": ["x1", "x3"], "x2": "x2"})
    exact = 1.0 - ISHIGAMI_S1[1]
    for kind in ("S1", "ST"):
        assert abs(float(r[kind].sel(group="x1+x3")) - exact) < 3 * float(r[f"{kind}_se"].sel(group="x1+x3"))


def test_pick_freeze_matches_a_direct_loop():
    rng = np.random.default_rng(9)
    n, g = 40, 3
    ya, yb, yab = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal((n, g))
    s1, st = pick_freeze(ya[:, None], yb[:, None], yab[:, :, None])
    pooled = list(ya) + list(yb)
    m = sum(pooled) / (2 * n)
    v = sum((y - m) ** 2 for y in pooled) / (2 * n)
    for k in range(g):
        first = sum((yb[j] - m) * (yab[j, k] - ya[j]) for j in range(n)) / n / v
        total = sum((ya[j] - yab[j, k]) ** 2 for j in range(n)) / (2 * n) / v
        assert s1[k, 0] == pytest.approx(first, rel=1e-12)
        assert st[k, 0] == pytest.approx(total, rel=1e-12)


@settings(max_examples=30)
@given(scale=st.floats(1e-2, 1e2), shift=st.floats(-1e6, 1e6), seed=st.integers(0, 2**32))
def test_indices_do_not_depend_on_the_output_level_or_scale(scale, shift, seed):
    """An affine change of the output leaves both indices unchanged (to rounding); the total index is >= 0."""
    rng = np.random.default_rng(seed)
    ya, yb, yab = rng.standard_normal((50, 1)), rng.standard_normal((50, 1)), rng.standard_normal((50, 2, 1))
    ref = pick_freeze(ya, yb, yab)
    moved = pick_freeze(shift + scale * ya, shift + scale * yb, shift + scale * yab)
    for r, m in zip(ref, moved, strict=True):
        np.testing.assert_allclose(m, r, atol=1e-12 * (1.0 + abs(shift) / scale))
    assert np.all(moved[1] >= 0.0)


def test_function_rows_follow_the_trial_streams():
    """The same seed gives the same result; several outputs at once equal one at a time."""
    two = lambda u: np.stack([ishigami(u), sobol_g(np.hstack([u, u[:, :2]]))], axis=1)  # noqa: E731
    both = cloudsim.function_sensitivity(two, 3, 2_000, seed=3)
    one = cloudsim.function_sensitivity(ishigami, 3, 2_000, seed=3)
    np.testing.assert_allclose(both["S1"].isel(output=0).values, one["S1"].values, rtol=1e-12)
    np.testing.assert_allclose(both["ST_se"].isel(output=0).values, one["ST_se"].values, rtol=1e-12)
    again = cloudsim.function_sensitivity(ishigami, 3, 2_000, seed=3)
    np.testing.assert_array_equal(again["ST"].values, one["ST"].values)
    assert not np.array_equal(cloudsim.function_sensitivity(ishigami, 3, 2_000, seed=4)["ST"].values, one["ST"].values)


# ---- scenarios ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def article(scn):
    return cloudsim.sensitivity(
        scn, ["spend", "cumulative_spend", "commitment_met"], method="saltelli", trials=4_000, seed=3
    )


def test_article_per_year_indices_of_inputs_and_shock_groups(scn, article):
    streams = scn.model.streams(scn.to_dict())
    spend = article["spend"]
    assert list(spend["group"].values) == streams
    assert set(spend.dims) == {"group", "year", "ci_bound"}
    assert spend.attrs["total_trials"] == 4_000 * (len(streams) + 2)
    year = scn.claim_years["spend"]
    at = spend.sel(year=year)
    # the bridge pins spend to its drawn target in the claim year: spend_target's total index ~ 1
    assert float(at["ST"].sel(group="spend_target")) > 0.9
    assert str(at["S1"].idxmax("group").values) == "spend_target"
    # total >= first order (within error) and the first year's spend is the drawn start value
    diff = (spend["ST"] - spend["S1"]) / np.hypot(spend["ST_se"], spend["S1_se"])
    assert float(diff.min()) > -4
    first = spend.sel(year=scn.start_year)
    for kind in ("S1", "ST"):
        at0 = first.sel(group="spend_start")
        assert abs(float(at0[kind]) - 1.0) < 3 * float(at0[f"{kind}_se"]), kind
    assert float(abs(first["ST"].sel(group="shocks.market"))) == 0.0
    met = article["commitment_met"]
    assert met["S1"].dims == ("group",) and np.isfinite(met["S1"]).all()
    assert article["cumulative_spend"]["S1"].sizes["year"] == len(scn.years)


def test_scenario_b_run_is_the_second_seed_and_a_derived_output(scn):
    groups = {"spend": ["spend_start", "spend_target"], "rest": ["market_growth", "shocks.spend"]}
    late = lambda ds: ds["spend"].sel(year=2028) > 3e9  # noqa: E731
    r = cloudsim.sensitivity(scn, late, method="saltelli", trials=1_000, seed=4, second_seed=5, groups=groups, by=None)
    assert list(r["group"].values) == ["spend", "rest"]
    assert r.attrs["second_seed"] == "5"
    assert float(r["ST"].sel(group="spend")) > float(r["ST"].sel(group="rest"))


def test_bad_arguments(scn, ds_small):
    with pytest.raises(ValueError, match="unknown stream 'nope'; allowed"):
        cloudsim.sensitivity(scn, "spend", method="saltelli", trials=1000, groups=["nope"])
    with pytest.raises(ValueError, match=r"groups\['g'\]: an empty group"):
        cloudsim.sensitivity(scn, "spend", method="saltelli", trials=1000, groups={"g": []})
    with pytest.raises(ValueError, match="trials: must be >= 1000"):
        cloudsim.sensitivity(scn, "spend", method="saltelli", trials=500)
    with pytest.raises(TypeError, match=r"needs a cloudsim\.Scenario"):
        cloudsim.sensitivity(ds_small, "spend", method="saltelli")
    with pytest.raises(ValueError, match="unknown variable 'nope'"):
        cloudsim.sensitivity(scn, "nope", method="saltelli", trials=1000)
    with pytest.raises(ValueError, match="must have a 'trial' dim"):
        cloudsim.sensitivity(scn, lambda ds: ds["spend"].mean("trial"), method="saltelli", trials=1000)
    with pytest.raises(TypeError, match="a variable name or a callable"):
        cloudsim.sensitivity(scn, ds_small["spend"], method="saltelli", trials=1000)
    with pytest.raises(ValueError, match="method: must be 'rank' or 'saltelli'"):
        cloudsim.sensitivity(ds_small, "spend", method="sobol")
    with pytest.raises(ValueError, match="only method='saltelli'"):
        cloudsim.sensitivity(ds_small, "spend", trials=1000)
    port = cloudsim.load_scenario("openai-compute-2025")
    with pytest.raises(ValueError, match="cannot draw streams from a second seed"):
        cloudsim.sensitivity(port, "all_met", method="saltelli", trials=1000)
    with pytest.raises(ValueError, match="unknown input 'x9'"):
        cloudsim.function_sensitivity(ishigami, 3, 1000, groups=["x9"])
    with pytest.raises(ValueError, match="must return an array of shape"):
        cloudsim.function_sensitivity(lambda u: u[:10, 0], 3, 1000)
    with pytest.raises(ValueError, match="trials: must be >= 1000"):
        cloudsim.function_sensitivity(ishigami, 3, 999)
    with pytest.raises(ValueError, match="method: must be 'saltelli' or 'rank'"):
        cloudsim.function_sensitivity(ishigami, 3, 1000, method="x")
