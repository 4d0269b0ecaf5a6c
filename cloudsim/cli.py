"""The ``cloudsim`` command: ``run``, ``compare``, ``sensitivity``, ``goal-seek`` and ``list`` subcommands."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


#: The most trials a run can index (``start + trials <= 2**62``, as the engine checks).
MAX_TRIALS = 2**62


def _trials(text: str) -> int:
    """``--trials``: an integer, also written as ``1e6`` or ``1_000_000``."""
    plain = text.replace("_", "").replace(",", "")
    try:
        value = int(plain) if plain.lstrip("+-").isdigit() else float(plain)  # int: exact past 2**53
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of trials such as 1000000 or 1e6, got {text!r}"
        ) from None
    if (isinstance(value, float) and not value.is_integer()) or value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    if value > MAX_TRIALS:
        raise argparse.ArgumentTypeError(f"must be at most 2**62 (the trial index is a 64-bit integer), got {text!r}")
    return int(value)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def _number(text: str) -> float:
    """A finite number, also written as ``1e9`` or ``1_000_000``."""
    import math

    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.5 or 1e9, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _stat(text: str) -> str | float:
    """``--stat``: ``mean`` or a quantile level in [0, 1]."""
    if text == "mean":
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected 'mean' or a quantile level in [0, 1] such as 0.5, got {text!r}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1) such as 0.95, got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors name the command and exit with status 2, without a traceback."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"cloudsim: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = _Parser(prog="cloudsim", description="Monte Carlo risk simulation of cloud-compute deals and forecasts.")
    p.add_argument("--version", action="version", version=f"cloudsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="simulate a scenario and summarise it")
    run.add_argument(
        "scenario", nargs="?", default=None, help="bundled scenario name or .toml path (default: the bundled default)"
    )
    run.add_argument("--trials", type=_trials, default=1_000_000, help="number of trials, e.g. 1000000 or 1e6")
    run.add_argument("--seed", type=_seed, default=None, help="seed (default: fresh entropy, printed)")
    run.add_argument(
        "--out", default=None, help="write the Dataset as netCDF (FILE.nc, compressed) or stream it to Zarr (FILE.zarr)"
    )
    run.add_argument(
        "--summary",
        action="store_true",
        help="summaries only, in bounded memory, for any number of trials (a full run that would not fit in "
        "memory is refused and points here)",
    )
    run.add_argument("--bands", choices=("sketch", "exact"), default="sketch", help="summary bands (default sketch)")
    run.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) for the summary")
    run.add_argument("--workers", type=int, default=None, help="run the summary on a local cluster of N processes")
    run.add_argument("--chunk", type=_trials, default=None, help="trials per task (summary) or per Zarr chunk")
    run.add_argument("--keep", default=None, help="variables to write to --out, comma separated (default: all)")
    run.add_argument("--years", default=None, help="years to write to --out, comma separated (default: all)")
    run.add_argument(
        "--plot",
        default=None,
        help="write a dashboard (spend fan, shares, cumulative spend against the commitments); the format "
        "follows the suffix (.png, .pdf, .svg, ...)",
    )
    run.add_argument("--float32", action="store_true", help="store outputs as float32 (half the memory)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.add_parser("list", help="list the bundled scenarios with their descriptions")
    cmp = sub.add_parser("compare", help="compare scenarios with common random numbers")
    cmp.add_argument("scenarios", nargs="+", help="two or more bundled scenario names or .toml paths")
    cmp.add_argument("--trials", type=_trials, default=200_000, help="trials per scenario (default 200,000)")
    cmp.add_argument("--seed", type=_seed, default=None, help="seed shared by every scenario (default: fresh entropy)")
    cmp.add_argument("--out", default=None, help="write the comparison Dataset (dim 'scenario') as netCDF")
    sens = sub.add_parser("sensitivity", help="which per-trial input moves an output most: indices, tornado")
    sens.add_argument("scenario", nargs="?", default=None, help="bundled scenario name or .toml path")
    sens.add_argument("--trials", type=_trials, default=100_000, help="trials (default 100,000)")
    sens.add_argument("--seed", type=_seed, default=None, help="seed (default: fresh entropy, printed)")
    sens.add_argument("--output", default="commitment_met", help="the output variable (default commitment_met)")
    sens.add_argument("--ci", type=_probability, default=0.95, help="interval probability (default 0.95)")
    sens.add_argument("--tornado", action="store_true", help="also swing each input to its p10 and p90")
    sens.add_argument("--year", type=int, default=None, help="the year of a yearly output, for --tornado")
    sens.add_argument("--stat", type=_stat, default="mean", help="--tornado statistic: mean or a quantile level")
    sens.add_argument("--plot", default=None, help="write the indices (and the tornado) as an image (.png, ...)")
    gs = sub.add_parser("goal-seek", help="the value of a numeric scenario key that makes a statistic hit a target")
    gs.add_argument("scenario", nargs="?", default=None, help="bundled scenario name or .toml path")
    gs.add_argument("--key", required=True, help="dotted numeric key or claim value, e.g. claims.spend.post_deal")
    gs.add_argument("--target", type=_number, required=True, help="the statistic's wanted value, e.g. 0.5")
    gs.add_argument("--bounds", type=_number, nargs=2, required=True, metavar=("LOW", "HIGH"),
                    help="values of the key on either side of the target")  # fmt: skip
    gs.add_argument("--output", default="commitment_met", help="the output variable (default commitment_met)")
    gs.add_argument("--year", type=int, default=None, help="the year, for a yearly output")
    gs.add_argument("--stat", type=_stat, default="mean", help="mean (a probability for a boolean) or a quantile")
    gs.add_argument("--trials", type=_trials, default=50_000, help="trials per evaluation (default 50,000)")
    gs.add_argument("--seed", type=_seed, default=None, help="seed of every evaluation (default: fresh, printed)")
    return p


def _fmt_money(v: float) -> str:
    """Money with three significant figures and one scale: ``$1.00B``, ``$1.63B``, ``$38.0B``, ``-$250M``."""
    from ._format import money

    return money(v)


def _fmt_value(units: str):
    return _fmt_money if units == "USD" else (lambda v: f"{v:.1%}")


def _bands_table(bands, fmt) -> str:
    qs = bands["quantile"].values
    head = "  year " + "".join(f"{f'P{q * 100:g}':>10}" for q in qs)
    lines = [head]
    for y in bands["year"].values:
        row = bands.sel(year=y).values
        lines.append(f"  {y:4d} " + "".join(f"{fmt(v):>10}" for v in row))
    return "\n".join(lines)


def summary(ds, scn) -> str:
    """What ``cloudsim run`` prints: headline bands, commitments and claim checks.

    ``ds`` is a run (dim ``trial``) or a :func:`cloudsim.summarize` result (``--summary``); both
    print the same table from the same functions, so a summary reads exactly like the run it
    stands for (its bands are the summary's own, its counts the full run's).
    """
    from .risk import check_claims, percentile_bands, wilson_interval
    from .risk._from_summary import is_summary

    d = scn.to_dict()
    summarised = is_summary(ds)
    if summarised:
        n = int(ds.attrs["trials"])
        head = f"{n:,} trials (summary: {ds.attrs['summary']} bands)"
    else:
        n = ds.sizes["trial"]
        head = f"{n:,} trials"
    out = [f"cloudsim: scenario {scn.name!r}, {head}, seed {ds.attrs['seed']}", ""]
    provider_labels = dict(zip(ds["provider"].values.tolist(), scn.model.provider_labels(d), strict=True)) \
        if "provider" in ds.coords and hasattr(scn.model, "provider_labels") else {}  # fmt: skip
    for name, sel in scn.model.headline(d):
        da = ds[name].sel(sel) if sel else ds[name]
        title = da.attrs.get("long_name", name)
        if "provider" in sel:
            title += f": {provider_labels.get(sel['provider'], sel['provider'])}"
        bands = da if summarised else percentile_bands(da)
        out += [title, _bands_table(bands, _fmt_value(da.attrs.get("units", ""))), ""]
    for c, k in _commitment_counts(ds, scn, summarised):
        lo, hi = wilson_interval(k, n, 0.95)
        due = ", ".join(f"{_fmt_money(a)} by {y}" for y, a in zip(c.due_years, c.amounts, strict=True))
        out.append(
            f"P({c.label}: cumulative spend from {c.first_year} reaches {due}) = {k / n:.4f} (95% CI {lo:.4f}-{hi:.4f})"
        )
    checks = check_claims(ds, scn)
    if len(checks):
        out += ["", f"Claims (inputs of the model): stated vs simulated probability; {checks.attrs['rule']}"]
        for r in checks.itertuples():
            mark = "ok " if r.holds else "OFF"
            out.append(
                f"  [{mark}] {r.claim:<15} {r.which:<6} {r.year}  {r.statement:<28} simulated {r.simulated:.4f} "
                f"({r.ci_lower:.4f}-{r.ci_upper:.4f})"
            )
    return "\n".join(out)


def _commitment_counts(ds, scn, summarised: bool) -> list[tuple[Any, int]]:
    """Each commitment of ``scn`` with the number of trials that met it, from a run or a summary."""
    name = "commitment_met_count" if summarised else "commitment_met"
    if name not in ds:
        return []
    met = ds[name]
    cols = [met] if "commitment" not in met.dims else [met.sel(commitment=c.name) for c in scn.commitments]
    return [(c, int(col.values.sum())) for c, col in zip(scn.commitments, cols, strict=True)]


def compare_summary(ds) -> str:
    """The human-readable summary ``cloudsim compare`` prints (``ds`` from :func:`cloudsim.compare`)."""
    import warnings

    import numpy as np

    from .risk import commitment_report, paired_difference

    names = [str(s) for s in ds["scenario"].values]
    out = [
        f"cloudsim: {len(names)} scenarios, {ds.sizes['trial']:,} trials each, seed {ds.attrs['seed']} "
        f"(common random numbers)",
        "",
    ]
    rep = commitment_report(ds)
    for s in names:
        r = rep.sel(scenario=s)
        amounts = ds["commitment_total"].sel(scenario=s).values  # one, or one per trial when drawn
        if np.unique(amounts).size == 1:
            total = _fmt_money(float(amounts.flat[0]))
        else:
            total = f"a drawn total (median {_fmt_money(float(np.median(amounts)))})"
        first, last = (int(ds[f"commitment_{k}_year"].sel(scenario=s)) for k in ("first", "last"))
        lo, hi = r.probability_met_ci.values
        med = float(r.cumulative_spend.sel(quantile=0.5))
        out.append(
            f"  {s:<28} P(cumulative {first}-{last} >= {total}) = {float(r.probability_met):.4f} "
            f"({lo:.4f}-{hi:.4f}); median cumulative {_fmt_money(med)}"
        )
    ref = names[0]
    last_year = int(ds["year"].values[-1])
    out += ["", f"Paired differences against {ref!r} (95% intervals)"]
    for s in names[1:]:
        d = paired_difference(ds, "commitment_met", a=ref, b=s, stat="probability")
        lo, hi = d.difference_ci.values
        out.append(f"  P(commitment met): {ref} - {s} = {float(d.difference):+.4f} ({lo:+.4f} to {hi:+.4f})")
        cum = ds["cumulative_spend"].sel(year=last_year)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", RuntimeWarning)
            q = paired_difference(ds, cum, a=ref, b=s, q=[0.05, 0.5, 0.95])
        few = any(issubclass(w.category, RuntimeWarning) for w in seen)
        for qq in q["quantile"].values:
            lo, hi = q.difference_ci.sel(quantile=qq).values
            diff = float(q.difference.sel(quantile=qq))
            out.append(
                f"  P{qq * 100:g} cumulative spend {last_year}: {ref} - {s} = {_signed(diff)} "
                f"({_signed(lo)} to {_signed(hi)})"
            )
        if few:
            out.append(
                "  (these quantile intervals rest on few trials that the two scenarios rank differently: they are "
                "conservative; more trials narrow them)"
            )
    return "\n".join(out)


def _signed(v: float) -> str:
    return ("+" if v >= 0 else "") + _fmt_money(v)


#: Suffixes ``--out`` accepts (netCDF files).
NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf")


def _check_out(path: str | None) -> None:
    if path is not None and Path(path).suffix.lower() not in NETCDF_SUFFIXES:
        raise ValueError(
            f"--out: {path!r} does not end in {' or '.join(NETCDF_SUFFIXES)}; cloudsim writes netCDF there: "
            "give a name such as run.nc"
        )


def _plot_format(path: str) -> str:
    """The image format ``--plot`` writes, from the file's suffix; refuse a suffix matplotlib cannot write."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise ValueError(
            f"--plot: {path!r} has {shown}; the image format is read from the suffix: use one of "
            f"{', '.join('.' + k for k in sorted(formats))}"
        )
    return suffix


