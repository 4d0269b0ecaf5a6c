"""``cloudsim.plot.indices``: first-order indices by year with ribbons, or bars for an output without years."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import cloudsim


def test_yearly_lines_and_ribbons(ds_small):
    s1 = cloudsim.sensitivity(ds_small, "spend")
    ax = cloudsim.plot.indices(s1, top=3)
    lines = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid()}
    assert len(lines) == 3 and "S1:spend_target" in lines
    np.testing.assert_array_equal(lines["S1:spend_target"].get_ydata(), s1["S1"].sel(input="spend_target").values)
    assert {c.get_gid() for c in ax.collections} >= {g.replace("S1:", "ci:") for g in lines}
    plt.close("all")


def test_bars_without_years(ds_small):
    s1 = cloudsim.sensitivity(ds_small, "commitment_met")
    ax = cloudsim.plot.indices(s1)
    bars = {p.get_gid(): p for p in ax.patches}
    assert set(bars) == {f"S1:{n}" for n in s1["input"].values}
    top = str(s1["S1"].idxmax("input").values)
    assert bars[f"S1:{top}"].get_y() == max(p.get_y() for p in ax.patches)
    assert bars[f"S1:{top}"].get_width() == pytest.approx(float(s1["S1"].max()))
    with pytest.raises(TypeError, match="result: expected"):
        cloudsim.plot.indices(s1[["S1_se"]])
    plt.close("all")
