# netapp: the two commands are `make run` and `make test`; `make help` lists the rest.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PIP := $(BIN)/pip --disable-pip-version-check
PYTEST_ARGS ?=

# Stamps: reinstall only when pyproject.toml changes.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: help run test bench migrate seed lint translations clean distclean install install-dev

help:
	@echo "netapp"
	@echo "  make run           install, migrate, load municipalities and (if empty) the demo data, serve at http://127.0.0.1:5000"
	@echo "                     (PORT=5001 serves elsewhere; links in e-mails follow unless BASE_URL is given)"
	@echo "  make test          the whole suite on SQLite, then (without browser tests) on PostgreSQL"
	@echo "  make bench         benchmark the main pages with wrk (demo data; national data on SQLite and PostgreSQL); writes bench-results/"
	@echo "  make migrate       apply the database migrations"
	@echo "  make seed          load the demo data (into an empty database)"
	@echo "  make lint          ruff"
	@echo "  make translations  extract, update and compile the message catalogues"
	@echo "  make clean         remove caches and build leftovers (keeps .venv and instance/)"
	@echo "  make distclean     clean, and remove the virtualenv too"

$(BIN)/python:
	@PYTHON=$(PYTHON) bash scripts/venv.sh $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing netapp into $(VENV)"
	@$(PIP) install -q -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing netapp with the test tools into $(VENV)"
	@$(PIP) install -q -e '.[dev]'
	@touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

run: $(RUN_STAMP)
	@bash scripts/run.sh

test: $(DEV_STAMP)
	@bash scripts/test.sh $(PYTEST_ARGS)

bench: $(RUN_STAMP)
	@bash scripts/bench.sh

migrate: $(RUN_STAMP)
	@NETAPP_ENV=$${NETAPP_ENV:-development} $(FLASK) db upgrade

seed: migrate
	@NETAPP_ENV=$${NETAPP_ENV:-development} $(FLASK) seed-demo

lint: $(DEV_STAMP)
	@$(BIN)/ruff check .

translations: $(DEV_STAMP)
	@bash scripts/i18n.sh

clean:
	@echo "==> Removing caches and build leftovers"
	@find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	@rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info test-artifacts

distclean: clean
	@echo "==> Removing $(VENV)"
	@rm -rf $(VENV)
