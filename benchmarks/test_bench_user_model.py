"""A user's own model (``tests/user_model.py``) against a hand-fused kernel of its equations (``user-model-1e6``).

The user's kernel is written with cloudsim's shared helpers (``cloudsim.models.kit``:
the copula inputs drawn through the family dispatch); the hand-fused one below
writes the same equations with the scenario's distributions spelled out (two
log-normals and a triangular, the copula factor as constants).  Both draw the same
variates, so their outputs agree to rounding, which is checked.  The target: the
user's kernel takes at most 1.2x the time of the fused one.
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


@numba.njit(cache=True, parallel=True)
def fused_revenue(key, start, n, c, par, sigma, h, first, last, total, revenue, cumulative, inputs, met, short):
    """The user model's equations for this scenario's families, by hand: ``c`` the 3x3 copula factor."""
    ki, wi, fi = kit.KI, kit.WI, kit.FI
    n_years = revenue.shape[1]
    lo_t, mode_t, hi_t = par[2, 0], par[2, 1], par[2, 2]
    for b in numba.prange((n + 1023) // 1024):
        s = np.empty(4, np.uint64)
        for i in range(b * 1024, min((b + 1) * 1024, n)):
            kit.seed_trial(s, key, start + i)
            z0 = kit.next_normal(s, ki, wi, fi)
            z1 = kit.next_normal(s, ki, wi, fi)
            z2 = kit.next_normal(s, ki, wi, fi)
            r0 = math.exp(par[0, 0] + par[0, 1] * (c[0, 0] * z0))
            r1 = math.exp(par[1, 0] + par[1, 1] * (c[1, 0] * z0 + c[1, 1] * z1))
            zg = c[2, 0] * z0 + c[2, 1] * z1 + c[2, 2] * z2
            p, q, width = ndtr(zg), ndtr(-zg), hi_t - lo_t
            if p * width < mode_t - lo_t:
                g = lo_t + math.sqrt(p * width * (mode_t - lo_t))
            else:
                g = hi_t - math.sqrt(q * width * (hi_t - mode_t))
            g = min(max(g, lo_t), hi_t)
            inputs[i, 0], inputs[i, 1], inputs[i, 2] = r0, r1, g
            lg, lh, drift, cum = math.log(r0), math.log(r1), math.log1p(g) - 0.5 * sigma * sigma, 0.0
            for t in range(n_years):
                if t > 0:
                    e = kit.next_normal(s, ki, wi, fi)
                    if t < h:
                        lg += (lh - lg) / (h + 1 - t) + sigma * math.sqrt((h - t) / (h + 1 - t)) * e
                    elif t == h:
                        lg = lh
                    else:
                        lg += drift + sigma * e
                r = r0 if t == 0 else r1 if t == h else math.exp(lg)
                revenue[i, t] = r
                if t >= first:
                    cum += r
                cumulative[i, t] = cum
            met[i] = cumulative[i, last] >= total
            short[i] = max(total - cumulative[i, last], 0.0)


@pytest.fixture(scope="module")
def setup(size):
    scn = cloudsim.Scenario.from_toml((TESTS / "data" / "user-revenue.toml").read_text("utf-8"))
    key, _ = _rng.key_from_seed(SEED)
    return scn, size(10**6), scn.pack(), key


def _run_model(scn, trials, pk, key):
    out = allocate(scn, trials, np.dtype(np.float64))
    scn.model.run(key, 0, 0, trials, pk, out)
    return out


def _run_fused(scn, trials, pk, key):
    out = allocate(scn, trials, np.dtype(np.float64))
    assert [d.family for d in pk.inputs.dists] == ["lognormal", "lognormal", "triangular"]
    par = np.stack([d.packed() for d in pk.inputs.dists])
    fused_revenue(np.uint64(key), np.int64(0), np.int64(trials), pk.inputs.chol, par, pk.sigma, pk.h, pk.first,
                  pk.last, pk.total, *(out[n] for n in user_model.OUT))  # fmt: skip
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
