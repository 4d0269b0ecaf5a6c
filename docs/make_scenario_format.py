"""Write ``docs/scenario-format.md`` from the deal model's schema: every key, type, range, default and meaning.

Run ``python docs/make_scenario_format.py`` after changing ``cloudsim/models/deal/schema.py``;
``tests/test_docs.py`` fails while the committed page differs from what this script writes.
The tables come from the schema's :class:`~cloudsim._schema.Field` objects and the
distribution registry; the prose between them is written here.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cloudsim._schema import Field, TableList
from cloudsim.distributions import FAMILIES, _defaults
from cloudsim.models.deal.model import _UNCERTAIN, DealModel
from cloudsim.models.deal.schema import CLAIM_ROLES, SCHEMA, SHOCK_BASE

OUT = Path(__file__).resolve().parent / "scenario-format.md"

#: How each claim kind reads its values and where its spreads live.
KIND_TEXT = {
    "money": ("an amount of money, `> 0`", "`log(value)`", "`lognormal`"),
    "share": ("a percentage in (0%, 100%)", "`logit(value)`", "`logitnormal`"),
    "growth": ("a percentage in (-100%, 1000%]", "`log(1 + value)`", "`lognormal` with `loc = -1`"),
}

TYPE_TEXT = {
    "distribution": "distribution",
    "number|distribution": "number or distribution",
    "money": "money",
    "money|distribution": "money or distribution",
    "list:str": "list of strings",
    "table:float": "table of numbers",
    "table:str": "table of strings",
    "pairs": "list of `[name, name, rho]`",
}

#: A complete scenario, every key annotated; ``tests/test_docs.py`` loads and simulates it.
EXAMPLE = """\
# A made-up deal showing every key; numbers are illustrations ("assumption"), not forecasts.
name = "example-deal"                      # required: how load_scenario and the CLI call it
description = "ExampleAI's spend with Oracle Cloud, five providers, two commitments"
model = "deal"                             # the model that runs the scenario (the default)
source = "illustration for docs/scenario-format.md"

[deal]
buyer = "ExampleAI"                        # who spends: used in every title and long_name
seller = "oracle"                          # the provider the commitments are with; one of providers.names

[years]                                    # optional table (defaults 2025..2032)
start = 2025                               # the pre-deal values describe this year
end = 2031                                 # at or after the latest claim year

[claims.spend]                             # the buyer's annual spend with the seller
metric = "ExampleAI's annual Oracle Cloud spend"
pre_deal = "$200 Million"                  # a plain value: the median in the start year
post_deal = "$3 Billion+"                  # '+': a floor held with probability `confidence`
years = 3                                  # claim year 2028
confidence = 0.8
spread = 0.5                               # sd of log(spend) in the claim year
start_spread = 0.25                        # sd of log(spend) in the start year
source = "assumption"

[claims.seller_share]                      # the seller's share of the market
metric = "Oracle Cloud market share"
pre_deal = "3%"
post_deal = "4-6%"                         # a range: the central 80% interval (fixes its own spread)
years = 4                                  # its own horizon: claim year 2029
spread = 0.2                               # still checked, unused for a range
start_spread = 0.1
source = "assumption"

[claims.market_growth]                     # the market's CAGR from the start year to the claim year
metric = "Cloud market growth (CAGR)"
pre_deal = "20%"                           # the trend growth after the claim year
post_deal = "about 25%"
years = 2
spread = 0.05                              # sd of log(1 + CAGR)
start_spread = 0.05
source = "assumption"

[market]
name = "cloud infrastructure market"       # used in titles
size_start = "$400B"                       # money: a number in USD or a string like "$400B"
volatility = { family = "uniform", lower = 0.04, upper = 0.08 }   # uncertain: drawn once per trial
volatility_source = "assumption: between 0.04 and 0.08"

