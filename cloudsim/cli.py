"""The ``cloudsim`` command: ``cloudsim run [SCENARIO] --trials N --seed S --out F.nc --plot F.png``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cloudsim", description="Monte Carlo risk simulation of cloud-market forecasts.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a scenario and summarise it")
    run.add_argument(
        "scenario", nargs="?", default=None, help="bundled scenario name or .toml path (default: openai-aws-2025)"
    )
    run.add_argument("--trials", type=int, default=1_000_000, help="number of trials (default 1,000,000)")
    run.add_argument("--seed", type=int, default=None, help="seed (default: fresh entropy, printed)")
    run.add_argument("--out", default=None, help="write the Dataset as netCDF to this file")
    run.add_argument(
        "--plot",
        default=None,
        help="write a dashboard (spend fan, shares, cumulative spend vs the commitment, claim checks) as PNG",
    )
    run.add_argument("--float32", action="store_true", help="store outputs as float32 (half the memory)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.add_parser("list", help="list the bundled scenarios")
    cmp = sub.add_parser("compare", help="compare scenarios with common random numbers")
    cmp.add_argument("scenarios", nargs="+", help="two or more bundled scenario names or .toml paths")
    cmp.add_argument("--trials", type=int, default=200_000, help="trials per scenario (default 200,000)")
    cmp.add_argument("--seed", type=int, default=None, help="seed shared by every scenario (default: fresh entropy)")
    cmp.add_argument("--out", default=None, help="write the comparison Dataset (dim 'scenario') as netCDF")
    return p


def _fmt_money(v: float) -> str:
    from .plot import format_money

    return format_money(v)


def _bands_table(bands, fmt) -> str:
    qs = bands["quantile"].values
    head = "  year " + "".join(f"{f'P{q * 100:g}':>10}" for q in qs)
    lines = [head]
    for y in bands["year"].values:
        row = bands.sel(year=y).values
        lines.append(f"  {y:4d} " + "".join(f"{fmt(v):>10}" for v in row))
    return "\n".join(lines)


def summary(ds, scn) -> str:
    """The human-readable summary ``cloudsim run`` prints."""
    from .stats import check_claims, commitment_probability, percentile_bands

    out = [f"cloudsim: scenario {scn.name!r}, {ds.sizes['trial']:,} trials, seed {ds.attrs['seed']}", ""]
    spend = percentile_bands(ds["openai_aws_spend"])
    share = percentile_bands(ds["share"].sel(provider="aws"))
    market = percentile_bands(ds["market_size"])
    out += ["OpenAI's annual AWS spend", _bands_table(spend, _fmt_money), ""]
    out += ["AWS share of the AI cloud market", _bands_table(share, lambda v: f"{v:.1%}"), ""]
    out += ["AI cloud market size", _bands_table(market, _fmt_money), ""]
    c = commitment_probability(ds)
    out.append(
        f"P(cumulative spend {c['years']} >= {_fmt_money(c['total'])}) = {c['probability']:.4f} "
        f"(95% CI {c['ci_lower']:.4f}-{c['ci_upper']:.4f})"
    )
    out += ["", "Claim checks (stated vs simulated P(X >= value), 95% Wilson interval)"]
    checks = check_claims(ds, scn)
    for r in checks.itertuples():
        mark = "ok " if r.holds else "OFF"
        out.append(
            f"  [{mark}] {r.claim:<17} {r.which:<6} {r.year}  {r.statement:<28} simulated {r.simulated:.4f} "
            f"({r.ci_lower:.4f}-{r.ci_upper:.4f})"
        )
    return "\n".join(out)


def compare_summary(ds) -> str:
    """The human-readable summary ``cloudsim compare`` prints (``ds`` from :func:`cloudsim.compare`)."""
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
        total = float(ds["commitment_total"].sel(scenario=s))
        first, last = (int(ds[f"commitment_{k}_year"].sel(scenario=s)) for k in ("first", "last"))
        lo, hi = r.probability_met_ci.values
        med = float(r.cumulative_spend.sel(quantile=0.5))
        out.append(
            f"  {s:<28} P(cumulative {first}-{last} >= {_fmt_money(total)}) = {float(r.probability_met):.4f} "
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
        q = paired_difference(ds, cum, a=ref, b=s, q=[0.05, 0.5, 0.95])
        for qq in q["quantile"].values:
            lo, hi = q.difference_ci.sel(quantile=qq).values
            diff = float(q.difference.sel(quantile=qq))
            out.append(
                f"  P{qq * 100:g} cumulative spend {last_year}: {ref} - {s} = {diff / 1e9:+,.2f}B "
                f"({lo / 1e9:+,.2f}B to {hi / 1e9:+,.2f}B)"
            )
    return "\n".join(out)


def _compare(args: argparse.Namespace) -> int:
    from . import load_scenario
    from ._io import check_writable, to_netcdf
    from .risk import compare

    if args.out:
        check_writable(args.out, what="--out")
    if len(args.scenarios) < 2:
        raise ValueError("scenarios: give at least two scenario names or .toml paths to compare")
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
        to_netcdf(ds, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from . import load_scenario, simulate
    from ._io import atomic_write, check_writable, to_netcdf

    if args.out:
        check_writable(args.out, what="--out")
    if args.plot:
        check_writable(args.plot, what="--plot")
    scn = load_scenario(args.scenario)
    if args.trials >= 1:
        print(
            f"simulating {args.trials:,} trials of {scn.name!r} "
            "(the first run on a machine also compiles the numba kernels: about 15 s, cached afterwards)",
            file=sys.stderr,
        )
    t0 = time.perf_counter()
    ds = simulate(
        scn,
        args.trials,
        seed=args.seed,
        dtype="float32" if args.float32 else "float64",
        progress=False if args.no_progress else None,
    )
    elapsed = time.perf_counter() - t0
    print(summary(ds, scn))
    print(f"\nsimulated in {elapsed:.2f} s ({ds.nbytes / 2**20:,.0f} MiB)", file=sys.stderr)
    if args.out:
        to_netcdf(ds, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from .plot import dashboard

        fig = dashboard(ds, scn)
        atomic_write(args.plot, lambda tmp: fig.savefig(tmp, format="png", dpi=100), what="--plot")
        plt.close(fig)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cloudsim`` command."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            from . import list_scenarios

            print("\n".join(list_scenarios()))
            return 0
        if args.command == "compare":
            return _compare(args)
        return _run(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"cloudsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
