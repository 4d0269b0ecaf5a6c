"""A user's own model, outside cloudsim: a GPU cloud's capacity online (GW, bridged in log space to its claim,
"1 GW by 2026", then a drifted walk) and its revenue, GW x GPUs per GW x hours x utilisation x price per GPU-hour.

The kernel and its NumPy reference side by side; a scenario says ``model = "user_model:MODEL"``."""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from cloudsim.distributions import from_dict
from cloudsim.models import Input, Model, Output
from cloudsim.models import kit as k

BLOCK = 1024  # trials a thread takes at a time
Packed = namedtuple("Packed", "inputs sigma h gpu_hours decline")  # the scenario as the kernel takes it


@numba.njit(cache=True, parallel=True)
def simulate_gpu(key, start, lo, hi, a, sigma, h, gpu_hours, decline, capacity, revenue, cumulative, inputs):
    for b in numba.prange((hi - lo + BLOCK - 1) // BLOCK):
        s, z, x = np.empty(4, np.uint64), np.empty(a.n_drawn), np.empty(a.n_drawn)
        for i in range(lo + b * BLOCK, min(lo + (b + 1) * BLOCK, hi)):
            k.seed_trial(s, key, start + i)
            k.trial_inputs(s, a, z, x)
            for j in range(a.n_drawn):  # element by element: a row view would cost a reference count per trial
                inputs[i, j] = x[j]
            lg, lh, drift, cum = math.log(x[0]), math.log(x[1]), math.log1p(x[2]) - 0.5 * sigma * sigma, 0.0
            for t in range(capacity.shape[1]):
                if t > 0:
                    e = k.next_normal(s, k.KI, k.WI, k.FI)
                    if t < h:
                        lg += (lh - lg) / (h + 1 - t) + sigma * math.sqrt((h - t) / (h + 1 - t)) * e
                    else:
                        lg = lh if t == h else lg + drift + sigma * e
                capacity[i, t] = c = x[0] if t == 0 else x[1] if t == h else math.exp(lg)
                revenue[i, t] = r = c * gpu_hours * x[3] * x[4] * (1.0 - decline) ** t
                cumulative[i, t] = cum = cum + r


def reference_gpu(key: int, start: int, pk: Packed, out: dict[str, np.ndarray]) -> None:
    n, n_years = out["capacity"].shape
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
        out["capacity"][:, t] = c = x[:, 0] if t == 0 else x[:, 1] if t == h else np.exp(lg)
        out["revenue"][:, t] = r = c * pk.gpu_hours * x[:, 3] * x[:, 4] * (1.0 - pk.decline) ** t
        out["cumulative_revenue"][:, t] = cum = cum + r


class GpuCapacityModel(Model):
    """A GPU cloud's capacity online, bridged to its claim, and the revenue it earns."""

    name = "gpu_capacity"
    summary = "a GPU cloud's capacity online (GW) and its revenue"
    optional_tables = frozenset({"years", "dependence"})
    schema = k.standard_schema(
        "gpu_capacity",
        claims={"capacity": k.claim_schema()},
        capacity={"volatility": k.number(0.0, 2.0, default=0.15, doc="yearly sd of log capacity growth"),
                  "growth_after_target": k.Field("distribution", required=True, doc="yearly growth after the claim")},
        gpus={"per_gw": k.number(1e3, 1e7, doc="GPUs per GW of capacity online"),
              "utilisation": k.Field("distribution", lo=0.0, hi=1.0, required=True, doc="share of GPU-hours sold"),
              "price": k.Field("distribution", lo=0.0, required=True, doc="USD per GPU-hour in the start year"),
              "price_decline": k.number(0.0, 0.9, default=0.0, doc="yearly fall of the price per GPU-hour")},
    )  # fmt: skip

    def claims(self, d):  # read in the unit of the output it is checked on: "500 MW" is 0.5 GW
        return {"capacity": k.scenario_claim(d, "capacity", "capacity", unit=self.outputs(d)[0].units)}

    def check(self, d):
        k.check_claim_year(d, "capacity")

    def inputs(self, d):
        c, y0, g = self.claims(d)["capacity"], d["years"]["start"], d["gpus"]
        return [Input("capacity_start", c.start_distribution(), f"Capacity in {y0}", "GW", "claims.capacity.pre_deal"),
                Input("capacity_target", c.target_distribution(), f"Capacity in {y0 + c.years}", "GW",
                      "claims.capacity.post_deal"),
                Input("growth", from_dict(d["capacity"]["growth_after_target"]), "Capacity growth after the claim",
                      "1", "capacity.growth_after_target"),
                Input("utilisation", from_dict(g["utilisation"]), "GPU utilisation", "1", "gpus.utilisation"),
                Input("price", from_dict(g["price"]), f"Price per GPU-hour in {y0}", "USD", "gpus.price")]  # fmt: skip

    def shocks(self, d):  # one yearly shock: log capacity
        return ("capacity",)

    def outputs(self, d):
        return [Output("capacity", ("trial", "year"), "GW", d["claims"]["capacity"]["metric"]),
                Output("revenue", ("trial", "year"), "USD", "Revenue from the capacity online"),
                Output("cumulative_revenue", ("trial", "year"), "USD", "Revenue since the start year")]  # fmt: skip

    def pack(self, d, inputs, copula_cholesky, shock_cholesky, student_df):
        g = d["gpus"]
        return Packed(k.pack_inputs(inputs, copula_cholesky, student_df), float(d["capacity"]["volatility"]),
                      d["claims"]["capacity"]["years"], g["per_gw"] * 8760.0, g["price_decline"])  # fmt: skip

    def run(self, key, start, lo, hi, pk, out):
        simulate_gpu(np.uint64(key), np.int64(start), np.int64(lo), np.int64(hi), pk.inputs.arrays, pk.sigma, pk.h,
                     pk.gpu_hours, pk.decline, *(out[n] for n in OUT))  # fmt: skip

    def reference(self, key, start, pk, out):
        reference_gpu(key, start, pk, out)

    def claim_samples(self, ds, d):
        return k.bridged_claim_samples(ds, d, "capacity", "capacity")


OUT = ("capacity", "revenue", "cumulative_revenue", "inputs")
MODEL = GpuCapacityModel()
