"""cloudsim.plot: what is drawn equals what is computed; clear errors; image regression.

Image baselines live in ``tests/baseline/``; after a deliberate change of a figure regenerate
them with::

    NUMBA_CACHE_DIR=/tmp/nc python tests/test_plot.py --regenerate

(they are drawn from ``cloudsim.simulate(default scenario, 20_000, seed=1)``, which the
randomness contract keeps fixed, at a fixed size and dpi with matplotlib's test font settings).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import cloudsim
from cloudsim import plot
from cloudsim.risk import exceedance_probability, quantile_intervals

BASELINE = Path(__file__).parent / "baseline"
#: RMS tolerance of the image comparison (0-255 scale): font rasterisation noise only.
TOL = 2.0
TRIALS, SEED = 20_000, 1

pytestmark = pytest.mark.filterwarnings("error:More than 20 figures")


# ----------------------------------------------------------------------------
# fixtures and helpers
# ----------------------------------------------------------------------------
def _simulate(trials: int = TRIALS, seed: int = SEED, name: str | None = None) -> xr.Dataset:
    return cloudsim.simulate(cloudsim.load_scenario(name), trials, seed=seed, progress=False)


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    """20,000 trials of the default scenario, seed 1 (deterministic; read-only)."""
    return _simulate()


@pytest.fixture(scope="module")
def two(ds) -> xr.Dataset:
    """Two scenarios on a ``scenario`` dim (same seed: common random numbers)."""
    other = _simulate(name="analyst-trend-2025")
    return xr.concat(
        [ds, other],
        dim=pd.Index(["a", "b"], name="scenario"),
        data_vars="all",
        coords="minimal",
        compat="override",
        combine_attrs="drop_conflicts",
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def by_gid(ax: Axes, gid: str):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def gids(ax: Axes) -> list[str]:
    return [g for a in ax.get_children() if (g := a.get_gid())]


def assert_band(poly, years: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """The polygon of a fill_between passes through (year, lower) and (year, upper) of every year."""
    v = np.concatenate([p.vertices for p in poly.get_paths()])
    for y, lo, hi in zip(years, lower, upper, strict=True):
        at = v[np.isclose(v[:, 0], y)]
        assert np.any(np.isclose(at[:, 1], lo, rtol=1e-12)), (y, lo)
        assert np.any(np.isclose(at[:, 1], hi, rtol=1e-12)), (y, hi)


def text_of(ax: Axes) -> str:
    """Every piece of text on the Axes (title, labels, ticks, legend, annotations)."""
    ax.figure.canvas.draw()
    parts = [ax.get_title(loc) for loc in ("left", "center", "right")]
    parts += [ax.get_xlabel(), ax.get_ylabel()]
    parts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    parts += [t.get_text() for t in ax.texts]
    leg = ax.get_legend()
    if leg is not None:
        parts += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    return "\n".join(parts).replace("\\$", "$")


# ----------------------------------------------------------------------------
# import
# ----------------------------------------------------------------------------
def test_importing_cloudsim_does_not_import_matplotlib():
    code = textwrap.dedent(
        """
        import sys
        import xarray as xr
        import cloudsim, cloudsim.plot
        from cloudsim.plot import PlotAccessor, fan
        PlotAccessor(xr.Dataset())
        xr.Dataset().cloudsim
        print(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]"


# ----------------------------------------------------------------------------
# fan
# ----------------------------------------------------------------------------
def test_fan_bands_and_median_equal_percentile_bands(ds):
    ax = plot.fan(ds, "openai_aws_spend")
    assert isinstance(ax, Axes)
    bands = cloudsim.percentile_bands(ds["openai_aws_spend"], cloudsim.stats.DEFAULT_QUANTILES)
    years = ds["year"].values
    for lo, hi in ((0.05, 0.95), (0.25, 0.75)):
        poly = by_gid(ax, f"band:{lo:g}-{hi:g}")
        assert_band(poly, years, bands.sel(quantile=lo).values, bands.sel(quantile=hi).values)
    inner, outer = by_gid(ax, "band:0.25-0.75"), by_gid(ax, "band:0.05-0.95")
    assert inner.get_alpha() > outer.get_alpha()  # shaded by level: darker inwards
    med = by_gid(ax, "median")
    np.testing.assert_array_equal(med.get_xdata(), years)
    np.testing.assert_array_equal(med.get_ydata(), bands.sel(quantile=0.5).values)


