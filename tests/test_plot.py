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
from cloudsim._format import probability, probability_interval
from cloudsim.risk import DEFAULT_QUANTILES, exceedance_probability, quantile_intervals

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


#: A deal with six providers, another buyer and seller, and labels for only one provider.
SIX = {
    "deal.seller": "oracle",
    "providers.names": ["aws", "azure", "gcp", "oracle", "coreweave", "other"],
    "providers.start": {"aws": 0.27, "azure": 0.2, "gcp": 0.13, "oracle": 0.03, "coreweave": 0.02, "other": 0.35},
    "providers.labels": {"oracle": "Oracle Cloud"},
    "deal.buyer": "Acme",
}


@pytest.fixture(scope="module")
def six() -> xr.Dataset:
    """5,000 trials of a six-provider deal of buyer "Acme" with seller "oracle" ("Oracle Cloud")."""
    return cloudsim.simulate(cloudsim.load_scenario().replace(SIX), 5000, seed=1, progress=False)


@pytest.fixture(scope="module")
def three(ds) -> xr.Dataset:
    """Three distinct scenarios on a ``scenario`` dim, 5,000 trials each."""
    parts = [
        ds.isel(trial=slice(0, 5000)),
        _simulate(5000, name="analyst-trend-2025"),
        cloudsim.simulate(
            cloudsim.load_scenario().replace({"claims.spend.post_deal": "$4 Billion+"}), 5000, seed=1, progress=False
        ),
    ]
    return xr.concat(
        parts,
        dim=pd.Index(["base", "trend", "high"], name="scenario"),
        data_vars="all",
        coords="minimal",
        compat="override",
        combine_attrs="drop_conflicts",
    )


def seller(ds: xr.Dataset) -> str:
    return ds.attrs["seller_name"]


def commitment(ds: xr.Dataset) -> tuple[float, int]:
    """(total, last year) of the Dataset's one commitment."""
    attrs = ds["commitment_met"].attrs
    return float(attrs["commitment_total"]), int(attrs["commitment_years"].split("-")[1])


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
    ax = plot.fan(ds, "spend")
    assert isinstance(ax, Axes)
    bands = cloudsim.percentile_bands(ds["spend"], DEFAULT_QUANTILES)
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
    ax = plot.fan(ds, "spend")
    text = text_of(ax)
    assert ds["spend"].attrs["long_name"] in ax.get_title(loc="left")
    assert "USD" in ax.get_ylabel()
    ticks = [t.get_text().replace("\\$", "$") for t in ax.get_yticklabels()]
    assert {"$100M", "$1B", "$10B"} <= set(ticks)
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in ds["year"].values]
    assert "20,000 trials" in text and "5–95%" in text and "median" in text


@pytest.mark.parametrize(
    ("var", "kwargs", "scale"),
    [
        ("spend", {}, "log"),  # $100M -> $7B: orders of magnitude
        ("market_size", {}, "linear"),
        ("cumulative_spend", {}, "linear"),  # zero in 2025
        ("share", {}, "linear"),
        ("spend", {"log": False}, "linear"),
        ("market_size", {"log": True}, "log"),
    ],
)
def test_fan_log_scale_chosen_for_spend(ds, var, kwargs, scale):
    assert plot.fan(ds, var, **kwargs).get_yscale() == scale


def test_fan_share_in_percent_for_the_provider(ds):
    p = str(ds["provider"].values[1])
    label = plot.provider_labels(ds)[p]
    assert label == ds["provider"].attrs["labels"].split(", ")[1]
    ax = plot.fan(ds, "share", provider=p)
    assert label in ax.get_title(loc="left")
    ax.figure.canvas.draw()
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())
    bands = cloudsim.percentile_bands(ds["share"].sel(provider=p))
    np.testing.assert_array_equal(by_gid(ax, "median").get_ydata(), bands.sel(quantile=0.5).values)
    # default: the seller of the Dataset (attrs["seller_name"]); a bare DataArray: the first provider
    ax = plot.fan(ds, "share")
    assert ax.get_title(loc="left").endswith(": " + ds.attrs["seller"])
    med = cloudsim.percentile_bands(ds["share"].sel(provider=seller(ds))).sel(quantile=0.5).values
    np.testing.assert_array_equal(by_gid(ax, "median").get_ydata(), med)
    first = str(ds["provider"].values[0])
    bare = ds["share"].isel(provider=slice(1, None))
    ax = plot.fan(bare)
    assert ax.get_title(loc="left").endswith(": " + plot.provider_labels(bare)[str(bare["provider"].values[0])])
    assert first not in bare["provider"].values


