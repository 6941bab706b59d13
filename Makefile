# Two commands set a fresh machine up: `make run` (install, demo data, API server on the embedded default)
# and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

NODE_STAMP = node_modules/.installed
PORT      ?= 8000

.PHONY: run test lint typecheck check bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Front-end packages (HTMX for the pages, axe-core for the browser tests) come from npm, never the repo.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the pages work without HTMX, but the browser tests need axe-core (npm ci)"; fi

run: $(STAMP) $(NODE_STAMP)
	$(BIN)/seomin demo && $(BIN)/seomin serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy src/seomin

test: $(STAMP) $(NODE_STAMP) lint typecheck
	$(BIN)/pytest -q

# Each script prints its figures and ratios and exits 1 when it misses its target; run them all regardless.
BENCHES = bench_schedules bench_screening bench_http bench_executions bench_cob bench_policy bench_report bench_pages bench_matching bench_knowledge bench_dormant bench_workers

bench: $(STAMP)
	@status=0; for b in $(BENCHES); do echo "== $$b"; $(BIN)/python bench/$$b.py || status=1; done; exit $$status

# Browser tests that save docs/screenshots/*.png for the README.
screenshots: $(STAMP) $(NODE_STAMP)
	SEOMIN_SCREENSHOTS=1 $(BIN)/pytest -q tests/web -k "browser and sqlite"

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
