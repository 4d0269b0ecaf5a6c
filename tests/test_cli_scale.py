"""The cloudsim command past memory: --summary, the automatic switch to summaries, Zarr output, --keep."""

from __future__ import annotations

import numpy as np
import xarray as xr

import cloudsim
import cloudsim.engine.run as run
from cloudsim.cli import main


def test_summary_prints_the_exact_bands_of_the_full_run(tmp_path, capsys):
    out = tmp_path / "s.nc"
    argv = ["run", "--trials", "4000", "--seed", "2", "--summary", "--bands", "exact", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "4,000 trials (summary: exact bands)" in text
    sm = xr.open_dataset(out).load()
    ds = cloudsim.simulate(cloudsim.load_scenario(), 4000, seed=2)
    np.testing.assert_array_equal(sm["spend"].values, cloudsim.percentile_bands(ds["spend"]).values)
    p = float(ds["commitment_met"].mean())
    assert f"reaches $38.0B by 2032) = {p:.4f}" in text


def test_a_summary_prints_what_the_run_prints(capsys):
    """Exact bands and counts: the summary's table is the run's, line for line, below the header;
    the claim checks follow the same family-wise rule (a summary used to print per-row intervals)."""
    argv = ["run", "--trials", "4000", "--seed", "2", "--no-progress"]
    assert main([*argv, "--summary", "--bands", "exact"]) == 0
    summarised = capsys.readouterr().out.splitlines()
    assert main(argv) == 0
    run_text = capsys.readouterr().out.splitlines()
    assert summarised[0].endswith("4,000 trials (summary: exact bands), seed 2")
    assert run_text[0].endswith("4,000 trials, seed 2")
    assert summarised[1:] == run_text[1:]
    assert any("family-wise" in line for line in summarised)


def test_a_run_too_large_for_memory_is_refused_and_points_to_summaries(monkeypatch, capsys):
    monkeypatch.setattr(run, "memory_bytes", lambda: 2**20)  # a 1 MiB machine
    assert main(["run", "--trials", "2000", "--seed", "2", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cloudsim: error: --trials: 2,000 trials need about"), err
    assert "GiB" in err and "--summary" in err and "Traceback" not in err
    assert "simulating" not in err


def test_zarr_out_with_keep_and_years(tmp_path, capsys):
    out = tmp_path / "r.zarr"
    argv = ["run", "--trials", "3000", "--seed", "5", "--out", str(out), "--keep", "spend,commitment_met"]
    assert main([*argv, "--years", "2028", "--chunk", "1000", "--no-progress"]) == 0
    z = xr.open_zarr(out)
    assert sorted(z.data_vars) == ["commitment_met", "spend"]
    ds = cloudsim.simulate(cloudsim.load_scenario(), 3000, seed=5)
    np.testing.assert_array_equal(z["spend"].values, ds["spend"].sel(year=[2028]).values)


def test_unknown_keep_variable_writes_nothing(tmp_path, capsys):
    out = tmp_path / "r.zarr"
    assert main(["run", "--trials", "100", "--seed", "5", "--out", str(out), "--keep", "spend,nope"]) == 2
    assert "keep: unknown variable(s) ['nope']" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_unreachable_scheduler(capsys):
    assert main(["run", "--trials", "100", "--seed", "5", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_simulate_refuses_too_large_runs_pointing_to_summarize(monkeypatch):
    import pytest

    monkeypatch.setattr(run, "memory_bytes", lambda: 2**20)
    with pytest.raises(ValueError, match=r"^trials: 10,000 trials need about .* GiB .*cloudsim\.summarize"):
        cloudsim.simulate(cloudsim.load_scenario(), 10_000, seed=1)


def test_a_summary_draws_the_dashboard(tmp_path, capsys):
    png = tmp_path / "dash.png"
    argv = ["run", "--trials", "3000", "--seed", "4", "--summary", "--plot", str(png), "--no-progress"]
    assert main(argv) == 0
    assert f"wrote {png}" in capsys.readouterr().err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["dash.png"]  # no temporary file left beside it