def test_fan_ci_lines_are_the_order_statistic_intervals(ds):
    q = (0.1, 0.5, 0.9)
    ax = plot.fan(ds, "spend", q=q, ci=True)
    qi = quantile_intervals(ds["spend"], q, ci=0.95)
    for qv in q:
        for bound in ("lower", "upper"):
            line = by_gid(ax, f"ci:{qv:g}:{bound}")
            np.testing.assert_array_equal(line.get_ydata(), qi.sel(quantile=qv, ci_bound=bound).values)
            assert line.get_linestyle() == "--"
    lo, hi = by_gid(ax, "ci:0.1:lower").get_ydata(), by_gid(ax, "ci:0.1:upper").get_ydata()
    assert np.all(lo < hi)
    assert "95% MC interval" in text_of(ax)
    ax = plot.fan(ds, "spend", q=q, ci=0.5)
    np.testing.assert_array_equal(
        by_gid(ax, "ci:0.9:upper").get_ydata(), quantile_intervals(ds["spend"], q, ci=0.5)[-1, :, 1]
    )
    assert not [g for g in gids(plot.fan(ds, "spend")) if g.startswith("ci:")]


def test_fan_from_precomputed_bands(ds):
    bands = cloudsim.percentile_bands(ds)
    ax = plot.fan(bands, "spend")
    ref = plot.fan(ds, "spend")
    np.testing.assert_array_equal(by_gid(ax, "median").get_ydata(), by_gid(ref, "median").get_ydata())
    assert ax.get_yscale() == "log"
    sub = plot.fan(bands["spend"], q=(0.25, 0.5, 0.75))
    assert [g for g in gids(sub) if g.startswith("band:")] == ["band:0.25-0.75"]
    with pytest.raises(ValueError, match="not in the precomputed bands"):
        plot.fan(bands, "spend", q=(0.1, 0.5, 0.9))
    with pytest.raises(ValueError, match=r"ci: .*needs the trials"):
        plot.fan(bands, "spend", ci=True)


def test_fan_one_per_scenario_overlay(two):
    ax = plot.fan(two, "spend", ci=True)
    assert isinstance(ax, Axes)
    colors = set()
    for s in ("a", "b"):
        bands = cloudsim.percentile_bands(two["spend"].sel(scenario=s))
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
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["a", "b"]
    assert "5–95%" in legend and "95% MC interval of each edge" in legend  # the outer band edges explained


def test_fan_one_per_scenario_grid(two):
    fig = plot.fan(two, "share", layout="grid")  # default provider: the seller
    assert isinstance(fig, Figure)
    axes = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title(loc="left") for a in axes] == ["a", "b"]
    for a, s in zip(axes, ("a", "b"), strict=True):
        bands = cloudsim.percentile_bands(two["share"].sel(scenario=s, provider=seller(two)))
        np.testing.assert_array_equal(by_gid(a, f"{s}/median").get_ydata(), bands.sel(quantile=0.5).values)
    assert fig.get_suptitle().endswith(": " + two.attrs["seller"])
    reuse = plt.figure()
    assert plot.fan(two, "spend", layout="grid", fig=reuse) is reuse
    assert len([a for a in reuse.axes if a.get_visible()]) == 2


