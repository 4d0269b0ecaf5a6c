"""The deal model's fused numba kernel: one pass per trial, every output written in place.

Threads take blocks of trials; a trial's numbers depend only on ``(key, start + i)``.
The equations are in ``docs/model.md``; :mod:`.reference` computes the same in NumPy.

Variate order within a trial (stream version 1; the reference follows it):

1. the per-trial inputs (:func:`cloudsim.models._trial.draw_inputs`);
2. for each year ``t = 1..T``: the yearly shocks in :meth:`DealModel.shocks` order
   (market, seller share, spend, then one per non-seller, non-reference provider),
   then, after the spend claim's year only, one uniform (does a workload shift
   happen?) and one normal (its size).

With a sampler other than ``"mc"`` (``cloudsim.engine.samplers``) every draw of
steps 1 and 2 comes from ``scores`` (row ``i - lo``: the inputs' scores, year by year
the shocks, then two columns per year after the spend claim's year: the workload
shift happens when the first is below ``ndtri(hazard)`` -- its uniform below the
hazard -- and the second is its size's normal); the trial's stream is not read.
With ``scores=None`` (``"mc"``) the kernel never reads it.

Pick-freeze (``simulate(..., second_seed=, second_streams=)``): with an array ``alt``
each trial also seeds its stream for ``key2`` and advances it exactly as the first, variate
for variate; the variates of the flagged streams (``alt`` holds one flag per drawn input's
independent normal, per shock, then the workload shifts and the Student-t chi-square) are
taken from the second stream.  With ``alt=None`` nothing of this runs.

``scores`` and ``alt`` are ``None`` or arrays: numba compiles (and caches) one
specialisation per combination it is called with and prunes the branches of the other
paths from it, so a plain Monte Carlo run compiles neither the samplers' nor the
pick-freeze code.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from ..._rng import FI, KI, WI, next_double, next_normal, seed_trial
from ...distributions._special import ndtri
from .._trial import (
    draw_inputs,
    draw_inputs_two,
    input_from_z_call,
    inputs_from_scores_call,
    normal_call,
    uniform_call,
)

__all__ = ["BLOCK", "MAX_FRACTION", "Scalars", "bridge_weights", "simulate_deal"]

#: Trials a thread takes at a time.
BLOCK = 1024
#: The largest workload-shift fraction applied (1 - 2**-53): spend never reaches zero.
MAX_FRACTION = 1.0 - 2.0**-53


class Scalars(NamedTuple):
    """The kernel's named scalars: sizes, horizons, provider indices and input slots.

    A slot is an index into the trial's value vector ``x``: the drawn inputs come
    first (``x[:n_drawn]``, in copula order), every fixed assumption after them
    (copied from ``fixed``), so the kernel reads a volatility the same way whether
    it is a number or a distribution.
    """

    n_drawn: int
    n_shocks: int
    shocks_independent: int
    student: int
    df: int
    h_spend: int
    h_share: int
    h_market: int
    seller: int
    reference: int
    cum_first: int
    shift_code: int
    spend_start: int
    spend_target: int
    share_start: int
    share_target: int
    market_growth: int
    market_growth_late: int
    spend_growth_late: int
    size_start: int
    vol_market: int
    vol_spend: int
    vol_seller: int
    vol_others: int
    shift_hazard: int


# error_model="numpy" as in the parfor body numba builds: no zero-division checks per division
@numba.njit(cache=True, fastmath=False, error_model="numpy")
def _deal_block(
    key, start, lo, i0, i1, p, bw, n_years, n_others, n_com, n_tr,
    in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed, shift_par, shift_tab,
    alr_start, others, com_first, tr_com, tr_due, tr_slot, given_col, given_val,
    market, share, spend, cumulative, revenue, buyer_share, inputs, shortfall, met,
    scores, key2, alt,
) -> None:  # fmt: skip
    """Rows ``i0..i1-1`` (one thread's block): compiled apart from the parallel driver, which keeps its parfor small."""
    ki, wi, fi = KI, WI, FI
    s = np.empty(4, dtype=np.uint64)
    z = np.empty(max(p.n_drawn, 1))
    x = fixed.copy()
    e = np.empty(p.n_shocks)
    ec = e if p.shocks_independent else np.empty(p.n_shocks)  # the identity factor leaves them unchanged
    y = np.empty(n_others)
    ey = np.empty(n_others)
    sp_t = np.empty(n_years)
    # pick-freeze: the streams flagged in ``alt`` (inputs, shocks, shifts, chi-square) come from key2;
    # each ``alt is not None`` / ``scores is not None`` below is decided when numba compiles
    s2 = np.empty(4, dtype=np.uint64)
    z2 = np.empty(max(p.n_drawn, 1))
    a_sh = p.n_drawn
    a_shift = p.n_drawn + p.n_shocks
    for i in range(i0, i1):
        seed_trial(s, key, start + i)
        if alt is not None:
            seed_trial(s2, key2, start + i)
            draw_inputs_two(
                s, s2, ki, wi, fi, p.n_drawn, chol_val, chol_col, chol_row, p.student, p.df, in_code, in_par,
                in_tab, alt, alt[a_shift + 1], z, z2, x,
            )  # fmt: skip
        elif scores is not None:
            inputs_from_scores_call(scores[i - lo], p.n_drawn, chol_val, chol_col, chol_row, in_code, in_par, in_tab, x)
        else:
            draw_inputs(
                s, ki, wi, fi, p.n_drawn, chol_val, chol_col, chol_row, p.student, p.df, in_code, in_par, in_tab,
                z, x,
            )  # fmt: skip
        for g in range(given_col.shape[0]):  # given from outside: drawn above, then overwritten
            x[given_col[g]] = given_val[i, g]
        for k in range(p.n_drawn):
            inputs[i, k] = x[k]
        hs, ha, hm = p.h_spend, p.h_share, p.h_market
        sig_m, sig_s = x[p.vol_market], x[p.vol_spend]
        sig_a, sig_o = x[p.vol_seller], x[p.vol_others]
        hazard = x[p.shift_hazard]
        z_hazard = ndtri(hazard) if scores is not None else 0.0  # a shift when the score is below it
        log_m0 = math.log(x[p.size_start])
        sp_0, sp_h, sa_0, sa_h = x[p.spend_start], x[p.spend_target], x[p.share_start], x[p.share_target]
        lm = log_m0
        lm_h = log_m0 + hm * math.log1p(x[p.market_growth])
        ls = math.log(x[p.spend_start])
        ls_h = math.log(x[p.spend_target])
        xa = math.log(x[p.share_start]) - math.log1p(-x[p.share_start])
        xa_h = math.log(x[p.share_target]) - math.log1p(-x[p.share_target])
        drift_m = math.log1p(x[p.market_growth_late]) - 0.5 * sig_m * sig_m
        drift_s = math.log1p(x[p.spend_growth_late]) - 0.5 * sig_s * sig_s
        for j in range(n_others):
            y[j] = alr_start[j]
        cum = 0.0
        for t in range(n_years):
            if t > 0:
                if scores is not None:
                    for k in range(p.n_shocks):
                        e[k] = scores[i - lo, p.n_drawn + (t - 1) * p.n_shocks + k]
                else:
                    for k in range(p.n_shocks):
                        e[k] = next_normal(s, ki, wi, fi)
                    if alt is not None:  # the second stream advanced alike; its draws taken where flagged
                        for k in range(p.n_shocks):
                            w = normal_call(s2)
                            if alt[a_sh + k]:
                                e[k] = w
                if not p.shocks_independent:  # the identity factor would leave them unchanged
                    for k in range(p.n_shocks):
                        acc = 0.0
                        for j in range(k + 1):
                            acc += shock_chol[k, j] * e[j]
                        ec[k] = acc
                e_m, e_a, e_s = ec[0], ec[1], ec[2]
                # market: bridge to its claim year, then a drifted walk
                if t < hm:
                    r = hm + 1 - t
                    lm += (lm_h - lm) / r + sig_m * bw[0, t] * e_m
                elif t == hm:
                    lm = lm_h
                else:
                    lm += drift_m + sig_m * e_m
                # spend: bridge, then a drifted walk with workload shifts
                if t < hs:
                    r = hs + 1 - t
                    ls += (ls_h - ls) / r + sig_s * bw[1, t] * e_s
                elif t == hs:
                    ls = ls_h
                else:
                    if scores is not None:  # this year's two columns after the shocks: the shift's occurrence, its size
                        c = p.n_drawn + (n_years - 1) * p.n_shocks + 2 * (t - hs - 1)
                        u = 0.0 if scores[i - lo, c] < z_hazard else 1.0
                        zf = scores[i - lo, c + 1]
                    else:
                        u = next_double(s)
                        zf = next_normal(s, ki, wi, fi)
                    if alt is not None:
                        u2 = uniform_call(s2)
                        zf2 = normal_call(s2)
                        if alt[a_shift]:
                            u, zf = u2, zf2
                    ls += drift_s + sig_s * e_s
                    if u < hazard:
                        # a fraction of 1 would make spend zero: keep it below 1 by one ulp
                        frac = min(input_from_z_call(p.shift_code, shift_par, shift_tab, zf), MAX_FRACTION)
                        ls += math.log1p(-frac)
                # seller's share (logit): bridge, then a plain walk
                if t < ha:
                    r = ha + 1 - t
                    xa += (xa_h - xa) / r + sig_a * bw[2, t] * e_a
                elif t == ha:
                    xa = xa_h
                else:
                    xa += sig_a * e_a
            m = math.exp(lm)
            sp = math.exp(ls) if t > 0 else sp_0
            if t == hs:
                sp = sp_h
            ea = math.exp(-xa)
            sa = 1.0 / (1.0 + ea) if t > 0 else sa_0
            if t == ha:
                sa = sa_h
            rest = 1.0 - sa if sa < 0.5 else ea / (1.0 + ea)
            den = 1.0
            for j in range(n_others):
                if t > 0:
                    y[j] += sig_o * ec[3 + j]
                ey[j] = math.exp(y[j])
                den += ey[j]
            if t >= p.cum_first:
                cum += sp
            rev = sa * m
            market[i, t] = m
            spend[i, t] = sp
            share[i, t, p.seller] = sa
            for j in range(n_others):
                share[i, t, others[j]] = rest * (ey[j] / den)
            share[i, t, p.reference] = rest * (1.0 / den)
            cumulative[i, t] = cum
            revenue[i, t] = rev
            buyer_share[i, t] = sp / rev
            sp_t[t] = sp
        # commitments, each from its own first year, checked at its tranches' due years in year order
        k = 0
        for c in range(n_com):
            cum_c = 0.0
            due_c = 0.0
            gap = 0.0
            ok = True
            t = com_first[c]
            while k < n_tr and tr_com[k] == c:
                while t <= tr_due[k]:
                    cum_c += sp_t[t]
                    t += 1
                due_c += x[tr_slot[k]]
                gap = max(gap, max(due_c - cum_c, 0.0))
                ok = ok and cum_c >= due_c
                k += 1
            shortfall[i, c] = gap
            met[i, c] = ok


@numba.njit(cache=True)
def bridge_weights(p, n_years):
    """The bridge weights ``sqrt((h - t) / (h + 1 - t))`` of market, spend and share (rows) per year, computed once."""
    bw = np.zeros((3, n_years))
    for q in range(3):
        h = p.h_market if q == 0 else p.h_spend if q == 1 else p.h_share
        for t in range(1, min(h, n_years)):
            bw[q, t] = math.sqrt((h - t) / (h + 1 - t))
    return bw


@numba.njit(cache=True, parallel=True, fastmath=False)
def simulate_deal(
    key, start, lo, hi, p,
    in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed, shift_par, shift_tab,
    alr_start, others, com_first, tr_com, tr_due, tr_slot, given_col, given_val,
    market, share, spend, cumulative, revenue, buyer_share, inputs, shortfall, met,
    scores, key2, alt,
) -> None:  # fmt: skip
    """Simulate rows ``lo..hi-1`` of the outputs (global trials ``start + row``); ``p`` is a :class:`Scalars`.

    ``scores`` (a sampler's normal scores) and ``alt`` (pick-freeze flags) are ``None`` when unused.
    """
    n_years = market.shape[1]
    n_others = others.shape[0]
    n_com = com_first.shape[0]
    n_tr = tr_com.shape[0]  # tranches, by commitment, then due year
    bw = bridge_weights(p, n_years)
    nblocks = (hi - lo + BLOCK - 1) // BLOCK
    for b in numba.prange(nblocks):
        i0 = lo + b * BLOCK
        _deal_block(
            key, start, lo, i0, min(i0 + BLOCK, hi), p, bw, n_years, n_others, n_com, n_tr,
            in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed, shift_par, shift_tab,
            alr_start, others, com_first, tr_com, tr_due, tr_slot, given_col, given_val,
            market, share, spend, cumulative, revenue, buyer_share, inputs, shortfall, met,
            scores, key2, alt,
        )  # fmt: skip
