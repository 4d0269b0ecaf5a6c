"""The deal model's declaration: inputs, shocks, outputs, cross-field checks, packing and claim samples.

A buyer's annual spend with one seller, the market the seller competes in, and
the providers' shares of it, against one or several commitments.  The equations
are in ``docs/model.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ...claims import Claim
from ...distributions import Distribution, from_dict
from .._commitments import check_commitments
from .._trial import sparse_rows, z_table
from ..base import ClaimSample, Commitment, Input, Model, Output
from .kernel import Scalars, simulate_deal
from .kernel_v2 import simulate_deal_v2
from .reference import simulate_reference
from .schema import CLAIM_ROLES, SCHEMA, SHOCK_BASE

__all__ = ["METRIC_ROLES", "DealModel"]

#: The article's metrics (lower case, straight quotes, single spaces) and the claim roles they fill,
#: for :func:`cloudsim.claims.claims_from_table`.
METRIC_ROLES: dict[str, str] = {
    "openai's annual aws spend": "spend",
    "aws ai/ml market share": "seller_share",
    "global ai cloud market growth (cagr)": "market_growth",
}

#: Scalar assumptions that may be distributions: (slot, key path, input name, long-name template, units).
_UNCERTAIN = (
    ("size_start", "market.size_start", "market_size_start", "{market} size in the start year", "USD"),
    ("vol_market", "market.volatility", "market_volatility", "{market}: yearly sd of log growth", "1"),
    ("vol_spend", "spend.volatility", "spend_volatility", "{buyer}'s {seller} spend: yearly sd of log growth", "1"),
    ("vol_seller", "providers.volatility_seller", "seller_share_volatility",
     "{seller} share: yearly logit-sd after its claim year", "1"),
    ("vol_others", "providers.volatility_others", "others_volatility",
     "Other providers: yearly sd of their log-ratios", "1"),
    ("shift_hazard", "spend.shift_hazard", "shift_hazard", "Yearly probability of a workload shift", "1"),
)  # fmt: skip


def _get(d: Mapping[str, Any], dotted: str) -> Any:
    node: Any = d
    for part in dotted.split("."):
        node = node[part]
    return node


@dataclass(frozen=True)
class Packed:
    """The deal scenario as the kernel takes it: named scalars and arrays."""

    scalars: Scalars
    dists: tuple[Distribution, ...]
    shift: Distribution
    in_code: np.ndarray
    in_par: np.ndarray
    in_tab: np.ndarray
    chol: np.ndarray
    chol_sparse: tuple[np.ndarray, np.ndarray, np.ndarray]
    shock_chol: np.ndarray
    fixed: np.ndarray
    shift_par: np.ndarray
    shift_tab: np.ndarray
    alr_start: np.ndarray
    others: np.ndarray
    com_first: np.ndarray
    tr_com: np.ndarray
    tr_due: np.ndarray
    tr_slot: np.ndarray
    #: per-trial input values given from outside: input positions, and the (rows, positions) values
    given_col: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    given_val: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    #: pick-freeze: the second stream key and one flag per stream group (:meth:`DealModel.streams`); empty: off
    key2: int = 0
    alt: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: the stream version the kernel draws from (:mod:`cloudsim._rng` is 1, :mod:`cloudsim._rng_v2` is 2)
    stream: int = 1


class DealModel(Model):
    """One buyer's spend with one seller, the seller's market and the K providers' shares of it."""

    name = "deal"
    schema = SCHEMA
    optional_tables = frozenset({"years", "dependence"})
    summary = "a buyer's spend with one seller, the seller's market and K providers' shares, against commitments"

    # ---- names ------------------------------------------------------------------
    def labels(self, d: Mapping[str, Any]) -> dict[str, str]:
        seller = d["deal"]["seller"]
        return {
            "buyer": d["deal"]["buyer"],
            "seller": d["providers"]["labels"].get(seller, seller),
            "seller_name": seller,
            "market": d["market"]["name"],
        }

    def provider_labels(self, d: Mapping[str, Any]) -> list[str]:
        lab = d["providers"]["labels"]
        return [lab.get(p, p) for p in d["providers"]["names"]]

    def _others(self, d: Mapping[str, Any]) -> tuple[str, list[str]]:
        """The reference provider and the other non-seller providers, in list order."""
        names, seller = d["providers"]["names"], d["deal"]["seller"]
        rest = [p for p in names if p != seller]
        ref = d["providers"]["reference"] or rest[-1]
        return ref, [p for p in rest if p != ref]

    def shocks(self, d: Mapping[str, Any]) -> tuple[str, ...]:
        return SHOCK_BASE + tuple(self._others(d)[1])

    def claims(self, d: Mapping[str, Any]) -> dict[str, Claim]:
        out = {}
        for role, kind in CLAIM_ROLES.items():
            table = d["claims"][role]
            fields = {k: v for k, v in table.items() if k in SCHEMA["claims"][role]}
            out[role] = Claim(key=role, kind=kind, **fields)  # type: ignore[arg-type]
        return out

    def horizons(self, d: Mapping[str, Any]) -> dict[str, int]:
        return {role: d["claims"][role]["years"] for role in CLAIM_ROLES}

    def commitments(self, d: Mapping[str, Any]) -> list[Commitment]:
        out = []
        for c in d["commitments"]:
            if "tranches" in c:
                due = tuple(t["year"] for t in c["tranches"])
                amounts = tuple(t["amount"] if isinstance(t["amount"], float) else math.nan for t in c["tranches"])
            else:
                due = (c["last_year"],)
                amounts = (c["total"] if isinstance(c["total"], float) else math.nan,)
            out.append(Commitment(c["name"], c["first_year"], due, amounts, c["label"] or c["name"]))
        return out

    def _amount_inputs(self, d: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
        """Each tranche's (input name, key path, value or distribution table), in commitment order."""
        many = len(d["commitments"]) > 1
        out = []
        for k, c in enumerate(d["commitments"]):
            prefix = c["name"] if many else "commitment"
            if "tranches" in c:
                for j, t in enumerate(c["tranches"]):
                    out.append((f"{prefix}_tranche_{t['year']}", f"commitments[{k}].tranches[{j}].amount", t["amount"]))
            else:
                out.append((f"{prefix}_total", f"commitments[{k}].total", c["total"]))
        return out

    # ---- inputs -------------------------------------------------------------------
    def _slots(self, d: Mapping[str, Any]) -> list[tuple[str, Input | float]]:
        """Every slot of the trial's value vector: (slot name, Input if drawn, else its fixed value)."""
        lab = self.labels(d)
        c = self.claims(d)
        y0 = d["years"]["start"]
        h = self.horizons(d)
        buyer, seller, market = lab["buyer"], lab["seller"], lab["market"]
        claimed: list[tuple[str, Input | float]] = [
            ("spend_start", Input("spend_start", c["spend"].start_distribution(),
                                  f"{buyer}'s annual {seller} spend in {y0}", "USD", "claims.spend.pre_deal")),
            ("spend_target", Input("spend_target", c["spend"].target_distribution(),
                                   f"{buyer}'s annual {seller} spend in {y0 + h['spend']}", "USD",
                                   "claims.spend.post_deal")),
            ("share_start", Input("seller_share_start", c["seller_share"].start_distribution(),
                                  f"{seller} share of the {market} in {y0}", "1", "claims.seller_share.pre_deal")),
            ("share_target", Input("seller_share_target", c["seller_share"].target_distribution(),
                                   f"{seller} share of the {market} in {y0 + h['seller_share']}", "1",
                                   "claims.seller_share.post_deal")),
            ("market_growth", Input("market_growth", c["market_growth"].target_distribution(),
                                    f"{market} CAGR {y0}-{y0 + h['market_growth']}", "1",
                                    "claims.market_growth.post_deal")),
            ("market_growth_late", Input("market_growth_late", c["market_growth"].start_distribution(),
                                         f"{market} yearly growth after {y0 + h['market_growth']}", "1",
                                         "claims.market_growth.pre_deal")),
            ("spend_growth_late", Input("spend_growth_late", from_dict(d["spend"]["growth_after_target"]),
                                        f"{buyer}'s {seller} spend: yearly growth after {y0 + h['spend']}", "1",
                                        "spend.growth_after_target")),
        ]  # fmt: skip
        rest: list[tuple[str, Any, str, str, str]] = [
            (slot, _get(d, key), key, name, long.format(**lab)) for slot, key, name, long, _ in _UNCERTAIN
        ]
        units = {slot: u for slot, *_, u in _UNCERTAIN}
        for k, (name, key, value) in enumerate(self._amount_inputs(d)):
            rest.append((f"tranche:{k}", value, key, name, f"Commitment amount ({key})"))
            units[f"tranche:{k}"] = "USD"
        out = list(claimed)
        for slot, value, key, name, long in rest:
            if isinstance(value, Mapping):
                out.append((slot, Input(name, from_dict(value, path=key), long, units[slot], key)))
            else:
                out.append((slot, float(value)))
        return out

    def inputs(self, d: Mapping[str, Any]) -> list[Input]:
        return [v for _, v in self._slots(d) if isinstance(v, Input)]

    # ---- outputs ------------------------------------------------------------------
    def coords(self, d: Mapping[str, Any]) -> dict[str, Sequence[Any]]:
        out: dict[str, Sequence[Any]] = {"year": self.years(d), "provider": list(d["providers"]["names"])}
        if len(d["commitments"]) > 1:
            out["commitment"] = [c["name"] for c in d["commitments"]]
        return out

    def coord_attrs(self, d: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        return {
            "year": {"long_name": "Year", "units": "year"},
            "provider": {"long_name": "Cloud provider", "labels": ", ".join(self.provider_labels(d))},
            "commitment": {"long_name": "Commitment"},
        }

    def outputs(self, d: Mapping[str, Any]) -> list[Output]:
        lab = self.labels(d)
        buyer, seller, market = lab["buyer"], lab["seller"], lab["market"]
        coms = self.commitments(d)
        first = min(c.first_year for c in coms)
        cdims: tuple[str, ...] = ("trial", "commitment") if len(coms) > 1 else ("trial",)
        com_attrs: dict[str, Any] = {}
        if len(coms) == 1:
            com_attrs = {"commitment_total": coms[0].total, "commitment_years": coms[0].years_text}
        what = "its commitment" if len(coms) == 1 else "each commitment"
        ty = ("trial", "year")
        return [
            Output("market_size", ty, "USD", f"{market} size"),
            Output("share", ("trial", "year", "provider"), "1", f"Share of the {market}"),
            Output("spend", ty, "USD", f"{buyer}'s annual {seller} spend"),
            Output("cumulative_spend", ty, "USD", f"{buyer}'s cumulative {seller} spend since {first}",
                   attrs={"since": first, **com_attrs}),
            Output("seller_revenue", ty, "USD", f"{seller} revenue in the {market} ({seller} share x market size)"),
            Output("buyer_share_of_seller", ty, "1", f"{buyer}'s share of {seller}'s {market} revenue"),
            Output("commitment_shortfall", cdims, "USD",
                   f"Shortfall of {buyer}'s cumulative {seller} spend against {what}", role="outcome",
                   attrs=com_attrs),
            Output("commitment_met", cdims, "1", f"{buyer}'s cumulative {seller} spend met {what}",
                   dtype="bool", role="outcome", attrs=com_attrs),
        ]  # fmt: skip

    def headline(self, d: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        return [("spend", {}), ("share", {"provider": d["deal"]["seller"]})]

    def method(self, d: Mapping[str, Any]) -> str:
        return "log/logit Brownian bridges to each claim's year, then drifted walks; additive-log-ratio provider shares"

    # ---- checks -------------------------------------------------------------------
    def check(self, d: Mapping[str, Any]) -> None:
        y0, y1 = d["years"]["start"], d["years"]["end"]
        if not y0 < y1 <= y0 + 100:
            raise ValueError(f"years.end: must be in [{y0 + 1}, {y0 + 100}], got {y1}")
        latest = max(self.horizons(d).values())
        if y1 < y0 + latest:
            raise ValueError(
                f"years.end: must be in [{y0 + latest}, {y0 + 100}] (at or after the latest claim year), got {y1}"
            )
        for role, h in self.horizons(d).items():
            if y0 + h > y1:
                raise ValueError(
                    f"claims.{role}.years: the claim year {y0 + h} must lie within the years {y0}-{y1}; "
                    f"allowed range [1, {y1 - y0}], got {h}"
                )
        self.claims(d)
        self._check_providers(d)
        check_commitments(d["commitments"], y0, y1)
        frac = from_dict(d["spend"]["shift_fraction"], path="spend.shift_fraction")
        lo, hi = float(frac.ppf(0.0)), float(frac.ppf(1.0 - 1e-12))
        if not (0.0 <= lo and hi < 1.0):
            raise ValueError(
                f"spend.shift_fraction: the fraction of spend moved must lie in [0, 1), got support [{lo}, {hi}]"
            )
        growth = from_dict(d["spend"]["growth_after_target"], path="spend.growth_after_target")
        if not (float(growth.ppf(0.0)) >= -1.0 and float(growth.ppf(1e-12)) > -1.0):
            raise ValueError("spend.growth_after_target: growth must stay above -100% (support minimum >= -1)")

    def _check_providers(self, d: Mapping[str, Any]) -> None:
        pv = d["providers"]
        names, seller = pv["names"], d["deal"]["seller"]
        if not 2 <= len(names) <= 12:
            raise ValueError(f"providers.names: needs 2 to 12 providers, got {len(names)}")
        if seller not in names:
            raise ValueError(f"deal.seller: {seller!r} is not among providers.names {names}")
        shares = {k: v for k, v in pv["start"].items() if not (k == "source" or k.endswith("_source"))}
        unknown = [k for k in shares if k not in names]
        if unknown:
            raise ValueError(f"providers.start.{unknown[0]}: unknown provider; providers.names are {names}")
        missing = [k for k in names if k not in shares]
        if missing:
            raise ValueError(f"providers.start: missing the start share of {missing}")
        total = math.fsum(shares.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"providers.start: the start shares must sum to 1 (within 1e-9), got {total:.12g}")
        bad = [k for k in pv["labels"] if k not in names and not k.endswith("source")]
        if bad:
            raise ValueError(f"providers.labels.{bad[0]}: unknown provider; providers.names are {names}")
        ref = pv["reference"]
        if ref and (ref not in names or ref == seller):
            raise ValueError(f"providers.reference: must be a provider other than the seller ({seller!r}), got {ref!r}")

    def check_dependence(self, d: Mapping[str, Any], input_names: Sequence[str]) -> None:
        """Hook for model-specific checks of ``dependence`` (none for the deal model)."""

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
        names = d["providers"]["names"]
        ref, others = self._others(d)
        start = d["providers"]["start"]
        y0 = d["years"]["start"]
        coms = d["commitments"]
        h = self.horizons(d)
        tr_com, tr_due, tr_slot = [], [], []
        k = 0
        for c_idx, c in enumerate(coms):
            due = [t["year"] for t in c["tranches"]] if "tranches" in c else [c["last_year"]]
            slots = [pos[f"tranche:{k + j}"] for j in range(len(due))]
            k += len(due)
            # the kernel checks a commitment's tranches in year order (stable: a year's tranches as listed)
            for year, slot in sorted(zip(due, slots, strict=True), key=lambda ys: ys[0]):
                tr_com.append(c_idx)
                tr_due.append(year - y0)
                tr_slot.append(slot)
        shift = from_dict(d["spend"]["shift_fraction"])
        dists = tuple(v.distribution for _, v in drawn)
        scalars = Scalars(
            n_drawn=len(drawn),
            n_shocks=len(self.shocks(d)),
            shocks_independent=int(np.array_equal(shock_cholesky, np.eye(len(shock_cholesky)))),
            student=int(student_df > 0),
            df=max(int(student_df), 1),
            h_spend=h["spend"],
            h_share=h["seller_share"],
            h_market=h["market_growth"],
            seller=names.index(d["deal"]["seller"]),
            reference=names.index(ref),
            cum_first=min(c["first_year"] for c in coms) - y0,
            shift_code=shift.code,
            **{s: pos[s] for s in Scalars._fields if s in pos},
        )
        return Packed(
            scalars=scalars,
            dists=dists,
            shift=shift,
            in_code=np.array([x.code for x in dists], dtype=np.int64),
            in_par=np.stack([x.packed() for x in dists]),
            in_tab=np.stack([z_table(x) for x in dists]),
            chol=copula_cholesky,
            chol_sparse=sparse_rows(copula_cholesky),
            shock_chol=shock_cholesky,
            fixed=fixed,
            shift_par=shift.packed(),
            shift_tab=z_table(shift),
            alr_start=np.array([math.log(start[p] / start[ref]) for p in others]),
            others=np.array([names.index(p) for p in others], dtype=np.uint64),  # unsigned: no wraparound
            com_first=np.array([c["first_year"] - y0 for c in coms], dtype=np.int64),
            tr_com=np.array(tr_com, dtype=np.int64),
            tr_due=np.array(tr_due, dtype=np.int64),
            tr_slot=np.array(tr_slot, dtype=np.int64),
        )

    def with_given(self, packed: Packed, columns: np.ndarray, values: np.ndarray) -> Packed:
        return replace(packed, given_col=columns, given_val=values)

    def streams(self, d: Mapping[str, Any]) -> list[str]:
        """Each drawn input's independent normal (by input name), each process's yearly shocks
        (``shocks.<shock>``), the workload shifts (their uniform and size), and, for the
        Student-t copula, its chi-square (``copula_chi2``), in the kernel's flag order."""
        names = [i.name for i in self.inputs(d)] + [f"shocks.{k}" for k in self.shocks(d)] + ["workload_shifts"]
        return names + (["copula_chi2"] if d["dependence"]["copula"] == "student" else [])

    def with_second(self, packed: Packed, key2: int, flags: np.ndarray) -> Packed:
        alt = np.zeros(packed.scalars.n_drawn + packed.scalars.n_shocks + 2, np.int64)
        alt[: flags.size] = flags  # without a Student-t copula its chi-square flag stays 0 (never drawn)
        return replace(packed, key2=int(key2), alt=alt)

    def with_stream(self, packed: Packed, stream: int) -> Packed:
        return replace(packed, stream=stream)

    def run(self, key, start, lo, hi, pk: Packed, out, scores=None) -> None:
        n = out["spend"].shape[0]
        if pk.stream == 2:
            simulate_deal_v2(
                np.uint64(key), np.int64(start), np.int64(lo), np.int64(hi), pk.scalars,
                pk.in_code, pk.in_par, pk.in_tab, *pk.chol_sparse, pk.shock_chol,
                pk.fixed, pk.shift_par, pk.shift_tab, pk.alr_start, pk.others, pk.com_first, pk.tr_com, pk.tr_due,
                pk.tr_slot, out["market_size"], out["share"], out["spend"], out["cumulative_spend"],
                out["seller_revenue"], out["buyer_share_of_seller"], out["inputs"],
                out["commitment_shortfall"].reshape(n, -1), out["commitment_met"].reshape(n, -1),
            )  # fmt: skip
            return
        alt = pk.alt if pk.alt.size else None  # None: numba compiles the kernel without the pick-freeze path
        simulate_deal(
            np.uint64(key), np.int64(start), np.int64(lo), np.int64(hi), pk.scalars,
            pk.in_code, pk.in_par, pk.in_tab, *pk.chol_sparse, pk.shock_chol,
            pk.fixed, pk.shift_par, pk.shift_tab,
            pk.alr_start, pk.others, pk.com_first, pk.tr_com, pk.tr_due, pk.tr_slot, pk.given_col, pk.given_val,
            out["market_size"], out["share"], out["spend"], out["cumulative_spend"], out["seller_revenue"],
            out["buyer_share_of_seller"], out["inputs"],
            out["commitment_shortfall"].reshape(n, -1), out["commitment_met"].reshape(n, -1),
            scores, np.uint64(pk.key2), alt,
        )  # fmt: skip

    def score_layout(self, d: Mapping[str, Any]) -> tuple[int, int, list[Any]]:
        """The kernel's score columns: the drawn inputs, year by year (1..T-1) the shocks, then the workload shifts.

        Market, seller share and spend bridge to their claim years (the shock of the claim
        year itself is unused) and walk after them; the other providers walk throughout.
        After the shocks, two columns per year after the spend claim's year: the workload
        shift's occurrence and its size.

        The order the sampler spends its dimensions in (the segments' ``scale`` and
        ``tier``): first the spend path, which alone drives spend, cumulative spend and
        the commitments, by the variance each point adds to log spend (the volatility
        squared times the point's conditional variance; a shift's occurrence as the
        square of its jump ``log(1 - f)**2`` at the median fraction ``f``, its size as
        ``h log(1 - f)**2 / 4`` at the hazard ``h``); then the market's and the shares'
        paths by their own volatilities.
        """
        n_in = len(self.inputs(d))  # the drawn inputs, in copula order
        n_sh = len(self.shocks(d))
        n_years = len(self.years(d))
        h = self.horizons(d)

        def col(t: int, k: int) -> int:
            return n_in + (t - 1) * n_sh + k

        def typical(key: str) -> float:
            v = _get(d, key)
            return float(from_dict(v).ppf(0.5)) if isinstance(v, Mapping) else float(v)

        vols = [typical(k) for k in ("market.volatility", "providers.volatility_seller", "spend.volatility")]
        segments: list[Any] = []
        for k, role in enumerate(("market_growth", "seller_share", "spend")):
            hk = h[role]
            scale, tier = vols[k] ** 2, 0 if role == "spend" else 1
            segments.append(("bridge", [col(t, k) for t in range(1, min(hk, n_years))], hk, scale, tier))
            if hk < n_years:
                segments.append(("unused", [col(hk, k)], 0, 0.0, tier))
            segments.append(("walk", [col(t, k) for t in range(hk + 1, n_years)], 0, scale, tier))
        vol_o = typical("providers.volatility_others") ** 2
        for k in range(3, n_sh):
            segments.append(("walk", [col(t, k) for t in range(1, n_years)], 0, vol_o, 1))
        base = n_in + n_sh * (n_years - 1)
        shifts = max(n_years - 1 - h["spend"], 0)
        jump = math.log1p(-float(from_dict(d["spend"]["shift_fraction"]).ppf(0.5))) ** 2
        segments.append(("plain", [base + 2 * j for j in range(shifts)], 0, jump, 0))
        segments.append(
            ("plain", [base + 2 * j + 1 for j in range(shifts)], 0, typical("spend.shift_hazard") * jump / 4, 0)
        )
        return n_in, base + 2 * shifts, [s for s in segments if s[1]]

    def reference(self, key, start, pk: Packed, out) -> None:
        simulate_reference(key, start, pk, out)

    # ---- claims -------------------------------------------------------------------
    def claim_samples(self, ds: Any, d: Mapping[str, Any]) -> list[ClaimSample]:
        y0 = d["years"]["start"]
        h = self.horizons(d)
        ys, ya, ym = y0 + h["spend"], y0 + h["seller_share"], y0 + h["market_growth"]
        market, share = ds["market_size"], ds["share"].sel(provider=d["deal"]["seller"])
        cagr = (market.sel(year=ym) / market.sel(year=y0)) ** (1.0 / h["market_growth"]) - 1.0
        return [
            ClaimSample("spend", "start", y0, ds["spend"].sel(year=y0).values),
            ClaimSample("seller_share", "start", y0, share.sel(year=y0).values),
            ClaimSample("spend", "target", ys, ds["spend"].sel(year=ys).values),
            ClaimSample("seller_share", "target", ya, share.sel(year=ya).values),
            ClaimSample("market_growth", "target", ym, cagr.values),
            # the pre-deal growth is the trend after the claim year (docs/model.md)
            ClaimSample("market_growth", "start", ym + 1, ds["market_growth_late"].values),
        ]