def test_fan_of_three_scenarios_stays_apart(three):
    """Three scenarios: three colours, every median above every band, the outer band edges in the legend."""
    ax = plot.fan(three, "spend")
    names = ["base", "trend", "high"]
    colors = {matplotlib.colors.to_hex(by_gid(ax, f"{s}/median").get_color()) for s in names}
    assert len(colors) == 3
    band_z = max(by_gid(ax, f"{s}/band:{b}").get_zorder() for s in names for b in ("0.05-0.95", "0.25-0.75"))
    edge_z = max(by_gid(ax, f"{s}/edge:{q}").get_zorder() for s in names for q in ("0.05", "0.95"))
    assert all(by_gid(ax, f"{s}/median").get_zorder() > max(band_z, edge_z) for s in names)
    for s in names:  # the outer band edges are drawn, in the scenario's colour
        edge = by_gid(ax, f"{s}/edge:0.95")
        assert matplotlib.colors.to_hex(edge.get_color()) == matplotlib.colors.to_hex(
            by_gid(ax, f"{s}/median").get_color()
        )
        bands = cloudsim.percentile_bands(three["spend"].sel(scenario=s))
        np.testing.assert_array_equal(edge.get_ydata(), bands.sel(quantile=0.95).values)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [*names, "5–95%", "25–75%"]
    assert all(by_gid(ax, f"{s}/band:0.05-0.95").get_alpha() < 0.1 for s in names)  # a faint wash, not a blob


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
    names = [str(p) for p in ds["provider"].values]
    for i, p in enumerate(names):
        line = by_gid(ax, f"median:{p}")
        np.testing.assert_array_equal(line.get_ydata(), bands.sel(quantile=0.5, provider=p).values)
        assert matplotlib.colors.to_hex(line.get_color()) == matplotlib.colors.to_hex(plot.PROVIDER_PALETTE[i])
        assert_band(
            by_gid(ax, f"band:{p}"),
            years,
            bands.sel(quantile=0.05, provider=p).values,
            bands.sel(quantile=0.95, provider=p).values,
        )
    text = text_of(ax)
    assert all(label in text for label in ds["provider"].attrs["labels"].split(", ")) and "%" in text
    assert ds["share"].attrs["long_name"] in ax.get_title(loc="left")
    # colours: by position along the coordinate (a subset keeps them), a user mapping on top
    sub = plot.shares(ds, providers=names[2:], colors={names[3]: "black"})
    assert matplotlib.colors.to_hex(by_gid(sub, f"median:{names[2]}").get_color()) == plot.PROVIDER_PALETTE[2].lower()
    assert matplotlib.colors.to_hex(by_gid(sub, f"median:{names[3]}").get_color()) == "#000000"


def test_shares_stacked_medians(ds):
    a, b = (str(p) for p in ds["provider"].values[:2])
    ax = plot.shares(ds, stacked=True, stat="median", providers=[a, b])
    med = cloudsim.percentile_bands(ds["share"], 0.5).sel(quantile=0.5)
    top = by_gid(ax, f"stack:{b}")
    v = np.concatenate([p.vertices for p in top.get_paths()])
    total = (med.sel(provider=a).values + med.sel(provider=b).values) / med.sum("provider").values
    for y, t in zip(ds["year"].values, total, strict=True):
        assert np.any(np.isclose(v[np.isclose(v[:, 0], y), 1], t))
    labels = plot.provider_labels(ds)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [labels[b], labels[a]]  # top of the stack first
    ax = plot.shares(ds, stacked=True, stat="mean")
    assert ax.get_ylim()[1] == pytest.approx(1.0)


def test_shares_from_bands_and_errors(ds):
    bands = cloudsim.percentile_bands(ds)
    ax = plot.shares(bands)
    np.testing.assert_array_equal(
        by_gid(ax, f"median:{seller(ds)}").get_ydata(),
        bands["share"].sel(quantile=0.5, provider=seller(ds)).values,
    )
    with pytest.raises(ValueError, match="providers: \\['ibm'\\]"):
        plot.shares(ds, providers=["ibm"])
    with pytest.raises(ValueError, match="stat: 'mean' needs the trials"):
        plot.shares(bands, stacked=True, stat="mean")
    with pytest.raises(ValueError, match="needs dims 'year' and 'provider'"):
        plot.shares(ds["spend"])
    with pytest.raises(ValueError, match="colors: \\['ibm'\\] are not providers"):
        plot.shares(ds, colors={"ibm": "red"})


