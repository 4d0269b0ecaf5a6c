"""The README's examples run as written (with fewer trials), and its minimal deal TOML loads and simulates."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np

import cloudsim

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def _deal_toml() -> str:
    text = README.read_text("utf-8")
    section = text[text.index("## A new deal is a TOML file") :]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def test_readme_examples_run(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    (tmp_path / "my-deal.toml").write_text(_deal_toml(), "utf-8")  # the file the deal section loads
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)
    assert len(blocks) >= 3
    code = "\n".join(blocks).replace("1_000_000", "100_000").replace("200_000", "20_000")
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert namespace["ds"].attrs["buyer"] == "ExampleAI"  # the last block simulated the README's deal
    assert namespace["bigger"].commitments[0].total == 20e9
    plt.close("all")


def test_readme_deal_loads_and_keeps_the_invariants(tmp_path):
    path = tmp_path / "my-deal.toml"
    path.write_text(_deal_toml(), "utf-8")
    scn = cloudsim.load_scenario(path)
    assert scn.claim_years == {"spend": 2027, "seller_share": 2028, "market_growth": 2028}
    ds = cloudsim.simulate(scn, 1_000, seed=1)
    assert (
        ds.attrs["seller_name"] == "gcp" and ds["spend"].attrs["long_name"] == "ExampleAI's annual Google Cloud spend"
    )
    share = ds["share"].values
    assert (share > 0).all() and (share < 1).all()
    np.testing.assert_allclose(share.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    for name in ("spend", "cumulative_spend", "market_size", "seller_revenue"):
        values = ds[name].values
        assert np.isfinite(values).all() and (values[:, 1:] > 0).all()
    vol = ds["spend_volatility"].values  # the uncertain assumption became a per-trial input
    assert ds["spend_volatility"].attrs["role"] == "input" and 0.1 <= vol.min() and vol.max() <= 0.3
    # the claim year's spend is exactly the drawn claim input
    np.testing.assert_array_equal(ds["spend"].sel(year=2027).values, ds["spend_target"].values)
