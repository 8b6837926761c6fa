# Amtskoffer — two commands: `make run` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
ASSETS  := web/static/dist/.built
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: run test test-fast bench assets lint install clean-db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Front-end bundles (bpmn-js, dmn-js, form editor, axe-core) are built from npm packages into
# web/static/dist; nothing is loaded from a CDN at run time.
$(ASSETS): frontend/package.json frontend/package-lock.json frontend/build.mjs frontend/.bpmnlintrc $(shell find frontend/src -type f)
	cd frontend && IBM_TELEMETRY_DISABLED=true npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	touch $(ASSETS)

assets: $(ASSETS)

run: $(STAMP) $(ASSETS)
	$(BIN)/amtskoffer init --demo
	$(BIN)/amtskoffer serve --host $(HOST) --port $(PORT) --with-worker

test: $(STAMP) $(ASSETS)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup -rs $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow and not browser" -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/amtskoffer bench --out bench/results.json

lint: $(STAMP)
	$(BIN)/ruff check .

clean-db:
	rm -f var/amtskoffer.db var/amtskoffer.db-wal var/amtskoffer.db-shm