# ----------------------------------------------------------------------------
# distribution
# ----------------------------------------------------------------------------
def test_distribution_marks_thresholds_with_exceedance(ds):
    total, last = commitment(ds)
    x = ds["cumulative_spend"].sel(year=last)
    ax = plot.distribution(ds, "cumulative_spend", year=last, thresholds=[total, total / 2])
    for t in (total, total / 2):
        line = by_gid(ax, f"threshold:{t:g}")
        assert np.all(np.asarray(line.get_xdata()) == t)
        p = float(np.mean(x.values >= t))
        ex = exceedance_probability(x, t)
        assert float(ex["probability"]) == p
        label = by_gid(ax, f"threshold_text:{t:g}").get_text().replace("\\$", "$")
        lo, hi = ex["probability_ci"].values
        p_txt, lo_txt, hi_txt = probability_interval(p, lo, hi)
        assert label.startswith(f"P(≥ {plot.format_money(t)}) = {p_txt}")
        assert f"95% CI {lo_txt}–{hi_txt}" in label
    assert ax.get_xscale() == "log"
    hist = by_gid(ax, "hist")
    heights = hist.get_data().values
    assert 0.99 < heights.sum() <= 1.0  # share of trials per bin; the axis shows the central 99.8%+
    assert str(last) in ax.get_title(loc="left")
    assert "20,000 trials" in text_of(ax)


