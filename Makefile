# The README's two front doors: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: run test install install-test browser dovecot axe catalogs messages lint typecheck contracts pytest pytest-postgres bench screenshots clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed catalogs

## Compile the Arabic and English message catalogs (never committed as .mo).
catalogs: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

## Refresh the catalogs after changing interface strings (Arabic from FRAGMENTS .po files).
messages: $(VENV)/.installed
	$(BIN)/python translations/update_catalogs.py $(FRAGMENTS)

## make run: install, migrate, index, and serve the demo portal on http://$(HOST):$(PORT)
## (with the demo accounts, which the production `sanad serve` never creates unless asked)
run: install
	$(BIN)/sanad serve --demo --host $(HOST) --port $(PORT)

## Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null; \
	fi

## Debian's dovecot for the IMAP tests of `sanad mail fetch` (tests/support/dovecot.py starts
## a private instance on loopback; the system service is never used).
dovecot:
	@if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then \
		echo "installing Debian's dovecot-imapd for the IMAP tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq dovecot-imapd >/dev/null; \
	fi

## axe-core for the accessibility check (tests/e2e/test_accessibility.py), from the npm
## registry into a gitignored cache; never committed.
AXE_VERSION := 4.14.1
AXE := .cache/axe-core/$(AXE_VERSION)/axe.min.js
$(AXE):
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "installing Debian's npm for the accessibility check"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; \
	fi
	mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
		&& tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js \
		&& mv package/axe.min.js axe.min.js && rm -rf package axe-core-$(AXE_VERSION).tgz

axe: $(AXE)

install-test: $(VENV)/.installed-test catalogs browser dovecot axe

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

contracts: install-test
	$(BIN)/lint-imports

## The suite on SQLite with a coverage report; under the floor in pyproject.toml it fails.
pytest: install-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --cov --cov-report=term $(PYTEST_ARGS)

## The database-touching tests again, on PostgreSQL, when it answers (under CI=true it must).
pytest-postgres: install-test
	@status=0; $(BIN)/python -m tests.support.postgres_probe '$(POSTGRES_URL)' || status=$$?; \
	if [ $$status = 0 ]; then \
		SANAD_TEST_POSTGRES_URL='$(POSTGRES_URL)' SANAD_TEST_DATABASE=postgres $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "db and not browser and not slow" $(PYTEST_ARGS); \
	elif [ $$status != 2 ]; then exit 1; fi

## make test: install everything the tests need, then lint, type check, contracts and the suite.
test: lint typecheck contracts pytest pytest-postgres

bench: install-test
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/search.py --http

## Refresh docs/screenshots/ (the README links them): the demo portal in Chromium, both languages.
screenshots: install-test
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) search_index instance .pytest_cache .mypy_cache .ruff_cache
