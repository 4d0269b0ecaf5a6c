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
TOML = (HERE / "data" / "user-gpu.toml").read_text("utf-8")


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
        assert ds.attrs["model"] == "gpu_capacity" and ds.capacity.attrs["long_name"] == "Nebula's GPU capacity online"
        assert ds.capacity.attrs["units"] == "GW" and scenario.claims["capacity"].unit == "GW"

    def test_capacity_and_revenue_from_first_principles(self, scenario, ds):
        """The claim values at their years; revenue = GW x GPUs/GW x 8760 h x utilisation x price, recomputed here."""
        np.testing.assert_array_equal(ds.capacity.sel(year=2025).values, ds.capacity_start.values)
        np.testing.assert_array_equal(ds.capacity.sel(year=2026).values, ds.capacity_target.values)
        t = ds.year.values - 2025
        price = ds.price.values[:, None] * 0.8 ** t[None, :]
        expected = ds.capacity.values * 700_000 * 8760 * ds.utilisation.values[:, None] * price
        np.testing.assert_allclose(ds.revenue.values, expected, rtol=1e-12)
        np.testing.assert_allclose(ds.cumulative_revenue.values, np.cumsum(expected, axis=1), rtol=1e-12)
        assert (ds.capacity.values > 0).all() and ((ds.utilisation >= 0.55) & (ds.utilisation <= 0.9)).all()

    def test_claims_honoured(self, scenario):
        """'1 GW+' by 2026 holds with its stated 0.80 at 200,000 trials (within 0.01), '420 MW' is the 2025 median."""
        big = cloudsim.simulate(scenario, 200_000, seed=2026)
        assert abs(float((big.capacity.sel(year=2026) >= 1.0).mean()) - 0.8) <= 0.01
        assert abs(float(big.capacity.sel(year=2025).median()) - 0.42) <= 0.42 * 0.01
        for sample in scenario.model.claim_samples(big, scenario.to_dict()):
            for _, low, high, stated in scenario.claims[sample.claim].checks(sample.which):
                p = float(np.mean((sample.samples >= low) & (sample.samples <= high)))
                assert abs(p - stated) <= 0.01, (sample.which, p, stated)

    def test_claims_in_any_unit_of_power(self, scenario):
        same = scenario.replace(
            {"claims.capacity.post_deal": "1,000 MW+", "claims.capacity.pre_deal": "0.42 gigawatts"}
        )
        assert same.inputs()[1].distribution == scenario.inputs()[1].distribution
        assert same.inputs()[0].distribution.median() == pytest.approx(0.42, rel=1e-12)

    def test_bands_claims_and_compare_work_unchanged(self, scenario, ds):
        bands = cloudsim.percentile_bands(ds["capacity"])
        assert (bands.sel(year=2029).diff("quantile") > 0).all()
        table = cloudsim.check_claims(ds)
        assert len(table) == 2 and set(table["claim"]) == {"capacity"}
        assert list(table["statement"]) == ["P(X >= 420 MW) = 0.50", "P(X >= 1 GW) = 0.80"] and table["holds"].all()
        cheaper = scenario.replace({"gpus.price_decline": 0.4})
        both = cloudsim.compare({"base": scenario, "cheaper": cheaper}, 2000, seed=3)
        assert set(both.data_vars) >= {"capacity", "revenue"}
        np.testing.assert_array_equal(both.capacity.sel(scenario="base"), both.capacity.sel(scenario="cheaper"))
        assert (both.revenue.sel(scenario="cheaper", year=2030) < both.revenue.sel(scenario="base", year=2030)).all()

    def test_bad_scenarios_name_the_key(self, scenario):
        with pytest.raises(ValueError, match=r"claims\.capacity\.years: the claim year must lie in 2026-2030"):
            scenario.replace({"claims.capacity.years": 9})
        with pytest.raises(ValueError, match=r"claims\.capacity\.post_deal: '1 GWh\+' is in Wh"):
            scenario.replace({"claims.capacity.post_deal": "1 GWh+"})
        with pytest.raises(ValueError, match=r"claims\.capacity\.pre_deal: a capacity claim needs a quantity in GW"):
            scenario.replace({"claims.capacity.pre_deal": "$1B"})
        with pytest.raises(
            ValueError, match=r"gpus\.utilisation: a distribution here must have its support in \[0, 1\]"
        ):
            scenario.replace({"gpus.utilisation": {"family": "uniform", "lower": 0.5, "upper": 1.2}})
        with pytest.raises(ValueError, match=r"capacity\.volatility: must be in \[0, 2\]"):
            scenario.replace({"capacity.volatility": 3.0})


