"""The docs match the code: docs/scenario-format.md is what its generator writes and covers every bundled key."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from test_models import ModelContract

import cloudsim

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGE = DOCS / "scenario-format.md"
SCENARIOS = sorted((ROOT / "cloudsim" / "scenarios").glob("*.toml"))


def _generator():
    spec = importlib.util.spec_from_file_location("make_scenario_format", DOCS / "make_scenario_format.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _documented(text: str) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """What the page documents: keys in table rows (``claims.spend.metric``), tables named by a heading
    (``claims.spend``, ``commitments.tranches``), and each distribution family's parameters."""
    keys: set[str] = set()
    headed: set[str] = set()
    tables: list[str] = []
    families: dict[str, set[str]] = {}
    in_families = False
    for line in text.splitlines():
        if line.startswith("#"):
            tables = re.findall(r"`\[\[?([\w.]+)\]\]?`", line) if line.startswith("### ") else []
            headed.update(tables)
            if line.startswith("### Top level"):
                tables = [""]
            in_families = line.startswith("## Distribution tables")
            continue
        row = re.match(r"\| `(\w+)` \|([^|]*)\|", line)
        if not row:
            continue
        if in_families:
            families[row.group(1)] = set(re.findall(r"`(\w+)`", row.group(2)))
        for t in tables:
            keys.add(f"{t}.{row.group(1)}".lstrip("."))
    return keys, headed, families


def _missing(node: dict, path: str, doc: tuple[set[str], set[str], dict[str, set[str]]]) -> list[str]:
    """Key paths of a scenario table the page does not document."""
    keys, headed, families = doc
    out = []
    for k, v in node.items():
        p = f"{path}.{k}".lstrip(".")
        if k == "source" or (k.endswith("_source") and f"{path}.{k[: -len('_source')]}".lstrip(".") in keys):
            continue  # provenance, documented once for every key
        if p in headed or any(h.startswith(f"{p}.") for h in headed):  # a table (or its parent), a list of tables
            for item in v if isinstance(v, list) else [v]:
                out += _missing(item, p, doc)
        elif p not in keys:
            out.append(p)
        elif isinstance(v, dict) and "family" in v:
            fam = families.get(v["family"].lower())
            if fam is None:
                out.append(f"{p}: family {v['family']!r}")
            else:
                out += [f"{p}.{q}" for q in v if q != "family" and q not in fam]
    return out


def test_scenario_format_page_is_up_to_date():
    assert PAGE.read_text("utf-8") == _generator().render(), "run: python docs/make_scenario_format.py"


def test_generator_check_mode_reports_a_stale_page(tmp_path, monkeypatch):
    gen = _generator()
    stale = tmp_path / "scenario-format.md"
    stale.write_text("old\n", "utf-8")
    monkeypatch.setattr(gen, "OUT", stale)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_key_of_a_bundled_scenario_is_documented(path):
    data = tomllib.loads(path.read_text("utf-8"))
    text = PAGE.read_text("utf-8")
    if data.get("model", "deal") != "deal":  # a model's own keys are on its page
        text += "\n" + (DOCS / f"model-{data['model']}.md").read_text("utf-8")
    assert _missing(data, "", _documented(text)) == []


def test_the_page_documents_every_schema_field():
    keys, headed, families = _documented(PAGE.read_text("utf-8"))
    # spot checks written out by hand, from the schema's tables
    hand = ("deal.seller", "providers.start", "claims.seller_share.years", "commitments.tranches",
            "commitments.tranches.amount", "dependence.shocks", "market.size_start", "spend.shift_hazard")  # fmt: skip
    for key in hand:
        assert key in keys
    assert {"claims.spend", "claims.market_growth", "commitments", "commitments.tranches"} <= headed
    assert families["pert"] == {"minimum", "mode", "maximum", "shape"}
    assert "market.bogus" not in keys


