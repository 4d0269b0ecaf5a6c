"""The article's quantities and claim semantics."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from cloudsim.claims import Claim, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit", "bound"),
    [
        ("$100 Million", 1e8, "USD", "median"),
        ("$1.5 Billion+", 1.5e9, "USD", "at_least"),
        ("$38B", 38e9, "USD", "median"),
        ("$138 billion", 138e9, "USD", "median"),
        ("$2.5T+", 2.5e12, "USD", "at_least"),
        ("$1 Trillion", 1e12, "USD", "median"),
        ("$250M", 2.5e8, "USD", "median"),
        ("$1,500 Million", 1.5e9, "USD", "median"),
        ("US$ 22.4 Billion", 22.4e9, "USD", "median"),
        ("28%", 0.28, "fraction", "median"),
        ("35%+", 0.35, "fraction", "at_least"),
        (" 30 % + ", 0.30, "fraction", "at_least"),
        ("-5%", -0.05, "fraction", "median"),
    ],
)
def test_parse_quantity(text, value, unit, bound):
    q = parse_quantity(text)
    assert q.value == pytest.approx(value, rel=1e-15)
    assert (q.unit, q.bound, q.text) == (unit, bound, text)


@pytest.mark.parametrize(
    "text", ["$1.5 Zillion", "1.5 Billion", "35", "", "$", "%", "$-5B", "$1.5 Billion++", "thirty %"]
)
def test_parse_quantity_refuses(text):
    with pytest.raises(ValueError, match=r"claims\.x\.post_deal"):
        parse_quantity(text, path="claims.x.post_deal")


def test_parse_quantity_type():
    with pytest.raises(TypeError, match="expected a string"):
        parse_quantity(1.5e9)


def _claim(kind, pre, post, **kw):
    base = dict(
        key="x",
        kind=kind,
        metric="m",
        pre_deal=pre,
        post_deal=post,
        years=3,
        confidence=0.8,
        spread=0.5,
        start_spread=0.2,
    )
    base.update(kw)
    return Claim(**base)


@pytest.mark.parametrize(
    ("kind", "pre", "post"),
    [
        ("money", "$100 Million", "$1.5 Billion+"),
        ("share", "28%", "35%+"),
        ("growth", "25%", "30%+"),
        ("money", "$1 Billion", "$2 Billion"),
        ("share", "60%", "40%+"),
    ],
)
@pytest.mark.parametrize("confidence", [0.8, 0.6, 0.95])
def test_claim_distributions_honour_the_statement(kind, pre, post, confidence):
    c = _claim(kind, pre, post, confidence=confidence)
    for which, dist in (("start", c.start_distribution()), ("target", c.target_distribution())):
        q = getattr(c, which)
        p_exceed = 1.0 - dist.cdf(q.value)
        assert p_exceed == pytest.approx(c.stated_probability(which), abs=1e-12)


def test_claim_spread_is_on_the_kind_scale():
    c = _claim("money", "$100 Million", "$1.5 Billion+", spread=0.5)
    d = c.target_distribution()
    # log-scale sd 0.5; '+' at 80%: median = 1.5e9 * exp(0.5 * z_0.8)
    assert d.median() == pytest.approx(1.5e9 * math.exp(0.5 * stats.norm.ppf(0.8)), rel=1e-12)
    g = _claim("growth", "25%", "30%+", spread=0.05).target_distribution()
    assert g.median() == pytest.approx(1.3 * math.exp(0.05 * stats.norm.ppf(0.8)) - 1, rel=1e-12)
    s = _claim("share", "28%", "35%", spread=0.3).target_distribution()
    assert s.median() == pytest.approx(0.35, rel=1e-12)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (dict(kind="money", pre="28%", post="$1B"), "pre_deal"),
        (dict(kind="share", pre="28%", post="100%"), "post_deal"),
        (dict(kind="share", pre="$1B", post="30%"), "pre_deal"),
        (dict(kind="growth", pre="25%", post="-100%"), "post_deal"),
        (dict(kind="money", pre="$1B", post="$1.5 Zillion"), "post_deal"),
    ],
)
def test_claim_refuses_wrong_units(kw, field):
    with pytest.raises(ValueError, match=f"claims.x.{field}"):
        _claim(kw["kind"], kw["pre"], kw["post"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("confidence", 1.0), ("confidence", 0.0), ("spread", -1.0), ("spread", float("nan")), ("start_spread", 0.0)],
)
def test_claim_refuses_bad_numbers(field, value):
    with pytest.raises(ValueError, match=f"claims.x.{field}"):
        _claim("money", "$1B", "$2B+", **{field: value})