[spend]
volatility = 0.2                           # yearly sd of log spend after the spend claim's year
growth_after_target = { family = "pert", minimum = 0.0, mode = 0.3, maximum = 0.8 }
shift_hazard = 0.05                        # yearly probability of a workload shift after the claim year
shift_fraction = { family = "pert", minimum = 0.05, mode = 0.2, maximum = 0.5 }

[providers]
names = ["aws", "azure", "gcp", "oracle", "other"]   # 2 to 12; the provider coordinate
labels = { oracle = "Oracle Cloud", gcp = "Google Cloud", other = "other providers" }
start = { aws = 0.30, azure = 0.21, gcp = 0.13, oracle = 0.03, other = 0.33 }   # sums to 1
reference = "other"                        # log-ratios against this one (default: the last non-seller)
volatility_seller = 0.1                    # yearly logit-sd of the seller's share after its claim year
volatility_others = 0.1                    # yearly sd of the other providers' log-ratios

[[commitments]]                            # a total over a window
name = "first"
label = "$20B first contract"
total = "$20B"
first_year = 2026
last_year = 2030

[[commitments]]                            # a schedule of tranches, due cumulatively
name = "expansion"
first_year = 2027

[[commitments.tranches]]
year = 2029
amount = "$5B"

[[commitments.tranches]]
year = 2031
amount = { family = "loguniform", lower = 5e9, upper = 2e10 }   # an uncertain amount

[dependence]                               # optional table
copula = "gaussian"                        # or "student" (with df)
spearman = [
    ["market_growth", "seller_share_target", 0.3],
    ["spend_target", "market_volatility", 0.2],
    ["spend_target", "expansion_tranche_2031", 0.4],
]
shocks = [["market", "spend", 0.3]]
"""


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        return f'`"{v}"`'
    if isinstance(v, Mapping):
        if not v:
            return "`{}`"
        return "`{" + ", ".join(f"{k} = {_toml_scalar(x)}" for k, x in v.items()) + "}`"
    if isinstance(v, (list, tuple)):
        return "`[]`" if not v else f"`{list(v)}`"
    return f"`{_toml_scalar(v)}`"


def _toml_scalar(v: Any) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def _type(spec: Field) -> str:
    t = spec.type
    if isinstance(t, str):
        return TYPE_TEXT[t]
    return {str: "string", int: "integer", float: "number"}[t]


def _range(spec: Field) -> str:
    if spec.choices:
        return "one of " + ", ".join(f'`"{c}"`' for c in spec.choices)
    text = spec.describe()
    if isinstance(spec.type, str) and spec.type.startswith("money"):
        text += " USD"
    return text


def _default(spec: Field) -> str:
    if spec.required:
        return "**required**"
    if spec.default is None:
        return "optional"
    return _toml_value(spec.default)


def _doc(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def _table(schema: Mapping[str, Any]) -> list[str]:
    rows = ["| key | type | range | default | meaning |", "|---|---|---|---|---|"]
    for key, spec in schema.items():
        if isinstance(spec, Field):
            rows.append(f"| `{key}` | {_type(spec)} | {_range(spec)} | {_default(spec)} | {_doc(spec.doc)} |")
        elif isinstance(spec, TableList):
            rows.append(f"| `{key}` | list of tables | see below | optional | {_doc(spec.doc)} |")
    return rows


def _notes(key: str, uncertain_inputs: str) -> list[str]:
    """The prose after a table's key list."""
    if key == "providers":
        return [
            "`names` is the `provider` coordinate (2 to 12 names, the seller among them). `start` gives",
            "every provider's start-year share; they must sum to 1 within 1e-9. The seller's own start",
            "share in the simulation is the `seller_share` claim's `pre_deal` value; the other providers",
            "split `1 - seller share` in the proportions of `start`. An `other` (rest of the market)",
            "provider is an ordinary name. `labels` only changes how names are shown.",
            "",
        ]
    if key == "dependence":
        return [
            "The input names for `spearman` are the claims' inputs `spend_start`, `spend_target`,",
            "`seller_share_start`, `seller_share_target`, `market_growth`, `market_growth_late`,",
            "`spend_growth_late`; every uncertain assumption given as a distribution: " + uncertain_inputs + ";",
            "and every commitment amount given as a distribution: `commitment_total` (one commitment with a",
            "total), `<name>_total` (several), `commitment_tranche_<year>` or `<name>_tranche_<year>`",
            "(tranches). `scn.inputs()` lists a scenario's inputs. A pair may appear once (in either order),",
            "never with itself; unlisted pairs are independent. `rho` is a Spearman rank correlation, turned",
            "into the copula's linear correlation `2 sin(pi rho / 6)` (exact for the Gaussian copula; for the",
            "Student-t copula the simulated rank correlations land within about 0.02 of the request, and",
            "joint tails are heavier).",
            "",
            "`shocks` correlates the yearly standard normals (plain Pearson correlations). Their names are "
            + ", ".join(f"`{s}`" for s in SHOCK_BASE)
            + ", then one per",
            "non-seller provider other than the reference, by provider name (in the example below: `aws`,",
            "`azure`, `gcp`).",
            "",
        ]
    return []