def test_registered_by_name_in_python(registry):
    registry.pop("gpu_capacity", None)
    model = register_model(user_model.GpuCapacityModel())
    scn = cloudsim.Scenario.from_toml(TOML.replace('model = "user_model:MODEL"', 'model = "gpu_capacity"'))
    assert scn.model is model and get_model("gpu_capacity") is model and "gpu_capacity" in list_models()
    with pytest.raises(ValueError, match=r"model\.name: 'gpu_capacity' is already registered"):
        register_model(user_model.GpuCapacityModel())


def test_declared_as_an_entry_point(registry, tmp_path, monkeypatch):
    """A package's metadata declares it (a dist-info on sys.path, as an installed package has)."""
    registry.pop("gpu_capacity", None)
    info = tmp_path / "userpkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: userpkg\nVersion: 1.0\n")
    points = "[cloudsim.models]\ngpu_capacity = user_model:GpuCapacityModel\nwrong = user_model:MODEL\n"
    (info / "entry_points.txt").write_text(points)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"gpu_capacity", "wrong", "deal", "portfolio"} <= set(list_models())
    scn = cloudsim.Scenario.from_toml(TOML.replace('model = "user_model:MODEL"', 'model = "gpu_capacity"'))
    assert isinstance(scn.model, user_model.GpuCapacityModel) and registry["gpu_capacity"] is scn.model
    with pytest.raises(ValueError, match=r"entry point 'wrong' .*names a model called 'gpu_capacity'"):
        get_model("wrong")


def test_bundled_models_take_the_same_path():
    assert cloudsim.models.BUNDLED == {
        "deal": "cloudsim.models.deal:DealModel",
        "portfolio": "cloudsim.models.portfolio:PortfolioModel",
    }
    assert cloudsim.models.load_model("cloudsim.models.deal:DealModel") is get_model("deal")


class _NoKernel(Model):
    name = "nokernel"
    schema = user_model.GpuCapacityModel.schema

    def inputs(self, d):
        return []

    shocks = outputs = pack = reference = inputs


BAD_MODELS = [
    (lambda: user_model.GpuCapacityModel, TypeError, r"model: .*got the class GpuCapacityModel; register an instance"),
    (lambda: object(), TypeError, r"model: expected an instance of cloudsim\.models\.Model, got object"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"name": ""})(), ValueError, r"model\.name: M needs a non-"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"name": "a:b"})(), ValueError, r"model\.name"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"schema": []})(), TypeError, r"model\.schema: M\.schema must"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"schema": {"name": 1, "model": 1}})(), ValueError,
     r"model\.schema: M\.schema has no key 'years\.start'"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"optional_tables": frozenset({"nope"})})(), ValueError,
     r"model\.optional_tables: 'nope' is not a table"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"optional_tables": ["years"]})(), TypeError,
     r"model\.optional_tables: M\.optional_tables must be a frozenset"),
    (lambda: type("M", (user_model.GpuCapacityModel,), {"summary": 3})(), TypeError, r"model\.summary"),
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
        ("nope", ValueError, r"model: unknown model 'nope'; registered: deal, (gpu_capacity, )?portfolio.*entry point"),
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
st = user_model.simulate_gpu.stats
print(json.dumps({"first_simulate_s": t1 - t0, "run_1e5_s": t2 - t1, "hits": sum(st.cache_hits.values()),
                  "misses": sum(st.cache_misses.values())}))
"""


def _first_simulate(cache: Path) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-c", FIRST_SIMULATE, str(HERE / "data" / "user-gpu.toml")],
                          env=env, capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_numba_caches_the_user_kernel_for_a_second_process(tmp_path):
    """The first process compiles and writes the cache; the second loads the kernel from it (a hit, no miss)."""
    cold = _first_simulate(tmp_path)
    index = [p.name for p in tmp_path.rglob("user_model.simulate_gpu-*.nbi")]
    assert len(index) == 1 and list(tmp_path.rglob("user_model.simulate_gpu-*.nbc")), index
    assert cold["misses"] >= 1 and cold["hits"] == 0
    warm = _first_simulate(tmp_path)
    assert warm["hits"] >= 1 and warm["misses"] == 0, warm
    print(f"user model: cold first simulate {cold['first_simulate_s']:.2f} s, warm {warm['first_simulate_s']:.2f} s, "
          f"1e5 trials {warm['run_1e5_s']:.3f} s")  # fmt: skip


def test_the_command_line_runs_it(tmp_path, capsys):
    from cloudsim.cli import main

    out = tmp_path / "gpu.nc"
    args = ["run", str(HERE / "data" / "user-gpu.toml"), "--trials", "2000", "--seed", "1", "--out", str(out)]
    assert main([*args, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "capacity" in text and "P(X >= 1 GW) = 0.80" in text
    import xarray as xr

    with xr.open_dataset(out) as back:
        assert back.attrs["model"] == "gpu_capacity" and back.capacity.attrs["units"] == "GW"