def test_the_complete_example_loads_and_simulates(tmp_path):
    text = PAGE.read_text("utf-8")
    block = re.search(r"```toml\n(# A made-up deal.*?)```", text, re.S).group(1)
    path = tmp_path / "example-deal.toml"
    path.write_text(block, "utf-8")
    scn = cloudsim.load_scenario(path)
    assert scn.name == "example-deal"
    ds = cloudsim.simulate(scn, 1_000, seed=1)
    assert list(ds["provider"].values) == ["aws", "azure", "gcp", "oracle", "other"]
    assert list(ds["commitment"].values) == ["first", "expansion"]
    assert scn.claim_years == {"spend": 2028, "seller_share": 2029, "market_growth": 2027}
    # the uncertain assumptions became inputs
    for name in ("market_volatility", "expansion_tranche_2031"):
        assert ds[name].attrs["role"] == "input"
    vol = ds["market_volatility"].values
    assert 0.04 <= vol.min() and vol.max() <= 0.08
    np.testing.assert_allclose(ds["share"].sum("provider"), 1.0, rtol=0, atol=1e-12)
    # every key of the example is documented too
    assert _missing(tomllib.loads(block), "", _documented(text)) == []


def test_an_undocumented_key_is_reported():
    doc = _documented(PAGE.read_text("utf-8"))
    bad = {
        "market": {"size_start": 1e9, "bogus": 1.0},
        "spend": {"growth_after_target": {"family": "pert", "modal": 1}},
    }
    assert _missing(bad, "", doc) == ["market.bogus", "spend.growth_after_target.modal"]


def test_no_document_cites_a_file_the_project_does_not_ship():
    files = [ROOT / "README.md", *DOCS.glob("*.md"), *(ROOT / "notebooks").glob("*.ipynb")]
    files += list((ROOT / "cloudsim").rglob("*.py")) + list((ROOT / "cloudsim").rglob("*.toml"))
    offenders = [
        str(p.relative_to(ROOT)) for p in files if re.search(r"DESIGN\.md|calibration\.md", p.read_text("utf-8"))
    ]
    assert offenders == []


#: Absolute paths of somebody's machine: a home or work folder, a temporary folder, a Windows drive.
MACHINE_PATH = re.compile(r"(?<![\w.])(/home/|/Users/|/work/|/root/|/tmp/|/var/folders/)|\b[A-Z]:\\{1,2}\w")


def test_no_shipped_file_names_a_path_on_somebodys_machine():
    """0.1.0 shipped a scenario whose source pointed into the author's work folder."""
    files = [ROOT / "README.md", *DOCS.glob("*.md"), *(ROOT / "notebooks").glob("*.ipynb")]
    files += list((ROOT / "cloudsim").rglob("*.py")) + list((ROOT / "cloudsim").rglob("*.toml"))
    offenders = [f"{p.relative_to(ROOT)}: {m[0]}" for p in files for m in MACHINE_PATH.finditer(p.read_text("utf-8"))]
    assert offenders == []
    for bad in ('source = "... (see /work/shared/notes.md)"', "/home/ana/deal.txt", r"C:\Users\ana", r"D:\\data"):
        assert MACHINE_PATH.search(bad), bad
    assert not MACHINE_PATH.search("see docs/model.md, cloudsim/scenarios/openai-aws-2025.toml and P(X >= 1)")


def test_notebook_01_draws_the_distribution_with_the_library():
    """Notebook 01 used to draw its own histogram (log ticks ``10^1``, ``10^2``) instead of plot.distribution."""
    import json

    nb = json.loads((ROOT / "notebooks" / "01_article_scenario.ipynb").read_text("utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "cloudsim.plot.distribution(" in code
    assert not re.search(r"\.hist\(|np\.histogram\(|plt\.hist\(", code)


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_relative_links_between_docs_resolve(page):
    text = (DOCS / page).read_text("utf-8")
    for target, anchor in re.findall(r"\]\(([\w./-]+\.md)(?:#([\w-]+))?\)", text):
        path = (DOCS / target).resolve()
        assert path.exists(), f"{page}: link to {target}"
        if anchor:
            headings = {
                re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", path.read_text("utf-8"), re.M)
            }
            assert anchor in headings, f"{page}: no heading #{anchor} in {target}"


def _python_blocks(path: Path) -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), re.S))


