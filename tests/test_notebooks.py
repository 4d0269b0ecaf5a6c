"""Execute every notebook in ``notebooks/`` and fail on any cell error.

The kernel is pinned to this interpreter: a ``python3`` kernelspec pointing at
``sys.executable`` is written to a temporary directory and used through a
kernel-spec manager that looks nowhere else, so a ``python3`` kernelspec
installed elsewhere (another virtualenv, a system Jupyter) can never be picked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from ipykernel.kernelspec import write_kernel_spec  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
KERNEL_NAME = "python3"
TIMEOUT = 600


def test_notebooks_found():
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory) -> list[str]:
    """A kernels directory holding one ``python3`` kernelspec for ``sys.executable``."""
    root = tmp_path_factory.mktemp("kernels")
    spec_dir = Path(write_kernel_spec(root / KERNEL_NAME))
    argv = json.loads((spec_dir / "kernel.json").read_text())["argv"]
    assert argv[0] == sys.executable, argv
    return [str(root)]


@pytest.fixture
def kernel_env(monkeypatch, tmp_path):
    """Environment the kernel inherits: headless matplotlib, private runtime dir."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _kernel_manager(kernel_dirs: list[str]) -> KernelManager:
    ksm = KernelSpecManager(kernel_dirs=kernel_dirs, ensure_native_kernel=False)
    spec = ksm.get_kernel_spec(KERNEL_NAME)
    assert spec.argv[0] == sys.executable, spec.argv
    return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_dirs, kernel_env):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL_NAME, (
        f"{path.name}: kernelspec name must be {KERNEL_NAME!r}"
    )
    client = nbclient.NotebookClient(
        nb,
        km=_kernel_manager(kernel_dirs),
        kernel_name=KERNEL_NAME,
        timeout=TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        (k, out.get("ename"), out.get("evalue"))
        for k, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: cells raised {errors}"


def test_kernel_uses_this_interpreter(kernel_dirs, kernel_env):
    """The kernel the notebooks run in reports ``sys.executable`` of the test process."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    client = nbclient.NotebookClient(nb, km=_kernel_manager(kernel_dirs), kernel_name=KERNEL_NAME, timeout=120)
    client.execute()
    text = "".join(out.get("text", "") for out in nb.cells[0].outputs if out.get("output_type") == "stream")
    assert Path(text.strip()) == Path(sys.executable)