def test_fan_labels_units_money_and_years(ds):
    ax = plot.fan(ds, "openai_aws_spend")
    text = text_of(ax)
    assert ds["openai_aws_spend"].attrs["long_name"] in ax.get_title(loc="left")
    assert "USD" in ax.get_ylabel()
    ticks = [t.get_text().replace("\\$", "$") for t in ax.get_yticklabels()]
    assert {"$100M", "$1B", "$10B"} <= set(ticks)
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in ds["year"].values]
    assert "20,000 trials" in text and "5–95%" in text and "median" in text


@pytest.mark.parametrize(
    ("var", "kwargs", "scale"),
    [
        ("openai_aws_spend", {}, "log"),  # $100M -> $7B: orders of magnitude
        ("market_size", {}, "linear"),
        ("cumulative_spend", {}, "linear"),  # zero in 2025
        ("share", {"provider": "gcp"}, "linear"),
        ("openai_aws_spend", {"log": False}, "linear"),
        ("market_size", {"log": True}, "log"),
    ],
)
def test_fan_log_scale_chosen_for_spend(ds, var, kwargs, scale):
    assert plot.fan(ds, var, **kwargs).get_yscale() == scale


def test_fan_share_in_percent_for_the_provider(ds):
    ax = plot.fan(ds, "share", provider="azure")
    assert "Azure" in ax.get_title(loc="left")
    ax.figure.canvas.draw()
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())
    bands = cloudsim.percentile_bands(ds["share"].sel(provider="azure"))
    np.testing.assert_array_equal(by_gid(ax, "median").get_ydata(), bands.sel(quantile=0.5).values)


def test_fan_ci_lines_are_the_order_statistic_intervals(ds):
    q = (0.1, 0.5, 0.9)
    ax = plot.fan(ds, "openai_aws_spend", q=q, ci=True)
    qi = quantile_intervals(ds["openai_aws_spend"], q, ci=0.95)
    for qv in q:
        for bound in ("lower", "upper"):
            line = by_gid(ax, f"ci:{qv:g}:{bound}")
            np.testing.assert_array_equal(line.get_ydata(), qi.sel(quantile=qv, ci_bound=bound).values)
            assert line.get_linestyle() == "--"
    lo, hi = by_gid(ax, "ci:0.1:lower").get_ydata(), by_gid(ax, "ci:0.1:upper").get_ydata()
    assert np.all(lo < hi)
    assert "95% MC interval" in text_of(ax)
    ax = plot.fan(ds, "openai_aws_spend", q=q, ci=0.5)
    np.testing.assert_array_equal(
        by_gid(ax, "ci:0.9:upper").get_ydata(), quantile_intervals(ds["openai_aws_spend"], q, ci=0.5)[-1, :, 1]
    )
    assert not [g for g in gids(plot.fan(ds, "openai_aws_spend")) if g.startswith("ci:")]


def test_fan_from_precomputed_bands(ds):
    bands = cloudsim.percentile_bands(ds)
    ax = plot.fan(bands, "openai_aws_spend")
    ref = plot.fan(ds, "openai_aws_spend")
    np.testing.assert_array_equal(by_gid(ax, "median").get_ydata(), by_gid(ref, "median").get_ydata())
    assert ax.get_yscale() == "log"
    sub = plot.fan(bands["openai_aws_spend"], q=(0.25, 0.5, 0.75))
    assert [g for g in gids(sub) if g.startswith("band:")] == ["band:0.25-0.75"]
    with pytest.raises(ValueError, match="not in the precomputed bands"):
        plot.fan(bands, "openai_aws_spend", q=(0.1, 0.5, 0.9))
    with pytest.raises(ValueError, match=r"ci: .*needs the trials"):
        plot.fan(bands, "openai_aws_spend", ci=True)


