"""Hypothesis strategies: valid and invalid scenario changes."""

from __future__ import annotations

from hypothesis import strategies as st


def _money(lo: float, hi: float):
    return st.floats(lo, hi).map(lambda v: f"${v / 1e6:.3f} Million")


def _pct(lo: float, hi: float, plus: bool):
    return st.floats(lo, hi).map(lambda v: f"{v:.2f}%" + ("+" if plus else ""))


def _start_shares(azure: float) -> dict[str, float]:
    """The default scenario's start shares with Azure's set and the others scaled to keep the sum at 1."""
    rest = 1.0 - azure
    others = {"aws": 0.28, "gcp": 0.14, "other": 0.37}
    scale = rest / sum(others.values())
    out = {k: v * scale for k, v in others.items()}
    out["other"] = 1.0 - azure - out["aws"] - out["gcp"]
    return {**out, "azure": azure}


@st.composite
def scenario_changes(draw):
    """Dotted-path changes to the default scenario that keep it valid."""
    return {
        "claims.spend.pre_deal": draw(_money(1e6, 5e9)),
        "claims.spend.post_deal": draw(_money(1e7, 5e10).map(lambda s: s + draw(st.sampled_from(["", "+"])))),
        "claims.spend.spread": draw(st.floats(0.01, 1.5)),
        "claims.spend.start_spread": draw(st.floats(0.01, 1.0)),
        "claims.spend.confidence": draw(st.floats(0.55, 0.95)),
        "claims.seller_share.pre_deal": draw(_pct(2, 80, False)),
        "claims.seller_share.post_deal": draw(_pct(2, 80, draw(st.booleans()))),
        "claims.seller_share.spread": draw(st.floats(0.01, 1.0)),
        "claims.market_growth.post_deal": draw(_pct(-20, 80, draw(st.booleans()))),
        "claims.market_growth.spread": draw(st.floats(0.01, 0.3)),
        "market.volatility": draw(st.floats(0.0, 0.5)),
        "spend.volatility": draw(st.floats(0.0, 0.8)),
        "spend.shift_hazard": draw(st.floats(0.0, 1.0)),
        "providers.volatility_seller": draw(st.floats(0.0, 0.5)),
        "providers.volatility_others": draw(st.floats(0.0, 0.5)),
        "providers.start": _start_shares(draw(st.floats(0.01, 0.9))),
    }


#: (dotted path, invalid value) pairs: each must raise ValueError naming the path.
INVALID_VALUES = [
    ("claims.spend.spread", -0.1),
    ("claims.spend.spread", float("nan")),
    ("claims.spend.spread", 0.0),
    ("claims.spend.start_spread", float("inf")),
    ("claims.spend.confidence", 1.0),
    ("claims.spend.post_deal", "$1.5 Zillion"),
    ("claims.spend.pre_deal", "35%"),
    ("claims.seller_share.pre_deal", "128%"),
    ("claims.seller_share.post_deal", "0%"),
    ("claims.seller_share.post_deal", "$3 Billion"),
    ("claims.market_growth.post_deal", "-120%"),
    ("claims.market_growth.years", 0),
    ("market.size_start", -5.0),
    ("market.volatility", 3.0),
    ("spend.volatility", -0.01),
    ("spend.shift_hazard", 1.5),
    ("providers.start.gcp", 0.0),
    ("providers.volatility_seller", float("nan")),
    ("commitments[0].total", 0.0),
    ("commitments[0].first_year", 2024),
    ("years.end", 2027),
]


@st.composite
def invalid_change(draw):
    """One (path, value) that must be refused."""
    path, base = draw(st.sampled_from(INVALID_VALUES))
    if isinstance(base, float) and base == base and abs(base) != float("inf"):
        # push numeric values further out of range, keeping the sign of the violation
        if path.endswith(("spread", "volatility", "size_start", "total")) and base <= 0:
            base = base - draw(st.floats(0, 10))
        elif path.endswith("shift_hazard") or (path.endswith("volatility") and base > 1):
            base = base + draw(st.floats(0, 10))
    return path, base


