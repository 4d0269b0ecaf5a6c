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


def _edges_at(collection, x: float) -> tuple[float, float]:
    """Lowest and highest y of a fill_between's outline at ``x``."""
    v = collection.get_paths()[0].vertices
    ys = v[np.isclose(v[:, 0], x), 1]
    return float(ys.min()), float(ys.max())


def test_stacked_layers_and_their_ribbons(ds_small):
    s1 = cloudsim.sensitivity(ds_small, "spend")
    ax = cloudsim.plot.indices(s1, top=3, stacked=True)
    layers = {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("S1:")}
    ribbons = {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("ci:")}
    # the three largest inputs (by their largest yearly index), the largest at the bottom
    peak = s1["S1"].max("year").to_series().sort_values(ascending=False)
    order = list(peak.index[:3])
    assert list(layers) == [f"S1:{n}" for n in order]
    assert set(ribbons) == {f"ci:{n}" for n in order}
    for year in s1["year"].values[::3]:
        vals = s1["S1"].sel(year=year, input=order).values
        lo_ci = s1["S1_ci"].sel(year=year, input=order, ci_bound="lower").values
        hi_ci = s1["S1_ci"].sel(year=year, input=order, ci_bound="upper").values
        base = np.concatenate([[0.0], np.cumsum(np.clip(vals, 0, None))[:-1]])
        for k, name in enumerate(order):
            lo, hi = _edges_at(layers[f"S1:{name}"], year)
            assert lo == pytest.approx(base[k], abs=1e-12)
            assert hi == pytest.approx(base[k] + max(vals[k], 0.0), abs=1e-12)
            rlo, rhi = _edges_at(ribbons[f"ci:{name}"], year)
            assert rlo == pytest.approx(base[k] + lo_ci[k], abs=1e-12)
            assert rhi == pytest.approx(base[k] + hi_ci[k], abs=1e-12)
    assert [ln.get_gid() for ln in ax.lines] == ["total"]
    assert ax.lines[0].get_ydata()[0] == 1.0
    plt.close("all")


def test_stacked_needs_years(ds_small):
    s1 = cloudsim.sensitivity(ds_small, "commitment_met")
    with pytest.raises(ValueError, match="stacked: needs indices by year"):
        cloudsim.plot.indices(s1, stacked=True)
    plt.close("all")
