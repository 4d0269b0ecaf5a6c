"""Streams from a second seed (``simulate(..., second_seed=, second_streams=)``): the pick-freeze runs' contract."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

import cloudsim
from cloudsim.engine import run as engine_run

N = 3_000
S1, S2 = 11, 22
OUTPUTS = ("spend", "cumulative_spend", "market_size", "share", "commitment_met", "commitment_shortfall")


def _same(a, b, names=OUTPUTS) -> None:
    for v in names:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)


@pytest.fixture(scope="module")
def runs(scn):
    return {
        "a": cloudsim.simulate(scn, N, seed=S1),
        "b": cloudsim.simulate(scn, N, seed=S2),
        "streams": scn.model.streams(scn.to_dict()),
    }


@pytest.fixture(scope="module")
def independent(scn):
    """The article without its copula: each input is its own independent normal."""
    return scn.replace({"dependence.spearman": []})


def test_stream_names_are_the_inputs_the_shocks_and_the_shifts(scn, runs):
    d = scn.to_dict()
    expected = [i.name for i in scn.inputs()] + [f"shocks.{k}" for k in scn.model.shocks(d)] + ["workload_shifts"]
    assert runs["streams"] == expected
    student = scn.replace({"dependence.copula": "student"})
    assert student.model.streams(student.to_dict())[-1] == "copula_chi2"


def test_no_stream_swapped_is_the_first_seed_and_all_swapped_the_second(scn, runs):
    _same(cloudsim.simulate(scn, N, seed=S1, second_seed=S2, second_streams=[]), runs["a"])
    every = cloudsim.simulate(scn, N, seed=S1, second_seed=S2, second_streams=runs["streams"])
    _same(every, runs["b"])
    inputs = [i.name for i in scn.inputs()]
    _same(every, runs["b"], inputs)
    assert every.attrs["second_seed"] == str(S2)


def test_student_copula_all_swapped_is_the_second_seed(scn):
    st = scn.replace({"dependence.copula": "student"})
    names = st.model.streams(st.to_dict())
    _same(
        cloudsim.simulate(st, 1000, seed=S1, second_seed=S2, second_streams=names), cloudsim.simulate(st, 1000, seed=S2)
    )


def test_one_input_swapped_in_the_independent_space(independent):
    a = cloudsim.simulate(independent, N, seed=S1)
    b = cloudsim.simulate(independent, N, seed=S2)
    ab = cloudsim.simulate(independent, N, seed=S1, second_seed=S2, second_streams=["spend_target"])
    np.testing.assert_array_equal(ab["spend_target"].values, b["spend_target"].values)
    for other in ("spend_start", "market_growth", "seller_share_target"):
        np.testing.assert_array_equal(ab[other].values, a[other].values)
    # the market's path depends on its own inputs and shocks only: untouched
    np.testing.assert_array_equal(ab["market_size"].values, a["market_size"].values)
    assert not np.array_equal(ab["spend"].values, a["spend"].values)


def test_swapping_shocks_changes_only_their_process(independent):
    a = cloudsim.simulate(independent, N, seed=S1)
    b = cloudsim.simulate(independent, N, seed=S2)
    ab = cloudsim.simulate(independent, N, seed=S1, second_seed=S2, second_streams=["shocks.market"])
    inputs = [i.name for i in independent.inputs()]
    _same(ab, a, [*inputs, "spend"])
    assert not np.array_equal(ab["market_size"].values, a["market_size"].values)
    # with the market's inputs swapped too, the market's path is the second seed's
    ab2 = cloudsim.simulate(independent, N, seed=S1, second_seed=S2,
                            second_streams=["shocks.market", "market_growth", "market_growth_late"])  # fmt: skip
    np.testing.assert_array_equal(ab2["market_size"].values, b["market_size"].values)


def test_a_swapped_input_keeps_its_copula_dependence(scn):
    """The swap happens before the copula: the run's inputs keep the scenario's rank correlations."""
    n = 40_000
    ab = cloudsim.simulate(scn, n, seed=S1, second_seed=S2, second_streams=["spend_target"])
    rho = stats.spearmanr(ab["spend_target"].values, ab["seller_share_target"].values).statistic
    assert abs(rho - 0.4) < 4 * 1.0 / np.sqrt(n)


def test_offset_thread_and_chunk_invariance(scn, runs, monkeypatch):
    kw = {"second_seed": S2, "second_streams": ["spend_target", "shocks.spend", "workload_shifts"]}
    full = cloudsim.simulate(scn, 1000, seed=S1, **kw)
    part = cloudsim.simulate(scn, 600, seed=S1, start=400, **kw)
    for v in OUTPUTS:
        np.testing.assert_array_equal(full[v].values[400:], part[v].values, err_msg=v)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = cloudsim.simulate(scn, 1000, seed=S1, **kw)
    finally:
        numba.set_num_threads(threads)
    _same(one, full)
    monkeypatch.setattr(engine_run, "CHUNK", 96)
    _same(cloudsim.simulate(scn, 1000, seed=S1, **kw), full)


def test_given_inputs_with_a_second_seed(scn):
    vals = np.full(500, 2.0e9)
    kw = {"second_seed": S2, "second_streams": ["shocks.spend"]}
    ab = cloudsim.simulate(scn, 500, seed=S1, inputs={"spend_target": vals}, **kw)
    np.testing.assert_array_equal(ab["spend_target"].values, vals)
    again = cloudsim.simulate(scn, 500, seed=S1, inputs={"spend_target": vals}, **kw)
    _same(ab, again)


def test_bad_arguments(scn):
    with pytest.raises(ValueError, match="unknown stream 'nope'; allowed"):
        cloudsim.simulate(scn, 10, seed=1, second_seed=2, second_streams=["nope"])
    with pytest.raises(TypeError, match="second_streams: expected a list"):
        cloudsim.simulate(scn, 10, seed=1, second_seed=2, second_streams="spend_target")
    with pytest.raises(ValueError, match="second_seed: give second_streams"):
        cloudsim.simulate(scn, 10, seed=1, second_seed=2)
    with pytest.raises(ValueError, match="need sampler='mc'"):
        cloudsim.simulate(scn, 64, seed=1, sampler="sobol", second_seed=2, second_streams=[])
    with pytest.raises(ValueError, match="engine='numba'"):
        cloudsim.simulate(scn, 10, seed=1, engine="numpy", second_seed=2, second_streams=[])
    with pytest.raises(ValueError, match="lazy run"):
        cloudsim.simulate(scn, 10, seed=1, chunks=5, second_seed=2, second_streams=[])
    with pytest.raises(ValueError, match="seed: must be >= 0"):
        cloudsim.simulate(scn, 10, seed=1, second_seed=-1, second_streams=[])
    port = cloudsim.load_scenario("openai-compute-2025")
    with pytest.raises(ValueError, match="cannot draw streams from a second seed"):
        cloudsim.simulate(port, 10, seed=1, second_seed=2, second_streams=[])
