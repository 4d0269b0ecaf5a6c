"""The layout rules: no import circle among cloudsim's modules, no model vocabulary outside the model's folder."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import cloudsim

ROOT = Path(cloudsim.__file__).parent


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every cloudsim module ``path`` imports, at module level or inside functions (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text("utf-8"))
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in modules else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in modules and m != here}


def test_no_import_circle():
    files = {_module(p): p for p in ROOT.rglob("*.py")}
    modules = set(files)
    # the package facade loads everything lazily by name; edges into it are the version string only
    graph = {m: _imports(p, modules) - {"cloudsim"} for m, p in files.items() if m != "cloudsim"}
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in graph.get(m, ()):
            if state.get(n) == 1:
                cycle = [*stack[stack.index(n) :], n] if n in stack else [m, n]
                raise AssertionError(f"import circle: {' -> '.join(cycle)}")
            if n not in state:
                visit(n, [*stack, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_model_vocabulary_stays_in_the_model_folder():
    deal = ROOT / "models" / "deal"
    offenders = []
    for p in ROOT.rglob("*.py"):
        if deal in p.parents:
            continue
        for k, line in enumerate(p.read_text("utf-8").splitlines(), 1):
            if re.search(r"openai|\baws\b|azure|\bgcp\b", line, re.IGNORECASE):
                offenders.append(f"{p.relative_to(ROOT)}:{k}: {line.strip()}")
    assert offenders == []
