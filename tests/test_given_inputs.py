"""Per-trial input values given from outside: ``simulate(..., inputs={...})`` (common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudsim

N = 500
SEED = 11


@pytest.fixture(scope="module")
def base(scn):
    return cloudsim.simulate(scn, N, seed=SEED)


def _equal(a, b, names):
    for name in names:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_own_draws_given_back_reproduce_the_run_bit_for_bit(scn, base):
    given_all = {i.name: base[i.name].values for i in scn.inputs()}
    again = cloudsim.simulate(scn, N, seed=SEED, inputs=given_all)
    _equal(base, again, [str(v) for v in base.data_vars])


def test_given_value_is_used_and_the_rest_is_unchanged(scn, base):
    rng = np.random.default_rng(0)
    target = np.exp(rng.uniform(np.log(2e9), np.log(6e9), N))
    ds = cloudsim.simulate(scn, N, seed=SEED, inputs={"spend_target": target})
    np.testing.assert_array_equal(ds["spend_target"].values, target)
    # the spend path is pinned to the target in its claim year (the bridge ends there)
    np.testing.assert_array_equal(ds["spend"].sel(year=scn.claim_years["spend"]).values, target)
    others = [i.name for i in scn.inputs() if i.name != "spend_target"]
    _equal(base, ds, others)
    # the market does not depend on spend: its whole path is that of the run without inputs
    _equal(base, ds, ["market_size"])
    assert not np.array_equal(base["spend"].values, ds["spend"].values)


def test_numpy_reference_agrees_with_given_inputs(scn):
    rng = np.random.default_rng(1)
    vals = {"market_growth": rng.uniform(0.1, 0.6, 300), "seller_share_target": rng.uniform(0.2, 0.6, 300)}
    a = cloudsim.simulate(scn, 300, seed=3, start=40, inputs=vals)
    b = cloudsim.simulate(scn, 300, seed=3, start=40, inputs=vals, engine="numpy")
    for name in a.data_vars:
        if a[name].dtype.kind == "f":
            np.testing.assert_allclose(a[name].values, b[name].values, rtol=1e-10, err_msg=str(name))
        else:
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=str(name))


@given(lo=st.integers(0, 150), n=st.integers(1, 100))
def test_a_slice_with_its_given_values_equals_the_rows_of_the_larger_run(scn, lo, n):
    vals = np.linspace(1e9, 8e9, 250)
    big = cloudsim.simulate(scn, 250, seed=5, inputs={"spend_target": vals})
    part = cloudsim.simulate(scn, n, seed=5, start=lo, inputs={"spend_target": vals[lo : lo + n]})
    np.testing.assert_array_equal(part["spend"].values, big["spend"].values[lo : lo + n])


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        ({"nope": np.ones(10)}, "unknown input 'nope'; allowed: \\['spend_start'"),
        ({"spend_target": np.ones(9)}, "length trials=10"),
        ({"spend_target": np.full(10, np.nan)}, "finite"),
        ({"spend_target": np.full(10, -1.0)}, "inside the support"),
        ({"seller_share_target": np.full(10, 1.0)}, "inside the support"),
    ],
)
def test_bad_inputs_are_refused(scn, inputs, match):
    with pytest.raises(ValueError, match=match):
        cloudsim.simulate(scn, 10, seed=0, inputs=inputs)


def test_inputs_type_and_lazy_run_are_refused(scn):
    with pytest.raises(TypeError, match="inputs: expected a mapping"):
        cloudsim.simulate(scn, 10, seed=0, inputs=[1.0])
    with pytest.raises(ValueError, match="lazy run"):
        cloudsim.simulate(scn, 10, seed=0, chunks=5, inputs={"spend_target": np.ones(10)})