def test_distribution_cdf_and_dataarray(ds):
    da = ds["spend"]
    ax = plot.distribution(da, year=2028, thresholds=1.5e9, kind="cdf")
    line = by_gid(ax, "cdf")
    xs, ps = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    np.testing.assert_allclose(xs[500], np.quantile(da.sel(year=2028).values, 0.5))
    assert ps[0] == 0 and ps[-1] == 1 and np.all(np.diff(xs) >= 0)
    p = float(np.mean(da.sel(year=2028).values >= 1.5e9))
    assert f"= {probability(p)}" in by_gid(ax, "threshold_text:1.5e+09").get_text()
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
    from cloudsim.runs import simulate_until

    last = scn.commitments[0].last_year
    _, history = simulate_until(
        scn,
        [("probability", "commitment_met", {}, None), ("quantile", "cumulative_spend", {"year": last}, 0.5)],
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
    total, last = commitment(ds)
    titles = [" ".join(a.get_title(loc="left").replace("\\$", "$").split()) for a in fig.axes]  # unwrapped
    assert titles[0] == ds["spend"].attrs["long_name"]
    assert titles[1] == ds["share"].attrs["long_name"]
    years = ds["commitment_met"].attrs["commitment_years"].replace("-", "–")
    money = plot.format_money(total)
    assert titles[2] == f"{ds['cumulative_spend'].attrs['long_name']}, by {last}, vs the {money} commitment ({years})"
    assert titles[3] == f"Will the {money} commitment ({years}) be met?"
    sup = fig.get_suptitle()
    assert "20,000 trials" in sup and scn.name in sup and ds.attrs["buyer"] in sup and ds.attrs["seller"] in sup
    thr = f"threshold:{total:g}"
    by_gid(fig.axes[2], thr)
    p = float(ds["commitment_met"].mean())
    assert f"= {p:.1%}" in by_gid(fig.axes[2], f"threshold_text:{total:g}").get_text()
    # precomputed bands give the same fan; an existing figure is reused
    reuse = plt.figure()
    assert plot.dashboard(ds, scn, fig=reuse, bands=cloudsim.percentile_bands(ds)) is reuse
    np.testing.assert_array_equal(
        by_gid(reuse.axes[0], "median").get_ydata(), by_gid(fig.axes[0], "median").get_ydata()
    )


def test_dashboard_shows_p_commitment_met_and_says_claims_are_inputs(ds):
    fig = plot.dashboard(ds)
    ax = fig.axes[3]
    res = cloudsim.commitment_probability(ds)
    p, lo, hi = res["probability"], res["ci_lower"], res["ci_upper"]
    met = by_gid(ax, "met:commitment")
    assert met.get_xdata()[0] == commitment(ds)[1] and met.get_ydata()[0] == pytest.approx(p)
    text = by_gid(ax, "met_text:commitment").get_text()
    assert text == "P(met) = {}\n95% CI {}–{}".format(*probability_interval(p, lo, hi))
    assert "P(commitment met), 95% Wilson interval" in text_of(ax)
    # the year-by-year line: P(cumulative spend >= total) with the Wilson interval of each year
    total, last = commitment(ds)
    reached = by_gid(ax, "reached:commitment")
    cum = ds["cumulative_spend"].sel(year=slice(None, last))
    first = int(ds["cumulative_spend"].attrs["since"])
    np.testing.assert_allclose(reached.get_ydata(), (cum.sel(year=slice(first, last)) >= total).mean("trial").values)
    assert reached.get_ydata()[-1] == pytest.approx(p)  # one tranche: the last year is P(met)
    note = fig._supxlabel.get_text()
    assert "are inputs of the model" in note and "by construction" in note
    assert not any(a.get_title(loc="left").startswith("Claims") for a in fig.axes)


def test_commitments_of_several_commitments(ds):
    """Several commitments (dim ``commitment``, coords commitment_total/years): one dot and line each."""
    total, last = commitment(ds)
    cum = ds["cumulative_spend"].sel(year=last)
    met = xr.concat([cum >= total, cum >= total / 2], dim=pd.Index(["big", "small"], name="commitment"))
    several = ds.drop_vars(["commitment_met", "commitment_shortfall"]).assign(commitment_met=met.drop_vars("year"))
    several = several.assign_coords(
        commitment_total=("commitment", [total, total / 2]),
        commitment_years=("commitment", [f"2026-{last}", f"2027-{last}"]),
    )
    several["cumulative_spend"].attrs = {k: v for k, v in several["cumulative_spend"].attrs.items() if k == "since"}
    ax = plot.commitments(several)
    for name, t in (("big", total), ("small", total / 2)):
        assert by_gid(ax, f"met:{name}").get_ydata()[0] == pytest.approx(float(met.sel(commitment=name).mean()))
        by_gid(ax, f"reached:{name}")
        assert plot.format_money(t) in by_gid(ax, f"reached:{name}").get_label().replace("\\$", "$")
    # a later first year: the spend is summed from it
    small = by_gid(ax, "reached:small")
    assert small.get_xdata()[0] == 2027
    cum27 = ds["spend"].sel(year=slice(2027, last)).cumsum("year")
    np.testing.assert_allclose(small.get_ydata(), (cum27 >= total / 2).mean("trial").values)
    assert "commitments" in ax.get_title(loc="left")
    fig = plot.dashboard(several)
    for t in (total, total / 2):
        by_gid(fig.axes[2], f"threshold:{t:g}")


def test_six_provider_deal_says_its_own_names(six):
    """Nothing of the default deal leaks in: titles and legends say Acme and Oracle Cloud."""
    assert six.attrs["buyer"] == "Acme" and six.attrs["seller"] == "Oracle Cloud"
    texts = []
    fig = plot.dashboard(six)
    texts += [fig.get_suptitle()] + [text_of(a) for a in fig.axes]
    ax = plot.fan(six, "spend")
    texts.append(text_of(ax))
    share_fan = plot.fan(six, "share")  # default: the seller
    texts.append(text_of(share_fan))
    assert share_fan.get_title(loc="left").endswith(": Oracle Cloud")
    shares_ax = plot.shares(six)
    texts.append(text_of(shares_ax))
    everything = "\n".join(texts)
    assert "Acme" in everything and "Oracle Cloud" in everything
    assert "Acme's annual Oracle Cloud spend" in fig.axes[0].get_title(loc="left")
    for word in ("OpenAI", "AWS", "Azure", "Google Cloud"):
        assert word not in everything, word
    # six providers, six distinct colours, labels from the provider coordinate's attrs
    colors = [matplotlib.colors.to_hex(by_gid(shares_ax, f"median:{p}").get_color()) for p in six["provider"].values]
    assert len(set(colors)) == 6
    legend = [t.get_text() for t in shares_ax.get_legend().get_texts()]
    assert legend == ["aws", "azure", "gcp", "Oracle Cloud", "coreweave", "other"]


def test_plot_and_cloudsim_accessors(ds):
    acc = plot.PlotAccessor(ds)
    total, last = commitment(ds)
    assert isinstance(acc, plot.DatasetPlotAccessor)
    assert isinstance(acc.fan("spend"), Axes)
    assert isinstance(acc.shares(stacked=True), Axes)
    assert isinstance(acc.distribution("cumulative_spend", year=last, thresholds=[total]), Axes)
    assert isinstance(acc.claims(), Axes)
    assert isinstance(acc.commitments(), Axes)
    assert len(acc.dashboard().axes) == 4
    assert isinstance(plot.PlotAccessor(ds["share"]).fan(), Axes)
    assert isinstance(plot.PlotAccessor(ds["spend"])(), Axes)
    assert isinstance(ds.cloudsim.plot.fan("spend"), Axes)
    # the DataArray plot accessor has no Dataset-only plots
    da_plot = ds["spend"].cloudsim.plot
    assert not isinstance(da_plot, plot.DatasetPlotAccessor)
    assert not any(hasattr(da_plot, m) for m in ("claims", "commitments", "dashboard"))
    # accessors hold only the object, and forward with the real signature
    import inspect

    for a in (ds.cloudsim, ds["spend"].cloudsim, ds.cloudsim.plot, ds["spend"].cloudsim.plot):
        assert not hasattr(a, "__dict__")
    full = inspect.signature(cloudsim.risk.quantile_intervals)
    assert inspect.signature(ds.cloudsim.quantile_intervals) == full.replace(
        parameters=list(full.parameters.values())[1:]
    )
    sig = inspect.signature(ds.cloudsim.plot.dashboard)
    assert list(sig.parameters)[:2] == ["scenario", "fig"]
    assert ds.cloudsim.plot.fan.__doc__ == plot.fan.__doc__
    sig = inspect.signature(ds["spend"].cloudsim.value_at_risk)
    assert list(sig.parameters) == list(inspect.signature(cloudsim.risk.value_at_risk).parameters)[1:]
    assert ds["spend"].cloudsim.value_at_risk.__doc__ == cloudsim.risk.value_at_risk.__doc__
    dataset_only = ("check_claims", "commitment_report", "commitment_probability")
    assert not any(hasattr(ds["spend"].cloudsim, m) for m in dataset_only)
    assert all(hasattr(ds.cloudsim, m) for m in dataset_only)
    xr.testing.assert_identical(ds.cloudsim.commitment_report(), cloudsim.commitment_report(ds))
    assert ds.cloudsim.check_claims().equals(cloudsim.check_claims(ds))


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
    (lambda ds: plot.dashboard(ds[["market_size"]]), ValueError, "the dashboard draws spend, share, cumulative_spend"),
    (lambda ds: plot.dashboard(ds.drop_attrs()), ValueError, "ds: records no commitment"),
    (lambda ds: plot.commitments(ds[["spend"]]), ValueError, "ds: records no commitment"),
    (lambda ds: plot.dashboard(ds, "openai-aws-2025"), TypeError, "scenario: expected a cloudsim.Scenario"),
    (lambda ds: plot.shares(ds, colors=["red"]), TypeError, "colors: expected a mapping"),
    (lambda ds: plot.convergence({"trials": [1]}), TypeError, "history: expected the DataFrame"),
]


