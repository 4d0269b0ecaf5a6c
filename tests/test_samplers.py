"""The samplers' contract (one base class, one subclass per sampler), their marginals and replicate intervals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cloudsim
from cloudsim.engine.samplers import Segment, score_map

N = 2**12


@pytest.fixture(scope="module")
def scn():
    return cloudsim.load_scenario()


class SamplerContract:
    sampler = "mc"

    def run(self, scn, trials=N, seed=3, **kw):
        return cloudsim.simulate(scn, trials, seed=seed, sampler=self.sampler, **kw)

    def test_reproducible(self, scn):
        a, b = self.run(scn), self.run(scn)
        np.testing.assert_array_equal(a["spend"].values, b["spend"].values)

    def test_seed_matters(self, scn):
        assert not np.array_equal(self.run(scn)["spend"].values, self.run(scn, seed=4)["spend"].values)

    def test_input_marginal(self, scn):
        """Every drawn input follows its declared distribution (KS test against the family's cdf)."""
        ds = self.run(scn)
        for inp in scn.inputs():
            x = ds[inp.name].values
            p = stats.kstest(x, lambda v, d=inp.distribution: d.cdf(v)).pvalue
            assert p > 1e-4, (inp.name, p)

    def test_claim_year_pinned(self, scn):
        """At its claim year, spend equals the trial's drawn spend target (the bridge's pin)."""
        ds = self.run(scn)
        y = scn.to_dict()["years"]["start"] + scn.model.horizons(scn.to_dict())["spend"]
        target = "spend_target"
        np.testing.assert_array_equal(ds["spend"].sel(year=y).values, ds[target].values)


class TestMC(SamplerContract):
    sampler = "mc"

    def test_offset_invariant(self, scn):
        full = self.run(scn, 1000)
        part = self.run(scn, 600, start=400)
        np.testing.assert_array_equal(full["spend"].values[400:], part["spend"].values)


class TestAntithetic(SamplerContract):
    sampler = "antithetic"

    def test_offset_invariant(self, scn):
        full = self.run(scn, 64, replicates=2)
        part = self.run(scn, 32, start=32, replicates=2)
        np.testing.assert_array_equal(full["spend"].values[32:], part["spend"].values)

    def test_pairs_negated(self, scn):
        """An input with a normal-score symmetric family: the pair's scores are negatives, so ranks mirror."""
        ds = self.run(scn, 64, replicates=2)
        inp = scn.inputs()[0]
        z = stats.norm.ppf(inp.distribution.cdf(ds[inp.name].values))
        np.testing.assert_allclose(z[1::2], -z[0::2], atol=1e-6)

    def test_odd_start_refused(self, scn):
        with pytest.raises(ValueError, match="start"):
            self.run(scn, 64, start=1, replicates=2)


class TestLHS(SamplerContract):
    sampler = "lhs"

    def test_depends_on_trials(self, scn):
        a, b = self.run(scn, 2 * N), self.run(scn)
        assert not np.array_equal(a["spend"].values[:100], b["spend"].values[:100])
        assert a.attrs["sampler_depends_on"].startswith("seed, trials")

    def test_strata(self, scn):
        """Each input's probabilities take one value per stratum of every replicate block."""
        ds = self.run(scn, 256, replicates=2)
        inp = scn.inputs()[0]
        u = inp.distribution.cdf(ds[inp.name].values[:128])
        np.testing.assert_array_equal(np.sort(np.floor(u * 128)), np.arange(128))

    def test_start_refused(self, scn):
        with pytest.raises(ValueError, match="start"):
            self.run(scn, 64, start=64)


class TestSobol(SamplerContract):
    sampler = "sobol"

    def test_point_index_invariant(self, scn):
        """Replicate 0's first points are the same whatever the block size (fast_forward, chunk invariance)."""
        a, b = self.run(scn, 64, replicates=2), self.run(scn, 128, replicates=2)
        np.testing.assert_array_equal(a["spend"].values[:32], b["spend"].values[:32])


class TestHalton(TestSobol):
    sampler = "halton"


def test_bad_input(scn):
    with pytest.raises(ValueError, match="sampler"):
        cloudsim.simulate(scn, 64, seed=1, sampler="qmc")
    with pytest.raises(ValueError, match="replicates"):
        cloudsim.simulate(scn, 64, seed=1, sampler="sobol", replicates=1)
    with pytest.raises(ValueError, match="trials"):
        cloudsim.simulate(scn, 65, seed=1, sampler="sobol", replicates=2)
    with pytest.raises(ValueError, match="engine"):
        cloudsim.simulate(scn, 64, seed=1, sampler="sobol", engine="numpy")


def test_score_map_orthogonal():
    segs = [Segment("bridge", [2, 4, 6], 4), Segment("unused", [8], 0), Segment("walk", [3, 5, 7, 9], 0)]
    m = score_map(2, segs, 10)
    np.testing.assert_allclose(m @ m.T, np.eye(10), atol=1e-12)
    # the first shock dimension is the walk's end point: equal weight on all four of its increments
    np.testing.assert_allclose(m[2, [3, 5, 7, 9]], 0.5, atol=1e-12)


def test_replicate_interval_covers(scn):
    """Sobol replicate intervals of P(2032 cumulative spend >= 38e9) and of the median cover a large MC run's value."""
    ref = cloudsim.simulate(scn, 200_000, seed=99)["cumulative_spend"].isel(year=-1)
    p_true = float((ref >= 38e9).mean())
    m_true = float(ref.median())
    hit_p = hit_m = 0
    reps = 20
    for s in range(reps):
        c = cloudsim.simulate(scn, 2**11, seed=s, sampler="sobol", replicates=8)["cumulative_spend"].isel(year=-1)
        lo, hi = cloudsim.exceedance_probability(c, 38e9)["probability_ci"].values
        hit_p += lo <= p_true <= hi
        b = cloudsim.percentile_bands(c, q=0.5, ci=0.95)["cumulative_spend_ci"].values.ravel()
        hit_m += b[0] <= m_true <= b[1]
    # 95% intervals over 20 repetitions: fewer than 15 hits has probability < 0.3% (binomial)
    assert hit_p >= 15 and hit_m >= 15, (hit_p, hit_m)


def test_simulate_until_sobol_stops_on_the_replicate_interval(scn):
    """The returned run is simulate(n_final, sampler="sobol"), and the last history row is its replicate interval."""
    target = ("probability", "cumulative_spend", {"year": 2032}, 38e9)
    ds, hist = cloudsim.simulate_until(scn, [target], seed=2, abs_tol=0.02, block=512, sampler="sobol", replicates=8)
    n = int(ds.sizes["trial"])
    ref = cloudsim.simulate(scn, n, seed=2, sampler="sobol", replicates=8)
    np.testing.assert_array_equal(ds["spend"].values, ref["spend"].values)
    p = cloudsim.exceedance_probability(ref["cumulative_spend"].sel(year=2032), 38e9)
    last = hist.iloc[-1]
    np.testing.assert_allclose([last.ci_lower, last.ci_upper], p["probability_ci"].values, rtol=1e-12)
    assert hist.attrs["ci_kind"] == p.attrs["ci_kind"] and "replicate" in hist.attrs["ci_kind"]
    assert bool(last.met) == (last.half_width <= 0.02) and hist.attrs["converged"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda s: cloudsim.simulate_until(
                s, [("mean", "spend", {"year": 2028})], seed=1, rel_tol=0.1, block=100, sampler="sobol", replicates=8
            ),
            "trials.*multiple of 8",
        ),
        (
            lambda s: cloudsim.simulate_until(
                s, [("mean", "spend", {"year": 2028})], seed=1, rel_tol=0.1, sampler="qmc"
            ),
            "sampler: must be one of",
        ),
        (
            lambda s: cloudsim.simulate_until(
                s, [("mean", "spend", {"year": 2028})], seed=1, rel_tol=0.1, block=64, sampler="sobol", replicates=1
            ),
            "replicates: .* int >= 2",
        ),
        (lambda s: cloudsim.compare({"a": s, "b": s}, 64, seed=1, sampler="nope"), "sampler: must be one of"),
        (lambda s: cloudsim.simulate(s, 64, seed=1, sampler="lhs", replicates=2, start=64), "start: .* must be 0"),
        (
            lambda s: cloudsim.simulate(
                s.replace({"dependence.copula": "student", "dependence.df": 5}),
                64,
                seed=1,
                sampler="sobol",
                replicates=2,
            ),
            "Gaussian copula only",
        ),
        (lambda s: cloudsim.simulate(s, 64, seed=1, sampler="sobol", replicates=True), "replicates"),
    ],
)
def test_bad_sampler_input_names_the_field(scn, call, match):
    with pytest.raises(ValueError, match=match):
        call(scn)


