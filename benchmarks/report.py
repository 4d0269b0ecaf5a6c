"""Write ``docs/performance.md`` from a pytest-benchmark JSON file.

Usage::

    python benchmarks/report.py results/benchmarks.json docs/performance.md

The benchmarks (``benchmarks/test_bench_*.py``) record what each one measured in
``extra_info`` (``kind``, ``trials``, ``engine``, ``threads``, ...); this script
finds them by those keys, computes the ratios the performance targets name from
the medians of the same run, and marks each target met or missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from _common import cpu_model

from cloudsim._io import atomic_write

__all__ = ["Target", "main", "render", "targets"]

E5, E6, E7, E8 = 10**5, 10**6, 10**7, 10**8


# ------------------------------------------------------------------------------
# reading the JSON
# ------------------------------------------------------------------------------
class Results:
    """The benchmarks of one pytest-benchmark JSON file, looked up by ``extra_info``.

    Parameters
    ----------
    data : dict
        The parsed JSON (``--benchmark-json``).
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.benchmarks: list[dict[str, Any]] = data.get("benchmarks", [])

    def find(self, **info: Any) -> dict[str, Any] | None:
        """The first benchmark whose ``extra_info`` holds every ``key=value`` given."""
        for b in self.benchmarks:
            extra = b.get("extra_info", {})
            if all(extra.get(k) == v for k, v in info.items()):
                return b
        return None

    def median(self, **info: Any) -> float | None:
        """The median time (s) of :meth:`find`'s benchmark, or None."""
        b = self.find(**info)
        return None if b is None else float(b["stats"]["median"])

    def min(self, **info: Any) -> float | None:
        """The shortest time (s) of :meth:`find`'s benchmark, or None."""
        b = self.find(**info)
        return None if b is None else float(b["stats"]["min"])

    def ratio(self, num: dict[str, Any], den: dict[str, Any]) -> tuple[float | None, float | None]:
        """Ratios of two benchmarks' medians and of their minimums."""
        return (
            _ratio(self.median(**num), self.median(**den)),
            _ratio(self.min(**num), self.min(**den)),
        )

    def extra(self, key: str, **info: Any) -> float | None:
        """One ``extra_info`` value of :meth:`find`'s benchmark, or None."""
        b = self.find(**info)
        if b is None or key not in b.get("extra_info", {}):
            return None
        return float(b["extra_info"][key])


def _gib_or_none(b: float | None) -> float | None:
    return None if b is None else b / 2**30


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


