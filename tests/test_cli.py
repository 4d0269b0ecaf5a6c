"""The cloudsim command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import xarray as xr

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
