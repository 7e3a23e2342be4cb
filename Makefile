# Aspire Open: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every check.
# Each step runs only when its inputs changed (stamp files), so repeating a target is cheap.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run
.DELETE_ON_ERROR:

VENV := .venv
PYTHON := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers: the machines have two cores.
# Run as `python -m pytest` so that the working directory is on sys.path (tests import tests.*).
# loadfile: a module's tests run in order on one worker (its browser tests share a server and
# build on each other). xdist 3.8's loadgroup no longer groups under pytest 9.2: its
# "@group" suffix is written to item._nodeid, which pytest 9 no longer reads, so each test of a
# group went to either worker.
PYTEST_ARGS ?= -n 2 --dist loadfile
# Run a second time with graphql-core's own executor: the short path must answer the same.
ORDINARY_EXECUTOR_TESTS := tests/graphql tests/targets tests/permissions

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR_STAMP := web/static/vendor/.built

.PHONY: install run test bench

install: $(VENV_STAMP) $(VENDOR_STAMP)

$(PYTHON):
	python3 -m venv $(VENV)

$(VENV_STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --omit=optional
	touch $@

$(VENDOR_STAMP): $(NODE_STAMP) $(wildcard web/static/src/*)
	npm run --silent build
	touch $@

run: install
	$(VENV)/bin/aspire migrate
	$(VENV)/bin/aspire demo
	$(VENV)/bin/aspire serve --host $(HOST) --port $(PORT)

test: install
	@only=(); \
	if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "SKIPPING THE BROWSER TESTS: $(CHROMIUM) is missing and installing it needs root (apt-get install chromium)."; \
	    only=(-m "not browser"); \
	  fi; \
	fi; \
	echo "== pytest on SQLite"; \
	env -u ASPIRE_TEST_DATABASE_URL $(PYTHON) -m pytest $(PYTEST_ARGS) "$${only[@]}"; \
	echo "== GraphQL tests on SQLite with graphql-core's own executor (ASPIRE_GRAPHQL_EXECUTOR=ordinary)"; \
	env -u ASPIRE_TEST_DATABASE_URL ASPIRE_GRAPHQL_EXECUTOR=ordinary $(PYTHON) -m pytest $(PYTEST_ARGS) \
	  -m "not browser" $(ORDINARY_EXECUTOR_TESTS); \
	if [ -n "$${ASPIRE_TEST_DATABASE_URL:-}" ]; then \
	  echo "== pytest on PostgreSQL ($$ASPIRE_TEST_DATABASE_URL)"; \
	  $(PYTHON) -m pytest $(PYTEST_ARGS) "$${only[@]}"; \
	else \
	  echo "ASPIRE_TEST_DATABASE_URL is not set: the PostgreSQL run is skipped."; \
	fi
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

# Every benchmark script; bench/'s other modules (serving.py, scale.py) are their helpers.
bench: install
	@for script in bench/bench_*.py; do \
	  echo "== $$script"; \
	  $(PYTHON) "$$script"; \
	done
