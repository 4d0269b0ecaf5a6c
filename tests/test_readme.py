"""The README's Python examples run as written (with fewer trials)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run():
    import matplotlib.pyplot as plt

    blocks = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)
    assert len(blocks) >= 2
    code = "\n".join(blocks).replace("1_000_000", "100_000")
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert namespace["ds"].sizes["trial"] > 0
    plt.close("all")