@pytest.mark.parametrize(("call", "exc", "match"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_gives_a_clear_error(ds, call, exc, match):
    with pytest.raises(exc, match=match) as info:
        call(ds)
    # raised by cloudsim's own checks, not deep inside matplotlib
    assert "matplotlib" not in Path(str(info.traceback[-1].path)).parts


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
    plot.fan(ds, "spend", ax=ax, ci=True)
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
        plot.fan(d, "spend", ax=ax, q=(0.1, 0.25, 0.5, 0.75, 0.9), ci=True)
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


# ----------------------------------------------------------------------------
# first contact: labels that do not collide, probabilities with significant figures
# ----------------------------------------------------------------------------
def _overlaps(ax, a, b) -> bool:
    renderer = ax.figure.canvas.get_renderer()
    return a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer))


def _label_box(ax, text):
    renderer = ax.figure.canvas.get_renderer()
    text.update_bbox_position_size(renderer)
    return text.get_bbox_patch().get_window_extent(renderer)


@pytest.mark.parametrize("where", [0.002, 0.02, 0.5, 0.98])
def test_distribution_threshold_label_never_covers_the_legend(ds, where):
    _, last = commitment(ds)
    x = ds["cumulative_spend"].sel(year=last)
    t = float(np.quantile(x.values, where))  # near the left edge, in the middle, near the right edge
    ax = plot.distribution(ds, "cumulative_spend", year=last, thresholds=[t])
    ax.figure.canvas.draw()
    legend = ax.get_legend()
    renderer = ax.figure.canvas.get_renderer()
    box = _label_box(ax, by_gid(ax, f"threshold_text:{t:g}"))
    assert not legend.get_window_extent(renderer).overlaps(box)
    for text in legend.get_texts():  # and no legend entry sits under the label
        assert not text.get_window_extent(renderer).overlaps(box)


