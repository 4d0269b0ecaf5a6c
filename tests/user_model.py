"""A user's own model, outside cloudsim: a seller's revenue from one buyer against one commitment.

Log revenue is bridged from the pre-deal claim to the post-deal claim at its year, then a drifted
walk; the kernel and its NumPy reference side by side.  A scenario says ``model = "user_model:MODEL"``.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from cloudsim.claims import Claim
from cloudsim.distributions import from_dict
from cloudsim.models import ClaimSample, Commitment, Input, Model, Output
from cloudsim.models import kit as k

BLOCK = 1024  # trials a thread takes at a time
Packed = namedtuple("Packed", "inputs sigma h first last total")  # the scenario as the kernel takes it


@numba.njit(cache=True, parallel=True)
def simulate_revenue(key, start, lo, hi, a, sigma, h, first, last, total, revenue, cumulative, inputs, met, short):
    for b in numba.prange((hi - lo + BLOCK - 1) // BLOCK):
        s, z, x = np.empty(4, np.uint64), np.empty(a.n_drawn), np.empty(a.n_drawn)
        for i in range(lo + b * BLOCK, min(lo + (b + 1) * BLOCK, hi)):
            k.seed_trial(s, key, start + i)
            k.trial_inputs(s, a, z, x)
            inputs[i, :] = x
            lg, lh, drift, cum = math.log(x[0]), math.log(x[1]), math.log1p(x[2]) - 0.5 * sigma * sigma, 0.0
            for t in range(revenue.shape[1]):
                if t > 0:
                    e = k.next_normal(s, k.KI, k.WI, k.FI)
                    if t < h:
                        lg += (lh - lg) / (h + 1 - t) + sigma * math.sqrt((h - t) / (h + 1 - t)) * e
                    else:
                        lg = lh if t == h else lg + drift + sigma * e
                r = x[0] if t == 0 else x[1] if t == h else math.exp(lg)
                revenue[i, t] = r
                cum += r if t >= first else 0.0
                cumulative[i, t] = cum
            met[i] = cumulative[i, last] >= total
            short[i] = max(total - cumulative[i, last], 0.0)


def reference_revenue(key: int, start: int, pk: Packed, out: dict[str, np.ndarray]) -> None:
    n, n_years = out["revenue"].shape
    st = k.VectorStreams(key, np.arange(start, start + n, dtype=np.int64))
    x = out["inputs"][...] = k.reference_inputs(st, pk.inputs, n)
    lg, lh, sigma, h = np.log(x[:, 0]), np.log(x[:, 1]), pk.sigma, pk.h
    drift, cum = np.log1p(x[:, 2]) - 0.5 * sigma**2, np.zeros(n)
    for t in range(n_years):
        if t > 0:
            e = st.normal()
            if t < h:
                lg = lg + (lh - lg) / (h + 1 - t) + sigma * math.sqrt((h - t) / (h + 1 - t)) * e
            else:
                lg = lh if t == h else lg + drift + sigma * e
        out["revenue"][:, t] = x[:, 0] if t == 0 else x[:, 1] if t == h else np.exp(lg)
        cum = cum + (out["revenue"][:, t] if t >= pk.first else 0.0)
        out["cumulative_revenue"][:, t] = cum
    cum_last = out["cumulative_revenue"][:, pk.last]
    out["commitment_met"][:] = cum_last >= pk.total
    out["commitment_shortfall"][:] = np.maximum(pk.total - cum_last, 0.0)


class RevenueModel(Model):
    """One buyer's annual revenue with one seller: a claim bridged to its year, then a log walk."""

    name = "revenue"
    summary = "one buyer's revenue with one seller against one commitment"
    optional_tables = frozenset({"years", "dependence"})
    schema = k.standard_schema(
        "revenue",
        claims={"revenue": k.claim_schema()},
        revenue={"volatility": k.number(0.0, 2.0, default=0.2, doc="yearly sd of log revenue growth"),
                 "growth_after_target": k.Field("distribution", required=True, doc="yearly growth after the claim")},
        commitment={"total": k.money(doc="amount due by last_year"), "first_year": k.Field(int, required=True),
                    "last_year": k.Field(int, required=True)},
    )  # fmt: skip

    def claims(self, d):
        c = d["claims"]["revenue"]
        return {"revenue": Claim(key="revenue", kind="money", **{f: c[f] for f in k.claim_schema() if f in c})}

    def check(self, d):
        y0, y1, c = d["years"]["start"], d["years"]["end"], d["commitment"]
        if not y0 < y0 + d["claims"]["revenue"]["years"] <= y1:
            raise ValueError(f"claims.revenue.years: the claim year must lie in {y0 + 1}-{y1}")
        if not y0 <= c["first_year"] <= c["last_year"] <= y1:
            raise ValueError(f"commitment.last_year: need {y0} <= first_year <= last_year <= {y1}")
        self.claims(d)

    def inputs(self, d):
        c, y0 = self.claims(d)["revenue"], d["years"]["start"]
        return [Input("revenue_start", c.start_distribution(), f"Revenue in {y0}", "USD", "claims.revenue.pre_deal"),
                Input("revenue_target", c.target_distribution(), f"Revenue in {y0 + c.years}", "USD",
                      "claims.revenue.post_deal"),
                Input("growth", from_dict(d["revenue"]["growth_after_target"]), "Yearly growth after the claim", "1",
                      "revenue.growth_after_target")]  # fmt: skip

    def shocks(self, d):  # one yearly shock: log revenue
        return ("revenue",)

    def outputs(self, d):
        return [Output("revenue", ("trial", "year"), "USD", d["claims"]["revenue"]["metric"]),
                Output("cumulative_revenue", ("trial", "year"), "USD", "Revenue since the commitment's first year"),
                Output("commitment_met", ("trial",), "1", "Commitment met", dtype="bool", role="outcome"),
                Output("commitment_shortfall", ("trial",), "USD", "Commitment shortfall", role="outcome")]  # fmt: skip

    def commitments(self, d):
        c = d["commitment"]
        return [Commitment("commitment", c["first_year"], (c["last_year"],), (float(c["total"]),), "the commitment")]

    def pack(self, d, inputs, copula_cholesky, shock_cholesky, student_df):
        y0, c, sigma = d["years"]["start"], d["commitment"], float(d["revenue"]["volatility"])
        ins, h = k.pack_inputs(inputs, copula_cholesky, student_df), d["claims"]["revenue"]["years"]
        return Packed(ins, sigma, h, c["first_year"] - y0, c["last_year"] - y0, c["total"])

    def run(self, key, start, lo, hi, pk, out):
        simulate_revenue(np.uint64(key), np.int64(start), np.int64(lo), np.int64(hi), pk.inputs.arrays, pk.sigma,
                         pk.h, pk.first, pk.last, pk.total, *(out[n] for n in OUT))  # fmt: skip

    def reference(self, key, start, pk, out):
        reference_revenue(key, start, pk, out)

    def claim_samples(self, ds, d):
        y0, h = d["years"]["start"], d["claims"]["revenue"]["years"]
        return [ClaimSample("revenue", w, y, ds["revenue"].sel(year=y).values) for w, y in (("start", y0),
                ("target", y0 + h))]  # fmt: skip


OUT = ("revenue", "cumulative_revenue", "inputs", "commitment_met", "commitment_shortfall")
MODEL = RevenueModel()
