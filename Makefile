# motcua — two commands: `make run` (demo on SQLite) and `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1:8000
# Address in the links of e-mails the worker sends (tracking page): the one `make run` serves on,
# unless set. A wildcard bind (0.0.0.0) is not an address anyone can open: this machine's name then.
MOTCUA_PUBLIC_BASE_URL ?= http://$(subst 0.0.0.0,$(shell hostname -f 2>/dev/null || hostname),$(HOST))
PYTEST_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--all-build-deps --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test lint typecheck migrations-check pytest install install-runtime lock demo openapi bench messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "motcua cần Python ≥ 3.11 (needs Python 3.11+)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime packages only (requirements.txt): what `make run` / `make demo` need.
$(RUNTIME_STAMP): pyproject.toml requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(RUNTIME_STAMP)

# Plus the development tools (requirements-dev.txt: the runtime lock and the dev packages).
$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(DEV_STAMP)

install-runtime: $(RUNTIME_STAMP)

install: $(DEV_STAMP)

## make lock — regenerate both locks (with hashes) from pyproject.toml; pins already locked are kept
## (`pip-compile` prefers them): change a pin in pyproject.toml, then run it.
lock: install
	$(PIP_COMPILE) -o requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.txt -o requirements-dev.txt pyproject.toml

## make run — migrate, load Quảng Ninh demo data (idempotent, fast on re-run), serve until Ctrl-C.
## The job worker (notifications, DVCQG sync) runs beside the web server and stops with it. Both run in
## the background and the shell waits: a shell runs its trap only once its foreground command ends, so
## with the server in the foreground a SIGTERM to `make` (which make passes to this shell) stopped
## nothing. Ctrl-C and SIGTERM now stop both (the worker within seconds, jobs in hand released).
## The stand-ins of the outside services (population database, SMS, Zalo: sandbox/standins, port 8020)
## run beside them.
run: demo
	export MOTCUA_PUBLIC_BASE_URL='$(MOTCUA_PUBLIC_BASE_URL)'; \
	(cd sandbox/standins && exec ../../$(BIN)/gunicorn) & standins=$$!; \
	MOTCUA_JOBS_WORKERS=1 $(BIN)/motcua run-jobs & jobs=$$!; \
	$(BIN)/motcua runserver $(HOST) & web=$$!; \
	trap 'kill $$web $$jobs $$standins 2>/dev/null; wait $$web $$jobs $$standins 2>/dev/null' EXIT INT TERM; \
	wait $$web

demo: install-runtime
	$(BIN)/motcua migrate --noinput
	$(BIN)/motcua load-demo

## make test — lint, type-check, migrations in step with the models, and the whole pytest suite
## (SQLite; PostgreSQL when DATABASE_URL is set).
test: lint typecheck migrations-check pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy motcua bench sandbox/standins

# On an in-memory database: the check compares models with migration files and needs no data (the
# DATABASE_URL database may not exist yet; pytest creates its own).
migrations-check: install
	DATABASE_URL=sqlite://:memory: $(BIN)/motcua makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## make messages — refresh the English catalogue (motcua/locale/en) from every marked string of the code
## and templates, then compile both catalogues (the .mo files are committed: a fresh clone needs no
## gettext). New strings arrive with an empty msgstr: translate them in django.po and run it again.
## Needs GNU gettext (Debian: apt-get install gettext). locale/vi is hand-kept (Django's own strings
## its Vietnamese catalogue leaves untranslated) and is only compiled.
messages: install
	cd motcua && ../$(BIN)/motcua makemessages --locale en --no-obsolete --add-location file --no-wrap
	cd motcua && ../$(BIN)/motcua compilemessages --locale en --locale vi

openapi: install
	$(BIN)/motcua export-openapi > docs/openapi.json

bench: install
	$(BIN)/python bench/catalog_bench.py
	$(BIN)/python bench/inprocess_bench.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
