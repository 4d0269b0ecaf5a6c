"""The deal model's kernel on stream version 2: trials in lock-step lanes, every output written in place.

The equations are those of :mod:`.kernel` (``docs/model.md``); only the variates
differ.  A thread takes a block of :data:`BLOCK` trials and runs them
:data:`LANES` at a time: every quantity of a trial is one entry of a lane array,
and each step is a loop over the lanes with no branch on a trial's values (the
claim years and the scenario's shape are the same for every lane; choices are
selects), so that LLVM vectorises the variates (:mod:`cloudsim._rng_v2`), the
exponentials and logarithms (plain arithmetic, no vector maths library needed)
and the path arithmetic.  The one exception is the workload shift: the lanes whose
uniform falls below the hazard (10% a year in the article) get their shift in a
second, scalar loop, which reads the shift fraction's family table.

Variate order within a trial (counters ``j = 0, 1, ...``; the reference follows it):

1. one normal per drawn input, then (Student-t copula) ``df`` normals for its chi-square;
2. for each year ``t = 1..T``: the yearly shocks in :meth:`DealModel.shocks` order, then,
   after the spend claim's year only, one uniform (does a workload shift happen?) and
   one normal (its size).

Samplers, a second seed and given inputs are not supported on this stream (refused by
the engine before the kernel is called).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..._rng_v2 import fill_normals, fill_uniforms, trial_keys, vexp, vlog
from ...distributions import CODE_FIXED, CODE_LOGITNORMAL, CODE_LOGNORMAL, CODE_NORMAL
from .._trial import input_at, input_from_z_call, t_to_normal
from .kernel import BLOCK, MAX_FRACTION, bridge_weights

__all__ = ["LANES", "simulate_deal_v2"]

#: Trials run in lock-step within a block (the lane arrays stay in the L1 cache).
LANES = 128


@numba.njit(cache=True, inline="always")
def _log1p(x: float) -> float:
    """``log(1 + x)`` for ``x > -1`` in plain arithmetic: :func:`vlog` of ``1 + x``, corrected for its rounding."""
    u = 1.0 + x
    d = u - 1.0
    c = (x - d) / u  # the part of x that 1 + x rounded away, to first order
    return vlog(u) + c if d != 0.0 else x


@numba.njit(cache=True, inline="always")
def _lane_inputs(z, scale, nl, n, values, cols, row_start, student, df, in_code, in_par, in_tab, x) -> None:
    """``x[k, :nl]`` for the drawn inputs ``k < n`` from the lanes' independent normals ``z[k, :nl]``.

    The copula's factor sums its non-zero terms in increasing column order (as version 1);
    the normal, log-normal, logit-normal and fixed families are mapped lane by lane in
    plain arithmetic, any other family (and the Student-t copula's back-transform) per lane.
    """
    for k in range(n):
        for lane in range(nl):
            x[k, lane] = 0.0
        for m in range(row_start[k], row_start[k + 1]):
            c = cols[m]
            v = values[m]
            for lane in range(nl):
                x[k, lane] += v * z[c, lane]
        if student:
            for lane in range(nl):
                x[k, lane] = t_to_normal(x[k, lane] * scale[lane], df)
        code = in_code[k]
        a, b, c2 = in_par[k, 0], in_par[k, 1], in_par[k, 2]
        if code == CODE_NORMAL:
            for lane in range(nl):
                x[k, lane] = a + b * x[k, lane]
        elif code == CODE_LOGNORMAL:
            for lane in range(nl):
                x[k, lane] = c2 + vexp(a + b * x[k, lane])
        elif code == CODE_LOGITNORMAL:
            for lane in range(nl):
                x[k, lane] = 1.0 / (1.0 + vexp(-(a + b * x[k, lane])))
        elif code == CODE_FIXED:
            for lane in range(nl):
                x[k, lane] = a
        else:
            for lane in range(nl):
                x[k, lane] = input_at(code, in_par, in_tab, k, x[k, lane])


@numba.njit(cache=True, inline="always")
def _bridge_walk(v, v_h, h, t, sig, wb, e, drift, nl) -> None:
    """One year ``t`` of a process in every lane: a Brownian-bridge step towards ``v_h`` before its
    claim year ``h``, ``v_h`` itself at ``h``, then a walk with ``drift``."""
    if t < h:
        r = h + 1 - t
        for lane in range(nl):
            v[lane] += (v_h[lane] - v[lane]) / r + sig[lane] * wb * e[lane]
    elif t == h:
        for lane in range(nl):
            v[lane] = v_h[lane]
    else:
        for lane in range(nl):
            v[lane] += drift[lane] + sig[lane] * e[lane]


# error_model="numpy": no zero-division checks per division (as the version-1 kernel)
@numba.njit(cache=True, fastmath=False, error_model="numpy")
def _deal_block_v2(
    key, start, i0, i1, p, bw, n_years, n_others, n_com, n_tr,
    in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed, shift_par, shift_tab,
    alr_start, others, com_first, tr_com, tr_due, tr_slot,
    market, share, spend, cumulative, revenue, buyer_share, inputs, shortfall, met,
) -> None:  # fmt: skip
    """Rows ``i0..i1-1`` (one thread's block), :data:`LANES` trials at a time."""
    L = LANES
    n_slots = fixed.shape[0]
    tk = np.empty(L, np.uint64)
    rej = np.empty(L, np.uint8)  # the ziggurat's rejected lanes (L is a multiple of 8)
    z = np.empty((max(p.n_drawn, 1), L))
    scale = np.ones(L)
    g = np.empty(L)
    x = np.empty((n_slots, L))
    e = np.empty((p.n_shocks, L))
    ec = e if p.shocks_independent else np.empty((p.n_shocks, L))
    u = np.empty(L)
    zf = np.empty(L)
    lm, lm_h, ls, ls_h = np.empty(L), np.empty(L), np.empty(L), np.empty(L)
    xa, xa_h, drift_m, drift_s = np.empty(L), np.empty(L), np.empty(L), np.empty(L)
    cum = np.empty(L)
    zero = np.zeros(L)  # the share's walk has no drift (adding 0.0 changes no sum)
    y = np.empty((max(n_others, 1), L))
    ey = np.empty((max(n_others, 1), L))
    den = np.empty(L)
    rest = np.empty(L)
    m_t, sa_t = np.empty(L), np.empty(L)
    sp_t = np.empty((n_years, L))
    cum_c, due_c, gap = np.empty(L), np.empty(L), np.empty(L)
    ok = np.empty(L, np.bool_)
    hs, ha, hm = p.h_spend, p.h_share, p.h_market
    for b0 in range(i0, i1, L):
        nl = min(L, i1 - b0)
        trial_keys(key, start + b0, nl, tk)
        j = np.uint64(0)
        # 1. per-trial inputs
        for k in range(p.n_drawn):
            fill_normals(tk, j, nl, z[k], rej)
            j += np.uint64(1)
        if p.student:  # multivariate t: divide by sqrt(chi2_df / df), then back to normal scores
            for lane in range(nl):
                scale[lane] = 0.0
            for _ in range(p.df):
                fill_normals(tk, j, nl, g, rej)
                j += np.uint64(1)
                for lane in range(nl):
                    scale[lane] += g[lane] * g[lane]
            for lane in range(nl):
                scale[lane] = 1.0 / np.sqrt(scale[lane] / p.df)
        _lane_inputs(z, scale, nl, p.n_drawn, chol_val, chol_col, chol_row, p.student, p.df, in_code, in_par, in_tab, x)
        for k in range(p.n_drawn, n_slots):
            for lane in range(nl):
                x[k, lane] = fixed[k]
        for lane in range(nl):
            for k in range(p.n_drawn):
                inputs[b0 + lane, k] = x[k, lane]
        sig_m, sig_s = x[p.vol_market], x[p.vol_spend]
        sig_a, sig_o = x[p.vol_seller], x[p.vol_others]
        hazard = x[p.shift_hazard]
        sp_0, sp_h, sa_0, sa_h = x[p.spend_start], x[p.spend_target], x[p.share_start], x[p.share_target]
        for lane in range(nl):
            log_m0 = vlog(x[p.size_start, lane])
            lm[lane] = log_m0
            lm_h[lane] = log_m0 + hm * _log1p(x[p.market_growth, lane])
            ls[lane] = vlog(sp_0[lane])
            ls_h[lane] = vlog(sp_h[lane])
            xa[lane] = vlog(sa_0[lane]) - _log1p(-sa_0[lane])
            xa_h[lane] = vlog(sa_h[lane]) - _log1p(-sa_h[lane])
            drift_m[lane] = _log1p(x[p.market_growth_late, lane]) - 0.5 * sig_m[lane] * sig_m[lane]
            drift_s[lane] = _log1p(x[p.spend_growth_late, lane]) - 0.5 * sig_s[lane] * sig_s[lane]
            cum[lane] = 0.0
        for q in range(n_others):
            for lane in range(nl):
                y[q, lane] = alr_start[q]
        # 2. the years
        for t in range(n_years):
            if t > 0:
                for k in range(p.n_shocks):
                    fill_normals(tk, j, nl, e[k], rej)
                    j += np.uint64(1)
                if not p.shocks_independent:
                    for k in range(p.n_shocks):
                        for lane in range(nl):
                            ec[k, lane] = 0.0
                        for jj in range(k + 1):
                            w = shock_chol[k, jj]
                            for lane in range(nl):
                                ec[k, lane] += w * e[jj, lane]
                e_m, e_a, e_s = ec[0], ec[1], ec[2]
                # market: bridge to its claim year, then a drifted walk
                _bridge_walk(lm, lm_h, hm, t, sig_m, bw[0, t], e_m, drift_m, nl)
                # spend: bridge, then a drifted walk with workload shifts
                if t <= hs:
                    _bridge_walk(ls, ls_h, hs, t, sig_s, bw[1, t], e_s, drift_s, nl)
                else:
                    fill_uniforms(tk, j, nl, u)
                    fill_normals(tk, j + np.uint64(1), nl, zf, rej)
                    j += np.uint64(2)
                    for lane in range(nl):
                        ls[lane] += drift_s[lane] + sig_s[lane] * e_s[lane]
                    for lane in range(nl):  # the rare lanes with a shift this year
                        if u[lane] < hazard[lane]:
                            frac = min(input_from_z_call(p.shift_code, shift_par, shift_tab, zf[lane]), MAX_FRACTION)
                            ls[lane] += math.log1p(-frac)
                # seller's share (logit): bridge, then a plain walk
                _bridge_walk(xa, xa_h, ha, t, sig_a, bw[2, t], e_a, zero, nl)
                for q in range(n_others):
                    for lane in range(nl):
                        y[q, lane] += sig_o[lane] * ec[3 + q, lane]
            for lane in range(nl):
                den[lane] = 1.0
            for q in range(n_others):
                for lane in range(nl):
                    ey[q, lane] = vexp(y[q, lane])
                    den[lane] += ey[q, lane]
            for lane in range(nl):  # the year's values, vectorised; stored below
                m_t[lane] = vexp(lm[lane])
                sp = vexp(ls[lane])
                sp = sp_0[lane] if t == 0 else sp
                sp = sp_h[lane] if t == hs else sp
                ea = vexp(-xa[lane])
                sa = 1.0 / (1.0 + ea)
                sa = sa_0[lane] if t == 0 else sa
                sa = sa_h[lane] if t == ha else sa
                rest[lane] = 1.0 - sa if sa < 0.5 else ea / (1.0 + ea)
                sa_t[lane] = sa
                cum[lane] += sp if t >= p.cum_first else 0.0
                sp_t[t, lane] = sp
            for lane in range(nl):
                i = b0 + lane
                m, sp, sa = m_t[lane], sp_t[t, lane], sa_t[lane]
                rev = sa * m
                market[i, t] = m
                spend[i, t] = sp
                share[i, t, p.seller] = sa
                share[i, t, p.reference] = rest[lane] * (1.0 / den[lane])
                cumulative[i, t] = cum[lane]
                revenue[i, t] = rev
                buyer_share[i, t] = sp / rev
            for q in range(n_others):
                o = others[q]
                for lane in range(nl):
                    share[b0 + lane, t, o] = rest[lane] * (ey[q, lane] / den[lane])
        # commitments, each from its own first year, checked at its tranches' due years in year order
        k = 0
        for c in range(n_com):
            for lane in range(nl):
                cum_c[lane] = 0.0
                due_c[lane] = 0.0
                gap[lane] = 0.0
                ok[lane] = True
            t = com_first[c]
            while k < n_tr and tr_com[k] == c:
                while t <= tr_due[k]:
                    for lane in range(nl):
                        cum_c[lane] += sp_t[t, lane]
                    t += 1
                slot = tr_slot[k]
                for lane in range(nl):
                    due_c[lane] += x[slot, lane]
                    gap[lane] = max(gap[lane], max(due_c[lane] - cum_c[lane], 0.0))
                    ok[lane] = ok[lane] and cum_c[lane] >= due_c[lane]
                k += 1
            for lane in range(nl):
                shortfall[b0 + lane, c] = gap[lane]
                met[b0 + lane, c] = ok[lane]


@numba.njit(cache=True, parallel=True, fastmath=False)
def simulate_deal_v2(
    key, start, lo, hi, p,
    in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed, shift_par, shift_tab,
    alr_start, others, com_first, tr_com, tr_due, tr_slot,
    market, share, spend, cumulative, revenue, buyer_share, inputs, shortfall, met,
) -> None:  # fmt: skip
    """Simulate rows ``lo..hi-1`` of the outputs (global trials ``start + row``) on stream version 2."""
    n_years = market.shape[1]
    n_others = others.shape[0]
    n_com = com_first.shape[0]
    n_tr = tr_com.shape[0]
    bw = bridge_weights(p, n_years)
    nblocks = (hi - lo + BLOCK - 1) // BLOCK
    for b in numba.prange(nblocks):
        i0 = lo + b * BLOCK
        _deal_block_v2(
            key, start, i0, min(i0 + BLOCK, hi), p, bw, n_years, n_others, n_com, n_tr,
            in_code, in_par, in_tab, chol_val, chol_col, chol_row, shock_chol, fixed, shift_par, shift_tab,
            alr_start, others, com_first, tr_com, tr_due, tr_slot,
            market, share, spend, cumulative, revenue, buyer_share, inputs, shortfall, met,
        )  # fmt: skip
