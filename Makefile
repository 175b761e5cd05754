# motcua — two commands: `make run` (demo on SQLite) and `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: run test lint typecheck pytest install demo openapi bench clean

$(STAMP): pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "motcua cần Python ≥ 3.11 (needs Python 3.11+)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## make run — migrate, load Quảng Ninh demo data (idempotent, fast on re-run), serve until Ctrl-C.
## The job worker (notifications, DVCQG sync) runs beside the web server and stops with it.
run: demo
	MOTCUA_JOBS_WORKERS=1 $(BIN)/motcua run-jobs & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT INT TERM; \
	$(BIN)/motcua runserver $(HOST)

demo: install
	$(BIN)/motcua migrate --noinput
	$(BIN)/motcua load-demo

## make test — lint, type-check and the whole pytest suite (SQLite; PostgreSQL when DATABASE_URL is set).
test: lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy motcua bench

pytest: install
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

openapi: install
	$(BIN)/motcua export-openapi > docs/openapi.json

bench: install
	$(BIN)/python bench/catalog_bench.py
	$(BIN)/python bench/inprocess_bench.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