# ---- generated deals ------------------------------------------------------------------
_UNCERTAIN_VOL = st.one_of(
    st.floats(0.0, 0.4),
    st.tuples(st.floats(0.0, 0.2), st.floats(0.01, 0.2)).map(
        lambda t: {"family": "uniform", "lower": t[0], "upper": t[0] + t[1]}
    ),
)


@st.composite
def deal_scenarios(draw):
    """Deal scenarios with 2..12 providers, a horizon per claim, several commitments, uncertain assumptions."""
    import cloudsim

    k = draw(st.integers(2, 12))
    names = [f"p{i}" for i in range(k)]
    seller = draw(st.sampled_from(names))
    weights = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
    total = sum(weights)
    start = {n: w / total for n, w in zip(names, weights, strict=True)}
    start[names[-1]] = 1.0 - sum(start[n] for n in names[:-1])
    if start[names[-1]] <= 0:  # rounding left nothing for the last one: rebalance evenly
        start = {n: 1.0 / k for n in names}
        start[names[-1]] = 1.0 - sum(start[n] for n in names[:-1])
    h = {role: draw(st.integers(1, 6)) for role in ("spend", "seller_share", "market_growth")}
    y0 = 2025
    y1 = y0 + max(h.values()) + draw(st.integers(0, 3))
    share_now = draw(st.floats(0.02, 0.6))
    share_then = draw(st.floats(0.02, 0.6))
    commitments = []
    for c in range(draw(st.integers(1, 3))):
        first = draw(st.integers(y0, y1))
        if draw(st.booleans()):
            last = draw(st.integers(first, y1))
            amount = draw(st.one_of(st.floats(1e8, 5e10), st.just({"family": "lognormal", "mu": 22.0, "sigma": 0.3})))
            commitments.append({"name": f"c{c}", "total": amount, "first_year": first, "last_year": last})
        else:
            years = sorted(draw(st.sets(st.integers(first, y1), min_size=1, max_size=3)))
            tranches = [{"year": y, "amount": draw(st.floats(1e8, 2e10))} for y in years]
            commitments.append({"name": f"c{c}", "first_year": first, "tranches": tranches})
    data = {
        "name": "generated",
        "deal": {"buyer": "Buyer", "seller": seller},
        "years": {"start": y0, "end": y1},
        "providers": {
            "names": names,
            "start": start,
            "volatility_seller": draw(_UNCERTAIN_VOL),
            "volatility_others": draw(_UNCERTAIN_VOL),
        },
        "claims": {
            "spend": {
                "metric": "spend",
                "pre_deal": "$100 Million",
                "post_deal": draw(_money(5e7, 5e10)) + "+",
                "years": h["spend"],
                "spread": 0.4,
                "start_spread": 0.2,
            },
            "seller_share": {
                "metric": "share",
                "pre_deal": f"{share_now * 100:.2f}%",
                "post_deal": f"{share_then * 100:.2f}%+",
                "years": h["seller_share"],
                "spread": 0.2,
                "start_spread": 0.1,
            },
            "market_growth": {
                "metric": "growth",
                "pre_deal": "20%",
                "post_deal": draw(_pct(-10, 60, True)),
                "years": h["market_growth"],
                "spread": 0.05,
                "start_spread": 0.05,
            },
        },
        "market": {
            "size_start": draw(
                st.one_of(st.floats(1e9, 1e12), st.just({"family": "lognormal", "mu": 25.0, "sigma": 0.1}))
            ),
            "volatility": draw(_UNCERTAIN_VOL),
        },
        "spend": {
            "volatility": draw(_UNCERTAIN_VOL),
            "growth_after_target": {"family": "pert", "minimum": 0.0, "mode": 0.3, "maximum": 1.0},
            "shift_hazard": draw(st.one_of(st.floats(0.0, 1.0), st.just({"family": "beta", "a": 2.0, "b": 8.0}))),
            "shift_fraction": {"family": "uniform", "lower": 0.05, "upper": 0.5},
        },
        "commitments": commitments,
    }
    return cloudsim.Scenario.from_dict(data)
