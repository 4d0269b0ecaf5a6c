"""The cloudsim command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import xarray as xr

import cloudsim
from cloudsim.cli import main


def test_run_writes_netcdf_and_png(tmp_path, capsys):
    out, png = tmp_path / "r.nc", tmp_path / "fan.png"
    assert main(["run", "--trials", "3000", "--seed", "1", "--out", str(out), "--plot", str(png), "--no-progress"]) == 0
    text = capsys.readouterr().out
    for needle in (
        "OpenAI's annual AWS spend",
        "Share of the AI cloud market: AWS",
        "P($38B AWS commitment: cumulative spend from 2026 reaches $38.0B by 2032)",
        "Claims (inputs of the model)",
        "P(X >= $1.5 Billion) = 0.80",
    ):
        assert needle in text
    with xr.open_dataset(out) as ds:
        assert ds.sizes["trial"] == 3000 and ds.attrs["seed"] == "1"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fan.png", "r.nc"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nope"], "unknown scenario 'nope'"),
        (["run", "missing.toml"], "does not exist"),
        (["run", "--trials", "0"], "--trials: must be a whole number >= 1"),
        (["run", "--trials", "1.5e3x"], "--trials: expected a whole number"),
        (["run", "--seed", "-1"], "--seed: must be a non-negative integer"),
        (
            ["run", "--trials", "10", "--out", "/nonexistent-dir/x.nc"],
            "--out: directory '/nonexistent-dir' does not exist",
        ),
    ],
)
def test_run_errors(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_unwritable_out_leaves_nothing(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            # running as root: make the target a directory instead, which can never be written as a file
            target = locked / "is-a-dir.nc"
            target.mkdir()
            message = "is a directory"
        else:
            target = locked / "x.nc"
            message = "not writable"
        assert main(["run", "--trials", "10", "--out", str(target)]) == 2
        assert message in capsys.readouterr().err
        assert [p.name for p in locked.iterdir()] == (["is-a-dir.nc"] if target.is_dir() else [])
    finally:
        locked.chmod(0o700)


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from cloudsim import _io

    target = tmp_path / "out.nc"

    def boom(tmp):
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _io.atomic_write(target, boom)
    assert list(tmp_path.iterdir()) == []


def test_list_and_entry_point():
    r = subprocess.run([sys.executable, "-m", "cloudsim.cli", "list"], capture_output=True, text=True, check=True)
    assert "openai-aws-2025" in r.stdout.split()


def test_python_dash_m_cloudsim_is_the_command():
    r = subprocess.run([sys.executable, "-m", "cloudsim", "--version"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"cloudsim {cloudsim.__version__}"
    r = subprocess.run([sys.executable, "-m", "cloudsim", "run", "--trials", "0"], capture_output=True, text=True)
    assert r.returncode == 2 and "--trials" in r.stderr and "Traceback" not in r.stderr


def test_trials_accept_scientific_notation(capsys):
    assert main(["run", "--trials", "2e3", "--seed", "3", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "2,000 trials" in captured.out


def test_bad_seed_is_refused_before_any_work(capsys):
    assert main(["run", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert "simulating" not in err and "Traceback" not in err


def test_version_and_list_descriptions(capsys):
    import cloudsim

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cloudsim {cloudsim.__version__}"
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in cloudsim.list_scenarios():
        line = next(ln for ln in out.splitlines() if ln.startswith(name + " "))
        assert cloudsim.load_scenario(name).description in line


def test_new_deal_summary_speaks_of_the_deal(capsys):
    assert main(["run", "anthropic-google-2025", "--trials", "2000", "--seed", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Anthropic's annual Google Cloud spend" in out
    assert "OpenAI" not in out and "AWS" not in out


BAD_ARGUMENTS = [
    [],
    ["bogus"],
    ["--trials", "10"],
    ["run", "--trials", "ten"],
    ["run", "--trials", "1e13", "--no-progress"],
    ["run", "--trials", "-5"],
    ["run", "--seed", "x"],
    ["run", "--seed", "-1"],
    ["run", "--bogus"],
    ["run", "nope"],
    ["run", "a", "b"],
    ["run", "/"],
    ["run", "/dev/null"],
    ["run", "--trials", "10", "--out", "/"],
    ["run", "--trials", "10", "--out", "x.toml"],
    ["run", "--trials", "10", "--plot", "x.nc"],
    ["run", "--trials", "10", "--out", ""],
    ["run", "--trials", "1e300", "--no-progress"],
    ["run", "--trials", "10", "--workers", "-1", "--summary"],
    ["run", "--trials", "10", "--workers", "x"],
    ["run", "--trials", "10", "--chunk", "0"],
    ["run", "--trials", "10", "--bands", "foo"],
    ["run", "--trials", "10", "--scheduler", "bogus", "--summary"],
    ["run", "--trials", "10", "--keep", "bogus", "--out", "k.nc"],
    ["run", "--trials", "10", "--years", "1999", "--out", "y.nc"],
    ["run", "--trials", "10", "--years", "x", "--out", "y.nc"],
    ["run", "--trials", "10", "--keep", "spend"],
    ["run", "--trials", "10", "--keep", "spend", "--summary", "--out", "s.nc"],
    ["run", "--trials", "10", "--summary", "--out", "s.zarr"],
    ["run", "openai-compute-2025", "--trials", "10", "--plot", "p.png"],
    ["list", "extra"],
    ["list", "--trials", "3"],
    ["compare"],
    ["compare", "openai-aws-2025"],
    ["compare", "openai-aws-2025", "openai-aws-2025", "--trials", "10"],
    ["compare", "openai-aws-2025", "nope", "--trials", "10"],
    ["compare", "openai-aws-2025", "analyst-trend-2025", "--trials", "0"],
    ["compare", "openai-aws-2025", "analyst-trend-2025", "--seed", "-3"],
    ["compare", "openai-aws-2025", "analyst-trend-2025", "--out", "/dev/null"],
    ["compare", "openai-aws-2025", "analyst-trend-2025", "--trials", "1e300"],
    ["compare", "openai-aws-2025", "analyst-trend-2025", "--trials", "10", "--out", "x.png"],
]


@pytest.mark.parametrize("args", BAD_ARGUMENTS, ids=lambda a: " ".join(a) or "(none)")
def test_every_subcommand_refuses_bad_arguments_in_one_line(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an output a bad argument let through would land here, checked below
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [ln for ln in err.splitlines() if ln.startswith("cloudsim: error: ")]
    assert len(errors) == 1, err
    assert "simulating" not in err
    assert list(tmp_path.iterdir()) == []


def test_selection_and_trial_limits_are_refused_before_any_work(capsys):
    """--keep/--years are checked against the scenario before the run (0.1 simulated, then refused)."""
    for args, message in (
        (["--keep", "spend,nope", "--out", "k.nc"], "--keep: unknown variable(s) ['nope']; allowed: ["),
        (["--years", "2028,1999", "--out", "y.nc"], "--years: [1999] not simulated; allowed: [2025, 2026"),
        (["--keep", "spend"], "--keep and --years: choose what a full run writes to --out"),
        (["--trials", "1e300"], "--trials: must be at most 2**62"),
        (["--summary", "--out", "s.zarr"], "--out: a summary is written as netCDF (give FILE.nc)"),
        (["openai-compute-2025", "--plot", "p.png"], "--plot: the dashboard draws spend, share, cumulative_spend;"),
        (["--trials", str(2**62 + 1)], "--trials: must be at most 2**62"),
    ):
        assert main(["run", "--trials", "10", *args]) == 2
        err = capsys.readouterr().err
        assert message in err and "simulating" not in err, (args, err)
        line = next(ln for ln in err.splitlines() if ln.startswith("cloudsim: error: "))
        assert len(line) < 500  # one readable line (1e300 used to print two 300-digit numbers)


def test_out_of_memory_names_trials_and_the_remedies(monkeypatch, capsys):
    """A run the memory estimate lets through but the allocation cannot hold (memory taken by others)."""
    import numpy as np

    from cloudsim import cli
    from cloudsim.engine import run

    monkeypatch.setattr(run, "check_memory", lambda *a, **k: None)
    monkeypatch.setattr(cli, "_check_memory", lambda *a, **k: None)
    with pytest.raises(MemoryError, match=r"^trials: allocating the outputs of 1,000,000,000,000 trials \("):
        cloudsim.simulate(cloudsim.load_scenario(), 10**12, seed=1)
    assert main(["run", "--trials", "1e12", "--seed", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "cloudsim: error: --trials: allocating the outputs of 1,000,000,000,000 trials" in err
    assert "--float32" in err and "--summary" in err and "Traceback" not in err
    assert np.empty(3).size == 3  # nothing left behind


def test_bad_arguments_print_no_traceback_from_the_command(tmp_path):
    """The installed command, as a user runs it, for the cases that fail past argument parsing."""
    for args in (["run", "/dev/zero"], ["run", "--trials", "1e13"], ["run", str(tmp_path)]):
        r = subprocess.run([sys.executable, "-m", "cloudsim.cli", *args], capture_output=True, text=True)
        assert r.returncode == 2
        assert "Traceback" not in r.stderr and r.stderr.startswith("cloudsim: error: "), r.stderr


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_bad_numba_num_threads_is_named(value):
    env = {**os.environ, "NUMBA_NUM_THREADS": value}
    r = subprocess.run(
        [sys.executable, "-m", "cloudsim.cli", "run", "--trials", "10"], capture_output=True, text=True, env=env
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "NUMBA_NUM_THREADS: the environment variable must be a whole number >= 1" in r.stderr
    assert repr(value) in r.stderr


def test_bad_numba_num_threads_is_named_by_the_library():
    env = {**os.environ, "NUMBA_NUM_THREADS": "0"}
    code = "import cloudsim\ntry:\n    cloudsim.load_scenario()\nexcept ValueError as e:\n    print(e)\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.stdout.startswith("NUMBA_NUM_THREADS:"), r.stdout + r.stderr


def test_money_prints_evenly_with_a_dollar_sign_everywhere():
    from cloudsim.cli import _fmt_money, _signed

    assert [_fmt_money(v) for v in (1e9, 1.63e9, 38e9, 250e6, 999.96e6, -2.5e8)] == [
        "$1.00B",
        "$1.63B",
        "$38.0B",
        "$250M",
        "$1.00B",
        "-$250M",
    ]
    assert (_signed(0.39e9), _signed(-0.39e9), _signed(1.2e9)) == ("+$390M", "-$390M", "+$1.20B")
