"""Scenario TOML: loading, validation with key paths, exact round trip."""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources

import numpy as np
import pytest
from hypothesis import given
from strategies import INVALID_VALUES, invalid_change, scenario_changes

import cloudsim
from cloudsim.scenario import Scenario


def test_default_scenario_states_the_article(scn):
    assert "openai-aws-2025" in cloudsim.list_scenarios()
    assert scn == cloudsim.load_scenario("openai-aws-2025")
    c = scn.claims
    assert (c["spend"].pre_deal, c["spend"].post_deal) == ("$100 Million", "$1.5 Billion+")
    assert (c["seller_share"].pre_deal, c["seller_share"].post_deal) == ("28%", "35%+")
    assert (c["market_growth"].pre_deal, c["market_growth"].post_deal) == ("25%", "30%+")
    assert all(cl.years == 3 for cl in c.values())
    assert scn.claim_years["spend"] == 2028
    assert scn.years.tolist() == list(range(2025, 2033))


def _numbers_without_source(table, path=""):
    for key, value in table.items():
        p = f"{path}.{key}".lstrip(".")
        if isinstance(value, dict) and "family" not in value:
            if f"{key}_source" not in table:  # a table with a source of its own covers its numbers
                yield from _numbers_without_source(value, p)
        elif (
            isinstance(value, (int, float, dict))
            and not isinstance(value, bool)
            and f"{key}_source" not in table
            and "source" not in table
            and key not in ("years",)
        ):
            yield p


def test_every_bundled_number_has_a_source():
    for name in cloudsim.list_scenarios():
        text = (resources.files("cloudsim") / "scenarios" / f"{name}.toml").read_text("utf-8")
        data = tomllib.loads(text)
        missing = list(_numbers_without_source(data))
        assert missing == [], f"{name}: numbers without a source: {missing}"
        text = cloudsim.load_scenario(name).to_toml()
        assert "assumption" in text


@pytest.mark.parametrize("name", cloudsim.list_scenarios())
def test_round_trip_is_exact(name):
    s = cloudsim.load_scenario(name)
    text = s.to_toml()
    s2 = Scenario.from_toml(text)
    assert s2 == s
    assert s2.to_toml() == text


@given(scenario_changes())
def test_round_trip_of_generated_scenarios(changes):
    s = cloudsim.load_scenario().replace(changes)
    assert Scenario.from_toml(s.to_toml()) == s


@given(invalid_change())
def test_invalid_values_name_the_field(change):
    path, value = change
    with pytest.raises(ValueError, match=re.escape(path)):
        cloudsim.load_scenario().replace({path: value})


@pytest.mark.parametrize(("path", "value"), INVALID_VALUES)
def test_each_invalid_value_is_refused(path, value):
    with pytest.raises(ValueError, match=re.escape(path)):
        cloudsim.load_scenario().replace({path: value})


@pytest.mark.parametrize(
    ("path", "value", "exc"),
    [
        ("claims.seller_share.spread", "0.2", TypeError),
        ("market.volatility", True, TypeError),
        ("years.start", 2025.0, TypeError),
        ("claims.seller_share.post_deal", 35, TypeError),
    ],
)
def test_wrong_types_name_the_field(path, value, exc):
    with pytest.raises(exc, match=re.escape(path)):
        cloudsim.load_scenario().replace({path: value})


def test_unknown_and_missing_keys(scn):
    data = scn.to_dict()
    data["claims"]["spend"]["sprd"] = 0.3
    with pytest.raises(ValueError, match=r"claims\.spend\.sprd: unknown key"):
        Scenario(data)
    data = scn.to_dict()
    del data["claims"]["seller_share"]["post_deal"]
    with pytest.raises(ValueError, match=r"claims\.seller_share\.post_deal: missing"):
        Scenario(data)
    data = scn.to_dict()
    del data["market"]
    with pytest.raises(ValueError, match=r"market: missing table"):
        Scenario(data)


def test_each_claim_has_its_own_horizon(scn):
    s = scn.replace({"claims.seller_share.years": 4, "claims.market_growth.years": 2})
    assert s.claim_years == {"spend": 2028, "seller_share": 2029, "market_growth": 2027}
    with pytest.raises(
        ValueError, match=r"years\.end: must be in \[2033, 2125\] \(at or after the latest claim year\)"
    ):
        scn.replace({"claims.spend.years": 8})


def test_distribution_tables_are_validated(scn):
    with pytest.raises(ValueError, match=r"spend\.growth_after_target"):
        scn.replace({"spend.growth_after_target": {"family": "pert", "minimum": 0.5, "mode": 0.2, "maximum": 1.0}})
    with pytest.raises(ValueError, match=r"spend\.shift_fraction"):
        scn.replace({"spend.shift_fraction": {"family": "pert", "minimum": 0.1, "mode": 0.5, "maximum": 1.5}})
    with pytest.raises(ValueError, match=r"spend\.growth_after_target"):
        scn.replace({"spend.growth_after_target": {"family": "gamma", "k": 2}})


