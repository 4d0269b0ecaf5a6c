"""``cloudsim sensitivity`` and ``cloudsim goal-seek``: reports as the library computes them; bad input, no trace."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import cloudsim
from cloudsim.cli import main


def test_sensitivity_prints_the_indices_of_the_library(scn, capsys, tmp_path):
    png = tmp_path / "s.png"
    assert main(["sensitivity", "--trials", "2000", "--seed", "3", "--tornado", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    s1 = cloudsim.sensitivity(cloudsim.simulate(scn, 2000, seed=3), "commitment_met")
    for name in s1["input"].values:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(f"{name} "))
        assert f"{float(s1['S1'].sel(input=name)):.3f}" in line
    tn = cloudsim.tornado(scn, "commitment_met", trials=2000, seed=3)
    row = next(
        ln for ln in out.splitlines() if "Tornado" not in ln and ln.strip().startswith("spend_target") and "e+" in ln
    )
    assert f"{float(tn['swing'].sel(input='spend_target')):.4g}" in row
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_sensitivity_of_a_yearly_output_has_a_column_per_year(capsys):
    assert main(["sensitivity", "--trials", "1000", "--seed", "1", "--output", "spend"]) == 0
    head = next(ln for ln in capsys.readouterr().out.splitlines() if "2025" in ln and "2032" in ln)
    assert re.findall(r"\d{4}", head) == [str(y) for y in range(2025, 2033)]


def test_goal_seek_prints_the_root(scn, capsys):
    args = ["goal-seek", "--key", "commitments[0].total", "--target", "0.5", "--bounds", "1e10", "8e10",
            "--trials", "2000", "--seed", "1"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    r = cloudsim.goal_seek(scn, "commitments[0].total", 0.5, bounds=(1e10, 8e10), trials=2000, seed=1)
    assert f"commitments[0].total = {r.attrs['value']:.6g}" in out
    assert "gives mean of commitment_met" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sensitivity", "--trials", "2000", "--output", "nope"], "--output: unknown variable 'nope'"),
        (["sensitivity", "--trials", "500"], "--trials: needs at least 1000 trials"),
        (["sensitivity", "--trials", "2000", "--output", "spend", "--tornado"], "--year: output 'spend' is yearly"),
        (["sensitivity", "--ci", "1.5"], "argument --ci: expected a probability"),
        (["sensitivity", "--stat", "median"], "argument --stat: expected 'mean' or a quantile"),
        (["sensitivity", "--plot", "x.nope"], "--plot: 'x.nope' has '.nope'"),
        (["sensitivity", "nosuch"], "unknown scenario 'nosuch'"),
        (["goal-seek", "--target", "0.5", "--bounds", "1", "2"], "the following arguments are required: --key"),
        (["goal-seek", "--key", "nope.x", "--target", "0.5", "--bounds", "1", "2"], "--key: 'nope.x' is not a key"),
        (["goal-seek", "--key", "deal.buyer", "--target", "0.5", "--bounds", "1", "2"], "not a number"),
        (["goal-seek", "--key", "commitments[0].total", "--target", "0.5", "--bounds", "1e12", "2e12", "--trials",
          "300"], "--bounds: do not bracket the target 0.5"),
        (["goal-seek", "--key", "spend.volatility", "--target", "0.5", "--bounds", "0.3", "0.1"],
         "--bounds: expected finite low < high"),
        (["goal-seek", "--key", "spend.volatility", "--target", "x", "--bounds", "0.1", "0.3"],
         "argument --target: expected a number"),
        (["goal-seek", "--key", "spend.volatility", "--target", "0.5", "--bounds", "0.1"], "--bounds: expected 2"),
        (["goal-seek", "--key", "spend.volatility", "--target", "0.5", "--bounds", "0.1", "0.3", "--output", "nope",
          "--trials", "100"], "--output: unknown output 'nope'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_without_a_traceback(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_installed_command_reports_bad_input_on_stderr():
    cmd = [sys.executable, "-m", "cloudsim", "goal-seek", "--key", "claims.spend.metric", "--target", "0.5",
           "--bounds", "1", "2", "--trials", "100"]  # fmt: skip
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert "--key: 'claims.spend.metric' holds" in r.stderr and "Traceback" not in r.stderr