# ------------------------------------------------------------------------------
# targets
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One measured figure and its target.

    Attributes
    ----------
    what : str
        What is measured, in words.
    value : float or None
        The figure (None when the run did not measure it).
    unit : str
        ``"x"`` for a ratio, ``"s"`` for seconds.
    op : str
        ``">="``, ``"<="``, ``"<"`` or ``""`` (reported, no target).
    goal : float or None
        The target value.
    how : str
        How the figure is computed from the benchmarks.
    of_min : float or None
        For a ratio of times, the same ratio of the shortest rounds (less
        sensitive to a busy machine); the target is judged on ``value``.
    """

    what: str
    value: float | None
    unit: str
    op: str
    goal: float | None
    how: str
    of_min: float | None = None

    @property
    def status(self) -> str:
        """``"met"``, ``"**missed**"``, ``"not measured"`` or ``"-"`` (no target)."""
        if self.value is None:
            return "not measured"
        if not self.op or self.goal is None:
            return "-"
        ok = {">=": self.value >= self.goal, "<=": self.value <= self.goal, "<": self.value < self.goal}[self.op]
        return "met" if ok else "**missed**"

    def fmt_value(self) -> str:
        """The figure as text."""
        if self.value is None:
            return "-"
        return f"{self.value:.2f}{'x' if self.unit == 'x' else ' s'}"

    def fmt_of_min(self) -> str:
        """The ratio of minimums as text."""
        return "-" if self.of_min is None else f"{self.of_min:.2f}x"

    def fmt_goal(self) -> str:
        """The target as text."""
        if not self.op or self.goal is None:
            return "(reported)"
        return f"{self.op} {self.goal:g}{'x' if self.unit == 'x' else ' s'}"


def targets(res: Results) -> list[Target]:
    """The performance figures, each with its target.

    Parameters
    ----------
    res : Results
        The benchmarks of one run.

    Returns
    -------
    list of Target
    """
    numba_sim = {"kind": "simulate", "engine": "numba"}
    npy, npy_min = res.ratio({"kind": "simulate", "engine": "numpy", "trials": E6}, {**numba_sim, "trials": E6})
    per_normal = {n: res.ratio({**numba_sim, "trials": n}, {"kind": "standard_normal", "trials": n}) for n in (E6, E7)}
    thr = res.extra("ratio", kind="thread_scaling", trials=E7)
    thr_min = res.extra("ratio_of_minimums", kind="thread_scaling", trials=E7)
    qnt, qnt_min = res.ratio(
        {"kind": "quantile", "impl": "cloudsim", "trials": E7}, {"kind": "quantile", "impl": "numpy", "trials": E7}
    )
    kern, kern_min = res.ratio({"kind": "kernel", "version": "v02"}, {"kind": "kernel", "version": "v01"})
    user, user_min = res.ratio({"kind": "user_kernel", "version": "model"}, {"kind": "user_kernel", "version": "fused"})
    comp = _ratio(
        res.extra("compile_s", kind="kernel_compile", version="v02"),
        res.extra("compile_s", kind="kernel_compile", version="v01"),
    )
    fam = {
        f: res.ratio(
            {"kind": "family", "family": f, "trials": E6}, {"kind": "family", "family": "normal", "trials": E6}
        )
        for f in ("pert", "metalog")
    }
    return [
        *(
            Target(
                f"`simulate` with {'PERT' if f == 'pert' else 'Metalog'} inputs / normal-based inputs, 1e6 trials",
                fam[f][0],
                "x",
                "<=",
                1.2,
                "median `simulate` with the assumption inputs from the family / the same with normal-based families",
                fam[f][1],
            )
            for f in ("pert", "metalog")
        ),
        Target(
            "generic deal kernel / 0.1.0's kernel, article scenario, 1e6 trials",
            kern,
            "x",
            "<=",
            1.05,
            "median of one call of the K-provider kernel / the same of 0.1.0's kernel (kept in "
            "`benchmarks/_kernel_v01.py`), same packed scenario and outputs, side by side in one run",
            kern_min,
        ),
        Target(
            "a user's own model's kernel / a hand-fused kernel of its equations, 1e6 trials",
            user,
            "x",
            "<=",
            1.2,
            "median of one call of `tests/user_model.py`'s kernel (written with `cloudsim.models.kit`) / the same "
            "of the hand-fused kernel in `benchmarks/test_bench_user_model.py`, same scenario, side by side",
            user_min,
        ),
        Target(
            "cold compile: generic deal kernel / 0.1.0's kernel",
            comp,
            "x",
            "<=",
            1.0,
            "shortest first call of each kernel in a fresh interpreter with an empty `NUMBA_CACHE_DIR`, "
            "one over the other",
        ),
        Target(
            "numba engine speed-up over the NumPy engine, 1e6 trials",
            npy,
            "x",
            ">=",
            15,
            "median `simulate(engine='numpy')` / median `simulate(engine='numba')`",
            npy_min,
        ),
        *(
            Target(
                f"`simulate` / bare `standard_normal`, {label}",
                per_normal[n][0],
                "x",
                "<=",
                1.0,
                "median `simulate` (numba, 2 threads) / median `default_rng(0).standard_normal(k * trials)`, "
                "k = normals per trial",
                per_normal[n][1],
            )
            for n, label in ((E6, "1e6 trials"), (E7, "1e7 trials"))
        ),
        Target(
            "speed-up of 2 threads over 1, 1e7 trials",
            thr,
            "x",
            ">=",
            1.7,
            "median `simulate` on 1 thread / median on 2 threads, the two run alternately in one benchmark",
            thr_min,
        ),
        Target(
            "peak RSS / Dataset `nbytes`, 1e7 trials",
            res.extra("ratio", kind="memory", trials=E7),
            "x",
            "<=",
            1.3,
            "peak RSS (`VmHWM`, i.e. `ru_maxrss` of the process alone) of a fresh process that simulates 1e7 "
            "trials / the returned `Dataset.nbytes`",
        ),
        Target(
            "peak RSS of `summarize`, 1e8 trials",
            _gib_or_none(res.extra("peak_rss", kind="summary_memory", trials=E8)),
            "GiB",
            "<",
            1.0,
            "peak RSS (`VmHWM`) of a fresh process that summarises 1e8 trials of the article scenario (warm cache)",
        ),
        Target(
            "`summarize` / `simulate` time per trial, 4e6 trials",
            res.extra("ratio", kind="summary_per_trial", trials=4 * E6),
            "x",
            "<=",
            1.0,
            "median `summarize` / median `simulate` of the same trials, run alternately in one benchmark",
            res.extra("ratio_of_minimums", kind="summary_per_trial", trials=4 * E6),
        ),
        Target(
            "`summarize` through Dask threads / on this process, 1e8 trials",
            res.extra("ratio", kind="summary_dask", trials=E8),
            "x",
            "<=",
            1.05,
            "median `summarize(..., scheduler='threads')` / median `summarize(...)`, alternately in one benchmark",
            res.extra("ratio_of_minimums", kind="summary_dask", trials=E8),
        ),
        Target(
            "`import cloudsim`, fresh interpreter",
            res.extra("import_s", kind="import"),
            "s",
            "<",
            0.5,
            "median in-process time of `import cloudsim` in a new subprocess",
        ),
        Target(
            "first `simulate(scn, 1000)`, warm numba cache",
            res.extra("simulate_s", kind="first_simulate", cache="warm"),
            "s",
            "<",
            2.0,
            "median in-process time of the first `simulate` call in a new subprocess (import excluded)",
        ),
        Target(
            "first `simulate(scn, 1000)`, cold numba cache",
            res.extra("simulate_s", kind="first_simulate", cache="cold"),
            "s",
            "",
            None,
            "the same with a fresh, empty `NUMBA_CACHE_DIR` (the kernels are compiled)",
        ),
        Target(
            "`plot.dashboard`, 1e6 trials, bands precomputed",
            res.median(kind="plot", plot="dashboard", case="render"),
            "s",
            "<",
            2.0,
            "median time to draw the four-panel dashboard (Agg) once the bands are computed",
        ),
        Target(
            "`percentile_bands` / `numpy.quantile`, 1e7 trials",
            qnt,
            "x",
            "<=",
            1.0,
            "median `percentile_bands(ds.spend)` / median `numpy.quantile(values, q, axis=0)`, 5 quantiles",
            qnt_min,
        ),
        *sampler_targets(res),
    ]


def sampler_targets(res: Results) -> list[Target]:
    """The samplers' cost and variance-reduction figures (``benchmarks/test_bench_samplers.py``)."""
    trials = 2**20
    cost, cost_min = res.ratio(
        {"kind": "sampler_cost", "sampler": "sobol", "trials": trials},
        {"kind": "sampler_cost", "sampler": "mc", "trials": trials},
    )
    out = [
        Target(
            "a Sobol trial / an mc trial (`simulate`, 2^20 trials, 16 replicates)",
            cost,
            "x",
            "<=",
            1.3,
            "median `simulate(..., sampler='sobol')` / median `simulate(...)` of the same trials, side by side",
            cost_min,
        )
    ]
    b = res.find(kind="sampler_variance")
    ratios = {} if b is None else b["extra_info"]["ratios"]
    runs = "-" if b is None else f"{b['extra_info']['runs']} runs of {b['extra_info']['trials']:,} trials"
    for sampler in ("sobol", "antithetic", "lhs", "halton"):
        r = ratios.get(sampler)
        edges = None if r is None else min(v for k, v in r.items() if k != "mean")
        graded = sampler == "sobol"
        out += [
            Target(
                f"variance reduction, `sampler='{sampler}'` vs mc: mean of 2032 cumulative spend",
                None if r is None else r["mean"],
                "x",
                ">=" if graded else "",
                30.0 if graded else None,
                f"var over {runs} (seeds differ) of the mc estimate / of the {sampler} estimate",
            ),
            Target(
                f"variance reduction, `sampler='{sampler}'` vs mc: p5/p50/p95 of spend and cumulative spend",
                edges,
                "x",
                ">=" if graded else "",
                6.0 if graded else None,
                f"the smallest such ratio over the six band edges and every year after the start, {runs}",
            ),
        ]
    return out


