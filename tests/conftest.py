"""Shared fixtures: the default scenario, a cached simulation, an rng."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

import cloudsim

# the first example of a property test pays numba's compile time; examples are derandomized so
# that `make test` is reproducible (HYPOTHESIS_PROFILE=explore searches afresh each run)
settings.register_profile("cloudsim", deadline=None, max_examples=25, print_blob=True, derandomize=True)
settings.register_profile("explore", deadline=None, max_examples=200, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cloudsim"))


@pytest.fixture(scope="session")
def scn() -> cloudsim.Scenario:
    return cloudsim.load_scenario()


@pytest.fixture(scope="session")
def ds200k(scn):
    """200,000 trials of the default scenario (read-only: do not modify)."""
    return cloudsim.simulate(scn, 200_000, seed=20251103)


@pytest.fixture(scope="session")
def ds_small(scn):
    return cloudsim.simulate(scn, 2_000, seed=7)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
