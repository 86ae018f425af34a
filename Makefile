# Cocon — two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
HOST   ?= 127.0.0.1
BIN    := $(VENV)/bin
COCON  := $(BIN)/cocon

.PHONY: install install-dev demo test test-fast lint format lock messages screenshots clean help

help:
	@echo "make demo      start Cocon with the demo territory on http://$(HOST):$(PORT)"
	@echo "make test      run the whole test suite (SQLite, or DATABASE_URL=postgres://...)"
	@echo "make install   create .venv and install the locked dependencies (idempotent)"
	@echo "make lint      ruff check + format check"
	@echo "make lock      re-resolve requirements/*.txt from pyproject.toml"
	@echo "make messages  extract and compile the translation catalogues"

# The stamp changes whenever a lock file or pyproject.toml changes, so `install`
# is a no-op on an up-to-date venv and a re-sync after a pull.
$(VENV)/.base-stamp: requirements/base.txt requirements/build.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/build.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-stamp: requirements/dev.txt $(VENV)/.base-stamp
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

node_modules/.stamp: package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.base-stamp

install-dev: $(VENV)/.dev-stamp node_modules/.stamp

demo: install
	$(COCON) migrate --no-input
	$(COCON) demo load --if-empty
	$(COCON) collectstatic --no-input --verbosity 0
	$(COCON) demo accounts
	$(COCON) serve --host $(HOST) --port $(PORT) --no-collectstatic

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(COCON) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock:
	$(PYTHON) -m venv /tmp/cocon-uv && /tmp/cocon-uv/bin/pip install --quiet uv
	/tmp/cocon-uv/bin/uv pip compile requirements/build.in --python-version 3.11 --generate-hashes -o requirements/build.txt
	/tmp/cocon-uv/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.txt
	/tmp/cocon-uv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.txt

messages: install
	cd cocon && ../$(COCON) makemessages --locale fr --no-obsolete --ignore 'static/*' --ignore 'demo/*'
	cd cocon && ../$(COCON) compilemessages --locale fr

screenshots: install-dev
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules var/test-* .pytest_cache