# ------------------------------------------------------------------------------
# machine
# ------------------------------------------------------------------------------
def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine(data: dict[str, Any]) -> dict[str, Any]:
    """Machine and versions: as recorded by the run, else read from this machine."""
    info = dict(data.get("machine_info", {}).get("cloudsim", {}))
    if not info:
        info = {
            "cpu_model": cpu_model(),
            "cores": os.cpu_count(),
            "numba_threads": 2,
            "python": sys.version.split()[0],
            **{n: _version(n) for n in ("cloudsim", "numpy", "numba", "xarray", "pytest-benchmark")},
        }
    return info


# ------------------------------------------------------------------------------
# markdown
# ------------------------------------------------------------------------------
def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _seconds(t: float) -> str:
    if t >= 1.0:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.0f} µs"


def _gib(b: float) -> str:
    return f"{b / 2**30:.2f} GiB"


def _details(b: dict[str, Any]) -> str:
    x = b.get("extra_info", {})
    kind = x.get("kind")
    fmts: dict[str, Callable[[dict[str, Any]], str]] = {
        "simulate": lambda x: f"{x.get('engine')}, {x.get('threads')} thread(s)",
        "thread_scaling": lambda x: (
            f"1 thread {x['one_thread_s']:.2f} s, 2 threads {x['two_threads_s']:.2f} s (medians of {x['rounds']})"
        ),
        "family": lambda x: f"assumption inputs: {x.get('family')}",
        "standard_normal": lambda x: f"{x.get('normals_per_trial')} normals/trial, {x.get('variates'):,} variates",
        "quantile": lambda x: f"{x.get('impl')}, {x.get('quantiles')} quantiles",
        "first_simulate": lambda x: (
            f"{x.get('cache')} cache: import {x.get('import_s', 0):.2f} s + simulate {x.get('simulate_s', 0):.2f} s"
        ),
        "import": lambda x: f"in-process import {x.get('import_s', 0):.3f} s",
        "summary_memory": lambda x: (
            f"peak RSS {_gib(x['peak_rss'])}, before the run {_gib(x['base_rss'])}, {x['summarize_s']:.1f} s, "
            f"{x['trials_per_s'] / 1e6:.2f}M trials/s"
        ),
        "summary_per_trial": lambda x: f"simulate {x['simulate_s']:.2f} s, summarize {x['summarize_s']:.2f} s",
        "summary_dask": lambda x: f"local {x['local_s']:.2f} s, Dask threads {x['dask_s']:.2f} s",
        "memory": lambda x: (
            f"peak RSS {_gib(x['peak_rss'])}, nbytes {_gib(x['nbytes'])}, peak before the run {_gib(x['base_rss'])}, "
            f"simulate {x['simulate_s']:.2f} s"
        ),
    }
    try:
        return fmts[kind](x) if kind in fmts else ""
    except (KeyError, TypeError):
        return ""