def test_support_edges(scn):
    with pytest.raises(ValueError, match=r"spend\.growth_after_target"):
        scn.replace({"spend.growth_after_target": {"family": "fixed", "value": -1.0}})
    ok = scn.replace({"spend.growth_after_target": {"family": "lognormal", "mu": 0.3, "sigma": 0.1, "loc": -1.0}})
    assert ok["spend.growth_after_target"]["loc"] == -1.0
    ok = scn.replace({"spend.shift_fraction": {"family": "logitnormal", "mu": -1.5, "sigma": 0.5}})
    assert ok["spend.shift_fraction"]["family"] == "logitnormal"
    with pytest.raises(ValueError, match=r"spend\.shift_fraction"):
        scn.replace({"spend.shift_fraction": {"family": "fixed", "value": 1.0}})


def test_optional_tables(scn):
    data = scn.to_dict()
    del data["years"], data["dependence"]
    s = Scenario(data)
    assert (s.start_year, s.end_year) == (2025, 2032)
    assert s["dependence.spearman"] == []


def test_correlations(scn):
    m = scn.spearman_matrix()
    assert np.allclose(m, m.T) and np.all(np.diag(m) == 1)
    names = [i.name for i in scn.inputs()]
    i, j = names.index("spend_target"), names.index("seller_share_target")
    assert m[i, j] == 0.4
    with pytest.raises(ValueError, match=r"dependence\.spearman\[0\]: unknown input 'nope'"):
        scn.replace({"dependence.spearman": [["nope", "market_growth", 0.1]]})
    with pytest.raises(ValueError, match=r"dependence\.spearman\[0\]\.rho"):
        scn.replace({"dependence.spearman": [["spend_target", "market_growth", 1.5]]})
    bad = [
        ["spend_target", "market_growth", 0.95],
        ["spend_target", "seller_share_target", 0.95],
        ["market_growth", "seller_share_target", -0.95],
    ]
    with pytest.raises(
        ValueError, match=r"not positive definite.*\((spend_target|market_growth|seller_share_target), "
    ):
        scn.replace({"dependence.spearman": bad})


def test_load_errors(tmp_path):
    with pytest.raises(ValueError, match=r"unknown scenario 'nope'.*openai-aws-2025"):
        cloudsim.load_scenario("nope")
    with pytest.raises(FileNotFoundError, match=r"missing\.toml"):
        cloudsim.load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed\n")
    with pytest.raises(ValueError, match=r"bad\.toml: not valid TOML"):
        cloudsim.load_scenario(bad)
    with pytest.raises(TypeError, match="name_or_path"):
        cloudsim.load_scenario(42)


def test_load_from_file(tmp_path, scn):
    p = tmp_path / "mine.toml"
    p.write_text(scn.replace({"claims.seller_share.spread": 0.3}).to_toml())
    s = cloudsim.load_scenario(p)
    assert s["claims.seller_share.spread"] == 0.3
    assert s != scn
    assert math.isclose(s.claims["seller_share"].spread, 0.3)


def test_immutable(scn):
    with pytest.raises(AttributeError):
        scn.name = "x"
    d = scn.to_dict()
    d["name"] = "changed"
    assert scn.name == "openai-aws-2025"


# ---- scenario files that are not TOML text, and keys that are not there ------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
        ('name = "Zürich deal"\n'.encode("latin-1"), "not UTF-8 text (byte 0xfc on line 1)"),
        (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
    ],
    ids=["binary", "latin-1", "deeply-nested"],
)
def test_scenario_files_that_are_not_toml_text_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(message)):
        cloudsim.load_scenario(path)


def test_bom_prefixed_scenario_file_loads(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + cloudsim.load_scenario().to_toml().encode("utf-8"))
    assert cloudsim.load_scenario(path) == cloudsim.load_scenario()


def test_scenario_paths_that_are_not_files_give_clear_errors(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "loop2.toml")
    (tmp_path / "loop2.toml").symlink_to(loop)
    with pytest.raises(ValueError, match="symbolic link loop"):
        cloudsim.load_scenario(loop)
    with pytest.raises(ValueError, match="is a directory"):
        cloudsim.load_scenario(tmp_path)
    with pytest.raises(ValueError, match="is not a regular file"):
        cloudsim.load_scenario("/dev/null")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        cloudsim.load_scenario(tmp_path / "missing.toml")


