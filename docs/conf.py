"""Sphinx configuration of the cloudsim documentation site (``make docs``; the fast build runs in ``make test``).

Three environment variables switch what a build does:

``CLOUDSIM_DOCS_EXECUTE``
    ``cache`` (the default, what ``make docs`` uses): notebooks are executed and kept in the jupyter
    cache at ``docs/_build/.jupyter_cache``, so a rebuild re-runs only a notebook that changed;
    ``off``: notebooks are rendered without running them (the fast build of ``tests/test_docs_site.py``
    when no cache exists); ``force``, ``auto``, ``inline`` as myst-nb defines them.
``CLOUDSIM_DOCS_INTERSPHINX``
    ``1`` links numpy, scipy, xarray, dask and matplotlib names to their documentation, which needs the
    network to fetch the inventories; ``0`` (the default) builds offline with no warning.
``CLOUDSIM_DOCS_CACHE``
    where the jupyter cache lives (default ``docs/_build/.jupyter_cache``).

Pages made here at the start of every build (never edit them, they are not in git):
``docs/user-guide.md`` (the user guide's toctree, from :data:`GROUPS` and every ``docs/*.md``),
``docs/api/`` (the API reference, from each public module's ``__all__``) and ``docs/examples/``
(copies of ``notebooks/*.ipynb``).
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import cloudsim  # noqa: E402

project = "cloudsim"
author = "the cloudsim developers"
copyright = "the cloudsim developers"
release = cloudsim.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
]

#: Pages of the site that are not part of the user guide (the root toctree lists them).
TOP = ("index", "getting-started", "user-guide", "gallery", "performance", "changelog", "examples/index")

#: The user guide's groups, in order: (title, pages). A page of ``docs/`` named in no group is listed
#: under "More topics", so a new page is on the site with no edit here; name it in a group to place it.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Scenarios and claims", ("scenario-format", "scenarios")),
    ("Models", ("model", "model-portfolio", "portfolio", "models")),
    ("Distributions and dependence", ("distributions", "dependence")),
    ("Risk metrics and their errors", ("risk", "validation")),
    ("Scale-out", ("scale-out",)),
    ("Sensitivity", ("sensitivity",)),
    ("Sampling", ("sampling",)),
    ("Plots and the command line", ("plots", "cli")),
    ("Extending cloudsim", ("architecture",)),
)

#: Modules with an API page: (module, title). Every name in the module's ``__all__`` gets a page.
API_MODULES = (
    ("cloudsim", "Top level: ``cloudsim``"),
    ("cloudsim.plot", "Plots: ``cloudsim.plot``"),
    ("cloudsim.risk", "Risk metrics: ``cloudsim.risk``"),
    ("cloudsim.runs", "Several runs: ``cloudsim.runs``"),
    ("cloudsim.distributions", "Distributions: ``cloudsim.distributions``"),
    ("cloudsim.models", "Models: ``cloudsim.models``"),
)
#: Names of an ``__all__`` documented elsewhere (a submodule is its own section).
API_SKIP = {"cloudsim": {"plot", "risk", "runs", "__version__"}}


def _write(path: Path, text: str) -> None:
    """Write ``text`` only when it changed, so Sphinx's incremental build keeps the page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, "utf-8")


def user_guide_pages() -> list[tuple[str, list[str]]]:
    """The user guide's groups with the pages of ``docs/`` that exist now, plus "More topics"."""
    pages = {p.stem for p in DOCS.glob("*.md")} - set(TOP)
    out, placed = [], set()
    for title, names in GROUPS:
        have = [n for n in names if n in pages]
        placed.update(have)
        if have:
            out.append((title, have))
    rest = sorted(pages - placed)
    if rest:
        out.append(("More topics", rest))
    return out


def write_user_guide() -> None:
    lines = [
        "# User guide",
        "",
        "The pages below explain what cloudsim computes and how to ask it a question; the function by",
        "function reference is the {doc}`API reference <api/index>`, worked examples are the",
        "{doc}`notebooks <examples/index>`.",
        "",
    ]
    for title, names in user_guide_pages():
        lines += ["```{toctree}", f":caption: {title}", ":maxdepth: 2", "", *names, "```", ""]
    _write(DOCS / "user-guide.md", "\n".join(lines))


