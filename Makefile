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
comma := ,
# The sandbox national-identity provider of `make run` (sandbox/idp): its address, and where it sends
# browsers back (this site, by 127.0.0.1 and by localhost).
IDP_STAMP := sandbox/idp/node_modules/.installed
IDP_PORT ?= 8010
IDP_BIND := $(firstword $(subst :, ,$(HOST)))
IDP_ISSUER ?= http://$(subst 0.0.0.0,$(shell hostname -f 2>/dev/null || hostname),$(IDP_BIND)):$(IDP_PORT)
IDP_SITES := $(MOTCUA_PUBLIC_BASE_URL) $(subst 127.0.0.1,localhost,$(MOTCUA_PUBLIC_BASE_URL))
IDP_REDIRECT_URIS ?= $(subst $(eval) ,$(comma),$(sort $(addsuffix /dang-nhap/vneid/callback,$(IDP_SITES))))
IDP_POST_LOGOUT_URIS ?= $(subst $(eval) ,$(comma),$(sort $(addsuffix /,$(IDP_SITES))))
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--all-build-deps --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run idp-install test lint typecheck migrations-check pytest install install-runtime lock demo openapi bench messages collectstatic clean

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
## Four processes from the Procfile under honcho: the web server, the job worker (notifications, DVCQG
## sync, daily jobs), the sandbox national-identity provider (sandbox/idp, a Node.js OpenID Connect
## provider the demo citizens log in with; its node modules are installed once, then it works offline)
## and the stand-ins of the outside services (population database, SMS, Zalo: sandbox/standins, port
## 8020). Ctrl-C and SIGTERM (make passes it to honcho, which the recipe's shell exec's) stop all four.
run: demo $(IDP_STAMP)
	export MOTCUA_PUBLIC_BASE_URL='$(MOTCUA_PUBLIC_BASE_URL)' MOTCUA_HOST='$(HOST)' \
		MOTCUA_OIDC_ISSUER='$(IDP_ISSUER)' IDP_ISSUER='$(IDP_ISSUER)' IDP_HOST='$(IDP_BIND)' \
		IDP_REDIRECT_URIS='$(IDP_REDIRECT_URIS)' IDP_POST_LOGOUT_REDIRECT_URIS='$(IDP_POST_LOGOUT_URIS)' \
		PATH='$(abspath $(BIN)):'"$$PATH"; \
	exec $(BIN)/honcho --no-colour start -f Procfile

# The sandbox identity provider's node modules (exact versions of sandbox/idp/package-lock.json), once.
$(IDP_STAMP): sandbox/idp/package.json sandbox/idp/package-lock.json
	@command -v npm >/dev/null || { echo "motcua cần Node.js ≥ 18 và npm cho Cổng định danh thử nghiệm (needs node + npm)"; exit 1; }
	cd sandbox/idp && npm ci --no-audit --no-fund
	touch $(IDP_STAMP)

idp-install: $(IDP_STAMP)

demo: install-runtime
	$(BIN)/motcua migrate --noinput
	$(BIN)/motcua load-demo

## make collectstatic — production install and upgrade step (with MOTCUA_MODE=production): copy the
## static files into STATIC_ROOT under hashed names, compressed, with their manifest (staticfiles.json),
## then restart the web processes. Without it pages lose their CSS and JS (`motcua check --deploy`:
## motcua.E060; /healthz/ready: 503). Development serves the files from the apps and needs no step.
collectstatic: install-runtime
	$(BIN)/motcua collectstatic --noinput

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

# The login tests start the sandbox identity provider (node sandbox/idp/server.js): its modules first.
pytest: install $(IDP_STAMP)
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