def test_df_with_the_gaussian_copula_is_refused():
    d = cloudsim.load_scenario().to_dict()
    assert "df" not in d["dependence"]  # not filled in for the Gaussian copula, so a round trip stays valid
    d["dependence"]["df"] = 5
    with pytest.raises(ValueError, match=r"dependence\.df: degrees of freedom belong to the Student-t copula"):
        cloudsim.Scenario.from_dict(d)
    d["dependence"]["copula"] = "student"
    assert cloudsim.Scenario.from_dict(d).student_df() == 5
    del d["dependence"]["df"]
    student = cloudsim.Scenario.from_dict(d)
    assert student.student_df() == 4
    assert cloudsim.Scenario.from_toml(student.to_toml()) == student


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_claim_metric_is_refused(value):
    d = cloudsim.load_scenario().to_dict()
    d["claims"]["spend"]["metric"] = value
    with pytest.raises(ValueError, match=r"claims\.spend\.metric: must not be empty"):
        cloudsim.Scenario.from_dict(d)


def test_lookups_and_replacements_name_the_key():
    scn = cloudsim.load_scenario()
    with pytest.raises(KeyError, match=r"market\.bogus: no key 'bogus' in market; keys there: name"):
        scn["market.bogus"]
    with pytest.raises(TypeError, match="key: expected a dotted key path"):
        scn[3]
    with pytest.raises(ValueError, match="no table 'bogus' in the scenario; tables here: claims"):
        scn.replace({"bogus.x": 1})
    with pytest.raises(ValueError, match=r"name\.x: name is not a table"):
        scn.replace({"name.x": 1})
    with pytest.raises(TypeError, match="changes: expected a mapping of dotted key paths"):
        scn.replace([("name", "x")])
    with pytest.raises(TypeError, match="changes: keys must be dotted key paths"):
        scn.replace({1: 2})
    with pytest.raises(TypeError, match="expected TOML text"):
        cloudsim.Scenario.from_toml(b"name = 'x'")


def test_an_empty_correlation_matrix_is_accepted():
    # a model without yearly shocks (or without per-trial inputs) has a 0 x 0 matrix: nothing to refuse
    from cloudsim.scenario import _check_positive_definite

    assert _check_positive_definite(np.zeros((0, 0)), np.zeros((0, 0)), (), "dependence.shocks") is None
    with pytest.raises(ValueError, match=r"dependence\.shocks: the correlation matrix is not positive definite"):
        _check_positive_definite(np.array([[1.0, 1.2], [1.2, 1.0]]), np.eye(2), ("a", "b"), "dependence.shocks")


def test_a_replace_through_a_missing_table_lists_what_is_there():
    scn = cloudsim.load_scenario()
    with pytest.raises(ValueError, match=r"no table 'market\.bogus' .*market holds no tables, only the keys name,"):
        scn.replace({"market.bogus.x": 1})
    with pytest.raises(ValueError, match=r"no table 'claims\.bogus' in the scenario; tables here: market_growth,"):
        scn.replace({"claims.bogus.x": 1})


# ---- money strings wherever the schema holds money ------------------------------------------------
def _money_paths(schema, data, prefix=""):
    """Dotted paths (``commitments[0].total``) of the money keys a scenario's data sets to a number."""
    from cloudsim._schema import Field, TableList

    for key, spec in schema.items():
        if key not in data:
            continue
        path = f"{prefix}{key}"
        if isinstance(spec, Field):
            if str(spec.type).startswith("money") and isinstance(data[key], float):
                yield path
        elif isinstance(spec, TableList):
            for i, item in enumerate(data[key]):
                yield from _money_paths(spec.schema, item, f"{path}[{i}].")
        elif isinstance(spec, dict):
            yield from _money_paths(spec, data[key], f"{path}.")


def _outcome(scn, changes):
    try:
        return scn.replace(changes).to_dict()
    except ValueError as exc:
        return str(exc)


@pytest.mark.parametrize("name", cloudsim.list_scenarios())
def test_every_money_key_takes_a_money_string(name):
    from cloudsim._schema import Field

    scn = cloudsim.load_scenario(name)
    paths = list(_money_paths(scn.model.schema, scn.to_dict()))
    assert paths  # every bundled deal has a commitment at least
    for path in paths:
        as_number = _outcome(scn, {path: 2.5e9})
        assert not isinstance(as_number, str), as_number
        for text in ("$2.5B", "$2.5 Billion", "$2,500 Million"):
            got = _outcome(scn, {path: text})
            assert got == as_number, (path, text)
        with pytest.raises(ValueError, match=re.escape(path) + r": expected an amount of money"):
            scn.replace({path: "35%"})
    money_docs = [f for f in _fields(scn.model.schema) if "(USD)" in f.doc or "amount" in f.doc]
    assert all(isinstance(f, Field) and str(f.type).startswith("money") for f in money_docs)


def _fields(schema):
    from cloudsim._schema import Field, TableList

    for spec in schema.values():
        if isinstance(spec, Field):
            yield spec
        elif isinstance(spec, TableList):
            yield from _fields(spec.schema)
        elif isinstance(spec, dict):
            yield from _fields(spec)