#: Figures of the generic deal kernel against 0.1.0's, measured apart (callgrind, taskset): kept as text.
KERNEL_NOTES = """\
## Generic deal kernel against 0.1.0's kernel

Measured apart from the pytest-benchmark run (2026-12-02, AMD EPYC, 2 cores shared with other work, numba
0.68.1), on the article scenario with both kernels fed the same packed scenario and writing the same outputs
(compared bit for bit).  The reference is 0.1.0's kernel, kept verbatim in `benchmarks/_kernel_v01.py`.

| measure | before this change | now | target |
|---|---|---|---|
| instructions, 20,480 trials, 1 thread (callgrind) | 197.3 M / 165.0 M = 1.195x | 179.1 M / 165.0 M = 1.085x | - |
| time, 2e5 trials, 1 pinned thread, shortest of 30 interleaved | 1.10-1.20x | 190.3 / 182.2 ms = 1.04x | <= 1.05x |
| cold compile (empty `NUMBA_CACHE_DIR`), shortest of 3 | 29.2 s / 18.4 s = 1.6x | 18.0 / 21.6 s = 0.84x | <= 1.0x |

- Instruction counts: `valgrind --tool=callgrind --instr-atstart=no` on a script that compiles (or loads) both
  kernels first, then calls each once between callgrind's start/stop-instrumentation client requests, with
  `NUMBA_NUM_THREADS=1`; counts are deterministic to about 1% from one process to the next.
- What made the difference (from callgrind's per-instruction counts on the generated code): the commitment
  loops ran every year (now once per trial, after the year walk, from the year's spend kept in a scratch row);
  the sparse copula paid a 2-D index and a negative-index wraparound per term (now flat row-by-row arrays with
  unsigned indices); independent shocks were copied once a year (now used in place); the log-ratio walk had a
  loop of its own (now fused with its `exp`).  The remaining 8% of instructions are the per-year loops over
  providers and shocks whose lengths are only known at run time (0.1.0 had five shocks and three ratios fixed).
- Cold compile (2026-12-03, AMD EPYC, load average 1.1-2.6 on 2 cores; numba's compile events per function):
  before, 30 s of the first call went to the parallel kernel itself, numba's parfor pass and LLVM working on
  the whole inlined model, plus `from_z`/`_ppf_pq` compiled twice (read-only parameters at pack time,
  writable ones in the kernel).  Now one thread's block of trials is a plain cached function
  (`_deal_block`, numba's error model of a parfor body) that the parallel driver calls once per block, the
  samplers' scores and the workload-shift draw are compiled calls rather than inlined copies, and the
  distributions pass writable parameters.  Cold first call, three runs (the load moves it by 10-20%):
  18.0 s / 21.6 s = 0.84x (load 2.5-3.3), 16.0 s / 14.6 s = 1.10x (load 1.1-2.6), and 13.2 s / 17.8 s =
  0.74x without the compiled calls.
  The same run's 1e6-trial kernel benchmark on 2 threads: 1.145 / 1.113 s = 1.03x (medians; 1.09x of the
  shortest rounds); 2e5 trials on 1 pinned thread, shortest of 30 interleaved: 1.05x against 1.03x
  for the kernel before this change, in the same process.
  Compiling the shared input-drawing helper once instead of inlining it was also tried before: it costs 19%
  more instructions per trial, so it stays inlined.
- The side-by-side benchmarks are `benchmarks/test_bench_kernel.py` (groups `kernel-1e6` and
  `kernel-compile`); their ratios appear in the targets above after `make bench`.

"""

