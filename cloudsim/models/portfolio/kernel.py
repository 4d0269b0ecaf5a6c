"""The portfolio model's fused numba kernel: one pass per trial, every output written in place.

Threads take blocks of trials; a trial's numbers depend only on ``(key, start + i)``.
The equations are in ``docs/model-portfolio.md``; :mod:`.reference` computes the same in NumPy.

Variate order within a trial (stream version 1; the reference follows it):

1. the per-trial inputs (:func:`cloudsim.models._trial.draw_inputs`);
2. for each year ``t = 1..T``: the yearly shocks in :meth:`PortfolioModel.shocks` order
   (total spend, then one per non-reference seller's log-ratio).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from ..._rng import FI, KI, WI, next_normal, seed_trial
from .._trial import draw_inputs

__all__ = ["BLOCK", "NO_SHORTFALL", "Scalars", "simulate_portfolio"]

#: Trials a thread takes at a time.
BLOCK = 1024
#: ``first_shortfall`` (and ``first_shortfall_year``) when every commitment is met.
NO_SHORTFALL = -1


class Scalars(NamedTuple):
    """The kernel's named scalars: sizes, the claim year, the reference seller and input slots.

    A slot indexes the trial's value vector ``x``: drawn inputs first, fixed values after.
    """

    n_drawn: int
    n_shocks: int
    shocks_independent: int
    student: int
    df: int
    h_spend: int
    reference: int
    year0: int
    reversion: float
    spend_start: int
    spend_target: int
    spend_growth_late: int
    vol_spend: int
    vol_weight: int


@numba.njit(cache=True, parallel=True, fastmath=False)
def simulate_portfolio(
    key, start, lo, hi, p,
    in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed,
    alr_start, alr_target, others, cum_first, com_seller, com_first, tr_com, tr_due, tr_amt,
    total, spend, cumulative, inputs, shortfall, met, all_met, first_idx, first_year,
) -> None:  # fmt: skip
    """Simulate rows ``lo..hi-1`` of the outputs (global trials ``start + row``); ``p`` is a :class:`Scalars`."""
    ki, wi, fi = KI, WI, FI
    n_years = total.shape[1]
    n_sellers = spend.shape[2]
    n_others = others.shape[0]
    n_com = com_first.shape[0]
    n_tr = tr_com.shape[0]
    h = p.h_spend
    bw = np.zeros(n_years)
    for t in range(1, min(h, n_years)):
        bw[t] = math.sqrt((h - t) / (h + 1 - t))
    nblocks = (hi - lo + BLOCK - 1) // BLOCK
    for b in numba.prange(nblocks):
        s = np.empty(4, dtype=np.uint64)
        z = np.empty(max(p.n_drawn, 1))
        x = fixed.copy()
        e = np.empty(p.n_shocks)
        ec = e if p.shocks_independent else np.empty(p.n_shocks)
        y = np.empty(n_others)
        w = np.empty(n_sellers)
        cum = np.empty(n_sellers)
        i0 = lo + b * BLOCK
        i1 = min(i0 + BLOCK, hi)
        for i in range(i0, i1):
            seed_trial(s, key, start + i)
            draw_inputs(
                s, ki, wi, fi, p.n_drawn, chol_val, chol_col, chol_row, p.student, p.df, in_code, in_par, in_tab, z, x
            )
            for k in range(p.n_drawn):
                inputs[i, k] = x[k]
            sig_s, sig_w = x[p.vol_spend], x[p.vol_weight]
            ls = math.log(x[p.spend_start])
            ls_h = math.log(x[p.spend_target])
            drift_s = math.log1p(x[p.spend_growth_late]) - 0.5 * sig_s * sig_s
            for j in range(n_others):
                y[j] = alr_start[j]
            for q in range(n_sellers):
                cum[q] = 0.0
            for t in range(n_years):
                if t > 0:
                    for k in range(p.n_shocks):
                        e[k] = next_normal(s, ki, wi, fi)
                    if not p.shocks_independent:
                        for k in range(p.n_shocks):
                            acc = 0.0
                            for j in range(k + 1):
                                acc += shock_chol[k, j] * e[j]
                            ec[k] = acc
                    if t < h:
                        ls += (ls_h - ls) / (h + 1 - t) + sig_s * bw[t] * ec[0]
                    elif t == h:
                        ls = ls_h
                    else:
                        ls += drift_s + sig_s * ec[0]
                    for j in range(n_others):
                        y[j] += p.reversion * (alr_target[j] - y[j]) + sig_w * ec[1 + j]
                sp = x[p.spend_start] if t == 0 else x[p.spend_target] if t == h else math.exp(ls)
                den = 1.0
                for j in range(n_others):
                    w[others[j]] = math.exp(y[j])
                    den += w[others[j]]
                w[p.reference] = 1.0
                total[i, t] = sp
                for q in range(n_sellers):
                    v = sp * (w[q] / den)
                    spend[i, t, q] = v
                    if t >= cum_first[q]:
                        cum[q] += v
                    cumulative[i, t, q] = cum[q]
            # commitments, each from its own first year, checked at its tranches' due years in year order
            k = 0
            best_t = n_years
            best_c = NO_SHORTFALL
            every = True
            for c in range(n_com):
                q = com_seller[c]
                cum_c = 0.0
                due_c = 0.0
                gap = 0.0
                ok = True
                fail_t = n_years
                t = com_first[c]
                while k < n_tr and tr_com[k] == c:
                    while t <= tr_due[k]:
                        cum_c += spend[i, t, q]
                        t += 1
                    due_c += tr_amt[k]
                    gap = max(gap, max(due_c - cum_c, 0.0))
                    if ok and not cum_c >= due_c:
                        ok = False
                        fail_t = tr_due[k]
                    k += 1
                shortfall[i, c] = gap
                met[i, c] = ok
                every = every and ok
                if fail_t < best_t:
                    best_t = fail_t
                    best_c = c
            all_met[i] = every
            first_idx[i] = best_c
            first_year[i] = p.year0 + best_t if best_c >= 0 else NO_SHORTFALL
