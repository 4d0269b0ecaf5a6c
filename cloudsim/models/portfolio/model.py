"""The portfolio model's declaration: inputs, shocks, outputs, cross-field checks, packing and claim samples.

One buyer's total compute spend (a claim on it bridged to its claim year, then a
drifted walk), split each year across its sellers by an additive-log-ratio walk
on the simplex, against every commitment it holds.  Equations: ``docs/model-portfolio.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...claims import Claim
from ...distributions import Distribution, from_dict
from .._commitments import check_commitments
from .._trial import sparse_rows, z_table
from ..base import ClaimSample, Commitment, Input, Model, Output
from .kernel import NO_SHORTFALL, Scalars, simulate_portfolio
from .reference import simulate_reference
from .schema import SCHEMA

__all__ = ["PortfolioModel"]

#: Scalar assumptions that may be distributions: (slot, table, key, input name, long-name template).
_UNCERTAIN = (
    ("vol_spend", "spend", "volatility", "spend_volatility", "{buyer}'s {market} spend: yearly sd of log growth"),
    ("vol_weight", "sellers", "volatility", "weight_volatility", "Yearly sd of each seller's log-ratio"),
)


@dataclass(frozen=True)
class Packed:
    """The portfolio scenario as the kernel takes it: named scalars and arrays."""

    scalars: Scalars
    dists: tuple[Distribution, ...]
    in_code: np.ndarray
    in_par: np.ndarray
    in_tab: np.ndarray
    chol: np.ndarray
    chol_sparse: tuple[np.ndarray, np.ndarray, np.ndarray]
    shock_chol: np.ndarray
    fixed: np.ndarray
    alr_start: np.ndarray
    alr_target: np.ndarray
    others: np.ndarray
    cum_first: np.ndarray
    com_seller: np.ndarray
    com_first: np.ndarray
    tr_com: np.ndarray
    tr_due: np.ndarray
    tr_amt: np.ndarray


def _weights(table: Mapping[str, Any]) -> dict[str, float]:
    return {k: v for k, v in table.items() if not (k == "source" or k.endswith("_source"))}


class PortfolioModel(Model):
    """One buyer's compute spend across several sellers, against all its commitments."""

    name = "portfolio"
    schema = SCHEMA
    optional_tables = frozenset({"years", "dependence"})
    summary = "one buyer's compute spend split across its sellers, against every commitment it holds"

    # ---- names ------------------------------------------------------------------
    def labels(self, d: Mapping[str, Any]) -> dict[str, str]:
        return {"buyer": d["buyer"]["name"], "market": d["buyer"]["market"], "seller": "its sellers"}

    def seller_labels(self, d: Mapping[str, Any]) -> list[str]:
        lab = d["sellers"]["labels"]
        return [lab.get(s, s) for s in d["sellers"]["names"]]

    def _others(self, d: Mapping[str, Any]) -> tuple[str, list[str]]:
        names = d["sellers"]["names"]
        ref = d["sellers"]["reference"] or names[-1]
        return ref, [s for s in names if s != ref]

    def shocks(self, d: Mapping[str, Any]) -> tuple[str, ...]:
        return ("spend", *(f"weight_{s}" for s in self._others(d)[1]))

    def claims(self, d: Mapping[str, Any]) -> dict[str, Claim]:
        table = d["claims"]["spend"]
        fields = {k: v for k, v in table.items() if k in SCHEMA["claims"]["spend"]}
        return {"spend": Claim(key="spend", kind="money", **fields)}  # type: ignore[arg-type]

    def _due(self, c: Mapping[str, Any]) -> list[tuple[int, float]]:
        if "tranches" in c:
            return [(t["year"], float(t["amount"])) for t in c["tranches"]]
        return [(c["last_year"], float(c["total"]))]

    def commitments(self, d: Mapping[str, Any]) -> list[Commitment]:
        out = []
        for c in d["commitments"]:
            due = self._due(c)
            out.append(Commitment(c["name"], c["first_year"], tuple(y for y, _ in due), tuple(a for _, a in due),
                                  c["label"] or c["name"]))  # fmt: skip
        return out

    # ---- inputs -------------------------------------------------------------------
    def _slots(self, d: Mapping[str, Any]) -> list[tuple[str, Input | float]]:
        lab = self.labels(d)
        c = self.claims(d)["spend"]
        y0, h = d["years"]["start"], d["claims"]["spend"]["years"]
        buyer, market = lab["buyer"], lab["market"]
        out: list[tuple[str, Input | float]] = [
            ("spend_start", Input("spend_start", c.start_distribution(), f"{buyer}'s total {market} spend in {y0}",
                                  "USD", "claims.spend.pre_deal")),
            ("spend_target", Input("spend_target", c.target_distribution(),
                                   f"{buyer}'s total {market} spend in {y0 + h}", "USD", "claims.spend.post_deal")),
            ("spend_growth_late", Input("spend_growth_late", from_dict(d["spend"]["growth_after_target"]),
                                        f"{buyer}'s total {market} spend: yearly growth after {y0 + h}", "1",
                                        "spend.growth_after_target")),
        ]  # fmt: skip
        for slot, table, key, name, long in _UNCERTAIN:
            value = d[table][key]
            if isinstance(value, Mapping):
                path = f"{table}.{key}"
                out.append((slot, Input(name, from_dict(value, path=path), long.format(**lab), "1", path)))
            else:
                out.append((slot, float(value)))
        return out

    def inputs(self, d: Mapping[str, Any]) -> list[Input]:
        return [v for _, v in self._slots(d) if isinstance(v, Input)]

    # ---- outputs ------------------------------------------------------------------
    def coords(self, d: Mapping[str, Any]) -> dict[str, Sequence[Any]]:
        return {
            "year": self.years(d),
            "seller": list(d["sellers"]["names"]),
            "commitment": [c["name"] for c in d["commitments"]],
        }

    def coord_attrs(self, d: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        return {
            "year": {"long_name": "Year", "units": "year"},
            "seller": {"long_name": "Seller", "labels": ", ".join(self.seller_labels(d))},
            "commitment": {"long_name": "Commitment"},
        }

    def outputs(self, d: Mapping[str, Any]) -> list[Output]:
        lab = self.labels(d)
        buyer, market = lab["buyer"], lab["market"]
        ty, tys, tc = ("trial", "year"), ("trial", "year", "seller"), ("trial", "commitment")
        code = {"none": NO_SHORTFALL}
        return [
            Output("total_spend", ty, "USD", f"{buyer}'s total annual {market} spend"),
            Output("spend", tys, "USD", f"{buyer}'s annual {market} spend by seller"),
            Output("cumulative_spend", tys, "USD",
                   f"{buyer}'s cumulative spend by seller since the seller's first commitment year"),
            Output("commitment_shortfall", tc, "USD", f"Shortfall of {buyer}'s spend against each commitment",
                   role="outcome"),
            Output("commitment_met", tc, "1", f"{buyer}'s spend met each commitment", dtype="bool", role="outcome"),
            Output("all_met", ("trial",), "1", f"{buyer}'s spend met every commitment", dtype="bool",
                   role="outcome"),
            Output("first_shortfall", ("trial",), "1",
                   "Index of the commitment that falls short first (earliest failing due year; -1: none)",
                   role="outcome", attrs=code),
            Output("first_shortfall_year", ("trial",), "year",
                   "Due year of the first shortfall (-1: none)", role="outcome", attrs=code),
        ]  # fmt: skip

    def headline(self, d: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        return [("total_spend", {})]

    def method(self, d: Mapping[str, Any]) -> str:
        return (
            "log Brownian bridge of total spend to its claim year, then a drifted walk; "
            "additive-log-ratio seller weights"
        )

    # ---- checks -------------------------------------------------------------------
    def check(self, d: Mapping[str, Any]) -> None:
        y0, y1 = d["years"]["start"], d["years"]["end"]
        if not y0 < y1 <= y0 + 100:
            raise ValueError(f"years.end: must be in [{y0 + 1}, {y0 + 100}], got {y1}")
        h = d["claims"]["spend"]["years"]
        if y0 + h > y1:
            raise ValueError(
                f"claims.spend.years: the claim year {y0 + h} must lie within the years {y0}-{y1}; "
                f"allowed range [1, {y1 - y0}], got {h}"
            )
        self.claims(d)
        growth = from_dict(d["spend"]["growth_after_target"], path="spend.growth_after_target")
        if not (float(growth.ppf(0.0)) >= -1.0 and float(growth.ppf(1e-12)) > -1.0):
            raise ValueError("spend.growth_after_target: growth must stay above -100% (support minimum >= -1)")
        self._check_sellers(d)
        self._check_commitments(d, y0, y1)

    def _check_sellers(self, d: Mapping[str, Any]) -> None:
        sv = d["sellers"]
        names = sv["names"]
        if not 1 <= len(names) <= 12 or len(set(names)) != len(names):
            raise ValueError(f"sellers.names: needs 1 to 12 distinct sellers, got {names}")
        for key in ("start", "target"):
            w = _weights(sv[key])
            if key == "target" and not w:
                continue
            unknown = [k for k in w if k not in names]
            if unknown:
                raise ValueError(f"sellers.{key}.{unknown[0]}: unknown seller; sellers.names are {names}")
            missing = [k for k in names if k not in w]
            if missing:
                raise ValueError(f"sellers.{key}: missing the weight of {missing}")
            total = math.fsum(w.values())
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"sellers.{key}: the weights must sum to 1 (within 1e-9), got {total:.12g}")
        bad = [k for k in sv["labels"] if k not in names and not k.endswith("source")]
        if bad:
            raise ValueError(f"sellers.labels.{bad[0]}: unknown seller; sellers.names are {names}")
        if sv["reference"] and sv["reference"] not in names:
            raise ValueError(f"sellers.reference: must be one of sellers.names {names}, got {sv['reference']!r}")

    def _check_commitments(self, d: Mapping[str, Any], y0: int, y1: int) -> None:
        names = d["sellers"]["names"]
        for k, c in enumerate(d["commitments"]):
            if c["seller"] not in names:
                raise ValueError(f"commitments[{k}].seller: {c['seller']!r} is not among sellers.names {names}")
        check_commitments(d["commitments"], y0, y1)

    def check_dependence(self, d: Mapping[str, Any], input_names: Sequence[str]) -> None:
        """Hook for model-specific checks of ``dependence`` (none for the portfolio model)."""

    # ---- numerics ------------------------------------------------------------------
    def pack(self, d, inputs, copula_cholesky, shock_cholesky, student_df) -> Packed:
        slots = self._slots(d)
        drawn = [(s, v) for s, v in slots if isinstance(v, Input)]
        fixed_ = [(s, v) for s, v in slots if not isinstance(v, Input)]
        order = [s for s, _ in drawn] + [s for s, _ in fixed_]
        fixed = np.zeros(len(order))
        for s, v in fixed_:
            fixed[order.index(s)] = v
        pos = {s: k for k, s in enumerate(order)}
        names = d["sellers"]["names"]
        ref, others = self._others(d)
        w0 = _weights(d["sellers"]["start"])
        wt = _weights(d["sellers"]["target"]) or w0
        y0 = d["years"]["start"]
        coms = d["commitments"]
        tr_com, tr_due, tr_amt = [], [], []
        for c_idx, c in enumerate(coms):
            for year, amount in self._due(c):
                tr_com.append(c_idx)
                tr_due.append(year - y0)
                tr_amt.append(amount)
        cum_first = [min((c["first_year"] - y0 for c in coms if c["seller"] == s), default=0) for s in names]
        dists = tuple(v.distribution for _, v in drawn)
        scalars = Scalars(
            n_drawn=len(drawn),
            n_shocks=len(self.shocks(d)),
            shocks_independent=int(np.array_equal(shock_cholesky, np.eye(len(shock_cholesky)))),
            student=int(student_df > 0),
            df=max(int(student_df), 1),
            h_spend=d["claims"]["spend"]["years"],
            reference=names.index(ref),
            year0=y0,
            reversion=float(d["sellers"]["reversion"]) if d["sellers"]["target"] else 0.0,
            **{s: pos[s] for s in Scalars._fields if s in pos},
        )
        return Packed(
            scalars=scalars,
            dists=dists,
            in_code=np.array([x.code for x in dists], dtype=np.int64),
            in_par=np.stack([x.packed() for x in dists]),
            in_tab=np.stack([z_table(x) for x in dists]),
            chol=copula_cholesky,
            chol_sparse=sparse_rows(copula_cholesky),
            shock_chol=shock_cholesky,
            fixed=fixed,
            alr_start=np.array([math.log(w0[s] / w0[ref]) for s in others]),
            alr_target=np.array([math.log(wt[s] / wt[ref]) for s in others]),
            others=np.array([names.index(s) for s in others], dtype=np.int64),
            cum_first=np.array(cum_first, dtype=np.int64),
            com_seller=np.array([names.index(c["seller"]) for c in coms], dtype=np.int64),
            com_first=np.array([c["first_year"] - y0 for c in coms], dtype=np.int64),
            tr_com=np.array(tr_com, dtype=np.int64),
            tr_due=np.array(tr_due, dtype=np.int64),
            tr_amt=np.array(tr_amt, dtype=np.float64),
        )

    def run(self, key, start, lo, hi, pk: Packed, out) -> None:
        simulate_portfolio(
            np.uint64(key), np.int64(start), np.int64(lo), np.int64(hi), pk.scalars,
            pk.in_code, pk.in_par, pk.in_tab, *pk.chol_sparse, pk.shock_chol, pk.fixed,
            pk.alr_start, pk.alr_target, pk.others, pk.cum_first, pk.com_seller, pk.com_first,
            pk.tr_com, pk.tr_due, pk.tr_amt,
            out["total_spend"], out["spend"], out["cumulative_spend"], out["inputs"],
            out["commitment_shortfall"], out["commitment_met"], out["all_met"],
            out["first_shortfall"], out["first_shortfall_year"],
        )  # fmt: skip

    def reference(self, key, start, pk: Packed, out) -> None:
        simulate_reference(key, start, pk, out)

    # ---- claims -------------------------------------------------------------------
    def claim_samples(self, ds: Any, d: Mapping[str, Any]) -> list[ClaimSample]:
        y0 = d["years"]["start"]
        ys = y0 + d["claims"]["spend"]["years"]
        return [
            ClaimSample("spend", "start", y0, ds["total_spend"].sel(year=y0).values),
            ClaimSample("spend", "target", ys, ds["total_spend"].sel(year=ys).values),
        ]