def test_fan_one_per_scenario_overlay(two):
    ax = plot.fan(two, "openai_aws_spend", ci=True)
    assert isinstance(ax, Axes)
    colors = set()
    for s in ("a", "b"):
        bands = cloudsim.percentile_bands(two["openai_aws_spend"].sel(scenario=s))
        med = by_gid(ax, f"{s}/median")
        np.testing.assert_array_equal(med.get_ydata(), bands.sel(quantile=0.5).values)
        assert_band(
            by_gid(ax, f"{s}/band:0.05-0.95"),
            two["year"].values,
            bands.sel(quantile=0.05).values,
            bands.sel(quantile=0.95).values,
        )
        by_gid(ax, f"{s}/ci:0.95:upper")
        colors.add(matplotlib.colors.to_hex(med.get_color()))
    assert len(colors) == 2  # each scenario its own colour
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_fan_one_per_scenario_grid(two):
    fig = plot.fan(two, "share", layout="grid", provider="aws")
    assert isinstance(fig, Figure)
    axes = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title(loc="left") for a in axes] == ["a", "b"]
    for a, s in zip(axes, ("a", "b"), strict=True):
        bands = cloudsim.percentile_bands(two["share"].sel(scenario=s, provider="aws"))
        np.testing.assert_array_equal(by_gid(a, f"{s}/median").get_ydata(), bands.sel(quantile=0.5).values)
    assert "AWS" in fig.get_suptitle()
    reuse = plt.figure()
    assert plot.fan(two, "openai_aws_spend", layout="grid", fig=reuse) is reuse
    assert len([a for a in reuse.axes if a.get_visible()]) == 2


def test_fan_draws_on_the_given_axes(ds):
    _, ax = plt.subplots()
    assert plot.fan(ds, "market_size", ax=ax, color="C2", title="") is ax
    assert ax.get_title(loc="left") == ""
    assert matplotlib.colors.to_hex(by_gid(ax, "median").get_color()) == matplotlib.colors.to_hex("C2")


# ----------------------------------------------------------------------------
# shares
# ----------------------------------------------------------------------------
def test_shares_one_band_per_provider_in_provider_colours(ds):
    ax = plot.shares(ds)
    bands = cloudsim.percentile_bands(ds["share"], (0.05, 0.5, 0.95))
    years = ds["year"].values
    for p in ("aws", "azure", "gcp", "other"):
        line = by_gid(ax, f"median:{p}")
        np.testing.assert_array_equal(line.get_ydata(), bands.sel(quantile=0.5, provider=p).values)
        assert matplotlib.colors.to_hex(line.get_color()) == matplotlib.colors.to_hex(plot.PROVIDER_COLORS[p])
        assert_band(
            by_gid(ax, f"band:{p}"),
            years,
            bands.sel(quantile=0.05, provider=p).values,
            bands.sel(quantile=0.95, provider=p).values,
        )
    text = text_of(ax)
    assert "AWS" in text and "Google Cloud" in text and "%" in text


def test_shares_stacked_medians(ds):
    ax = plot.shares(ds, stacked=True, providers=["aws", "azure"])
    med = cloudsim.percentile_bands(ds["share"], 0.5).sel(quantile=0.5)
    top = by_gid(ax, "stack:azure")
    v = np.concatenate([p.vertices for p in top.get_paths()])
    total = med.sel(provider="aws").values + med.sel(provider="azure").values
    for y, t in zip(ds["year"].values, total, strict=True):
        assert np.any(np.isclose(v[np.isclose(v[:, 0], y), 1], t))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Azure", "AWS"]  # top of the stack first
    ax = plot.shares(ds, stacked=True, stat="mean")
    assert ax.get_ylim()[1] == pytest.approx(1.0)


def test_shares_from_bands_and_errors(ds):
    bands = cloudsim.percentile_bands(ds)
    ax = plot.shares(bands)
    np.testing.assert_array_equal(
        by_gid(ax, "median:aws").get_ydata(), bands["share"].sel(quantile=0.5, provider="aws").values
    )
    with pytest.raises(ValueError, match="providers: \\['ibm'\\]"):
        plot.shares(ds, providers=["ibm"])
    with pytest.raises(ValueError, match="stat: 'mean' needs the trials"):
        plot.shares(bands, stacked=True, stat="mean")
    with pytest.raises(ValueError, match="needs dims 'year' and 'provider'"):
        plot.shares(ds["openai_aws_spend"])


