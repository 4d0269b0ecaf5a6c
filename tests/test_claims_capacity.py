"""Capacity claims: power and energy in words ("1 GW", "1.5 gigawatts", "500 MW+"), read in the model's unit."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cloudsim.claims import UNITS, Claim, claim, claims_from_table, parse_quantity, unit_scale

# text -> (value in W or Wh, base unit, bound, upper): written out by hand
VALID = [
    ("1 GW", 1e9, "W", "median", None),
    ("1.5 gigawatts", 1.5e9, "W", "median", None),
    ("500 MW", 5e8, "W", "median", None),
    ("500MW", 5e8, "W", "median", None),
    ("1,200 MW", 1.2e9, "W", "median", None),
    ("1 Gigawatt", 1e9, "W", "median", None),
    ("250 kW", 2.5e5, "W", "median", None),
    ("2 TW", 2e12, "W", "median", None),
    ("750 watts", 750.0, "W", "median", None),
    ("1 GW+", 1e9, "W", "at_least", None),
    ("at least 1.5 gigawatts", 1.5e9, "W", "at_least", None),
    ("up to 2 GW", 2e9, "W", "at_most", None),
    ("about 800 megawatts", 8e8, "W", "about", None),
    ("~1 GW", 1e9, "W", "about", None),
    ("1-1.5 GW", 1e9, "W", "range", 1.5e9),
    ("500 MW to 1 GW", 5e8, "W", "range", 1e9),
    ("500 MW – 1 GW", 5e8, "W", "range", 1e9),
    ("between 500 MW and 1 GW", 5e8, "W", "range", 1e9),
    ("20 GWh", 2e10, "Wh", "median", None),
    ("3 megawatt-hours", 3e6, "Wh", "median", None),
    ("3 megawatt hours+", 3e6, "Wh", "at_least", None),
]


@pytest.mark.parametrize(("text", "value", "unit", "bound", "upper"), VALID)
def test_valid_forms(text, value, unit, bound, upper):
    q = parse_quantity(text)
    assert (q.unit, q.bound, q.text) == (unit, bound, text)
    assert q.value == pytest.approx(value, rel=1e-15)
    assert q.upper == (None if upper is None else pytest.approx(upper, rel=1e-15))


@pytest.mark.parametrize(("text", "value", "unit", "bound", "upper"), [v for v in VALID if v[2] == "W"])
def test_read_in_the_unit_asked_for(text, value, unit, bound, upper):
    q = parse_quantity(text, unit="GW")
    assert q.unit == "GW" and q.value == pytest.approx(value / 1e9, rel=1e-15)
    assert parse_quantity(text, unit="MW").value == pytest.approx(value / 1e6, rel=1e-15)


BAD = [
    ("1.5 Billion", r"unknown unit 'Billion'.*money needs a '\$'"),
    ("1 KW", r"unknown unit 'KW' in '1 KW'; use W, kW, MW, GW, TW"),
    ("1 gigaflops", r"unknown unit 'gigaflops'"),
    ("0 GW", r"finite and > 0"),
    ("1 GW+ GW", r"cannot read '1 GW\+ GW'.*'1 GW'"),
    ("1 GW++", r"cannot read"),
    ("2-1 GW", r"must increase"),
    ("1 GW - 2 GWh", r"'1 GW - 2 GWh' is in Wh, but this value is measured in GW|measure different things"),
    ("1 gigawatt-hour", r"is in Wh, but this value is measured in GW"),
    ("at least 1-2 GW", r"a range stands alone"),
    ("-1 GW", r"cannot read"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_forms_name_the_field(text, message):
    with pytest.raises(ValueError, match=r"^claims\.capacity\.post_deal: ") as err:
        parse_quantity(text, path="claims.capacity.post_deal", unit="GW")
    assert err.match(message)


def test_unit_scale():
    assert unit_scale("GW") == ("W", 1e9) and unit_scale("megawatts") == ("W", 1e6)
    assert unit_scale("GWh") == ("Wh", 1e9) and unit_scale("Watt Hours") == ("Wh", 1.0)
    assert unit_scale("gW") is None and unit_scale("USD") is None and set(UNITS) == {"W", "Wh"}


def _capacity(pre, post, **kw):
    base = dict(key="capacity", kind="capacity", metric="GPU capacity online", pre_deal=pre, post_deal=post,
                years=1, confidence=0.8, spread=0.3, start_spread=0.1, unit="GW")  # fmt: skip
    return Claim(**{**base, **kw})


def test_claim_in_the_models_unit_honours_its_statement():
    """'1 GW+' at 80%: log X ~ N(mu, 0.3^2) with P(X >= 1) = 0.8, i.e. mu = 0.3 * ndtri(0.8) (scipy)."""
    c = _capacity("400 MW", "1 GW+")
    d = c.target_distribution()
    assert d.median() == pytest.approx(math.exp(0.3 * stats.norm.ppf(0.8)), rel=1e-12)
    assert 1.0 - d.cdf(1.0) == pytest.approx(0.8, abs=1e-12)
    assert c.start_distribution().median() == pytest.approx(0.4, rel=1e-12)
    assert c.checks() == [("P(X >= 1 GW)", 1.0, math.inf, 0.8)]
    r = _capacity("400 MW", "500 MW to 1.5 GW")
    assert [chk.description for chk in r.checks()] == ["P(500 MW <= X <= 1.5 GW)", "P(X >= 500 MW)"]
    lo, hi = stats.lognorm(s=r.effective_spread(), scale=math.sqrt(0.5 * 1.5)).ppf([0.1, 0.9])
    assert (lo, hi) == (pytest.approx(0.5, rel=1e-9), pytest.approx(1.5, rel=1e-9))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(post_deal="35%"), r"claims\.capacity\.post_deal: a capacity claim needs a quantity in GW"),
        (dict(pre_deal="$1B"), r"claims\.capacity\.pre_deal: a capacity claim needs a quantity in GW"),
        (dict(pre_deal="20 GWh"), r"claims\.capacity\.pre_deal: '20 GWh' is in Wh, but .* measured in GW"),
        (dict(unit="GX"), r"claims\.capacity\.unit: unknown unit 'GX'"),
        (dict(kind="money", pre_deal="$1B", post_deal="$2B"), r"claims\.capacity\.unit: only a capacity claim"),
        (dict(kind="money", unit=""), r"claims\.capacity\.pre_deal: a money claim needs an amount"),
        (dict(family="normal"), r"claims\.capacity\.family"),
    ],
)
def test_bad_capacity_claims_name_the_field(kw, message):
    with pytest.raises(ValueError, match=message):
        _capacity("400 MW", "1 GW+", **kw)


def test_claim_and_table_infer_a_capacity():
    c = claim("GPU capacity online", "400 MW", "1 GW+", years=1, unit="GW")
    assert (c.kind, c.unit, c.target.value, c.start.value) == ("capacity", "GW", 1.0, 0.4)
    table = "| Metric | Pre-Deal | Post-Deal (1 Year) |\n|---|---|---|\n| GPU capacity online | 400 MW | 1 GW+ |\n"
    (only,) = claims_from_table(table).values()
    assert only.kind == "capacity" and only.target.value == 1e9 and only.target.unit == "W"


@settings(deadline=None)
@given(
    st.integers(1, 10**7),
    st.sampled_from(
        [("kW", 1e3), ("MW", 1e6), ("GW", 1e9), ("kilowatts", 1e3), ("megawatts", 1e6), ("gigawatts", 1e9)]
    ),
    st.sampled_from(["", "+", "about ", "up to "]),
    st.sampled_from([("MW", 1e6), ("GW", 1e9)]),
)
def test_property_any_prefix_reads_in_the_unit_asked_for(hundredths, written, bound, asked):
    """``n`` in one prefix is ``n * factor / asked_factor`` in another, whatever the bound."""
    text = f"{hundredths / 100:.2f} {written[0]}"
    text = text + "+" if bound == "+" else bound + text
    q = parse_quantity(text, unit=asked[0])
    assert q.unit == asked[0]
    assert q.value == pytest.approx(hundredths / 100 * written[1] / asked[1], rel=1e-14)


def test_an_unknown_word_without_a_unit_asked_for_lists_every_form():
    """A money or percentage field reading '38 apples' says what it accepts, not only the units."""
    with pytest.raises(ValueError, match=r"^x: cannot read '38 apples' as a quantity; expected money .* '1 GW'"):
        parse_quantity("38 apples", path="x")
    with pytest.raises(ValueError, match=r"^x: unknown unit 'apples'"):
        parse_quantity("38 apples", path="x", unit="GW")