def _families() -> list[str]:
    rows = ["| family | parameters (default) | meaning |", "|---|---|---|"]
    for name, cls in FAMILIES.items():
        defaults = _defaults(cls)
        params = ", ".join(
            f"`{p}` ({_toml_scalar(defaults[p]) if defaults[p] is not None else 'optional'})"
            if p in defaults
            else f"`{p}`"
            for p in cls.param_names
        )
        first = (cls.__doc__ or "").strip().splitlines()[0].replace("``", "`")
        rows.append(f"| `{name}` | {params} | {first} |")
    return rows


def render() -> str:
    """The whole page as Markdown."""
    roles = ", ".join(f"`[claims.{r}]`" for r in CLAIM_ROLES)
    uncertain = ", ".join(f"`{key}`" for _, key, *_ in _UNCERTAIN)
    uncertain_inputs = ", ".join(f"`{name}` (`{key}`)" for _, key, name, *_ in _UNCERTAIN)
    out: list[str] = [
        "# Scenario file format",
        "",
        "<!-- Generated by docs/make_scenario_format.py from cloudsim/models/deal/schema.py; do not edit. -->",
        "",
        "A scenario is a TOML file: a deal's claims in the source's own words plus every assumption the",
        "deal model needs, each with its source. `cloudsim.load_scenario(path_or_name)` reads and validates",
        "one; `cloudsim list` and `cloudsim.list_scenarios()` show the bundled ones",
        "(`cloudsim/scenarios/*.toml`). **A new deal is a new TOML file**: other buyers, sellers, provider",
        "lists, horizons and commitments need no code change. How each key enters the equations is in",
        "[model.md](model.md).",
        "",
        "Validation is strict and every error names the key path and the allowed range, e.g.",
        "`claims.spend.years: expected an integer, got float 3.0`,",
        "`providers.start: the start shares must sum to 1 (within 1e-9), got 0.99` or",
        "`market.volatility: a distribution here must have its support in [0, 2], got support [-inf, inf] ...`.",
        "A loaded `Scenario` is immutable and normalised (defaults filled in, money strings converted to USD,",
        "distribution tables completed); `Scenario.from_toml(s.to_toml()) == s`, and",
        '`s.replace({"dotted.key": value})` returns a validated variant whose name and `changes` record',
        "what was changed.",
        "",
        "## Types",
        "",
        "* **string**, **integer**, **number**: TOML strings, integers, and integers or floats. Booleans are",
        "  never numbers; an integer key rejects `3.0`; numbers must be finite.",
        '* **money**: a number in USD (`38e9`) or a string as the sources write it (`"$38B"`,',
        '  `"$1.5 Billion"`, `"US$ 22.4 Billion"`); a bound such as `"$38B+"` is not an amount.',
        '* **distribution**: an inline table `{family = "...", <parameter> = <number>, ...}` (below).',
        "* **number or distribution**, **money or distribution**: an *uncertain assumption*. A number stays",
        "  fixed; a distribution table is drawn once per trial, like the claims' inputs, and may take part",
        "  in the copula (`dependence.spearman`). Its support must lie in the key's range.",
        "* **list of strings**: distinct, non-empty. **table of numbers / strings**: keyed by name.",
        "* **list of `[name, name, rho]`**: correlation pairs (see `[dependence]`).",
        "* Ranges: `[a, b]` closed, `(a, b)` open, `inf` unbounded.",
        "",
        "## Keys",
        "",
    ]
    top = {k: v for k, v in SCHEMA.items() if isinstance(v, Field)}
    out += ["### Top level", "", *_table(top), ""]
    for key, spec in SCHEMA.items():
        if key == "claims":
            out += _claims_section(roles)
        elif isinstance(spec, TableList):
            out += _commitments_section()
        elif isinstance(spec, dict):
            note = "optional table" if key in DealModel.optional_tables else ""
            out += [f"### `[{key}]`" + (f" ({note})" if note else ""), "", *_table(spec), ""]
            out += _notes(key, uncertain_inputs)
    out += [
        "Uncertain assumptions (a number or a distribution): " + uncertain + ", each commitment's `total`",
        "and each tranche's `amount`.",
        "",
        "## Provenance: `source` and `<key>_source`",
        "",
        "Any key `x` of a table may carry its provenance in a sibling string `x_source`, and any table may",
        "carry a `source` string of its own (`providers.start` and `providers.labels` also accept",
        "`source` and `<name>_source` entries). `x_source` is accepted only where `x` is a key of that",
        "table, so a typo such as `volatilty_source` is an error. Sources are kept by `to_toml()` and",
        'recorded in every simulated Dataset (`ds.attrs["scenario"]`). The bundled scenarios give a',
        "source (publisher and date) for every number, or mark it `assumption: ...`.",
        "",
        "## Distribution tables",
        "",
        '`{family = "<name>", <parameter> = <number>, ...}`; the family name is case-insensitive, unknown',
        "parameters are errors, and parameters with a default may be left out. Families, from the",
        "registry (`cloudsim.distributions.FAMILIES`):",
        "",
        *_families(),
        "",
        "`metalog` takes `probabilities` and `values` (lists of 3 to 9 numbers); `empirical` takes `values`",
        "(a list). Each family, when to use it and a picture of its density: [distributions.md](distributions.md).",
        "",
        "## Consistency rules",
        "",
        "After each key is checked on its own, the deal model checks the scenario as a whole",
        "(`DealModel.check`):",
        "",
        "1. **Years.** `years.start < years.end <= years.start + 100`, and `years.end` is at or after the",
        "   latest claim year; every claim year `years.start + claims.<role>.years` lies within the years.",
        "2. **Claims parse.** `pre_deal` and `post_deal` are quantities of the claim's kind.",
        "3. **Providers.** 2 to 12 names; `deal.seller` among them; `providers.start` has exactly one",
        "   share per provider, summing to 1 within 1e-9; `labels` and `reference` name known providers",
        "   (`reference` not the seller).",
        "4. **Commitments.** Distinct names; either `total` with `last_year`, or `tranches` (not both);",
        "   `years.start <= first_year <=` the first due year; tranche years increasing; the last due",
        "   year `<= years.end`.",
        "5. **Shift fraction.** The support of `spend.shift_fraction` lies in [0, 1) (an open upper end",
        "   at 1, as for `beta`, is allowed; each drawn fraction is kept below 1 by one ulp).",
        "6. **Growth after the claim year.** `spend.growth_after_target` has support minimum >= -1 and",
        "   no mass at -1 (`normal` and `studentt` are rejected).",
        "7. **Positive definite correlations.** The matrix `2 sin(pi rho / 6)` built from",
        "   `dependence.spearman`, and the matrix of `dependence.shocks`, must be positive definite; the",
        "   error names the pair that contributes most to the offending direction. Every name must be an",
        "   input (or shock) of the scenario.",
        "",
        "## A complete example",
        "",
        "Every key, annotated (a made-up deal; the numbers illustrate the format):",
        "",
        "```toml",
        EXAMPLE.rstrip("\n"),
        "```",
        "",
        "```python",
        "import cloudsim",
        "",
        'scn = cloudsim.load_scenario("example-deal.toml")',
        "ds = cloudsim.simulate(scn, 100_000, seed=1)",
        "cloudsim.check_claims(ds)                 # each claim at its own claim year",
        'ds["commitment_met"].mean("trial")        # one value per commitment (dim "commitment")',
        'wider = scn.replace({"claims.seller_share.spread": 0.3})   # a validated variant',
        "```",
        "",
        "The bundled `cloudsim/scenarios/*.toml` are fully sourced references.",
        "",
    ]
    return "\n".join(out)


