"""A user's own model (``tests/user_model.py``) against a hand-fused kernel of its equations (``user-model-1e6``).

The user's kernel is written with cloudsim's shared helpers (``cloudsim.models.kit``:
the copula inputs drawn through the family dispatch); the hand-fused one below
writes the same equations with the scenario's distributions spelled out (two
log-normals and three triangulars, the copula factor's non-zero terms by hand).
Both draw the same variates, so their outputs agree to rounding, which is checked.
The target: the user's kernel takes at most 1.2x the time of the fused one.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from _common import SEED

import cloudsim
from cloudsim import _rng
from cloudsim.distributions import ndtr
from cloudsim.engine import allocate
from cloudsim.models import kit

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))
import user_model  # noqa: E402

ROUNDS = 7


@numba.njit(cache=True, inline="always")
def _triangular(z, lo, mode, hi):
    """The triangular's quantile at ``ndtr(z)``, both tails from their own side (as the family computes it)."""
    p, q, width = ndtr(z), ndtr(-z), hi - lo
    g = lo + math.sqrt(p * width * (mode - lo)) if p * width < mode - lo else hi - math.sqrt(q * width * (hi - mode))
    return min(max(g, lo), hi)


@numba.njit(cache=True, parallel=True)
def fused_gpu(key, start, n, c, par, sigma, h, gpu_hours, decline, capacity, revenue, cumulative, inputs):
    """The user model's equations for this scenario's families, by hand: ``c`` the 5x5 copula factor."""
    ki, wi, fi = kit.KI, kit.WI, kit.FI
    n_years = capacity.shape[1]
    for b in numba.prange((n + 1023) // 1024):
        s = np.empty(4, np.uint64)
        for i in range(b * 1024, min((b + 1) * 1024, n)):
            kit.seed_trial(s, key, start + i)
            z0 = kit.next_normal(s, ki, wi, fi)
            z1 = kit.next_normal(s, ki, wi, fi)
            z2 = kit.next_normal(s, ki, wi, fi)
            z3 = kit.next_normal(s, ki, wi, fi)
            z4 = kit.next_normal(s, ki, wi, fi)
            c0 = math.exp(par[0, 0] + par[0, 1] * (c[0, 0] * z0))
            c1 = math.exp(par[1, 0] + par[1, 1] * (c[1, 1] * z1))
            g = _triangular(c[2, 1] * z1 + c[2, 2] * z2, par[2, 0], par[2, 1], par[2, 2])
            u = _triangular(c[3, 3] * z3, par[3, 0], par[3, 1], par[3, 2])
            price = _triangular(c[4, 3] * z3 + c[4, 4] * z4, par[4, 0], par[4, 1], par[4, 2])
            inputs[i, 0], inputs[i, 1], inputs[i, 2], inputs[i, 3], inputs[i, 4] = c0, c1, g, u, price
            lg, lh, drift, cum = math.log(c0), math.log(c1), math.log1p(g) - 0.5 * sigma * sigma, 0.0
            for t in range(n_years):
                if t > 0:
                    e = kit.next_normal(s, ki, wi, fi)
                    if t < h:
                        lg += (lh - lg) / (h + 1 - t) + sigma * math.sqrt((h - t) / (h + 1 - t)) * e
                    elif t == h:
                        lg = lh
                    else:
                        lg += drift + sigma * e
                cap = c0 if t == 0 else c1 if t == h else math.exp(lg)
                capacity[i, t] = cap
                r = cap * gpu_hours * u * price * (1.0 - decline) ** t
                revenue[i, t] = r
                cum += r
                cumulative[i, t] = cum


@pytest.fixture(scope="module")
def setup(size):
    scn = cloudsim.Scenario.from_toml((TESTS / "data" / "user-gpu.toml").read_text("utf-8"))
    key, _ = _rng.key_from_seed(SEED)
    return scn, size(10**6), scn.pack(), key


def _run_model(scn, trials, pk, key):
    out = allocate(scn, trials, np.dtype(np.float64))
    scn.model.run(key, 0, 0, trials, pk, out)
    return out


def _run_fused(scn, trials, pk, key):
    out = allocate(scn, trials, np.dtype(np.float64))
    assert [d.family for d in pk.inputs.dists] == ["lognormal", "lognormal", "triangular", "triangular", "triangular"]
    c = pk.inputs.chol
    assert c[1, 0] == c[3, 0] == c[3, 1] == c[3, 2] == c[4, 0] == c[4, 1] == c[4, 2] == c[2, 0] == 0.0
    par = np.stack([d.packed() for d in pk.inputs.dists])
    fused_gpu(np.uint64(key), np.int64(0), np.int64(trials), c, par, pk.sigma, pk.h, pk.gpu_hours, pk.decline,
              *(out[n] for n in user_model.OUT))  # fmt: skip
    return out


@pytest.mark.benchmark(group="user-model-1e6")
@pytest.mark.parametrize("version", ["model", "fused"])
def test_user_kernel(benchmark, setup, _numba_threads, version):
    """One kernel call over 1e6 trials of the user model's scenario."""
    scn, trials, pk, key = setup
    run = _run_model if version == "model" else _run_fused
    run(scn, 1000, pk, key)  # compile or load from the cache outside the timing
    held: dict = {}
    benchmark.pedantic(lambda: held.__setitem__("out", run(scn, trials, pk, key)), setup=held.clear, rounds=ROUNDS,
                       warmup_rounds=1)  # fmt: skip
    other = (_run_fused if version == "model" else _run_model)(scn, min(trials, 50_000), pk, key)
    for name, arr in other.items():
        got = held["out"][name][: arr.shape[0]]
        if arr.dtype == bool:
            assert np.mean(got != arr) < 1e-3, name
        else:
            np.testing.assert_allclose(got, arr, rtol=1e-10, atol=1e-3, err_msg=name)
    benchmark.extra_info.update(kind="user_kernel", version=version, trials=trials, threads=_numba_threads)
