"""The portfolio model's NumPy reference: the kernel's equations vectorised over trials, for checking.

Same variate order as :mod:`.kernel` over the pure-NumPy streams of
:class:`cloudsim._rng.VectorStreams`; agrees with the kernel to rounding (rtol 1e-10).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..._rng import VectorStreams
from .._trial import reference_inputs
from .kernel import NO_SHORTFALL

__all__ = ["simulate_reference"]


def simulate_reference(key: int, start: int, pk, out: Mapping[str, np.ndarray]) -> None:
    """Fill every row of ``out`` (global trials ``start + row``); ``pk`` is the model's packed scenario."""
    p = pk.scalars
    n, n_years = out["total_spend"].shape
    st = VectorStreams(key, np.arange(start, start + n, dtype=np.int64))
    x = reference_inputs(st, pk, n)
    out["inputs"][...] = x[:, : p.n_drawn]
    h = p.h_spend
    sig_s, sig_w = x[:, p.vol_spend], x[:, p.vol_weight]
    ls = np.log(x[:, p.spend_start])
    ls_h = np.log(x[:, p.spend_target])
    drift_s = np.log1p(x[:, p.spend_growth_late]) - 0.5 * sig_s**2
    y = np.tile(pk.alr_start, (n, 1))
    cum = np.zeros((n, out["spend"].shape[2]))
    for t in range(n_years):
        if t > 0:
            e = np.stack([st.normal() for _ in range(p.n_shocks)], axis=1) @ pk.shock_chol.T
            if t < h:
                ls = ls + (ls_h - ls) / (h + 1 - t) + sig_s * math.sqrt((h - t) / (h + 1 - t)) * e[:, 0]
            elif t == h:
                ls = ls_h
            else:
                ls = ls + drift_s + sig_s * e[:, 0]
            y = y + p.reversion * (pk.alr_target - y) + sig_w[:, None] * e[:, 1:]
        sp = x[:, p.spend_start] if t == 0 else x[:, p.spend_target] if t == h else np.exp(ls)
        ey = np.exp(y)
        den = np.ones(n)
        for j in range(ey.shape[1]):  # in seller order, as the kernel sums
            den = den + ey[:, j]
        w = np.ones((n, cum.shape[1]))
        w[:, pk.others] = ey
        out["total_spend"][:, t] = sp
        out["spend"][:, t, :] = sp[:, None] * (w / den[:, None])
        cum = cum + np.where(t >= pk.cum_first, out["spend"][:, t, :], 0.0)
        out["cumulative_spend"][:, t, :] = cum
    n_com = pk.com_first.size
    shortfall, met = out["commitment_shortfall"], out["commitment_met"]
    best_t = np.full(n, n_years)
    best_c = np.full(n, NO_SHORTFALL)
    for c in range(n_com):
        q = pk.com_seller[c]
        rows = np.flatnonzero(pk.tr_com == c)
        due = np.cumsum(pk.tr_amt[rows])
        gap = np.zeros(n)
        ok = np.ones(n, dtype=bool)
        fail_t = np.full(n, n_years)
        cum_c = np.zeros(n)
        t = pk.com_first[c]
        for k, r in enumerate(rows):
            while t <= pk.tr_due[r]:
                cum_c = cum_c + out["spend"][:, t, q]
                t += 1
            gap = np.maximum(gap, np.maximum(due[k] - cum_c, 0.0))
            fails = ok & ~(cum_c >= due[k])
            fail_t = np.where(fails, pk.tr_due[r], fail_t)
            ok = ok & ~fails
        shortfall[:, c] = gap
        met[:, c] = ok
        better = fail_t < best_t
        best_t = np.where(better, fail_t, best_t)
        best_c = np.where(better, c, best_c)
    out["all_met"][...] = met.all(axis=1)
    out["first_shortfall"][...] = best_c
    out["first_shortfall_year"][...] = np.where(best_c >= 0, p.year0 + best_t, NO_SHORTFALL)
