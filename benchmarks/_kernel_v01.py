"""cloudsim 0.1.0's fused kernel, kept verbatim as the speed reference of the generic deal kernel (benchmarks only).

One pass per trial: seed the trial's stream, draw and correlate the per-trial
inputs, walk the years, and write every output straight into preallocated
arrays.  Threads take blocks of trials; a trial's numbers depend only on
``(key, start + i)``.

Variate order within a trial (the NumPy engine follows the same order):

1. ``NIN`` normals for the per-trial inputs (the copula), then, for the
   Student-t copula only, ``df`` normals whose squares make its chi-square;
2. for each year ``t = 1..T``: five normals (market, AWS logit, spend, Azure
   and Google log-ratios), then, after the claim year, one uniform (does a
   workload shift happen?) and one normal (its size).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from cloudsim._rng import FI, KI, WI, next_double, next_normal, seed_trial
from cloudsim.distributions import betainc, from_z, ndtr, ndtri

__all__ = [
    "BLOCK",
    "FLOAT_PARAMS",
    "INT_PARAMS",
    "NIN",
    "ZGRID",
    "input_from_z",
    "pack_v01",
    "simulate_trials",
    "z_table",
]

#: Number of per-trial inputs (``scenario.INPUTS``).
NIN = 7
#: Trials a thread takes at a time.
BLOCK = 1024

#: Layout of the packed scalar parameters.
FLOAT_PARAMS = (
    "log_market_start",
    "market_volatility",
    "spend_volatility",
    "aws_volatility",
    "others_volatility",
    "shift_hazard",
    "log_ratio_azure_start",
    "log_ratio_gcp_start",
    "commitment_total",
)
INT_PARAMS = ("horizon", "commitment_first", "commitment_last", "student_copula", "copula_df")
#: Yearly shocks, in draw order (``scenario.SHOCK_NAMES``).
NSHOCK = 5

#: Families whose value at a normal draw z is cheap in closed form (Normal, LogNormal,
#: LogitNormal, Fixed, Triangular, Uniform, LogUniform); Empirical (12) is
#: interpolated exactly from its sorted values; the others are read from a cubic spline in z.
CLOSED_FORM = (0, 1, 2, 4, 7, 8, 9)
EMPIRICAL = 12
#: The largest workload-shift fraction applied (1 - 2**-53): spend never reaches zero.
MAX_FRACTION = 1.0 - 2.0**-53
#: Grid of the spline tables: z in [-ZMAX, ZMAX] in ZN intervals.
ZMAX = 8.5
ZN = 4096
ZGRID = np.linspace(-ZMAX, ZMAX, ZN + 1)


def z_table(dist) -> np.ndarray:
    """Cubic-spline coefficients of ``z -> dist.from_z(z)`` on :data:`ZGRID`.

    Families without a closed form (PERT, ...) would need an incomplete-beta
    inversion per draw; the kernel reads them from this table instead (relative
    error below 1e-10 over the grid, see tests), so every family costs about the
    same per trial.  Closed-form families get an all-zero table.

    Returns
    -------
    numpy.ndarray
        Shape ``(ZN, 4)``: per interval, ``c0 + c1*d + c2*d**2 + c3*d**3`` with
        ``d = z - ZGRID[k]``.
    """
    from scipy.interpolate import CubicSpline

    out = np.zeros((ZN, 4))
    if dist.code in CLOSED_FORM:
        return out
    if dist.code == EMPIRICAL:
        # the sorted values themselves (or, past 4 * ZN values, that many of their quantiles)
        values = np.sort(np.asarray(dist.to_dict()["values"], dtype=np.float64))
        if values.size > 4 * ZN:
            raise ValueError(
                f"Empirical: an engine input holds at most {4 * ZN:,} values, got {values.size:,}; "
                f"thin it first, e.g. Empirical(numpy.quantile(values, numpy.linspace(0, 1, {4 * ZN})))"
            )
        out.reshape(-1)[: values.size] = values
        return out
    spline = CubicSpline(ZGRID, dist.from_z(ZGRID), bc_type="not-a-knot")
    out[:] = spline.c[::-1].T
    return out


@numba.njit(cache=True, inline="always")
def input_from_z(code: np.int64, par: np.ndarray, table: np.ndarray, z: float) -> float:
    """A per-trial input's value at the normal draw ``z``: closed form or spline table.

    Outside the table's grid (``|z| > ZMAX``, probability 2e-17) the table's end
    value is used.
    """
    if code == 0 or code == 1 or code == 2 or code == 4 or code == 7 or code == 8 or code == 9:
        return from_z(code, par, z)
    if code == EMPIRICAL:
        n = np.int64(par[2])
        if n == 1:
            return table[0, 0]
        p = ndtr(z)
        pos = (n - 1) * p if p <= 0.5 else (n - 1) - (n - 1) * ndtr(-z)
        k = min(np.int64(pos), n - 2)
        f = pos - k
        a = table[k // 4, k % 4]
        b = table[(k + 1) // 4, (k + 1) % 4]
        return a + f * (b - a)
    zc = min(max(z, -ZMAX), ZMAX)
    pos = (zc + ZMAX) * (ZN / (2.0 * ZMAX))
    k = min(np.int64(pos), ZN - 1)
    d = zc - (-ZMAX + k * (2.0 * ZMAX / ZN))
    return table[k, 0] + d * (table[k, 1] + d * (table[k, 2] + d * table[k, 3]))


@numba.njit(cache=True)
def t_to_normal(t: float, df: np.int64) -> float:
    """The standard-normal quantile of Student-t's cdf at ``t``: ``ndtri(T_df(t))``.

    Computed from the tail probability on each side, so both tails keep full precision.
    """
    tail = 0.5 * betainc(0.5 * df, 0.5, df / (df + t * t))
    return -ndtri(tail) if t > 0 else ndtri(tail)


@numba.njit(cache=True, parallel=True, fastmath=False)
def simulate_trials(
    key: np.uint64,
    start: np.int64,
    lo: np.int64,
    hi: np.int64,
    in_code: np.ndarray,
    in_par: np.ndarray,
    in_tab: np.ndarray,
    chol: np.ndarray,
    shock_chol: np.ndarray,
    shift_code: np.int64,
    shift_par: np.ndarray,
    shift_tab: np.ndarray,
    fpar: np.ndarray,
    ipar: np.ndarray,
    market: np.ndarray,
    share: np.ndarray,
    spend: np.ndarray,
    cumulative: np.ndarray,
    revenue: np.ndarray,
    openai_share: np.ndarray,
    inputs: np.ndarray,
    shortfall: np.ndarray,
    met: np.ndarray,
) -> None:
    """Simulate rows ``lo..hi-1`` of the outputs (global trials ``start + row``)."""
    ki, wi, fi = KI, WI, FI
    log_m0, sig_m, sig_s, sig_a, sig_o, hazard, yaz0, ygc0, total = (
        fpar[0],
        fpar[1],
        fpar[2],
        fpar[3],
        fpar[4],
        fpar[5],
        fpar[6],
        fpar[7],
        fpar[8],
    )
    h, first_c, last_c, student, df = ipar[0], ipar[1], ipar[2], ipar[3], ipar[4]
    n_years = market.shape[1]
    nblocks = (hi - lo + BLOCK - 1) // BLOCK
    for b in numba.prange(nblocks):
        s = np.empty(4, dtype=np.uint64)
        z = np.empty(NIN)
        x = np.empty(NIN)
        e = np.empty(NSHOCK)
        ec = np.empty(NSHOCK)
        i0 = lo + b * BLOCK
        i1 = min(i0 + BLOCK, hi)
        for i in range(i0, i1):
            seed_trial(s, key, start + i)
            for k in range(NIN):
                z[k] = next_normal(s, ki, wi, fi)
            scale = 1.0
            if student:  # multivariate t: divide by sqrt(chi2_df / df), then back to normal scores
                chi2 = 0.0
                for _ in range(df):
                    g = next_normal(s, ki, wi, fi)
                    chi2 += g * g
                scale = 1.0 / math.sqrt(chi2 / df)
            for k in range(NIN):
                acc = 0.0
                for j in range(k + 1):
                    acc += chol[k, j] * z[j]
                if student:
                    acc = t_to_normal(acc * scale, df)
                x[k] = input_from_z(in_code[k], in_par[k], in_tab[k], acc)
                inputs[i, k] = x[k]
            # x: spend_start, spend_target, aws_start, aws_target, cagr, g_market_late, g_spend_late
            lm = log_m0
            lm_h = log_m0 + h * math.log1p(x[4])
            ls = math.log(x[0])
            ls_h = math.log(x[1])
            xa = math.log(x[2]) - math.log1p(-x[2])
            xa_h = math.log(x[3]) - math.log1p(-x[3])
            drift_m = math.log1p(x[5]) - 0.5 * sig_m * sig_m
            drift_s = math.log1p(x[6]) - 0.5 * sig_s * sig_s
            yaz = yaz0
            ygc = ygc0
            cum = 0.0
            for t in range(n_years):
                if t > 0:
                    for k in range(NSHOCK):
                        e[k] = next_normal(s, ki, wi, fi)
                    for k in range(NSHOCK):  # an identity factor leaves the shocks bit-for-bit unchanged
                        acc = 0.0
                        for j in range(k + 1):
                            acc += shock_chol[k, j] * e[j]
                        ec[k] = acc
                    e_m, e_a, e_s, e_z, e_g = ec[0], ec[1], ec[2], ec[3], ec[4]
                    if t < h:
                        r = h + 1 - t
                        w = math.sqrt((h - t) / r)
                        lm += (lm_h - lm) / r + sig_m * w * e_m
                        ls += (ls_h - ls) / r + sig_s * w * e_s
                        xa += (xa_h - xa) / r + sig_a * w * e_a
                    elif t == h:
                        lm = lm_h
                        ls = ls_h
                        xa = xa_h
                    else:
                        u = next_double(s)
                        zf = next_normal(s, ki, wi, fi)
                        lm += drift_m + sig_m * e_m
                        ls += drift_s + sig_s * e_s
                        if u < hazard:
                            # a fraction of 1 would make spend zero: keep it below 1 by one ulp
                            frac = min(input_from_z(shift_code, shift_par, shift_tab, zf), MAX_FRACTION)
                            ls += math.log1p(-frac)
                        xa += sig_a * e_a
                    yaz += sig_o * e_z
                    ygc += sig_o * e_g
                m = math.exp(lm)
                sp = math.exp(ls) if t > 0 else x[0]
                if t == h:
                    sp = x[1]
                ea = math.exp(-xa)
                aws = 1.0 / (1.0 + ea) if t > 0 else x[2]
                if t == h:
                    aws = x[3]
                rest = 1.0 - aws if aws < 0.5 else ea / (1.0 + ea)
                paz = math.exp(yaz)
                pgc = math.exp(ygc)
                den = 1.0 + paz + pgc
                if t >= first_c:
                    cum += sp
                rev = aws * m
                market[i, t] = m
                spend[i, t] = sp
                share[i, t, 0] = aws
                share[i, t, 1] = rest * (paz / den)
                share[i, t, 2] = rest * (pgc / den)
                share[i, t, 3] = rest * (1.0 / den)
                cumulative[i, t] = cum
                revenue[i, t] = rev
                openai_share[i, t] = sp / rev
                if t == last_c:
                    shortfall[i] = max(total - cum, 0.0)
                    met[i] = cum >= total


def pack_v01(pk) -> tuple:
    """0.1.0's kernel arguments from the 0.2 deal model's packed article scenario (four providers, one commitment)."""
    p = pk.scalars
    fx = pk.fixed
    fpar = np.array(
        [
            math.log(fx[p.size_start]),
            fx[p.vol_market],
            fx[p.vol_spend],
            fx[p.vol_seller],
            fx[p.vol_others],
            fx[p.shift_hazard],
            pk.alr_start[0],
            pk.alr_start[1],
            fx[pk.tr_slot[0]],
        ]
    )
    ipar = np.array([p.h_spend, pk.com_first[0], pk.tr_due[0], p.student, p.df], dtype=np.int64)
    return (pk.in_code, pk.in_par, pk.in_tab, pk.chol, pk.shock_chol, np.int64(p.shift_code), pk.shift_par,
            pk.shift_tab, fpar, ipar)  # fmt: skip
