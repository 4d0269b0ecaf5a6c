"""Faults during output: kills mid-write, full disks, colliding outputs, stale temporary files, permissions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cloudsim import _io
from cloudsim.cli import main

CLI = [sys.executable, "-m", "cloudsim.cli"]
#: A run whose netCDF is a few hundred MiB: long enough to be killed in the middle of its write.
BIG = ["--trials", "300000", "--seed", "1", "--no-progress"]


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if _io.PART_MARK in p.name)


def _write_previous(target: Path) -> bytes:
    xr.Dataset({"x": ("i", np.arange(3.0))}, attrs={"previous": "yes"}).to_netcdf(target)
    return target.read_bytes()


def _default_sigint() -> None:
    """In the child before exec: Ctrl-C as in a terminal, even when the tests run in the background.

    A shell starts a background job (``make test &``, ``nohup``) with SIGINT ignored, and a
    process that inherits an ignored SIGINT rightly keeps ignoring it: the SIGINT case would then
    test the launcher, not cloudsim.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_and_kill_mid_write(target: Path, sig: int) -> tuple[subprocess.Popen, float, int]:
    """Start ``cloudsim run --out target``, wait until its temporary file holds data, send ``sig``.

    Returns the process, the seconds from the signal to its exit, and the temporary file's size
    when the signal was sent.
    """
    proc = subprocess.Popen(
        [*CLI, "run", *BIG, "--out", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=target.parent,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 600
    size = 0
    while time.monotonic() < deadline and proc.poll() is None:
        parts = [p for p in target.parent.iterdir() if _io.PART_MARK in p.name]
        if parts:
            try:
                size = parts[0].stat().st_size
            except FileNotFoundError:
                size = 0
            if size > 1 << 20:
                break
        time.sleep(0.01)
    assert proc.poll() is None, f"the run ended before it could be killed mid-write: {proc.stderr.read()}"
    t0 = time.monotonic()
    proc.send_signal(sig)
    try:
        proc.wait(timeout=60)  # a hang (the 0.1 behaviour on SIGINT) fails here, not in the suite's timeout
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"cloudsim run did not exit within 60 s of signal {sig}")
    return proc, time.monotonic() - t0, size


@pytest.mark.parametrize(
    ("sig", "previous", "status"),
    [
        (signal.SIGINT, False, 130),
        (signal.SIGTERM, True, 143),
        (signal.SIGKILL, True, -signal.SIGKILL),
    ],
    ids=["SIGINT-new-file", "SIGTERM-over-previous", "SIGKILL-over-previous"],
)
def test_kill_mid_write_leaves_previous_file_or_nothing(tmp_path, sig, previous, status):
    target = tmp_path / "run.nc"
    before = _write_previous(target) if previous else None
    proc, seconds, size = _start_and_kill_mid_write(target, sig)
    assert size > 1 << 20  # the signal arrived with a partly written temporary file
    assert proc.returncode == status
    if previous:
        assert target.read_bytes() == before  # the previous file, untouched
    else:
        assert not target.exists()
    if sig == signal.SIGKILL:
        assert len(_parts(tmp_path)) == 1  # nothing can clean up after SIGKILL ...
    else:
        assert _parts(tmp_path) == []  # ... but every catchable signal removes its temporary file
        assert "Traceback" not in proc.stderr.read()
        # "exits promptly": generous against the load of a shared machine; 0.1 never exited at all
        assert seconds < 30
    if sig == signal.SIGKILL:  # the next run to the same target removes what the killed run left
        r = subprocess.run(
            [*CLI, "run", "--trials", "200", "--seed", "2", "--no-progress", "--out", str(target)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert r.returncode == 0, r.stderr
        assert _parts(tmp_path) == []
        with xr.open_dataset(target) as ds:
            assert ds.sizes["trial"] == 200


def _limit_file_size() -> None:  # runs in the child before exec: every write past 1 MiB fails with EFBIG
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_full_disk_is_a_clear_error_and_keeps_the_previous_file(tmp_path):
    target = tmp_path / "run.nc"
    before = _write_previous(target)
    r = subprocess.run(
        [*CLI, "run", "--trials", "20000", "--seed", "1", "--no-progress", "--out", str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        preexec_fn=_limit_file_size,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "--out: writing" in r.stderr and "failed" in r.stderr
    assert "the previous file is unchanged" in r.stderr
    assert "wrote" not in r.stderr
    assert target.read_bytes() == before
    assert _parts(tmp_path) == []


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_out_onto_a_device_is_refused_before_any_work(tmp_path, capsys, device):
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    for args in (["run", "--trials", "10", "--out", device], ["run", "--trials", "10", "--plot", device]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "simulating" not in err
        assert device in err


def test_check_writable_refuses_a_device_even_with_a_netcdf_name(tmp_path):
    fifo = tmp_path / "pipe.nc"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="is a pipe"):
        _io.check_writable(fifo, what="--out")
    with pytest.raises(ValueError, match="is a directory"):
        _io.check_writable(tmp_path, what="--out")


def test_outputs_may_not_replace_the_scenario_or_each_other(tmp_path, capsys):
    from cloudsim.scenario import DEFAULT_SCENARIO, load_scenario

    scn = tmp_path / "my.toml"
    scn.write_text(load_scenario(DEFAULT_SCENARIO).to_toml(), "utf-8")
    text = scn.read_text("utf-8")
    alias = tmp_path / "alias.nc"
    alias.symlink_to(scn)
    odd = tmp_path / "scenario.nc"  # a TOML scenario that happens to have a netCDF name
    odd.write_text(text, "utf-8")
    previous = tmp_path / "run.nc"
    before = _write_previous(previous)
    onto_out = tmp_path / "dash.png"  # --out and --plot the same file under two names
    onto_out.symlink_to(previous)
    for args, message in (
        (["run", str(scn), "--out", str(scn)], "does not end in .nc"),
        (["run", str(scn), "--out", str(alias)], "which this run reads"),
        (["run", str(odd), "--out", str(odd)], "which this run reads"),
        (["run", str(scn), "--plot", str(scn)], "the image format is read from the suffix"),
        (["compare", str(odd), "analyst-trend-2025", "--out", str(odd)], "which this run reads"),
        (["run", "--out", str(previous), "--plot", str(onto_out)], "is also the file of --out"),
    ):
        assert main([*args, "--trials", "10"]) == 2
        err = capsys.readouterr().err
        assert message in err and "simulating" not in err, (args, err)
    assert scn.read_text("utf-8") == text and odd.read_text("utf-8") == text
    assert previous.read_bytes() == before
    with pytest.raises(ValueError, match="also the file of --out"):
        _io.check_distinct({"--out": tmp_path / "a.png", "--plot": tmp_path / "a.png"})
    hard = tmp_path / "hard.png"
    os.link(scn, hard)
    with pytest.raises(ValueError, match="which this run reads"):
        _io.check_distinct({"--plot": hard}, {"the scenario file": scn})


def test_plot_format_follows_the_suffix(tmp_path, capsys):
    pdf = tmp_path / "fig.pdf"
    assert main(["run", "--trials", "2000", "--seed", "1", "--no-progress", "--plot", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()
    for name in ("fig.xyz", "fig"):
        assert main(["run", "--trials", "10", "--plot", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert "the image format is read from the suffix" in err and ".png" in err
        assert not (tmp_path / name).exists()


def test_overwritten_file_keeps_its_permission_bits(tmp_path):
    target = tmp_path / "r.nc"
    target.write_bytes(b"old")
    target.chmod(0o640)
    _io.atomic_write(target, lambda tmp: tmp.write_bytes(b"new"))
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o7777 == 0o640
    fresh = tmp_path / "fresh.nc"
    _io.atomic_write(fresh, lambda tmp: tmp.write_bytes(b"x"))
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_io._UMASK


def test_interrupted_write_removes_its_temporary_file(tmp_path):
    target = tmp_path / "r.nc"
    target.write_bytes(b"old")

    def interrupted(tmp):
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _io.atomic_write(target, interrupted)
    assert target.read_bytes() == b"old"
    assert _parts(tmp_path) == []


def test_stale_parts_of_dead_processes_are_removed_live_ones_kept(tmp_path):
    target = tmp_path / "r.nc"
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(done.stdout)
    live = os.getppid()  # the process that started this test is running
    for pid in (dead, live):
        _io._part_path(target, pid).write_bytes(b"half")
    (tmp_path / f".other.nc{_io.PART_MARK}{dead}").write_bytes(b"another target's")
    removed = _io.remove_stale_parts(target)
    assert [p.name for p in removed] == [f".r.nc{_io.PART_MARK}{dead}"]
    assert _parts(tmp_path) == sorted([f".other.nc{_io.PART_MARK}{dead}", f".r.nc{_io.PART_MARK}{live}"])


def test_to_netcdf_passes_encoding(tmp_path, ds_small):
    import cloudsim

    path = tmp_path / "r.nc"
    cloudsim.to_netcdf(ds_small, path, encoding={"spend": {"zlib": True, "complevel": 4, "dtype": "float32"}})
    with xr.open_dataset(path) as back:
        assert back["spend"].encoding["zlib"] is True
        assert back["spend"].encoding["dtype"] == np.float32
        np.testing.assert_allclose(back["spend"].values, ds_small["spend"].values.astype(np.float32))
    with pytest.raises(ValueError, match="encoding: no variable 'nope'"):
        cloudsim.to_netcdf(ds_small, path, encoding={"nope": {}})
