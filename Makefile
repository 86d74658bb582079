# gpucost: `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The venv is rebuilt only when pyproject.toml changes, so a second run is fast.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: run test lint docs ui serve validate bench clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "gpucost needs Python 3.11, found " + sys.version' 
	@# (this machine's pip config names a missing local index: drop its warnings, keep real errors)
	@echo "gpucost: installing the pinned packages into $(VENV) (a few minutes on a fresh machine; once per change of pyproject.toml)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e '.[dev]' 2> >(grep -v "^WARNING: Location 'file:" >&2)
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/gpucost run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -q

# make ui PORT=3001 HOST=0.0.0.0
PORT ?= 3000
HOST ?= 127.0.0.1
ui: $(STAMP)
	$(BIN)/gpucost ui --host $(HOST) --port $(PORT)

# A shared deployment: webserver and daemon as two processes on PostgreSQL (deploy/dagster.yaml, DAGSTER_PG_* set).
HOST ?= 127.0.0.1
PORT ?= 3000
serve: $(STAMP)
	$(BIN)/python -m pipeline.serve --home $(CURDIR)/.dagster_home_team --host $(HOST) --port $(PORT)

docs: $(STAMP)
	$(BIN)/python -m pipeline.docs

bench: $(STAMP)
	$(BIN)/python -m tests.bench

validate: $(STAMP)
	$(BIN)/gpucost validate

clean-venv:
	rm -rf $(VENV)
