# vcdesk — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/vcdesk

.PHONY: run test test-sqlite test-postgres install install-test system-deps lint bench demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: set up (venv, dependencies, SQLite, migrations, demo data once) and serve on :8000
run: install
	@scripts/system-deps.sh
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@scripts/serve.sh

## make test: set up what the tests need and run the whole suite on SQLite and on PostgreSQL
test: install-test system-deps
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest

test-postgres:
	@echo "== test suite on PostgreSQL ($(PG_URL))"
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

system-deps:
	@scripts/system-deps.sh --test

lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

bench: install-test system-deps
	$(BIN)/python bench/run.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/stock.py
