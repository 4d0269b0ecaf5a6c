# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TRIALS ?= 1000000

.PHONY: demo test bench validate lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p results
	$(VENV)/bin/cloudsim run --trials $(TRIALS) --seed 2025 --out results/openai-aws-2025.nc --plot results/openai-aws-2025.png

test: $(STAMP)
	$(PY) -m pytest -q --benchmark-disable

bench: $(STAMP)
	mkdir -p results
	$(PY) -m pytest benchmarks -q --benchmark-only --benchmark-json=results/benchmarks.json
	$(PY) benchmarks/report.py results/benchmarks.json docs/performance.md

# Coverage studies of every interval (about 10 minutes): writes docs/validation.md.
validate: $(STAMP)
	$(PY) validation/run.py docs/validation.md

lint: $(STAMP)
	$(VENV)/bin/ruff check cloudsim tests benchmarks

clean:
	rm -rf $(VENV) results .pytest_cache .benchmarks