#: What a first call spends and how the warming step removes the compile, measured apart: kept as text.
FIRST_CALL_NOTES = """\
## First call

A first `simulate` in a new process (2026-12-03, AMD EPYC, 2 cores, load average 5-7 from other work:
the figures are upper bounds of a quiet machine's).
- Warm numba cache: `simulate(scn, 1000)` took 0.14-0.18 s at load 4 and 0.29-0.31 s at load 5 (it took
  0.56 s at load 2 before, 11.8 s at a higher load: importing `scipy.interpolate` for the spline tables
  and dask through xarray's duck-array checks). The spline tables are now computed by
  `cloudsim/models/_spline.py`, the same operations as SciPy's `CubicSpline` (equal bit for bit, tested),
  and `_dataset.py` builds the Dataset's variables and indexes itself, so a run of NumPy arrays imports
  neither. `load_scenario` before it (1.9 s at this load, 0.75 s at load 2) carries numba's own start:
  importing numba, loading its target's registries (which import `scipy.linalg` to find BLAS) and the
  cached distribution code; `import cloudsim` is xarray's import (0.44-0.51 s at load 2, 1.2 s at load
  5). xarray still imports dask (when installed) at the first reduction or display of a Dataset.
- Cold cache (empty `NUMBA_CACHE_DIR`): the kernel of a plain run no longer compiles the samplers' scores
  path or the pick-freeze path (`None` arguments, pruned when numba compiles: one cached specialisation
  per path used; `tests/test_compile.py`). Numba's compile events for the first `simulate`, at load 5-6:
  54.0 s before, 24.0 s after (`_deal_block` 37.7 s -> 17.0 s, of which `draw_inputs_two` 7.4 s,
  `inputs_from_scores_call` 4.5 s and `normal_call` 2.4 s are gone); loading the scenario compiles the
  distributions' `from_z` for another 6 s. A cold first call at load 4-5: `load_scenario` 8.2 s +
  `simulate` 22.5 s. `benchmarks/test_bench_kernel.py` group `kernel-compile` at load 5.7-6, one run:
  30.7 s / 31.4 s = 0.98x of 0.1.0's kernel (shortest of 3; medians 31.8 / 32.2 s = 0.99x).
- The 4 s target of a cold first call is out of reach of a smaller kernel alone: 0.1.0's kernel alone
  compiles for about 25 s here. What closes it is compiling ahead of time: `python -m cloudsim.warm
  [scenario ...] [--float32]` runs each scenario (default every bundled one) for 16 trials, and `make`'s
  install step runs it, so `make demo` starts from a warm cache. Numba reuses a cached kernel only with
  the same numba version, on the same CPU model (its cache is keyed on the CPU's name and features),
  while the kernel's source file keeps its modification time and size, and only from a cache directory
  the process can write (a read-only `__pycache__`, e.g. an install owned by another user, is skipped for
  `NUMBA_CACHE_DIR` or the user's cache directory). In every other case numba compiles again: a first
  call is then slow, never wrong. Numba checks only the file that defines a kernel, not the files of the
  helpers it inlines: after editing a helper alone in a source checkout, clear `__pycache__` (or
  `NUMBA_CACHE_DIR`).
"""


