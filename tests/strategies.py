"""Hypothesis strategies: valid and invalid scenario changes."""

from __future__ import annotations

from hypothesis import strategies as st


def _money(lo: float, hi: float):
    return st.floats(lo, hi).map(lambda v: f"${v / 1e6:.3f} Million")


def _pct(lo: float, hi: float, plus: bool):
    return st.floats(lo, hi).map(lambda v: f"{v:.2f}%" + ("+" if plus else ""))


@st.composite
def scenario_changes(draw):
    """Dotted-path changes to the default scenario that keep it valid."""
    return {
        "claims.openai_aws_spend.pre_deal": draw(_money(1e6, 5e9)),
        "claims.openai_aws_spend.post_deal": draw(
            _money(1e7, 5e10).map(lambda s: s + draw(st.sampled_from(["", "+"])))
        ),
        "claims.openai_aws_spend.spread": draw(st.floats(0.01, 1.5)),
        "claims.openai_aws_spend.start_spread": draw(st.floats(0.01, 1.0)),
        "claims.openai_aws_spend.confidence": draw(st.floats(0.55, 0.95)),
        "claims.aws_share.pre_deal": draw(_pct(2, 80, False)),
        "claims.aws_share.post_deal": draw(_pct(2, 80, draw(st.booleans()))),
        "claims.aws_share.spread": draw(st.floats(0.01, 1.0)),
        "claims.market_cagr.post_deal": draw(_pct(-20, 80, draw(st.booleans()))),
        "claims.market_cagr.spread": draw(st.floats(0.01, 0.3)),
        "market.volatility": draw(st.floats(0.0, 0.5)),
        "spend.volatility": draw(st.floats(0.0, 0.8)),
        "spend.shift_hazard": draw(st.floats(0.0, 1.0)),
        "shares.volatility_aws": draw(st.floats(0.0, 0.5)),
        "shares.volatility_others": draw(st.floats(0.0, 0.5)),
        "shares.start.azure": draw(st.floats(0.01, 1.0)),
    }


#: (dotted path, invalid value) pairs: each must raise ValueError naming the path.
INVALID_VALUES = [
    ("claims.openai_aws_spend.spread", -0.1),
    ("claims.openai_aws_spend.spread", float("nan")),
    ("claims.openai_aws_spend.spread", 0.0),
    ("claims.openai_aws_spend.start_spread", float("inf")),
    ("claims.openai_aws_spend.confidence", 1.0),
    ("claims.openai_aws_spend.post_deal", "$1.5 Zillion"),
    ("claims.openai_aws_spend.pre_deal", "35%"),
    ("claims.aws_share.pre_deal", "128%"),
    ("claims.aws_share.post_deal", "0%"),
    ("claims.aws_share.post_deal", "$3 Billion"),
    ("claims.market_cagr.post_deal", "-120%"),
    ("claims.market_cagr.years", 0),
    ("market.size_start", -5.0),
    ("market.volatility", 3.0),
    ("spend.volatility", -0.01),
    ("spend.shift_hazard", 1.5),
    ("shares.start.gcp", 0.0),
    ("shares.volatility_aws", float("nan")),
    ("commitment.total", 0.0),
    ("commitment.first_year", 2024),
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