# ----------------------------------------------------------------------------
# distribution
# ----------------------------------------------------------------------------
def test_distribution_marks_thresholds_with_exceedance(ds):
    x = ds["cumulative_spend"].sel(year=2032)
    ax = plot.distribution(ds, "cumulative_spend", year=2032, thresholds=[38e9, 20e9])
    for t in (38e9, 20e9):
        line = by_gid(ax, f"threshold:{t:g}")
        assert np.all(np.asarray(line.get_xdata()) == t)
        p = float(np.mean(x.values >= t))
        ex = exceedance_probability(x, t)
        assert float(ex["probability"]) == p
        label = by_gid(ax, f"threshold_text:{t:g}").get_text().replace("\\$", "$")
        assert label.startswith(f"P(≥ {plot.format_money(t)}) = {p:.1%}")
        lo, hi = ex["probability_ci"].values
        assert f"95% CI {lo:.1%}–{hi:.1%}" in label
    assert ax.get_xscale() == "log"
    hist = by_gid(ax, "hist")
    heights = hist.get_data().values
    assert 0.99 < heights.sum() <= 1.0  # share of trials per bin; the axis shows the central 99.8%+
    assert "2032" in ax.get_title(loc="left")
    assert "20,000 trials" in text_of(ax)


def test_distribution_cdf_and_dataarray(ds):
    da = ds["openai_aws_spend"]
    ax = plot.distribution(da, year=2028, thresholds=1.5e9, kind="cdf")
    line = by_gid(ax, "cdf")
    xs, ps = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    np.testing.assert_allclose(xs[500], np.quantile(da.sel(year=2028).values, 0.5))
    assert ps[0] == 0 and ps[-1] == 1 and np.all(np.diff(xs) >= 0)
    p = float(np.mean(da.sel(year=2028).values >= 1.5e9))
    assert f"= {p:.1%}" in by_gid(ax, "threshold_text:1.5e+09").get_text()
    # a variable without year: no year needed
    ax = plot.distribution(ds["commitment_shortfall"], log=False)
    by_gid(ax, "hist")


# ----------------------------------------------------------------------------
# claims, convergence, dashboard
# ----------------------------------------------------------------------------
def test_claims_dot_and_whisker(ds, scn):
    ax = plot.claims(ds, scn)
    table = cloudsim.check_claims(ds, scn)
    dots = by_gid(ax, "simulated")
    y = np.arange(len(table))[::-1]
    np.testing.assert_array_equal(dots.get_xdata(), table["simulated"].values)
    np.testing.assert_array_equal(dots.get_ydata(), y)
    stated = by_gid(ax, "stated").get_offsets()
    np.testing.assert_array_equal(np.asarray(stated)[:, 0], table["stated"].values)
    labels = [t.get_text().replace("\\$", "$") for t in ax.get_yticklabels()]
    assert len(labels) == len(table)
    assert any("P(X >= $1.5 Billion)" in lab for lab in labels)
    # scenario read from the attrs; a precomputed table works too
    ax2 = plot.claims(ds)
    np.testing.assert_array_equal(by_gid(ax2, "simulated").get_xdata(), table["simulated"].values)
    off = table.assign(stated=table["stated"].where(table.index != 0, 0.9))
    ax3 = plot.claims(off)
    by_gid(ax3, "simulated_off")


def test_convergence_of_simulate_until(scn):
    from cloudsim.risk import simulate_until

    _, history = simulate_until(
        scn,
        [("probability", "commitment_met", {}, None), ("quantile", "cumulative_spend", {"year": 2032}, 0.5)],
        seed=3,
        rel_tol=0.05,
        block=2_000,
        max_trials=16_000,
    )
    ax = plot.convergence(history)
    for t in history["target"].unique():
        h = history[history["target"] == t]
        line = by_gid(ax, f"estimate:{t}")
        np.testing.assert_allclose(line.get_ydata(), h["estimate"].values / h["estimate"].values[-1])
        np.testing.assert_array_equal(line.get_xdata(), h["trials"].values)
    assert ax.get_ylabel() == "estimate / final estimate"
    one = history[history["target"] == history["target"].iloc[0]]
    ax = plot.convergence(one)
    np.testing.assert_array_equal(by_gid(ax, f"estimate:{one['target'].iloc[0]}").get_ydata(), one["estimate"].values)
    with pytest.raises(ValueError, match="missing columns"):
        plot.convergence(history.drop(columns="ci_upper"))