def test_sobol_points_are_scipys_net_scrambled():
    """Unscrambled, the numba generator gives scipy's Sobol points (any stretch, any piece split); scrambled
    (LMS + digital shift), every one-dimensional projection of 2^m points keeps one point per stratum and the
    first two dimensions one per 2^(m/2) x 2^(m/2) box."""
    from scipy.special import ndtri as scipy_ndtri
    from scipy.stats import qmc

    from cloudsim.engine import _sobol

    d, n = 6, 1024
    sp = _sobol.sparse_map(np.eye(d))
    v = _sobol.direction_numbers(d)
    out = np.empty((n, d))
    pieces = (np.array([0, 0, 0]), np.array([0, 300, 301]), np.array([0, 300, 301]), np.array([300, 1, 723]))
    _sobol.sobol_scores(v[None], np.zeros((1, d), np.uint64), *pieces, *sp, 2.0**-60, out)
    # a point's top 52 bits, at the midpoint of their cell (the unscrambled points are multiples of 1/n)
    ref = scipy_ndtri(np.clip(qmc.Sobol(d, scramble=False, bits=64).random(n) + 2.0**-53, 2.0**-60, 1 - 2.0**-60))
    np.testing.assert_allclose(out, ref, rtol=1e-14, atol=1e-14)
    sv, sh = _sobol.scramble(d, np.random.default_rng(7))
    _sobol.sobol_scores(sv[None], sh[None], np.array([0]), np.array([0]), np.array([0]), np.array([n]), *sp,
                        2.0**-60, out)  # fmt: skip
    u = stats.norm.cdf(out)
    for k in range(d):
        np.testing.assert_array_equal(np.sort(np.floor(u[:, k] * n)), np.arange(n))
    assert len({tuple(b) for b in np.floor(u[:, :2] * 32).astype(int)}) == n


