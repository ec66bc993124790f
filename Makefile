# Hedang 核档 — entry points (docs/contracts.md, "Set-up and running").
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTEST := $(VENV)/bin/pytest
RUFF := $(VENV)/bin/ruff
# Extra pytest arguments, e.g. make test PYTEST_ARGS='-k ingest -x'
PYTEST_ARGS ?=

POSTGRES_URL := postgres://postgres@127.0.0.1:5432/hedang
REDIS_TEST_URL := redis://127.0.0.1:6379/15

.PHONY: help setup run test test-quick test-postgres lint clean schemathesis

help:
	@echo "make setup          set-up only: Debian packages, .venv, migrations, regions, demo data"
	@echo "make run            set-up, then web + worker + scheduler + watcher (Ctrl-C stops all)"
	@echo "make test           set-up, then the whole test suite (PYTEST_ARGS=... to pass options)"
	@echo "make test-quick     set-up, then the tests not marked slow"
	@echo "make test-postgres  the whole suite on PostgreSQL and Redis (scripts/services.sh)"
	@echo "make lint           ruff check + ruff format --check + lint-imports (the layers)"
	@echo "make schemathesis   fuzz the API from its schema (token + session), no 5xx allowed"
	@echo "make clean          remove test data dirs (var/test-*) and caches; never the data"

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test: setup
	$(PYTEST) -p no:cacheprovider $(PYTEST_ARGS)

test-quick: setup
	$(PYTEST) -p no:cacheprovider -m "not slow" -q $(PYTEST_ARGS)

test-postgres: setup
	bash scripts/services.sh
	redis-cli -h 127.0.0.1 -p 6379 -n 15 flushdb >/dev/null
	DATABASE_URL=$(POSTGRES_URL) CELERY_BROKER_URL=$(REDIS_TEST_URL) HEDANG_TEST_REDIS_DB=13 \
		$(PYTEST) -p no:cacheprovider $(PYTEST_ARGS)

# lint needs only ruff and import-linter: it runs the set-up only when .venv has no ruff yet.
$(RUFF):
	bash scripts/setup.sh

# lint-imports checks the layers of the README (contracts in pyproject.toml).
lint: | $(RUFF)
	$(RUFF) check . && $(RUFF) format --check . && $(VENV)/bin/lint-imports

schemathesis: setup
	bash scripts/schemathesis.sh

clean:
	rm -rf var/test-* .pytest_cache .ruff_cache .hypothesis test-results
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +
