"""``simulate()``: validate, allocate, run an engine over blocks of trials.

Two engines share one signature and one variate order:

* ``"numba"`` (default): the fused kernel of :mod:`cloudsim._kernels`, threads
  over blocks of trials, outputs written in place;
* ``"numpy"``: a small reference engine, the same equations vectorised over
  trials with the pure-NumPy streams of :mod:`cloudsim._rng`.

Both obey the randomness contract (DESIGN.md §5): trial ``i`` depends only on
``(scenario, seed, i)``.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from . import _rng
from ._kernels import MAX_FRACTION, NIN, simulate_trials, z_table
from .distributions import Distribution, from_dict
from .scenario import PROVIDERS, Scenario

__all__ = ["ENGINES", "Arrays", "simulate", "simulate_arrays"]

ENGINES = ("numba", "numpy")
#: Trials per kernel call: the progress bar's step; results do not depend on it.
CHUNK = 1 << 18
#: Runs at least this long (estimated) show a progress bar when ``progress=None``.
PROGRESS_MIN_TRIALS = 2_000_000


@dataclass
class Arrays:
    """The raw outputs of one run, before they become a Dataset."""

    market_size: np.ndarray  # (trial, year)
    share: np.ndarray  # (trial, year, provider)
    openai_aws_spend: np.ndarray  # (trial, year)
    cumulative_spend: np.ndarray  # (trial, year)
    aws_ai_revenue: np.ndarray  # (trial, year)
    openai_share_of_aws_ai: np.ndarray  # (trial, year)
    inputs: np.ndarray  # (trial, input)
    commitment_shortfall: np.ndarray  # (trial,)
    commitment_met: np.ndarray  # (trial,) bool

    @classmethod
    def empty(cls, n: int, n_years: int, dtype: np.dtype) -> Arrays:
        """Uninitialised outputs for ``n`` trials."""
        return cls(
            market_size=np.empty((n, n_years), dtype),
            share=np.empty((n, n_years, len(PROVIDERS)), dtype),
            openai_aws_spend=np.empty((n, n_years), dtype),
            cumulative_spend=np.empty((n, n_years), dtype),
            aws_ai_revenue=np.empty((n, n_years), dtype),
            openai_share_of_aws_ai=np.empty((n, n_years), dtype),
            inputs=np.empty((n, NIN), dtype),
            commitment_shortfall=np.empty(n, dtype),
            commitment_met=np.empty(n, np.bool_),
        )


@dataclass(frozen=True)
class _Packed:
    """A scenario packed into the flat arrays the kernels take."""

    dists: tuple[Distribution, ...]
    shift: Distribution
    in_code: np.ndarray
    in_par: np.ndarray
    in_tab: np.ndarray
    chol: np.ndarray
    shock_chol: np.ndarray
    shift_code: int
    shift_par: np.ndarray
    shift_tab: np.ndarray
    fpar: np.ndarray
    ipar: np.ndarray


def _pack(scn: Scenario) -> _Packed:
    inputs = scn.inputs()
    shares = scn["shares"]
    start = shares["start"]
    com = scn["commitment"]
    shift = from_dict(scn["spend"]["shift_fraction"])
    fpar = np.array(
        [
            math.log(scn["market"]["size_start"]),
            scn["market"]["volatility"],
            scn["spend"]["volatility"],
            shares["volatility_aws"],
            shares["volatility_others"],
            scn["spend"]["shift_hazard"],
            math.log(start["azure"] / start["other"]),
            math.log(start["gcp"] / start["other"]),
            com["total"],
        ]
    )
    dep = scn["dependence"]
    ipar = np.array(
        [
            scn.horizon,
            com["first_year"] - scn.start_year,
            com["last_year"] - scn.start_year,
            int(dep["copula"] == "student"),
            dep["df"],
        ],
        dtype=np.int64,
    )
    return _Packed(
        dists=tuple(i.distribution for i in inputs),
        shift=shift,
        in_code=np.array([i.distribution.code for i in inputs], dtype=np.int64),
        in_par=np.stack([i.distribution.packed() for i in inputs]),
        in_tab=np.stack([z_table(i.distribution) for i in inputs]),
        chol=scn.copula_cholesky(),
        shock_chol=scn.shock_cholesky(),
        shift_code=shift.code,
        shift_par=shift.packed(),
        shift_tab=z_table(shift),
        fpar=fpar,
        ipar=ipar,
    )


def _check_int(value: Any, name: str, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            raise TypeError(f"{name}: expected an int, got float {value!r}; write {int(value)}")
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if value < lo:
        raise ValueError(f"{name}: must be >= {lo}, got {value}")
    return value


def _check_dtype(dtype: object) -> np.dtype:
    allowed = {"float64": np.float64, "float32": np.float32}
    if isinstance(dtype, str) and dtype in allowed:
        return np.dtype(allowed[dtype])
    if dtype in (np.float64, np.float32) or (isinstance(dtype, np.dtype) and dtype in (np.float64, np.float32)):
        return np.dtype(dtype)  # type: ignore[arg-type]
    raise ValueError(f"dtype: must be 'float64' or 'float32', got {dtype!r}")


def simulate_arrays(
    scenario: Scenario,
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    start: int = 0,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str | np.dtype = "float64",
    progress: bool | None = None,
) -> tuple[Arrays, str]:
    """Run the model and return the raw arrays and the seed as recorded (see ``key_from_seed``).

    Same parameters as :func:`cloudsim.simulate`; see there.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario: expected a cloudsim.Scenario (see cloudsim.load_scenario), got {type(scenario).__name__}"
        )
    trials = _check_int(trials, "trials", 1)
    start = _check_int(start, "start", 0)
    if start + trials > 2**62:
        raise ValueError(f"start + trials: must be <= 2**62, got {start + trials}")
    if engine not in ENGINES:
        raise ValueError(f"engine: must be one of {ENGINES}, got {engine!r}")
    dt = _check_dtype(dtype)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress: expected True, False or None, got {type(progress).__name__} {progress!r}")
    key, recorded_seed = _rng.key_from_seed(seed)
    packed = _pack(scenario)
    out = Arrays.empty(trials, len(scenario.years), dt)
    if engine == "numpy":
        _simulate_numpy(key, start, packed, out)
        return out, recorded_seed
    show = trials >= PROGRESS_MIN_TRIALS if progress is None else bool(progress)
    bar = _progress_bar(trials) if show else None
    try:
        for lo in range(0, trials, CHUNK):
            hi = min(lo + CHUNK, trials)
            simulate_trials(
                np.uint64(key), np.int64(start), np.int64(lo), np.int64(hi),
                packed.in_code, packed.in_par, packed.in_tab, packed.chol, packed.shock_chol,
                np.int64(packed.shift_code), packed.shift_par, packed.shift_tab,
                packed.fpar, packed.ipar,
                out.market_size, out.share, out.openai_aws_spend, out.cumulative_spend,
                out.aws_ai_revenue, out.openai_share_of_aws_ai, out.inputs,
                out.commitment_shortfall, out.commitment_met,
            )  # fmt: skip
            if bar is not None:
                bar.update(hi - lo)
    finally:
        if bar is not None:
            bar.close()
    return out, recorded_seed


