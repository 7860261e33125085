# FPS Sandbox: `make run` serves the sandbox, `make test` runs every test. Both set up what they need.
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
HOST    ?= 127.0.0.1
PORT    ?= 5000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
PG_URL  ?= postgresql://postgres@127.0.0.1:5432/test
FLASK   := $(BIN)/flask --app app

.PHONY: bench-console bench-pay bench-soak run dev test test-sqlite test-postgres bench reset check-books chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: create the database with the demo world if needed, print URLs and logins, serve with gunicorn
run: $(VENV)/.runtime
	$(FLASK) init-db
	$(FLASK) banner --url http://$(HOST):$(PORT)
	FPS_SANDBOX_FPS_PUBLIC_URL=http://$(HOST):$(PORT) $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - app:app

## dev: the Flask development server with reload and the debugger (one process)
dev: $(VENV)/.runtime
	$(FLASK) init-db
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

## test: the whole suite on SQLite, then again on PostgreSQL ($(PG_URL))
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.dev chromium
	$(BIN)/python -m pytest -q

test-postgres: $(VENV)/.dev chromium
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)').close()" 2>/dev/null; then \
		TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q -p no:cacheprovider; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL): the PostgreSQL run cannot be skipped in CI"; exit 1; \
	else \
		echo "NOTE: PostgreSQL is not reachable at $(PG_URL); skipped the PostgreSQL run (set PG_URL)"; \
	fi

## chromium: Debian's Chromium for the browser tests (Playwright never downloads a browser here)
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium package for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y -q chromium || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }; \
	fi

## bench: the sandbox's signed Pay and read side by side with a hand-written ceiling, as ratios, on
## SQLite and on PostgreSQL ($(PG_URL)) (docs/performance.md; takes a few minutes)
bench: $(VENV)/.runtime
	PG_URL=$(PG_URL) $(BIN)/python bench/ratio_bench.py

## bench-pay: signed prepaid Pays against a fresh multi-worker sandbox alone (DATABASE_URL selects PostgreSQL)
bench-pay: $(VENV)/.runtime
	$(BIN)/python bench/pay_bench.py

## bench-soak: ten minutes of signed Pays at 16 connections: p99 by window, server memory, balance, notifications
bench-soak: $(VENV)/.runtime
	$(BIN)/python bench/soak_bench.py

## bench-console: every console page timed at a million transactions (takes ~10 minutes)
bench-console: $(VENV)/.dev
	$(BIN)/python bench/console_bench.py

reset: $(VENV)/.runtime
	$(FLASK) reset

check-books: $(VENV)/.runtime
	$(FLASK) check-books

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
