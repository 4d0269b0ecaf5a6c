"""The deal model's NumPy reference: the kernel's equations vectorised over trials, for checking.

Same variate order as :mod:`.kernel` over the pure-NumPy streams of
:class:`cloudsim._rng.VectorStreams` (stream version 1), or as :mod:`.kernel_v2` over
:class:`cloudsim._rng_v2.CounterStreams` (version 2); agrees with the kernel to rounding (rtol 1e-10).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..._rng import VectorStreams
from ..._rng_v2 import CounterStreams
from .._trial import reference_inputs
from .kernel import MAX_FRACTION

__all__ = ["simulate_reference"]


def simulate_reference(key: int, start: int, pk, out: Mapping[str, np.ndarray], streams=None) -> None:
    """Fill every row of ``out`` (global trials ``start + row``); ``pk`` is the model's packed scenario.

    ``streams`` (optional) replaces the trials' streams: any object whose ``normal()`` and
    ``uniform()`` return one variate per row (the benchmarks' hand-vectorised NumPy model
    passes a ``numpy.random.Generator``'s).
    """
    p = pk.scalars
    n, n_years = out["market_size"].shape
    trials = np.arange(start, start + n, dtype=np.int64)
    st = (
        streams
        if streams is not None
        else CounterStreams(key, trials)
        if pk.stream == 2
        else VectorStreams(key, trials)
    )
    x = reference_inputs(st, pk, n)
    if pk.given_col.size:  # given from outside: drawn, then overwritten (as the kernel)
        x[:, pk.given_col] = pk.given_val
    out["inputs"][...] = x[:, : p.n_drawn]
    hs, ha, hm = p.h_spend, p.h_share, p.h_market
    sig_m, sig_s = x[:, p.vol_market], x[:, p.vol_spend]
    sig_a, sig_o = x[:, p.vol_seller], x[:, p.vol_others]
    hazard = x[:, p.shift_hazard]
    log_m0 = np.log(x[:, p.size_start])
    lm = log_m0
    lm_h = log_m0 + hm * np.log1p(x[:, p.market_growth])
    ls = np.log(x[:, p.spend_start])
    ls_h = np.log(x[:, p.spend_target])
    xa = np.log(x[:, p.share_start]) - np.log1p(-x[:, p.share_start])
    xa_h = np.log(x[:, p.share_target]) - np.log1p(-x[:, p.share_target])
    drift_m = np.log1p(x[:, p.market_growth_late]) - 0.5 * sig_m**2
    drift_s = np.log1p(x[:, p.spend_growth_late]) - 0.5 * sig_s**2
    y = np.tile(pk.alr_start, (n, 1))
    n_com = pk.com_first.size
    cum_c = np.zeros((n, n_com))
    due_c = np.zeros((n, n_com))
    shortfall = out["commitment_shortfall"].reshape(n, n_com)
    met = out["commitment_met"].reshape(n, n_com)
    shortfall[...] = 0.0
    met[...] = True
    cum = np.zeros(n)
    for t in range(n_years):
        if t > 0:
            e = np.stack([st.normal() for _ in range(p.n_shocks)], axis=1) @ pk.shock_chol.T
            e_m, e_a, e_s = e[:, 0], e[:, 1], e[:, 2]
            if t < hm:
                r = hm + 1 - t
                lm = lm + (lm_h - lm) / r + sig_m * math.sqrt((hm - t) / r) * e_m
            elif t == hm:
                lm = lm_h
            else:
                lm = lm + drift_m + sig_m * e_m
            if t < hs:
                r = hs + 1 - t
                ls = ls + (ls_h - ls) / r + sig_s * math.sqrt((hs - t) / r) * e_s
            elif t == hs:
                ls = ls_h
            else:
                u = st.uniform()
                zf = st.normal()
                ls = ls + drift_s + sig_s * e_s
                shift = np.log1p(-np.minimum(pk.shift.from_z(zf), MAX_FRACTION))
                ls = ls + np.where(u < hazard, shift, 0.0)
            if t < ha:
                r = ha + 1 - t
                xa = xa + (xa_h - xa) / r + sig_a * math.sqrt((ha - t) / r) * e_a
            elif t == ha:
                xa = xa_h
            else:
                xa = xa + sig_a * e_a
            y = y + sig_o[:, None] * e[:, 3:]
        m = np.exp(lm)
        sp = x[:, p.spend_start] if t == 0 else x[:, p.spend_target] if t == hs else np.exp(ls)
        ea = np.exp(-xa)
        sa = x[:, p.share_start] if t == 0 else x[:, p.share_target] if t == ha else 1.0 / (1.0 + ea)
        rest = np.where(sa < 0.5, 1.0 - sa, ea / (1.0 + ea))
        ey = np.exp(y)
        den = np.ones(n)
        for j in range(ey.shape[1]):  # in provider order, as the kernel sums
            den = den + ey[:, j]
        if t >= p.cum_first:
            cum = cum + sp
        out["market_size"][:, t] = m
        out["spend"][:, t] = sp
        out["share"][:, t, p.seller] = sa
        out["share"][:, t, pk.others] = rest[:, None] * (ey / den[:, None])
        out["share"][:, t, p.reference] = rest * (1.0 / den)
        out["cumulative_spend"][:, t] = cum
        out["seller_revenue"][:, t] = sa * m
        out["buyer_share_of_seller"][:, t] = sp / (sa * m)
        cum_c = cum_c + np.where(t >= pk.com_first, sp[:, None], 0.0)
        for k in np.flatnonzero(pk.tr_due == t):
            c = pk.tr_com[k]
            due_c[:, c] = due_c[:, c] + x[:, pk.tr_slot[k]]
            shortfall[:, c] = np.maximum(shortfall[:, c], np.maximum(due_c[:, c] - cum_c[:, c], 0.0))
            met[:, c] = met[:, c] & (cum_c[:, c] >= due_c[:, c])
