# Both main targets bootstrap .venv themselves: a fresh clone needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
DEMO := sample_policies/kuma-demo
REVIEW := sample_policies/canary-review

.PHONY: demo test bench fuzz clean

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

# The test suite and the notebooks need the dev extra on top (pytest, hypothesis, nbclient, ipykernel).
$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV)

demo: $(RUNTIME)
	$(BIN)/meshroute audit $(DEMO)
	$(BIN)/meshroute resolve $(DEMO) --mesh default
	$(BIN)/meshroute explain $(DEMO) --source frontend.kuma-demo --destination backend_kuma-demo_svc_3001
	$(BIN)/meshroute report $(DEMO) -o build/report
	$(BIN)/meshroute diff $(REVIEW)/before $(REVIEW)/after

test: $(DEV)
	$(BIN)/python -m pytest

bench: $(RUNTIME)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_resolve.py
	$(BIN)/python benchmarks/bench_explorer.py
	$(BIN)/python benchmarks/bench_diff.py

# The repository fuzzer of tests/fuzzing.py on a large budget (the suite runs it on a small one).
fuzz: $(DEV)
	$(BIN)/python benchmarks/fuzz.py --examples 3000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