def _scenario_files(names: Sequence[str | None]) -> dict[str, str]:
    """The scenario arguments that are files on disk (the inputs no output may overwrite)."""
    return {f"the scenario file {n!r}": n for n in names if n is not None and Path(n).exists()}


def _compare(args: argparse.Namespace) -> int:
    from . import load_scenario
    from ._io import check_distinct, check_writable, write_netcdf
    from .runs import compare

    if len(args.scenarios) < 2:
        raise ValueError("scenarios: give at least two scenario names or .toml paths to compare")
    _check_out(args.out)
    if args.out:
        check_writable(args.out, what="--out")
    check_distinct({"--out": args.out}, _scenario_files(args.scenarios))
    scenarios = {}
    for arg in args.scenarios:
        scn = load_scenario(arg)
        if scn.name in scenarios:
            raise ValueError(f"scenarios: {scn.name!r} given twice")
        scenarios[scn.name] = scn
    t0 = time.perf_counter()
    ds = compare(scenarios, args.trials, seed=args.seed)
    print(compare_summary(ds))
    print(f"\nsimulated in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    if args.out:
        write_netcdf(ds, args.out, what="--out")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _list_arg(text: str | None, name: str, kind: type) -> list | None:
    if text is None:
        return None
    try:
        return [kind(t.strip()) for t in text.split(",") if t.strip()]
    except ValueError:
        raise ValueError(f"{name}: expected a comma-separated list, got {text!r}") from None


def _run_summary(args: argparse.Namespace, scn) -> int:
    from . import summarize
    from ._io import to_netcdf

    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers and --scheduler: give one of them")
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers: must be >= 1, got {args.workers}")
    t0 = time.perf_counter()
    kwargs = dict(seed=args.seed, bands=args.bands, chunk=args.chunk, progress=False if args.no_progress else None)
    if args.workers is not None:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            sm = summarize(scn, args.trials, scheduler=client, **kwargs)
    else:
        sm = summarize(scn, args.trials, scheduler=args.scheduler, **kwargs)
    elapsed = time.perf_counter() - t0
    print(summary(sm, scn))
    print(f"\nsummarised in {elapsed:.2f} s ({args.trials / elapsed:,.0f} trials/s)", file=sys.stderr)
    if args.out:
        to_netcdf(sm, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.plot:
        _write_plot(sm, scn, args.plot)
    return 0


def _write_plot(ds, scn, path: str) -> None:
    """The dashboard of a run or a summary, written atomically to ``path`` in the format of its suffix."""
    import matplotlib

    matplotlib.use("Agg")
    from .plot import dashboard

    _save_figure(dashboard(ds, scn), path)


def _save_figure(fig: Any, path: str) -> None:
    """Write ``fig`` atomically to ``path`` in the format of its suffix, and close it."""
    import matplotlib.pyplot as plt

    from ._io import atomic_write

    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=_plot_format(path), dpi=100), what="--plot")
    finally:
        plt.close(fig)
    print(f"wrote {path}", file=sys.stderr)