def test_dashboard_four_panels(ds, scn):
    fig = plot.dashboard(ds)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4
    titles = [a.get_title(loc="left").replace("\\$", "$") for a in fig.axes]
    assert titles[0] == "OpenAI's annual AWS spend"
    assert titles[1] == "Share of the AI cloud market"
    assert titles[2] == "Cumulative spend 2026–2032 vs the $38B commitment"
    assert titles[3].startswith("Claims")
    assert "20,000 trials" in fig.get_suptitle() and scn.name in fig.get_suptitle()
    by_gid(fig.axes[2], "threshold:3.8e+10")
    p = cloudsim.commitment_probability(ds)["probability"]
    assert f"= {p:.1%}" in by_gid(fig.axes[2], "threshold_text:3.8e+10").get_text()
    # precomputed bands give the same fan; an existing figure is reused
    reuse = plt.figure()
    assert plot.dashboard(ds, scn, fig=reuse, bands=cloudsim.percentile_bands(ds)) is reuse
    np.testing.assert_array_equal(
        by_gid(reuse.axes[0], "median").get_ydata(), by_gid(fig.axes[0], "median").get_ydata()
    )


def test_accessor_forwards(ds):
    acc = plot.PlotAccessor(ds)
    assert isinstance(acc.fan("openai_aws_spend"), Axes)
    assert isinstance(acc.shares(stacked=True), Axes)
    assert isinstance(acc.distribution("cumulative_spend", year=2032, thresholds=[38e9]), Axes)
    assert isinstance(acc.claims(), Axes)
    assert len(acc.dashboard().axes) == 4
    assert isinstance(plot.PlotAccessor(ds["share"]).fan(provider="gcp"), Axes)
    assert isinstance(plot.PlotAccessor(ds["openai_aws_spend"])(), Axes)
    if hasattr(ds.cloudsim, "plot"):  # once accessor.py exposes it
        assert isinstance(ds.cloudsim.plot.fan("openai_aws_spend"), Axes)


# ----------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------
BAD = [
    (lambda ds: plot.fan(ds, "nope"), ValueError, "var: unknown variable 'nope'"),
    (lambda ds: plot.fan(ds), ValueError, "var: name the variable"),
    (lambda ds: plot.fan(ds, "commitment_shortfall"), ValueError, "has no 'year' dim"),
    (lambda ds: plot.fan(ds, "market_size", q=(0.05, 1.5)), ValueError, "q: every quantile must be in \\[0, 1\\]"),
    (lambda ds: plot.fan(ds, "market_size", q=(-0.1, 0.5)), ValueError, "q: every quantile must be in \\[0, 1\\]"),
    (lambda ds: plot.fan(xr.Dataset(), "market_size"), ValueError, "the Dataset is empty"),
    (lambda ds: plot.fan(ds.isel(trial=slice(0, 0)), "market_size"), ValueError, "dim 'trial' is empty"),
    (lambda ds: plot.fan(ds["market_size"].values), TypeError, "expected an xarray Dataset or DataArray"),
    (lambda ds: plot.fan(ds, "share", provider="ibm"), ValueError, "provider: 'ibm' is not a provider"),
    (lambda ds: plot.fan(ds, "market_size", layout="wide"), ValueError, "layout: must be"),
    (lambda ds: plot.fan(ds, "market_size", ci=2.0), ValueError, "ci: a probability"),
    (lambda ds: plot.fan(ds, "market_size", ax="left"), TypeError, "ax: expected a matplotlib Axes"),
    (lambda ds: plot.fan(ds["market_size"].isel(trial=0), None), ValueError, "expected a simulation"),
    (lambda ds: plot.shares(xr.Dataset()), ValueError, "the Dataset is empty"),
    (lambda ds: plot.shares(ds, q=(0.05, 2.0)), ValueError, "q: every quantile"),
    (lambda ds: plot.distribution(ds, "cumulative_spend"), ValueError, "year: required"),
    (lambda ds: plot.distribution(ds, "cumulative_spend", year=1999), ValueError, "year: 1999 is not a year"),
    (lambda ds: plot.distribution(ds, "market_size", year=2030, kind="pdf"), ValueError, "kind: must be"),
    (lambda ds: plot.distribution(ds, "share", year=2030, provider="x"), ValueError, "provider: 'x'"),
    (lambda ds: plot.distribution(ds, "market_size", year=2030, thresholds=["a"]), TypeError, "thresholds"),
    (lambda ds: plot.distribution(ds, "nope", year=2030), ValueError, "var: unknown variable"),
    (lambda ds: plot.claims(xr.Dataset()), ValueError, "the Dataset is empty"),
    (lambda ds: plot.claims(ds, "openai-aws-2025"), TypeError, "scenario: expected a cloudsim.Scenario"),
    (lambda ds: plot.claims(ds.drop_attrs()), ValueError, "ds.attrs has no 'scenario'"),
    (lambda ds: plot.dashboard(xr.Dataset()), ValueError, "the Dataset is empty"),
    (lambda ds: plot.dashboard(ds[["market_size"]]), ValueError, "missing variables"),
    (lambda ds: plot.dashboard(ds.drop_attrs()), ValueError, "ds.attrs has no 'scenario'"),
    (lambda ds: plot.convergence({"trials": [1]}), TypeError, "history: expected the DataFrame"),
]