def _progress_bar(total: int):  # pragma: no cover - cosmetic
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="trial", unit_scale=True, desc="simulate", file=sys.stderr, leave=False)


def simulate(
    scenario: Scenario,
    trials: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    start: int = 0,
    engine: Literal["numba", "numpy"] = "numba",
    dtype: str | np.dtype = "float64",
    progress: bool | None = None,
):
    """Simulate ``trials`` paths of the scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`cloudsim.load_scenario`.
    trials : int
        Number of trials, >= 1.
    seed : int, numpy.random.SeedSequence or None
        ``None`` draws fresh entropy; ``ds.attrs["seed"]`` records the seed (for an
        int or fresh entropy, the decimal integer that reproduces the run).
    start : int
        Global index of the first trial: ``simulate(s, n, seed=k, start=a)`` equals
        trials ``a .. a+n-1`` of any larger run with the same seed, bit for bit.
    engine : {"numba", "numpy"}
        The fused numba kernel, or the NumPy reference engine (slow; for checking).
    dtype : {"float64", "float32"}
        Storage type of the outputs (computation is always float64).
    progress : bool or None
        Show a progress bar on stderr; ``None`` shows one for runs of 2M trials or more.

    Returns
    -------
    xarray.Dataset
        Dims ``trial`` (global trial index), ``year`` and ``provider``; path
        variables, the per-trial inputs (``role = "input"``) and the commitment
        outcome.  ``docs/model.md`` lists every variable.
    """
    from ._dataset import to_dataset

    arrays, recorded_seed = simulate_arrays(
        scenario, trials, seed=seed, start=start, engine=engine, dtype=dtype, progress=progress
    )
    return to_dataset(arrays, scenario, start=start, seed=recorded_seed, engine=engine)