def render(data: dict[str, Any], *, source: str = "results.json") -> str:
    """The text of ``docs/performance.md`` for one benchmark run.

    Parameters
    ----------
    data : dict
        The parsed pytest-benchmark JSON.
    source : str
        The JSON file's name, quoted in the text.

    Returns
    -------
    str
        Markdown.
    """
    res = Results(data)
    m = machine(data)
    when = data.get("datetime") or datetime.now(UTC).isoformat(timespec="seconds")
    commit = data.get("commit_info", {}).get("id")
    out = [
        "# Performance",
        "",
        f"Generated by `benchmarks/report.py` from `{source}` (pytest-benchmark) — do not edit by hand;",
        "rerun `make bench` to refresh.  Ratios are between medians of the same run, and targets are",
        "judged on them; the ratio of the shortest rounds is shown beside, as a check on a busy machine.",
        "",
        "## Machine",
        "",
        *_table(
            ("", ""),
            [
                ("date", when),
                ("CPU", m.get("cpu_model", "?")),
                ("cores", m.get("cores", "?")),
                ("numba threads", m.get("numba_threads", "?")),
                ("Python", m.get("python", "?")),
                ("numpy", m.get("numpy", "?")),
                ("numba", m.get("numba", "?")),
                ("xarray", m.get("xarray", "?")),
                ("cloudsim", m.get("cloudsim", "?") + (f" (commit {commit[:10]})" if commit else "")),
            ],
        ),
        "",
        "## Targets",
        "",
        *_table(
            ("measure", "value", "target", "status", "ratio of minimums", "how"),
            [(t.what, t.fmt_value(), t.fmt_goal(), t.status, t.fmt_of_min(), t.how) for t in targets(res)],
        ),
        "",
        "## Medians",
        "",
    ]
    rows = []
    for b in sorted(res.benchmarks, key=lambda b: (b.get("group") or "", b["name"])):
        s = b["stats"]
        trials = b.get("extra_info", {}).get("trials")
        rows.append(
            (
                b.get("group") or "",
                f"`{b['name']}`",
                f"{trials:,}" if isinstance(trials, int) else "",
                _seconds(s["median"]),
                _seconds(s["min"]),
                _seconds(s["iqr"]) if "iqr" in s else "",
                s["rounds"],
                _details(b),
            )
        )
    out += _table(("group", "benchmark", "trials", "median", "min", "IQR", "rounds", "details"), rows)
    out += ["", *KERNEL_NOTES.rstrip("\n").split("\n")]
    out += ["", *FIRST_CALL_NOTES.rstrip("\n").split("\n")]
    out += [
        "",
        "## How it is measured",
        "",
        "- `simulate` runs on the default scenario (`cloudsim.load_scenario()`), seed fixed, progress bar off,",
        "  numba kernels compiled before timing; each round's Dataset is freed outside the timing.",
        "- The bare-NumPy baseline draws `k * trials` normals with `numpy.random.default_rng(0).standard_normal`,",
        "  `k` counted from the scenario by the variate order of `cloudsim/models/deal/kernel.py` (input normals,",
        "  five normals per year after the start year, one more per year after the claim year; the",
        "  uniforms of the workload-shift draws are not included).",
        "- Cold-start figures come from fresh subprocesses; the benchmark time is the subprocess's wall time,",
        "  the target figures are the in-process timings it reports.",
        "- Peak memory is the peak RSS of a fresh process that loads the kernels, then simulates 1e7 trials:",
        "  `VmHWM` from `/proc/self/status` on Linux, where a child's `ru_maxrss` inherits the parent's",
        "  high-water mark across `vfork`/`exec`; `ru_maxrss` elsewhere.",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``report.py RESULTS_JSON OUTPUT_MD``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="pytest-benchmark JSON (--benchmark-json)")
    parser.add_argument("output", type=Path, help="Markdown file to write, e.g. docs/performance.md")
    args = parser.parse_args(argv)
    data = json.loads(args.results.read_text(encoding="utf-8"))
    text = render(data, source=str(args.results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.output, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="output")
    for t in targets(Results(data)):
        print(f"{t.status:>14}  {t.fmt_value():>9}  {t.fmt_goal():>12}  {t.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
