"""The documentation site builds with no warning, documents every public name, and renders in a real browser.

The build is the one ``make docs`` runs, into ``docs/_build/html``, with the notebooks taken from the
jupyter cache (``docs/_build/.jupyter_cache``; executed once when the cache is empty or a notebook
changed). ``CLOUDSIM_DOCS_EXECUTE=off`` renders them unexecuted (the output checks are then skipped).
The browser is Debian's ``chromium`` run headless; ``make test`` installs it when missing.
"""

from __future__ import annotations

import html.parser
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("pydata_sphinx_theme")
pytest.importorskip("numpydoc")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
EXECUTE = os.environ.get("CLOUDSIM_DOCS_EXECUTE", "cache")
#: The modules with an API page, and the names each must document (written out here, not read from conf.py).
API_MODULES = (
    "cloudsim",
    "cloudsim.plot",
    "cloudsim.risk",
    "cloudsim.runs",
    "cloudsim.distributions",
    "cloudsim.models",
)
NOT_A_PAGE = {"plot", "risk", "runs", "__version__"}  # cloudsim's submodules have their own section


def sphinx(
    out: Path, *, src: Path = DOCS, builder: str = "html", execute: str = EXECUTE
) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLOUDSIM_DOCS_EXECUTE": execute, "CLOUDSIM_DOCS_INTERSPHINX": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q", str(src), str(out)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd=ROOT)


def sphinx_warnings(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if "WARNING" in line and "IPKernelApp" not in line]


@pytest.fixture(scope="session")
def site() -> Path:
    """The site built as ``make docs`` builds it; fails on any warning."""
    proc = sphinx(HTML)
    assert sphinx_warnings(proc) == [], proc.stderr
    assert proc.returncode == 0, proc.stderr
    return HTML


def test_the_site_builds_without_warnings(site):
    assert (site / "index.html").is_file() and (site / "search.html").is_file()


def test_every_docs_page_and_notebook_is_on_the_site(site):
    pages = [p.stem for p in DOCS.glob("*.md")]
    assert {"index", "getting-started", "gallery", "performance", "changelog", "risk", "model"} <= set(pages)
    missing = [p for p in pages if not (site / f"{p}.html").is_file()]
    missing += [
        nb.name for nb in (ROOT / "notebooks").glob("*.ipynb") if not (site / "examples" / f"{nb.stem}.html").is_file()
    ]
    assert missing == []
    # the user guide links every page that is not a top-level one
    guide = (site / "user-guide.html").read_text("utf-8")
    for page in ("scenario-format", "model", "distributions", "risk", "validation", "scale-out", "architecture"):
        assert f'href="{page}.html"' in guide, page


def test_a_new_page_lands_in_the_user_guide(tmp_path, monkeypatch):
    """A docs page named in no group of conf.py is listed under "More topics"; a known name in its group."""
    conf = importlib.util.spec_from_file_location("docs_conf_probe", DOCS / "conf.py")
    mod = importlib.util.module_from_spec(conf)
    conf.loader.exec_module(mod)
    for name in ("index", "risk", "sensitivity", "brand-new-topic"):
        (tmp_path / f"{name}.md").write_text(f"# {name}\n", "utf-8")
    monkeypatch.setattr(mod, "DOCS", tmp_path)
    groups = dict(mod.user_guide_pages())
    assert groups == {
        "Risk metrics and their errors": ["risk"],
        "Sensitivity": ["sensitivity"],
        "More topics": ["brand-new-topic"],
    }


def test_a_warning_fails_the_build(tmp_path):
    """The same configuration with one broken cross-reference: the build exits non-zero and names it."""
    src = tmp_path / "docs"
    src.mkdir()
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    shutil.copytree(DOCS / "_templates", src / "_templates")
    (src / "index.md").write_text("# Probe\n\n```{toctree}\nbroken\n```\n", "utf-8")
    (src / "broken.md").write_text("# Broken\n\nSee {doc}`a-page-that-does-not-exist`.\n", "utf-8")
    # conf.py reads the API modules and notebooks next to it; an empty probe tree keeps the build small
    (tmp_path / "notebooks").mkdir()
    proc = sphinx(tmp_path / "out", src=src, execute="off")
    assert proc.returncode != 0
    assert any("a-page-that-does-not-exist" in w for w in sphinx_warnings(proc)), proc.stderr


@pytest.mark.parametrize("module", API_MODULES)
def test_every_public_name_has_an_api_page_with_its_sections(site, module):
    mod = importlib.import_module(module)
    names = [n for n in mod.__all__ if not (module == "cloudsim" and n in NOT_A_PAGE)]
    assert names
    for name in names:
        page = site / "api" / "generated" / f"{module}.{name}.html"
        assert page.is_file(), f"no API page for {module}.{name}"
        obj = getattr(mod, name)
        text = page.read_text("utf-8")
        if callable(obj) and not isinstance(obj, type) and (obj.__doc__ or "").count("Parameters\n"):
            assert ">Parameters" in text, f"{module}.{name}: the Parameters section is not rendered"
        if callable(obj) and not isinstance(obj, type) and "Returns\n" in (obj.__doc__ or ""):
            assert ">Returns" in text, f"{module}.{name}: the Returns section is not rendered"
        if isinstance(obj, type):  # a class page documents its own public methods and properties
            own = [m for m, v in vars(obj).items() if not m.startswith("_") and getattr(v, "__doc__", None)]
            own = [m for m in own if callable(getattr(obj, m, None)) or isinstance(vars(obj)[m], property)]
            absent = [m for m in own if f'id="{module}.{name}.{m}"' not in text]
            assert absent == [], f"{module}.{name}: members without an entry: {absent}"


