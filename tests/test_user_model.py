"""A model of the user's own (``tests/user_model.py``, outside cloudsim) keeps the contract every model keeps.

It reaches cloudsim the ways a user's model does: a scenario naming its reference
(``model = "user_model:MODEL"``), an entry point of the group ``cloudsim.models``
in a package's metadata, or :func:`cloudsim.models.register_model`.  A malformed
declaration is refused naming the attribute, and numba's cache serves its kernel
to a second process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import user_model
from test_models import ModelContract

import cloudsim
import cloudsim.models
from cloudsim.models import Model, check_model, get_model, list_models, register_model

HERE = Path(__file__).parent
TOML = (HERE / "data" / "user-revenue.toml").read_text("utf-8")


@pytest.fixture
def registry():
    """The registry as it was, restored after the test."""
    saved = dict(cloudsim.models._REGISTRY)
    yield cloudsim.models._REGISTRY
    cloudsim.models._REGISTRY.clear()
    cloudsim.models._REGISTRY.update(saved)


class TestUserModel(ModelContract):
    @classmethod
    def make(cls):
        return cloudsim.Scenario.from_toml(TOML)

    def test_named_by_its_reference(self, scenario, ds):
        assert scenario.model is user_model.MODEL and scenario["model"] == "user_model:MODEL"
        assert ds.attrs["model"] == "revenue" and ds.revenue.attrs["long_name"] == "Nebula's annual revenue from Acme"

    def test_revenue_from_first_principles(self, scenario, ds):
        """The claim values at their years, the cumulative sum and the commitment, recomputed here."""
        np.testing.assert_array_equal(ds.revenue.sel(year=2025).values, ds.revenue_start.values)
        np.testing.assert_array_equal(ds.revenue.sel(year=2028).values, ds.revenue_target.values)
        cum = ds.revenue.sel(year=slice(2026, 2030)).sum("year").values
        np.testing.assert_allclose(ds.cumulative_revenue.sel(year=2030).values, cum, rtol=1e-12)
        assert np.mean((cum >= 25e9) != ds.commitment_met.values) < 1e-3
        np.testing.assert_allclose(ds.commitment_shortfall.values, np.maximum(25e9 - cum, 0.0), rtol=1e-9, atol=1.0)
        assert (ds.revenue.values > 0).all() and 0.2 < float(ds.commitment_met.mean()) < 0.95

    def test_claims_honoured(self, scenario):
        """The "+" claim holds with its stated 0.80 at 200,000 trials (within 0.01)."""
        big = cloudsim.simulate(scenario, 200_000, seed=2026)
        for sample in scenario.model.claim_samples(big, scenario.to_dict()):
            for _, low, high, stated in scenario.claims[sample.claim].checks(sample.which):
                p = float(np.mean((sample.samples >= low) & (sample.samples <= high)))
                assert abs(p - stated) <= 0.01, (sample.which, p, stated)

    def test_bands_claims_and_compare_work_unchanged(self, scenario, ds):
        bands = cloudsim.percentile_bands(ds["revenue"])
        assert (bands.sel(year=2031).diff("quantile") > 0).all()
        table = cloudsim.check_claims(ds)
        assert len(table) == 2 and set(table["claim"]) == {"revenue"}
        other = scenario.replace({"commitment.total": "$15B"})
        assert other.model is scenario.model and other.to_dict()["commitment"]["total"] == 15e9

    def test_bad_scenarios_name_the_key(self, scenario):
        with pytest.raises(ValueError, match=r"commitment\.last_year"):
            scenario.replace({"commitment.last_year": 2040})
        with pytest.raises(ValueError, match=r"claims\.revenue\.years"):
            scenario.replace({"claims.revenue.years": 9})
        with pytest.raises(ValueError, match=r"revenue\.volatility: must be in \[0, 2\]"):
            scenario.replace({"revenue.volatility": 3.0})


def test_registered_by_name_in_python(registry):
    registry.pop("revenue", None)
    model = register_model(user_model.RevenueModel())
    scn = cloudsim.Scenario.from_toml(TOML.replace('model = "user_model:MODEL"', 'model = "revenue"'))
    assert scn.model is model and get_model("revenue") is model and "revenue" in list_models()
    with pytest.raises(ValueError, match=r"model\.name: 'revenue' is already registered"):
        register_model(user_model.RevenueModel())


def test_declared_as_an_entry_point(registry, tmp_path, monkeypatch):
    """A package's metadata declares it (a dist-info on sys.path, as an installed package has)."""
    registry.pop("revenue", None)
    info = tmp_path / "userpkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: userpkg\nVersion: 1.0\n")
    points = "[cloudsim.models]\nrevenue = user_model:RevenueModel\nwrong = user_model:MODEL\n"
    (info / "entry_points.txt").write_text(points)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"revenue", "wrong", "deal", "portfolio"} <= set(list_models())
    scn = cloudsim.Scenario.from_toml(TOML.replace('model = "user_model:MODEL"', 'model = "revenue"'))
    assert isinstance(scn.model, user_model.RevenueModel) and registry["revenue"] is scn.model
    with pytest.raises(ValueError, match=r"entry point 'wrong' .*names a model called 'revenue'"):
        get_model("wrong")


