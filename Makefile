# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TRIALS ?= 1000000

.PHONY: demo test bench validate docs linkcheck browser lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# After installing, the numba kernels of a first run are compiled into numba's cache (python -m cloudsim.warm):
# `make demo` then starts in about a second instead of half a minute.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m cloudsim.warm
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p results
	$(VENV)/bin/cloudsim run --trials $(TRIALS) --seed 2025 --out results/openai-aws-2025.nc --plot results/openai-aws-2025.png

test: $(STAMP) browser
	$(PY) -m pytest -q --benchmark-disable

# The headless browser tests/test_docs_site.py opens the built site with (Debian's chromium, as root).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "chromium could not be installed: the browser checks of tests/test_docs_site.py will be skipped"

# The documentation site, into docs/_build/html: pictures and generated pages redrawn, notebooks
# executed (kept in the jupyter cache docs/_build/.jupyter_cache), warnings as errors.
docs: $(STAMP)
	$(PY) docs/make_scenario_format.py
	MPLBACKEND=Agg $(PY) docs/make_gallery.py
	MPLBACKEND=Agg $(PY) docs/make_distribution_figures.py
	CLOUDSIM_DOCS_EXECUTE=cache $(PY) -m sphinx -b html -W --keep-going docs docs/_build/html
	$(MAKE) linkcheck
	@echo "the site: docs/_build/html/index.html"

# Links inside the site only (external links are ignored: there is no network where it is built).
linkcheck: $(STAMP)
	CLOUDSIM_DOCS_EXECUTE=off $(PY) -m sphinx -b linkcheck -W --keep-going -q docs docs/_build/linkcheck

bench: $(STAMP)
	mkdir -p results
	$(PY) -m pytest benchmarks -q --benchmark-only --benchmark-json=results/benchmarks.json
	$(PY) benchmarks/report.py results/benchmarks.json docs/performance.md

# Coverage studies of every interval (about 1.5 minutes on 2 shared cores): writes docs/validation.md.
validate: $(STAMP)
	$(PY) validation/run.py docs/validation.md

lint: $(STAMP)
	$(VENV)/bin/ruff check cloudsim tests benchmarks

clean:
	rm -rf $(VENV) results .pytest_cache .benchmarks docs/_build docs/api docs/examples docs/user-guide.md
