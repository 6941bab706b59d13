# Two commands set a fresh machine up: `make run` (install, demo data, API server on the embedded default)
# and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test lint typecheck check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/seomin demo && $(BIN)/seomin serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy src/seomin

test: $(STAMP) lint typecheck
	$(BIN)/pytest -q

# Each script prints its figures and ratios and exits 1 when it misses its target; run them all regardless.
BENCHES = bench_schedules bench_screening bench_http bench_executions bench_cob bench_policy bench_report

bench: $(STAMP)
	@status=0; for b in $(BENCHES); do echo "== $$b"; $(BIN)/python bench/$$b.py || status=1; done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