def test_two_pass_inverse_normal_is_ndtri_bit_for_bit():
    import numba

    from cloudsim.distributions._special import ndtri, ndtri_into

    @numba.njit
    def both(u, a, b):
        ndtri_into(u, a, np.empty(u.size, dtype=np.int64))
        for i in range(u.size):
            b[i] = ndtri(u[i])

    u = np.concatenate([np.random.default_rng(0).random(10_000), [2.0**-53, 1 - 2.0**-53, 0.075, 0.925, 1e-300]])
    a, b = np.empty_like(u), np.empty_like(u)
    both(u, a, b)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[:-1], stats.norm.ppf(u[:-1]), rtol=1e-14)


def test_sobol_scores_chunk_and_piece_invariant(scn, monkeypatch):
    """A Sobol run is the same whatever the pieces per thread or the chunk (determinism per replicate and point)."""
    from cloudsim.engine import run as engine_run
    from cloudsim.engine import samplers as smp

    a = cloudsim.simulate(scn, 2**12, seed=9, sampler="sobol", replicates=4)
    monkeypatch.setattr(smp, "SOBOL_PIECE", 77)
    monkeypatch.setattr(engine_run, "SCORE_CHUNK", 1000)
    b = cloudsim.simulate(scn, 2**12, seed=9, sampler="sobol", replicates=4)
    np.testing.assert_array_equal(a["cumulative_spend"].values, b["cumulative_spend"].values)


