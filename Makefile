# Every target that runs project code first brings .venv up to date, so a fresh
# clone needs nothing but Python 3.11+ (and npm for the conformance run).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NEWMAN := node_modules/.bin/newman
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: venv test test-slow lint fmt check demo lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

$(NEWMAN): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(NEWMAN)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint $(NEWMAN)
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP) $(NEWMAN)
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

check: lint test

demo: $(STAMP)
	$(BIN)/harvester demo $(DEMO_ARGS)

# Regenerates the lock file from a clean environment resolving pyproject.toml.
lock:
	rm -rf .lockenv
	$(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet --upgrade pip
	.lockenv/bin/python -m pip install --quiet '.[test]'
	.lockenv/bin/python -m pip freeze --exclude bpcc-harvester > requirements.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