# ------------------------------------------------------------------------------
# NumPy reference engine
# ------------------------------------------------------------------------------
def _simulate_numpy(key: int, start: int, p: _Packed, out: Arrays) -> None:
    n, n_years = out.market_size.shape
    st = _rng.VectorStreams(key, np.arange(start, start + n, dtype=np.int64))
    log_m0, sig_m, sig_s, sig_a, sig_o, hazard, yaz0, ygc0, total = p.fpar
    h, first_c, last_c, student, df = (int(v) for v in p.ipar)
    z = np.stack([st.normal() for _ in range(NIN)], axis=1)
    zc = z @ p.chol.T
    if student:
        import scipy.special
        import scipy.stats

        chi2 = np.sum(np.stack([st.normal() for _ in range(df)]) ** 2, axis=0)
        tv = zc / np.sqrt(chi2 / df)[:, None]
        tail = scipy.stats.t.sf(np.abs(tv), df)
        zc = np.where(tv > 0, -scipy.special.ndtri(tail), scipy.special.ndtri(tail))
    x = np.stack([p.dists[k].from_z(zc[:, k]) for k in range(NIN)], axis=1)
    out.inputs[...] = x
    lm = np.full(n, log_m0)
    lm_h = log_m0 + h * np.log1p(x[:, 4])
    ls = np.log(x[:, 0])
    ls_h = np.log(x[:, 1])
    xa = np.log(x[:, 2]) - np.log1p(-x[:, 2])
    xa_h = np.log(x[:, 3]) - np.log1p(-x[:, 3])
    drift_m = np.log1p(x[:, 5]) - 0.5 * sig_m**2
    drift_s = np.log1p(x[:, 6]) - 0.5 * sig_s**2
    yaz = np.full(n, yaz0)
    ygc = np.full(n, ygc0)
    cum = np.zeros(n)
    for t in range(n_years):
        if t > 0:
            e = np.stack([st.normal() for _ in range(5)], axis=1) @ p.shock_chol.T
            e_m, e_a, e_s, e_z, e_g = e.T
            if t < h:
                r = h + 1 - t
                w = math.sqrt((h - t) / r)
                lm = lm + (lm_h - lm) / r + sig_m * w * e_m
                ls = ls + (ls_h - ls) / r + sig_s * w * e_s
                xa = xa + (xa_h - xa) / r + sig_a * w * e_a
            elif t == h:
                lm, ls, xa = lm_h, ls_h, xa_h
            else:
                u = st.uniform()
                zf = st.normal()
                lm = lm + drift_m + sig_m * e_m
                ls = ls + drift_s + sig_s * e_s
                shift = np.log1p(-np.minimum(p.shift.from_z(zf), MAX_FRACTION))
                ls = ls + np.where(u < hazard, shift, 0.0)
                xa = xa + sig_a * e_a
            yaz = yaz + sig_o * e_z
            ygc = ygc + sig_o * e_g
        m = np.exp(lm)
        sp = x[:, 0] if t == 0 else x[:, 1] if t == h else np.exp(ls)
        ea = np.exp(-xa)
        aws = x[:, 2] if t == 0 else x[:, 3] if t == h else 1.0 / (1.0 + ea)
        rest = np.where(aws < 0.5, 1.0 - aws, ea / (1.0 + ea))
        paz, pgc = np.exp(yaz), np.exp(ygc)
        den = 1.0 + paz + pgc
        if t >= first_c:
            cum = cum + sp
        out.market_size[:, t] = m
        out.openai_aws_spend[:, t] = sp
        out.share[:, t, 0] = aws
        out.share[:, t, 1] = rest * (paz / den)
        out.share[:, t, 2] = rest * (pgc / den)
        out.share[:, t, 3] = rest * (1.0 / den)
        out.cumulative_spend[:, t] = cum
        out.aws_ai_revenue[:, t] = aws * m
        out.openai_share_of_aws_ai[:, t] = sp / (aws * m)
        if t == last_c:
            out.commitment_shortfall[:] = np.maximum(total - cum, 0.0)
            out.commitment_met[:] = cum >= total