class TestArchitectureExampleModel(ModelContract):
    """The minimal model of docs/architecture.md, run as written, keeps the contract every model keeps."""

    @pytest.fixture(scope="class")
    @classmethod
    def scenario(cls):
        import cloudsim.models

        saved = dict(cloudsim.models._REGISTRY)
        ns: dict = {}
        exec(compile(_python_blocks(DOCS / "architecture.md"), "architecture.md", "exec"), ns)
        yield ns["scn"]
        cloudsim.models._REGISTRY.clear()  # registered for these tests only
        cloudsim.models._REGISTRY.update(saved)

    def test_the_page_example_as_written(self, scenario, ds):
        assert ds.attrs["model"] == "compound" and scenario.name == "toy-market"
        g = ds["growth"].values
        assert 0.0 <= g.min() and g.max() <= 0.5
        assert (ds["market_size"].sel(year=2025) == 1e9).all()
        bands = cloudsim.percentile_bands(ds["market_size"])
        assert (bands.sel(year=2030).diff("quantile") > 0).all()


def test_the_gallery_examples_run():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    code = _python_blocks(DOCS / "gallery.md").replace("200_000", "5_000").replace("rel_tol=0.005", "rel_tol=0.2")
    ns: dict = {}
    exec(compile(code, "gallery.md", "exec"), ns)
    assert ns["ds"].sizes["trial"] == 5_000 and len(ns["history"]) > 0
    plt.close("all")


def _headings(path: Path) -> set[str]:
    return {h.strip() for h in re.findall(r"^#+ (.+)$", path.read_text("utf-8"), re.M)}


def test_references_to_docs_from_the_code_resolve():
    files = [*(ROOT / "cloudsim").rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    files += [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "cloudsim" / "scenarios").glob("*.toml")]
    seen = 0
    for p in files:
        text = p.read_text("utf-8")
        for page, section in re.findall(r"docs/([\w-]+\.md)`{0,2}(?:, \"([^\"]+)\")?", text):
            seen += 1
            assert (DOCS / page).exists(), f"{p.relative_to(ROOT)}: docs/{page} does not exist"
            if section:
                assert any(h.startswith(section) for h in _headings(DOCS / page)), (
                    f"{p.relative_to(ROOT)}: no section {section!r} in docs/{page}"
                )
    assert seen > 10


@pytest.mark.parametrize("page", ["distributions.md", "risk.md", "sampling.md", "scenario-format.md", "sensitivity.md"])
def test_the_python_examples_of_a_page_run(page, tmp_path, monkeypatch):
    from cloudsim import distributions

    text = (DOCS / "scenario-format.md").read_text("utf-8")
    example = re.search(r"```toml\n(# A made-up deal.*?)```", text, re.S).group(1)
    (tmp_path / "example-deal.toml").write_text(example, "utf-8")  # the file scenario-format.md loads
    monkeypatch.chdir(tmp_path)
    code = _python_blocks(DOCS / page).replace("100_000", "5_000").replace("2_000_000", "200_000")
    ns: dict = {name: getattr(distributions, name) for name in distributions.__all__}
    ns["scn"] = cloudsim.load_scenario()
    exec(compile(code, page, "exec"), ns)
    assert code.strip()


def test_the_plots_page_examples_run_and_draw(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    code = _python_blocks(DOCS / "plots.md").replace("100_000", "5_000")
    ns: dict = {}
    exec(compile(code, "plots.md", "exec"), ns)
    assert (tmp_path / "spend.png").read_bytes()[:4] == b"\x89PNG"
    assert ns["median"].get_linewidth() == 3  # the artist the page finds by its gid
    assert ns["p"]["probability"].dims == ("year",)
    plt.close("all")


def test_the_plots_page_names_every_plot():
    import cloudsim.plot

    text = (DOCS / "plots.md").read_text("utf-8")
    plots = [n for n in cloudsim.plot.__all__ if n.islower() and n not in {"format_count", "format_money"}]
    plots = [n for n in plots if not n.startswith("provider_")]
    assert len(plots) >= 8
    assert [n for n in plots if f"`{n}`" not in text] == []


def test_the_cli_page_documents_every_subcommand_and_option():
    import argparse

    from cloudsim.cli import _parser

    text = (DOCS / "cli.md").read_text("utf-8")
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, parser in sub.choices.items():
        if f"## `cloudsim {name}`" not in text:
            missing.append(name)
        for action in parser._actions:
            missing += [opt for opt in action.option_strings if opt.startswith("--") and opt != "--help"
                        and f"`{opt}" not in text]  # fmt: skip
    assert len(sub.choices) == 5 and missing == []
