"""Past memory and past one machine: Dask-backed runs, streaming bands, Zarr stores, a cluster that loses a worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import distributed
import numpy as np
import pytest
import xarray as xr

import cloudsim
import cloudsim.risk.streaming as streaming

N = 9_000
SEED = 17


@pytest.fixture(scope="module")
def eager(scn):
    return cloudsim.simulate(scn, N, seed=SEED)


def _strip(ds: xr.Dataset) -> xr.Dataset:
    return ds.assign_attrs(created_at="", chunks=0)


# ---- Dask-backed runs -------------------------------------------------------------------------------------
def test_lazy_run_equals_eager_run_bit_for_bit(scn, eager):
    lazy = cloudsim.simulate(scn, N, seed=SEED, chunks=2_500)
    assert lazy["spend"].chunks[0] == (2_500, 2_500, 2_500, 1_500)
    xr.testing.assert_identical(_strip(lazy.compute()), _strip(eager))


def test_lazy_run_with_an_offset(scn):
    lazy = cloudsim.simulate(scn, 3_000, seed=SEED, start=6_000, chunks=1_000)
    ref = cloudsim.simulate(scn, 3_000, seed=SEED, start=6_000)
    np.testing.assert_array_equal(lazy["share"].values, ref["share"].values)
    np.testing.assert_array_equal(lazy["trial"].values, np.arange(6_000, 9_000))


def test_streaming_bands_equal_the_loaded_bands_and_see_only_blocks(scn, eager, monkeypatch):
    seen = []
    columns = streaming._columns
    monkeypatch.setattr(streaming, "_columns", lambda blocks: seen.append(blocks[0].shape[0]) or columns(blocks))
    lazy = cloudsim.simulate(scn, N, seed=SEED, chunks=2_000)
    got = cloudsim.percentile_bands(lazy, ci=0.9)
    want = cloudsim.percentile_bands(eager, ci=0.9)
    xr.testing.assert_identical(_strip(got), _strip(want))
    assert seen and max(seen) <= 2_000  # block by block, never the whole run
    one = cloudsim.percentile_bands(lazy["share"], q=[0.1, 0.5])
    xr.testing.assert_identical(one, cloudsim.percentile_bands(eager["share"], q=[0.1, 0.5]))


@pytest.mark.parametrize(("chunks", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError)])
def test_bad_chunks(scn, chunks, error):
    with pytest.raises(error, match="chunks"):
        cloudsim.simulate(scn, 100, seed=1, chunks=chunks)


# ---- Zarr and netCDF --------------------------------------------------------------------------------------
def test_zarr_store_equals_the_eager_run(scn, eager, tmp_path):
    path = cloudsim.simulate_to_zarr(scn, N, tmp_path / "run.zarr", seed=SEED, chunk=4_000)
    z = xr.open_zarr(path)
    assert z.attrs["cloudsim_complete"] is True
    assert z["spend"].encoding["chunks"][0] == 4_000
    xr.testing.assert_equal(z.compute(), eager)
    assert [p.name for p in tmp_path.iterdir()] == ["run.zarr"]  # no temporary left behind


def test_zarr_keep_and_years(scn, eager, tmp_path):
    path = cloudsim.simulate_to_zarr(
        scn, N, tmp_path / "k.zarr", seed=SEED, chunk=3_000, keep=["spend"], years=[2027, 2028]
    )
    z = xr.open_zarr(path)
    assert list(z.data_vars) == ["spend"]
    np.testing.assert_array_equal(z["spend"].values, eager["spend"].sel(year=[2027, 2028]).values)


def test_zarr_bad_input_writes_nothing(scn, tmp_path):
    with pytest.raises(ValueError, match="keep: unknown variable"):
        cloudsim.simulate_to_zarr(scn, 100, tmp_path / "a.zarr", seed=1, keep=["nope"])
    with pytest.raises(ValueError, match="does not exist"):
        cloudsim.simulate_to_zarr(scn, 100, tmp_path / "missing" / "a.zarr", seed=1)
    cloudsim.simulate_to_zarr(scn, 100, tmp_path / "b.zarr", seed=1)
    with pytest.raises(ValueError, match="exists"):
        cloudsim.simulate_to_zarr(scn, 100, tmp_path / "b.zarr", seed=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zarr"]


def test_killed_writer_leaves_no_complete_store(tmp_path):
    target = tmp_path / "big.zarr"
    code = textwrap.dedent(f"""
        import cloudsim
        cloudsim.simulate_to_zarr(cloudsim.load_scenario(), 3_000_000, {str(target)!r}, seed=1, chunk=100_000)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    try:
        deadline = time.monotonic() + 120
        while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()):
            assert proc.poll() is None, "the writer ended before it started writing"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(1.0)
        assert proc.poll() is None, "the writer finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not target.exists()
    assert all(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_netcdf_compression_and_float32(eager, tmp_path):
    plain = cloudsim.to_netcdf(eager, tmp_path / "plain.nc", compress=False)
    small = cloudsim.to_netcdf(eager, tmp_path / "small.nc", float32=True)
    assert small.stat().st_size < 0.6 * plain.stat().st_size
    back = xr.open_dataset(small).load()
    np.testing.assert_allclose(back["spend"].values, eager["spend"].values, rtol=1e-7)
    assert back["spend"].dtype == np.float32
    exact = xr.open_dataset(cloudsim.to_netcdf(eager, tmp_path / "z.nc")).load()
    xr.testing.assert_equal(exact, eager)


# ---- a cluster that loses a worker ------------------------------------------------------------------------
def test_local_cluster_survives_a_killed_worker(scn):
    trials, chunk = 60_000, 2_000
    local = cloudsim.summarize(scn, trials, seed=SEED, chunk=chunk)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        result: dict[str, xr.Dataset] = {}

        def work() -> None:
            result["sm"] = cloudsim.summarize(scn, trials, seed=SEED, chunk=chunk, scheduler=client)

        run = threading.Thread(target=work)
        run.start()
        deadline = time.monotonic() + 120
        while not any(client.processing().values()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)
        assert run.is_alive(), "the run ended before a worker could be killed"
        os.kill(pids[0], signal.SIGKILL)
        run.join(300)
        assert not run.is_alive()
    xr.testing.assert_identical(result["sm"].assign_attrs(created_at=""), local.assign_attrs(created_at=""))