def test_bundled_models_take_the_same_path():
    assert cloudsim.models.BUNDLED == {
        "deal": "cloudsim.models.deal:DealModel",
        "portfolio": "cloudsim.models.portfolio:PortfolioModel",
    }
    assert cloudsim.models.load_model("cloudsim.models.deal:DealModel") is get_model("deal")


class _NoKernel(Model):
    name = "nokernel"
    schema = user_model.RevenueModel.schema

    def inputs(self, d):
        return []

    shocks = outputs = pack = reference = inputs


BAD_MODELS = [
    (lambda: user_model.RevenueModel, TypeError, r"model: .*got the class RevenueModel; register an instance"),
    (lambda: object(), TypeError, r"model: expected an instance of cloudsim\.models\.Model, got object"),
    (lambda: type("M", (user_model.RevenueModel,), {"name": ""})(), ValueError, r"model\.name: M needs a non-empty"),
    (lambda: type("M", (user_model.RevenueModel,), {"name": "a:b"})(), ValueError, r"model\.name"),
    (lambda: type("M", (user_model.RevenueModel,), {"schema": []})(), TypeError, r"model\.schema: M\.schema must be"),
    (lambda: type("M", (user_model.RevenueModel,), {"schema": {"name": 1, "model": 1}})(), ValueError,
     r"model\.schema: M\.schema has no key 'years\.start'"),
    (lambda: type("M", (user_model.RevenueModel,), {"optional_tables": frozenset({"nope"})})(), ValueError,
     r"model\.optional_tables: 'nope' is not a table"),
    (lambda: type("M", (user_model.RevenueModel,), {"optional_tables": ["years"]})(), TypeError,
     r"model\.optional_tables: M\.optional_tables must be a frozenset"),
    (lambda: type("M", (user_model.RevenueModel,), {"summary": 3})(), TypeError, r"model\.summary"),
    (lambda: _NoKernel(), ValueError, r"model\.run: _NoKernel does not define run\(\)"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error", "match"), BAD_MODELS)
def test_malformed_declarations_name_the_attribute(make, error, match, registry):
    with pytest.raises(error, match=match):
        check_model(make())
    with pytest.raises(error, match=match):
        register_model(make())
    assert "nokernel" not in registry and "" not in registry


@pytest.mark.parametrize(
    ("model", "error", "match"),
    [
        ("no_such_module_xyz:MODEL", ValueError, r"model: cannot import module 'no_such_module_xyz'"),
        ("user_model:NOPE", ValueError, r"model: module 'user_model' has no attribute 'NOPE'"),
        ("user_model:BLOCK", TypeError, r"model: 'user_model:BLOCK' is a int, not a cloudsim\.models\.Model"),
        ("user_model:", ValueError, r"model: unknown model 'user_model:'|model: a model reference is"),
        ("nope", ValueError, r"model: unknown model 'nope'; registered: deal, portfolio.*entry point"),
    ],
)
def test_a_scenario_naming_a_bad_model_is_refused(model, error, match):
    with pytest.raises(error, match=match):
        cloudsim.Scenario.from_toml(TOML.replace('"user_model:MODEL"', f'"{model}"'))


FIRST_SIMULATE = """
import json, sys, time
from pathlib import Path
import cloudsim
scn = cloudsim.Scenario.from_toml(Path(sys.argv[1]).read_text())
t0 = time.perf_counter()
cloudsim.simulate(scn, 1000, seed=1)
t1 = time.perf_counter()
cloudsim.simulate(scn, 100_000, seed=1)
t2 = time.perf_counter()
import user_model  # imported by the scenario's model key already
st = user_model.simulate_revenue.stats
print(json.dumps({"first_simulate_s": t1 - t0, "run_1e5_s": t2 - t1, "hits": sum(st.cache_hits.values()),
                  "misses": sum(st.cache_misses.values())}))
"""


def _first_simulate(cache: Path) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-c", FIRST_SIMULATE, str(HERE / "data" / "user-revenue.toml")],
                          env=env, capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_numba_caches_the_user_kernel_for_a_second_process(tmp_path):
    """The first process compiles and writes the cache; the second loads the kernel from it (a hit, no miss)."""
    cold = _first_simulate(tmp_path)
    index = [p.name for p in tmp_path.rglob("user_model.simulate_revenue-*.nbi")]
    assert len(index) == 1 and list(tmp_path.rglob("user_model.simulate_revenue-*.nbc")), index
    assert cold["misses"] >= 1 and cold["hits"] == 0
    warm = _first_simulate(tmp_path)
    assert warm["hits"] >= 1 and warm["misses"] == 0, warm
    print(f"user model: cold first simulate {cold['first_simulate_s']:.2f} s, warm {warm['first_simulate_s']:.2f} s, "
          f"1e5 trials {warm['run_1e5_s']:.3f} s")  # fmt: skip


def test_the_command_line_runs_it(tmp_path, capsys):
    from cloudsim.cli import main

    out = tmp_path / "revenue.nc"
    args = ["run", str(HERE / "data" / "user-revenue.toml"), "--trials", "2000", "--seed", "1", "--out", str(out)]
    assert main([*args, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "P(the commitment: cumulative spend from 2026 reaches $25.0B by 2030)" in text
    assert "revenue" in text and "P(X >= $5 Billion) = 0.80" in text
    import xarray as xr

    with xr.open_dataset(out) as back:
        assert back.attrs["model"] == "revenue" and back.revenue.attrs["units"] == "USD"
