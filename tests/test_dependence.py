"""Dependence: the input copula (Gaussian, Student-t) and correlated yearly shocks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cloudsim

THREE = [["spend_target", "seller_share_target", 0.6], ["spend_target", "market_growth", -0.3],
         ["seller_share_target", "market_growth", 0.2]]  # fmt: skip
NAMES = ["spend_target", "seller_share_target", "market_growth"]


def _ranks(ds):
    return stats.spearmanr(np.column_stack([ds[n].values for n in NAMES])).statistic


def test_gaussian_copula_hits_the_spearman_targets(scn):
    s = scn.replace({"dependence.spearman": THREE})
    ds = cloudsim.simulate(s, 200_000, seed=31)
    rho = _ranks(ds)
    target = np.array([[1, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 1]])
    np.testing.assert_allclose(rho, target, atol=0.01)


def test_student_copula_keeps_ranks_and_adds_tail_dependence(scn):
    g = scn.replace({"dependence.spearman": THREE})
    t = g.replace({"dependence.copula": "student", "dependence.df": 3})
    dg = cloudsim.simulate(g, 200_000, seed=32)
    dt = cloudsim.simulate(t, 200_000, seed=32)
    # the rank correlations stay close to the request (the Spearman -> linear map is exact only for Gaussians)
    target = np.array([[1, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 1]])
    np.testing.assert_allclose(_ranks(dt), target, atol=0.03)

    # joint upper tail of the positively correlated pair: P(both above their 99th percentile)
    def joint_tail(ds):
        a, b = ds.spend_target.values, ds.seller_share_target.values
        return np.mean((a > np.quantile(a, 0.99)) & (b > np.quantile(b, 0.99)))

    assert joint_tail(dt) > 1.5 * joint_tail(dg)
    # the marginals are unchanged by the copula
    for spec in t.inputs():
        assert stats.kstest(dt[spec.name].values, spec.distribution.cdf).pvalue > 1e-4, spec.name


def test_student_copula_engines_agree(scn):
    t = scn.replace({"dependence.copula": "student", "dependence.df": 5})
    a = cloudsim.simulate(t, 2000, seed=8)
    b = cloudsim.simulate(t, 2000, seed=8, engine="numpy")
    for v in ("spend_target", "seller_share_target", "market_growth", "spend", "share"):
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-9)


def test_correlated_yearly_shocks(scn):
    s = scn.replace({"dependence.shocks": [["market", "spend", 0.7], ["seller_share", "spend", -0.4]],
                     "spend.shift_hazard": 0.0})  # fmt: skip
    ds = cloudsim.simulate(s, 100_000, seed=3)
    # second differences of the log paths after the claim year cancel the per-trial drift
    lm = np.log(ds.market_size.sel(year=slice(2029, 2031)).values)
    ls = np.log(ds.spend.sel(year=slice(2029, 2031)).values)
    aws = ds.share.sel(provider="aws", year=slice(2029, 2031)).values
    xa = np.log(aws / (1 - aws))
    d2 = [np.diff(v, 2, axis=1)[:, 0] for v in (lm, ls, xa)]
    assert np.corrcoef(d2[0], d2[1])[0, 1] == pytest.approx(0.7, abs=0.01)
    assert np.corrcoef(d2[2], d2[1])[0, 1] == pytest.approx(-0.4, abs=0.01)
    assert np.corrcoef(d2[0], d2[2])[0, 1] == pytest.approx(0.0, abs=0.01)
    b = cloudsim.simulate(s, 1000, seed=3, engine="numpy")
    np.testing.assert_allclose(ds.market_size.values[:1000], b.market_size.values, rtol=1e-10)


def test_dependence_validation(scn):
    with pytest.raises(ValueError, match=r"dependence\.copula: must be one of gaussian, student"):
        scn.replace({"dependence.copula": "clayton"})
    with pytest.raises(ValueError, match=r"dependence\.df"):
        scn.replace({"dependence.copula": "student", "dependence.df": 0})
    with pytest.raises(ValueError, match=r"dependence\.shocks\[0\]: unknown shock 'gdp'"):
        scn.replace({"dependence.shocks": [["gdp", "spend", 0.1]]})
    bad = [["market", "spend", 0.9], ["market", "seller_share", 0.9], ["spend", "seller_share", -0.9]]
    with pytest.raises(ValueError, match=r"dependence\.shocks: the correlation matrix is not positive definite.*pair"):
        scn.replace({"dependence.shocks": bad})
    with pytest.raises(ValueError, match=r"dependence\.spearman\[1\]: pair"):
        scn.replace(
            {"dependence.spearman": [["spend_target", "market_growth", 0.1], ["market_growth", "spend_target", 0.2]]}
        )