def test_score_map_ranks_by_tier_then_scaled_variance():
    """A lower tier comes first whatever its variance; within a tier the larger scale x conditional variance."""
    segs = [Segment("walk", [1, 2], 0, 100.0, 1), Segment("walk", [3, 4], 0, 1.0, 0), Segment("plain", [5], 0, 1.5, 0)]
    m = score_map(1, segs, 6)
    np.testing.assert_allclose(m @ m.T, np.eye(6), atol=1e-12)
    s = 2.0**-0.5
    np.testing.assert_allclose(m[1], [0, 0, 0, s, s, 0], atol=1e-12)  # tier 0, walk end: variance 2 x 1
    np.testing.assert_allclose(m[2], [0, 0, 0, 0, 0, 1], atol=1e-12)  # tier 0, plain: 1 x 1.5
    np.testing.assert_allclose(m[3], [0, 0, 0, s, -s, 0], atol=1e-12)  # tier 0, walk midpoint: 0.5 x 1
    np.testing.assert_allclose(np.abs(m[4]), [0, s, s, 0, 0, 0], atol=1e-12)  # tier 1 last


def test_deal_layout_spends_the_first_dimensions_on_spend(scn):
    """After the inputs: the spend walk's end value (equal weights on its shocks), then the shifts' occurrences."""
    d = scn.to_dict()
    n_in, dims, segs = scn.model.score_layout(d)
    m = score_map(n_in, [Segment(*s) for s in segs], dims)
    n_sh, n_years, hs = len(scn.model.shocks(d)), len(scn.model.years(d)), scn.model.horizons(d)["spend"]
    walk = [n_in + (t - 1) * n_sh + 2 for t in range(hs + 1, n_years)]  # spend is the third shock
    expect = np.zeros(dims)
    expect[walk] = 1.0 / np.sqrt(len(walk))
    np.testing.assert_allclose(m[n_in], expect, atol=1e-12)
    base = n_in + n_sh * (n_years - 1)
    for j in range(n_years - 1 - hs):
        assert np.flatnonzero(m[n_in + 1 + j]).tolist() == [base + 2 * j]
    assert dims == base + 2 * (n_years - 1 - hs)


@pytest.mark.parametrize("sampler", ["sobol", "lhs"])
def test_workload_shifts_come_from_the_points(scn, sampler):
    """With spend volatility 0 a shift is visible (spend growth below 1 + growth): in each replicate block of n
    stratified points the count of shifts in the first year after the claim year is floor or ceil of hazard x n
    (plain Monte Carlo would scatter binomially, sd about 9.6 here)."""
    d = scn.to_dict()
    d["spend"]["volatility"] = 0.0
    s = cloudsim.Scenario.from_dict(d)
    n, reps = 1024, 4
    ds = cloudsim.simulate(s, n * reps, seed=11, sampler=sampler, replicates=reps)
    y = d["years"]["start"] + s.model.horizons(d)["spend"]
    ratio = (ds["spend"].sel(year=y + 1) / ds["spend"].sel(year=y)).values / (1.0 + ds["spend_growth_late"].values)
    shifted = ratio < 1.0 - 1e-9
    hazard = d["spend"]["shift_hazard"]
    counts = shifted.reshape(reps, n).sum(axis=1)
    assert set(counts.tolist()) <= {int(np.floor(hazard * n)), int(np.ceil(hazard * n))}, counts