@pytest.mark.parametrize(("call", "exc", "match"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_gives_a_clear_error(ds, call, exc, match):
    with pytest.raises(exc, match=match) as info:
        call(ds)
    # raised by cloudsim's own checks, not deep inside matplotlib
    assert "matplotlib" not in info.traceback[-1].path.parts


def test_scenario_dim_needs_a_selection_for_dashboard_and_shares(two):
    with pytest.raises(ValueError, match="select one scenario"):
        plot.dashboard(two)
    with pytest.raises(ValueError, match="select one value of each"):
        plot.shares(two)
    with pytest.raises(ValueError, match="layout='grid' draws several Axes"):
        plot.fan(two, "market_size", layout="grid", ax=plt.gca())


# ----------------------------------------------------------------------------
# image regression
# ----------------------------------------------------------------------------
def _render_fan(ds: xr.Dataset) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    plot.fan(ds, "openai_aws_spend", ax=ax, ci=True)
    return fig


def _render_shares(ds: xr.Dataset) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    plot.shares(ds, ax=ax)
    return fig


def _render_dashboard(ds: xr.Dataset) -> Figure:
    return plot.dashboard(ds, figsize=(14, 9))


RENDER: dict[str, tuple[Callable[[xr.Dataset], Figure], int]] = {
    "fan": (_render_fan, 80),
    "shares": (_render_shares, 80),
    "dashboard": (_render_dashboard, 60),
}


def _save(name: str, ds: xr.Dataset, path: Path, render: Callable[[xr.Dataset], Figure] | None = None) -> Path:
    """Render ``name`` with matplotlib's test font settings at a fixed dpi and save it as PNG."""
    from matplotlib.testing import set_font_settings_for_testing, set_reproducibility_for_testing

    func, dpi = RENDER[name]
    with matplotlib.style.context("default"), matplotlib.rc_context():
        set_font_settings_for_testing()
        set_reproducibility_for_testing()
        fig = (render or func)(ds)
        fig.savefig(path, dpi=dpi, metadata={"Software": None})
        plt.close(fig)
    return path


@pytest.mark.parametrize("name", sorted(RENDER))
def test_image_regression(ds, name, tmp_path):
    from matplotlib.testing.compare import compare_images

    expected = BASELINE / f"{name}.png"
    if not expected.exists():
        pytest.fail(f"missing baseline {expected}; run: python tests/test_plot.py --regenerate")
    actual = _save(name, ds, tmp_path / f"{name}.png")
    err = compare_images(str(expected), str(actual), tol=TOL)
    assert err is None, err


def test_image_regression_catches_a_real_change(ds, tmp_path):
    """A changed figure (other quantiles, no interval lines) fails the comparison with the fan baseline."""
    from matplotlib.testing.compare import compare_images

    expected = BASELINE / "fan.png"
    if not expected.exists():
        pytest.fail(f"missing baseline {expected}; run: python tests/test_plot.py --regenerate")

    def changed(d: xr.Dataset) -> Figure:
        fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
        plot.fan(d, "openai_aws_spend", ax=ax, q=(0.1, 0.25, 0.5, 0.75, 0.9), ci=True)
        return fig

    actual = _save("fan", ds, tmp_path / "fan.png", render=changed)
    err = compare_images(str(expected), str(actual), tol=TOL)
    assert err is not None and "did not match" in err
    rms = float(err.split("RMS Value:")[1].split()[0])
    assert rms > 5 * TOL


def _regenerate() -> None:
    BASELINE.mkdir(exist_ok=True)
    ds = _simulate()
    for name in sorted(RENDER):
        print("wrote", _save(name, ds, BASELINE / f"{name}.png"))


if __name__ == "__main__":
    if "--regenerate" not in sys.argv[1:]:
        sys.exit("usage: python tests/test_plot.py --regenerate   (rewrites tests/baseline/*.png)")
    _regenerate()