def _claims_section(roles: str) -> list[str]:
    claim = SCHEMA["claims"][next(iter(CLAIM_ROLES))]
    rows = [
        "| claim | kind | values | `spread`, `start_spread` are the sd of | family |",
        "|---|---|---|---|---|",
    ]
    for role, kind in CLAIM_ROLES.items():
        values, scale, family = KIND_TEXT[kind]
        rows.append(f"| `{role}` | {kind} | {values} | {scale} | {family} |")
    return [
        f"### {roles} (all required)",
        "",
        *_table(claim),
        "",
        "Each claim is keyed by its role and has its own horizon `years`: the claim year is",
        "`years.start + years`. The role fixes the kind of its values and the scale of its spreads:",
        "",
        *rows,
        "",
        "**Quantities.** Money: `$` (or `US$`), a number (commas allowed), an optional scale `K`/`thousand`,",
        '`M`/`mn`/`million`, `B`/`bn`/`billion`, `T`/`tn`/`trillion` (any case): `"$100 Million"`,',
        '`"$1.5 Billion+"`, `"$38B"`. Percentages: `"28%"`, `"35%+"`, `"-5%"`. Also ranges',
        '(`"$1–2 Billion"`, `"30-35%"`, `"between 30% and 35%"`), ceilings (`"up to 35%"`,',
        '`"at most $2B"`), medians (`"about 25%"`, `"~25%"`) and floors (`"at least 35%"` or a',
        "trailing `+`).",
        "",
        '**Semantics.** A plain or "about" value is the median, `P(X >= value) = 0.5`. A floor (trailing',
        '`+`, "at least") is held with probability `confidence`: `P(X >= value) = confidence`; a ceiling',
        '("up to") likewise from above, `P(X <= value) = confidence`; a range is the central `confidence`',
        "interval and sets its own spread. `pre_deal` describes the start year (for `market_growth`: the",
        "trend growth after the claim year), `post_deal` the claim year.",
        "",
    ]


def _commitments_section() -> list[str]:
    com = SCHEMA["commitments"]
    tranche = com.schema["tranches"]
    return [
        f"### `[[commitments]]` ({com.min_items} to {com.max_items} tables, required)",
        "",
        *_table(com.schema),
        "",
        f"### `[[commitments.tranches]]` ({tranche.min_items} to {tranche.max_items} tables)",
        "",
        *_table(tranche.schema),
        "",
        "A commitment is either a `total` due by `last_year`, or a list of `tranches`, each due by its",
        "year cumulatively with the earlier ones (the second tranche is met when the spend since",
        "`first_year` reaches the first two amounts together). Spend counts from `first_year`. With",
        "several commitments, `commitment_met` and `commitment_shortfall` get a `commitment` dim named",
        "by `name`.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the page; with ``--check``, only report whether it is up to date (exit 1 if not)."""
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = OUT.read_text("utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run python docs/make_scenario_format.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