def _check_dashboard(scn: Any) -> None:
    """Refuse ``--plot`` before the run for a model whose outputs the dashboard does not draw."""
    from .plot.dashboard import NEEDS

    have = {o.name for o in scn.model.outputs(scn.to_dict())}
    missing = [v for v in NEEDS if v not in have]
    if missing:
        raise ValueError(
            f"--plot: the dashboard draws {', '.join(NEEDS)}; model {scn.model.name!r} of scenario {scn.name!r} "
            f"has no {', '.join(missing)} (plot its outputs with cloudsim.plot.fan instead)"
        )


def _run(args: argparse.Namespace) -> int:
    from . import load_scenario, simulate
    from ._io import check_distinct, check_writable, write_netcdf
    from .api import check_selection

    zarr_out = bool(args.out) and str(args.out).rstrip("/").endswith(".zarr")
    if args.out is not None and not zarr_out:
        _check_out(args.out)
        check_writable(args.out, what="--out")
    if args.plot:
        _plot_format(args.plot)  # an unknown suffix is refused before any work
        check_writable(args.plot, what="--plot")
    check_distinct({"--out": args.out, "--plot": args.plot}, _scenario_files([args.scenario]))
    keep, years = _list_arg(args.keep, "--keep", str), _list_arg(args.years, "--years", int)
    scn = load_scenario(args.scenario)
    if args.plot:
        _check_dashboard(scn)
    if zarr_out and (args.summary or args.scheduler or args.workers):
        raise ValueError("--out: a summary is written as netCDF (give FILE.nc); FILE.zarr streams a full run's paths")
    if keep is not None or years is not None:
        if args.summary or args.scheduler or args.workers or not args.out:
            raise ValueError(
                "--keep and --years: choose what a full run writes to --out; they need --out and do not apply "
                "to --summary"
            )
        try:
            check_selection(scn, keep, years)  # before any work, not after the run
        except ValueError as exc:
            raise ValueError(f"--{exc}") from None
    dtype = "float32" if args.float32 else "float64"
    if zarr_out and not args.summary:
        return _run_zarr(args, scn, keep, years, dtype)
    if args.summary or args.scheduler or args.workers:
        return _run_summary(args, scn)
    _check_memory(scn, args.trials, args.float32)
    print(
        f"simulating {args.trials:,} trials of {scn.name!r} "
        "(the first run on a machine also compiles the numba kernels: about 15 s, cached afterwards)",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    ds = simulate(scn, args.trials, seed=args.seed, dtype=dtype, progress=False if args.no_progress else None)
    elapsed = time.perf_counter() - t0
    print(summary(ds, scn))
    print(f"\nsimulated in {elapsed:.2f} s ({ds.nbytes / 2**20:,.0f} MiB)", file=sys.stderr)
    if args.out:
        from .api import select_output

        write_netcdf(select_output(ds, keep, years), args.out, what="--out")
        print(f"wrote {args.out}", file=sys.stderr)
    if args.plot:
        _write_plot(ds, scn, args.plot)
    return 0


def _run_zarr(args: argparse.Namespace, scn, keep, years, dtype: str) -> int:
    import xarray as xr

    from . import simulate_to_zarr

    if args.plot:
        raise ValueError("--plot: not available with a Zarr --out (plot from xarray.open_zarr(path) instead)")
    t0 = time.perf_counter()
    chunk = args.chunk or 1 << 18
    path = simulate_to_zarr(scn, args.trials, args.out, seed=args.seed, chunk=chunk, keep=keep, years=years,
                            dtype=dtype)  # fmt: skip
    print(f"wrote {path} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    ds = xr.open_zarr(path)
    if keep is None and years is None:
        print(summary(ds, scn))
    return 0


def _check_memory(scn: Any, trials: int, float32: bool) -> None:
    """Refuse a run too large for memory before announcing it, naming ``--trials``."""
    import numpy as np

    from .engine.run import check_memory

    try:
        check_memory(scn, trials, np.dtype(np.float32 if float32 else np.float64))
    except ValueError as exc:
        raise ValueError(f"--{exc}") from None


#: Argument names of the driver functions whose errors the command reports as its options.
_AS_OPTIONS = ("output", "year", "stat", "key", "target", "bounds", "trials", "ci")


def _as_option(exc: Exception) -> Exception:
    """``output: unknown ...`` from a driver becomes ``--output: unknown ...``: the option the user typed."""
    text = str(exc)
    head = text.split(":", 1)[0]
    if head in _AS_OPTIONS:
        return type(exc)(f"--{text}")
    if head == "ds" and "trials" in text:  # the run is too short for the estimator: the user's --trials
        return type(exc)(f"--trials:{text.split(':', 1)[1]}")
    return exc


def _fresh_seed(seed: int | None) -> int:
    import numpy as np

    return int(np.random.SeedSequence().entropy % (2**63)) if seed is None else seed


def _indices_table(s1) -> str:
    """The first-order indices as text: one row per input (largest first), a column per year (or cell)."""
    import numpy as np

    da = s1["S1"].transpose("input", ...)
    ci = s1["S1_ci"].transpose("input", ..., "ci_bound")
    cells = list(np.ndindex(da.shape[1:])) or [()]
    heads = [" ".join(str(da[d].values[i]) if d in da.coords else str(i) for d, i in zip(da.dims[1:], c, strict=True))
             or "S1" for c in cells]  # fmt: skip
    peak = np.nan_to_num(da.values.reshape(da.sizes["input"], -1), nan=-np.inf).max(axis=1)
    width = max(len(str(n)) for n in da["input"].values)
    lines = [" " * (width + 2) + "".join(f"{h:>16}" for h in heads)]
    for k in np.argsort(-peak, kind="stable"):
        row = []
        for c in cells:
            v, (lo, hi) = float(da.values[(k, *c)]), ci.values[(k, *c)]
            row.append(f"{v:7.3f} ±{(hi - lo) / 2:6.3f}" if np.isfinite(v) else f"{'n/a':>15}")
        lines.append(f"  {da['input'].values[k]!s:<{width}}" + "".join(f"{r:>16}" for r in row))
    return "\n".join(lines)


def _tornado_fmt(tn):
    from ._format import money

    return money if tn.attrs.get("units") == "USD" else (lambda v: f"{v:.4g}")


def _tornado_table(tn) -> str:
    fmt = _tornado_fmt(tn)
    width = max(len(str(n)) for n in tn["input"].values)
    lines = [f"  {'input':<{width}} {'low value':>12} {'high value':>12} {'at low':>10} {'at high':>10} "
             f"{'swing':>10} {'±2 MCSE':>9}"]  # fmt: skip
    for r in tn["input"].values:
        row = tn.sel(input=r)
        lines.append(
            f"  {r!s:<{width}} {float(row['low_value']):>12.4g} {float(row['high_value']):>12.4g} "
            f"{fmt(float(row['stat_low'])):>10} {fmt(float(row['stat_high'])):>10} {fmt(float(row['swing'])):>10} "
            f"{fmt(2 * float(row['swing_mcse'])):>9}"
        )
    return "\n".join(lines)


def _sensitivity(args: argparse.Namespace) -> int:
    from . import load_scenario, simulate
    from .drivers import sensitivity, tornado

    if args.plot:
        _plot_format(args.plot)
        from ._io import check_writable

        check_writable(args.plot, what="--plot")
    scn = load_scenario(args.scenario)
    seed = _fresh_seed(args.seed)
    t0 = time.perf_counter()
    ds = simulate(scn, args.trials, seed=seed, progress=False)
    try:
        s1 = sensitivity(ds, args.output, ci=args.ci)
        tn = (tornado(scn, args.output, year=args.year, stat=args.stat, trials=args.trials, seed=seed)
              if args.tornado else None)  # fmt: skip
    except (TypeError, ValueError) as exc:
        raise _as_option(exc) from None
    what = ds[args.output].attrs.get("long_name", args.output)
    print(
        f"cloudsim: sensitivity of {what} ({args.output}), scenario {scn.name!r}, {args.trials:,} trials, seed {seed}"
    )
    print(f"\nFirst-order indices (rank estimator) with {args.ci:.0%} half-widths ({s1.attrs['ci_kind']})")
    print(_indices_table(s1))
    if tn is not None:
        year = f" in {args.year}" if args.year is not None else ""
        print(f"\nTornado: {args.stat} of {args.output}{year} with each input at its p10 and p90 "
              f"(baseline {_tornado_fmt(tn)(tn.attrs['baseline'])}; common random numbers)")  # fmt: skip
        print(_tornado_table(tn))
    print(f"\ncomputed in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    if args.plot:
        _write_figure(args.plot, s1, tn)
    return 0


def _write_figure(path: str, s1, tn) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plot import indices
    from .plot import tornado as tornado_plot

    fig, axes = plt.subplots(1, 2 if tn is not None else 1, figsize=(14 if tn is not None else 8, 5), squeeze=False)
    indices(s1, ax=axes[0, 0])
    if tn is not None:
        tornado_plot(tn, ax=axes[0, 1])
    fig.tight_layout()
    _save_figure(fig, path)


def _goal_seek(args: argparse.Namespace) -> int:
    from scipy import stats

    from . import load_scenario
    from .drivers import goal_seek

    scn = load_scenario(args.scenario)
    seed = _fresh_seed(args.seed)
    t0 = time.perf_counter()
    try:
        r = goal_seek(scn, args.key, args.target, bounds=tuple(args.bounds), output=args.output, year=args.year,
                      stat=args.stat, trials=args.trials, seed=seed)  # fmt: skip
    except (TypeError, ValueError) as exc:
        raise _as_option(exc) from None
    a = r.attrs
    z = stats.norm.ppf(0.975)
    year = f" in {args.year}" if args.year is not None else ""
    print(f"cloudsim: goal seek on scenario {scn.name!r}, {args.trials:,} trials per evaluation, seed {seed}")
    print(f"  {args.key} = {a['value']:.6g} (95% CI {a['value'] - z * a['value_se']:.6g} to "
          f"{a['value'] + z * a['value_se']:.6g})")  # fmt: skip
    print(f"  gives {args.stat} of {args.output}{year} = {a['achieved']:.4f} (MCSE {a['achieved_mcse']:.4f}; "
          f"target {args.target:g}) after {a['iterations']} bisection steps")  # fmt: skip
    print(f"\nsought in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _exit_if_writing(code: int) -> None:
    """Exit at once if the interruption left a writer mid-file inside a C library (netCDF/HDF5).

    The temporary file is already removed; letting the interpreter finalise after that can
    crash the process in the library's own clean-up (a segfault instead of the exit status).
    """
    from . import _io

    if _io.abandoned_writer or any(t.name == "cloudsim-write" and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cloudsim`` command.

    Exit status 0 on success, 2 for a user error (one line on stderr, no traceback), 130
    after ``Ctrl-C`` and 143 after ``SIGTERM``; an interrupted write leaves the target as it
    was and removes its temporary file.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed by the parser
        return int(exc.code or 0)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
    try:
        from ._checks import check_numba_threads

        check_numba_threads()
        if args.command == "list":
            from . import list_scenarios, load_scenario

            names = list_scenarios()
            width = max(len(n) for n in names)
            for n in names:
                print(f"{n:<{width}}  {load_scenario(n).description}")
            return 0
        if args.command == "compare":
            return _compare(args)
        if args.command == "sensitivity":
            return _sensitivity(args)
        if args.command == "goal-seek":
            return _goal_seek(args)
        return _run(args)
    except (ValueError, TypeError, KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"cloudsim: error: {message}", file=sys.stderr)
        return 2
    except MemoryError as exc:
        # the engine's message names trials and the size ("trials: allocating ... failed; ..."): keep its
        # first clause and give the command's own remedies
        said = str(exc).split(";")[0]
        said = f"--{said}" if said.startswith("trials:") else "out of memory"
        print(
            f"cloudsim: error: {said}; run fewer --trials, use --float32 to halve the outputs, "
            "or --summary for bounded memory",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("cloudsim: interrupted; any file being written was left as it was", file=sys.stderr)
        _exit_if_writing(130)
        return 130
    except SystemExit as exc:
        if exc.code == 128 + signal.SIGTERM:
            print("cloudsim: terminated; any file being written was left as it was", file=sys.stderr)
            _exit_if_writing(int(exc.code))
        raise
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