def test_the_simulate_page_shows_its_numpydoc_sections(site):
    text = (site / "api" / "generated" / "cloudsim.simulate.html").read_text("utf-8")
    for section in ("Parameters", "Returns"):
        assert f">{section}" in text
    assert "trials" in text and "seed" in text


@pytest.mark.skipif(EXECUTE == "off", reason="CLOUDSIM_DOCS_EXECUTE=off: notebooks rendered without outputs")
def test_every_notebook_page_shows_its_executed_outputs(site):
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        text = (site / "examples" / f"{nb.stem}.html").read_text("utf-8")
        assert text.count("cell_output") >= 3, f"{nb.name}: no executed outputs on its page"
        assert "Traceback" not in text, nb.name


def test_the_gallery_page_shows_every_picture_with_its_code(site):
    text = (site / "gallery.html").read_text("utf-8")
    pictures = sorted(p.name for p in (DOCS / "img").glob("gallery_*.png"))
    assert pictures
    for name in pictures:
        assert f"_images/{name}" in text, name
        assert (site / "_images" / name).read_bytes() == (DOCS / "img" / name).read_bytes()
    assert text.count('class="highlight-python') >= len(pictures) // 2


def test_the_getting_started_lines_run():
    text = (DOCS / "getting-started.md").read_text("utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    ns: dict = {}
    exec(compile(code.replace("100_000", "2_000"), "getting-started.md", "exec"), ns)
    assert ns["ds"].sizes["trial"] == 2_000


# -- in a browser -----------------------------------------------------------------------------------


def _install_chromium() -> str | None:
    found = shutil.which("chromium")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = _install_chromium()
    if path is None:
        why = "not root or no apt-get" if os.name != "posix" or os.geteuid() != 0 else "apt-get install chromium failed"
        pytest.skip(f"no headless browser: chromium is not installed and cannot be ({why})")
    return path


def _browse(chromium: str, page: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,900"]
    cmd += ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class _Refs(html.parser.HTMLParser):
    """Local ``src``/``href`` of a page's elements, and its ``<title>``, ``<nav>`` and ``<img>`` tags."""

    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.images: list[str] = []
        self.navs = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.navs += tag == "nav"
        self._in_title = tag == "title"
        for key in ("src", "href"):
            value = a.get(key)
            if value and not urlsplit(value).scheme and not value.startswith(("#", "//")):
                self.refs.append(value)
                if tag == "img" and key == "src":
                    self.images.append(value)

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False if tag == "title" else self._in_title


def _check_page(chromium: str, page: Path, title: str) -> _Refs:
    proc = _browse(chromium, page, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = _Refs()
    dom.feed(proc.stdout)
    assert title in dom.title, dom.title
    assert "cloudsim" in dom.title
    assert dom.navs >= 2, "the theme's navigation bars are missing"
    assert 'class="bd-header' in proc.stdout or "bd-navbar" in proc.stdout
    for link in ("getting-started.html", "user-guide.html", "index.html"):
        assert link in proc.stdout, f"{page.name}: no link to {link}"
    missing = []
    for ref in dom.refs:
        target = (page.parent / unquote(urlsplit(ref).path)).resolve()
        if urlsplit(ref).path and not target.exists():
            missing.append(ref)
    assert missing == [], f"{page.name}: local assets that do not exist: {missing}"
    assert "ERR_FILE_NOT_FOUND" not in proc.stderr, proc.stderr[-2000:]
    return dom


def test_the_home_page_renders_and_its_screenshot_is_written(site, chromium):
    _check_page(chromium, site / "index.html", "cloudsim")
    shot = BUILD / "screenshot.png"
    shot.unlink(missing_ok=True)
    proc = _browse(chromium, site / "index.html", f"--screenshot={shot}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as im:
        assert im.format == "PNG" and im.size == (1280, 900)
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50, "the screenshot is blank"


def test_the_simulate_api_page_renders(site, chromium):
    dom = _check_page(chromium, site / "api" / "generated" / "cloudsim.simulate.html", "cloudsim.simulate")
    assert any(urlsplit(ref).path.endswith(".css") for ref in dom.refs)


@pytest.mark.skipif(EXECUTE == "off", reason="CLOUDSIM_DOCS_EXECUTE=off: notebooks rendered without figures")
def test_a_notebook_page_renders_with_its_figures(site, chromium):
    page = site / "examples" / "01_article_scenario.html"
    dom = _check_page(chromium, page, "The article")
    assert len(dom.images) >= 2, "the notebook's figures are not on its page"
    from PIL import Image

    for src in dom.images:
        path = (page.parent / unquote(src)).resolve()
        head = path.read_bytes()[:256]
        if path.suffix == ".svg":
            assert b"<svg" in head, src
            continue
        with Image.open(path) as im:
            assert im.format == "PNG" and min(im.size) > 100, src
