# Both main targets bootstrap .venv themselves: a fresh clone needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := sample_policies/kuma-demo

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/meshroute audit $(DEMO)
	$(BIN)/meshroute resolve $(DEMO)
	$(BIN)/meshroute report $(DEMO) -o build/report

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_resolve.py
	$(BIN)/python benchmarks/bench_explorer.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
