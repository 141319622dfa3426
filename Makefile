# Redress: `make run` starts everything on this machine, `make test` runs the whole suite. See README.md.
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Touched after a successful install; reinstalls only when a requirements file is newer.
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install run test lint migrate seed ci

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	@touch $@

install: $(INSTALLED) ## Create .venv (python3) if missing and install requirements-dev.txt (only when they changed)

run: install ## Migrate, load the demo data, run web + Celery worker + beat until Ctrl-C
	VENV=$(VENV) ./scripts/run_local.sh

test: install ## Run the whole test suite (pytest); extra arguments: make test PYTEST_ARGS="-k healthz"
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install ## ruff (lint and format check) and the import contracts (lint-imports), as CI runs them
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

migrate: install ## Apply the migrations (config.settings.local unless DJANGO_SETTINGS_MODULE is set)
	$(BIN)/python manage.py migrate

seed: install ## Load the demo data again (idempotent) and print the demo users
	$(BIN)/python manage.py seed_demo

ci: ## What CI runs: start PostgreSQL and Redis if needed, then `make test` against them
	./.ci/run