def test_dashboard_label_clear_of_the_legend_when_the_commitment_is_left_of_the_mode(scn):
    small = scn.replace({"commitments[0].total": "$8B"})  # met in most trials: the mode lies right of it
    ds = cloudsim.simulate(small, 4000, seed=3)
    fig = plot.dashboard(ds)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        lbox = legend.get_window_extent(renderer)
        for text in ax.texts:
            if text.get_bbox_patch() is not None:
                assert not lbox.overlaps(_label_box(ax, text)), text.get_text()
            elif text.get_text().strip():
                assert not lbox.overlaps(text.get_window_extent(renderer)), text.get_text()


def test_small_probabilities_print_with_significant_figures():
    assert probability_interval(0.00119, 0.00105, 0.00135) == ("0.119%", "0.105%", "0.135%")
    assert probability_interval(0.23, 0.2282, 0.2318) == ("23.0%", "22.8%", "23.2%")
    assert probability_interval(0.99881, 0.9986, 0.9990) == ("99.881%", "99.860%", "99.900%")
    assert probability(0.5) == "50.0%" and probability(0.0) == "0.0%" and probability(1.0) == "100.0%"


def test_distribution_label_of_a_rare_exceedance_keeps_its_digits(ds):
    x = ds["spend"].sel(year=2028)
    t = float(np.sort(x.values)[-25])  # 25 of 20,000 trials: 0.125%
    ax = plot.distribution(x, thresholds=[t])
    label = by_gid(ax, f"threshold_text:{t:g}").get_text()
    assert "= 0.125%" in label
    lo, hi = exceedance_probability(x, t)["probability_ci"].values
    assert f"{lo * 100:.3f}%–{hi * 100:.3f}%" in label
    assert "0.1%–0.1%" not in label


@pytest.mark.parametrize("ci", [1.5, 0.0, 1.0, -0.2])
def test_distribution_refuses_a_ci_outside_0_1(ds, ci):
    with pytest.raises(ValueError, match=r"ci: must be in \(0, 1\)"):
        plot.distribution(ds, "spend", year=2028, thresholds=[1e9], ci=ci)


def test_stacked_shares_fill_the_whole_100_percent(ds):
    for stat, head in ((None, "mean share"), ("median", "median share, scaled to sum to 100%")):
        ax = plot.shares(ds, stacked=True, stat=stat)
        names = [str(p) for p in ds["provider"].values]
        top = by_gid(ax, f"stack:{names[-1]}")
        v = np.concatenate([p.vertices for p in top.get_paths()])
        for y in ds["year"].values:  # the top edge of the stack is at 100% in every year: no gap below it
            assert np.max(v[np.isclose(v[:, 0], y), 1]) == pytest.approx(1.0, abs=1e-12)
        assert ax.get_ylim() == pytest.approx((0.0, 1.0))
        assert ax.get_legend().get_title().get_text().startswith(head)


def test_fan_of_two_scenarios_keeps_the_first_median_visible(two):
    ax = plot.fan(two, "spend")
    first, second = by_gid(ax, "a/median"), by_gid(ax, "b/median")
    bands = [a for a in ax.collections if str(a.get_gid() or "").startswith(("a/band", "b/band"))]
    assert first.get_zorder() > max(b.get_zorder() for b in bands)
    assert second.get_zorder() > max(b.get_zorder() for b in bands)
    assert all(b.get_alpha() <= 0.14 for b in bands)  # washes, through which the other median shows
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["a", "b"] and "5–95%" in legend  # the dotted outer edges explained
    edge = by_gid(ax, "a/edge:0.05")
    legend = ax.get_legend()
    handle = legend.legend_handles[[t.get_text() for t in legend.get_texts()].index("5–95%")]
    assert edge.get_linestyle() not in ("-", "solid", "None")  # the outer edges are broken lines ...
    assert handle.get_linestyle() == edge.get_linestyle()  # ... and the legend shows that line for "5–95%"
    assert handle._unscaled_dash_pattern == edge._unscaled_dash_pattern  # the same dots, not just "dashed"