def api_names(module: str) -> list[str]:
    mod = importlib.import_module(module)
    skip = API_SKIP.get(module, set())
    return [n for n in mod.__all__ if n not in skip]


def _kind(module: str, name: str) -> str:
    obj = getattr(importlib.import_module(module), name)
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def write_api() -> None:
    api = DOCS / "api"
    index = [
        "API reference",
        "=============",
        "",
        "Every public name of cloudsim, one page each, generated from the docstrings. The functions",
        "return :class:`xarray.Dataset` or :class:`xarray.DataArray` objects; the *Returns* section of",
        "each names the dims.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
    ]
    for module, title in API_MODULES:
        slug = module.replace(".", "-")
        index.append(f"   {slug}")
        body = [title, "=" * len(title), "", f".. automodule:: {module}", "   :no-members:", ""]
        body += [f".. currentmodule:: {module}", ""]
        by_kind: dict[str, list[str]] = {}
        for name in api_names(module):
            by_kind.setdefault(_kind(module, name), []).append(name)
        for kind, head in (("function", "Functions"), ("class", "Classes"), ("data", "Constants")):
            names = by_kind.get(kind, [])
            if not names:
                continue
            body += [head, "-" * len(head), "", ".. autosummary::", "   :toctree: generated/", ""]
            body += [f"   {n}" for n in names] + [""]
        _write(api / f"{slug}.rst", "\n".join(body))
    _write(api / "index.rst", "\n".join(index) + "\n")


def copy_notebooks() -> None:
    dest = DOCS / "examples"
    dest.mkdir(exist_ok=True)
    books = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for old in dest.glob("*.ipynb"):
        if old.name not in {b.name for b in books}:
            old.unlink()
    for book in books:
        target = dest / book.name
        if not target.exists() or target.read_bytes() != book.read_bytes():
            shutil.copyfile(book, target)
    lines = [
        "# Examples",
        "",
        "Worked analyses as notebooks, executed when the site is built, with their outputs.",
        "The files are in `notebooks/` of the repository; open them in Jupyter to run them yourself.",
        "",
        "```{toctree}",
        ":maxdepth: 1",
        "",
        *[b.stem for b in books],
        "```",
        "",
    ]
    _write(dest / "index.md", "\n".join(lines))


write_user_guide()
write_api()
copy_notebooks()

# -- sources ---------------------------------------------------------------------------------------
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "img/README*"]
templates_path = ["_templates"]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links of the Markdown pages resolve
suppress_warnings = ["myst.header"]  # pages start at "#" and may skip a level for a short note

# -- notebooks -------------------------------------------------------------------------------------
nb_execution_mode = os.environ.get("CLOUDSIM_DOCS_EXECUTE", "cache")
nb_execution_cache_path = os.environ.get("CLOUDSIM_DOCS_CACHE", str(DOCS / "_build" / ".jupyter_cache"))
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_excludepatterns: list[str] = []
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}
# the kernels draw figures inline (as PNG outputs), whatever backend the calling shell chose
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))

# -- API reference ---------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters section carries the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = False

# -- links -----------------------------------------------------------------------------------------
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "scipy": ("https://docs.scipy.org/doc/scipy", None),
    "xarray": ("https://docs.xarray.dev/en/stable", None),
    "dask": ("https://docs.dask.org/en/stable", None),
    "matplotlib": ("https://matplotlib.org/stable", None),
}
if os.environ.get("CLOUDSIM_DOCS_INTERSPHINX", "0") != "1":
    intersphinx_mapping = {}  # offline: no inventory to fetch, so no warning about one
# linkcheck checks links inside the site only: there is no network where the docs are built.
linkcheck_ignore = [r"https?://.*", r"mailto:.*"]
linkcheck_anchors = True

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"cloudsim {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False
