# One command per task. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=
MODEL := app/domain/classification/model.npz

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-pg test-pgbouncer lint format client walkthrough walkthrough-collection bench bench-scale clean classify-model classify-eval bench-classify

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP) $(MODEL) ## Start the service on 127.0.0.1:8000 (embedded SQLite, migrated and seeded)
	ADR_ENV=$${ADR_ENV:-development} $(BIN)/adr migrate
	ADR_ENV=$${ADR_ENV:-development} $(BIN)/adr seed
	ADR_ENV=$${ADR_ENV:-development} $(BIN)/adr serve --host 127.0.0.1 --port 8000

test: $(STAMP) ## Run the whole suite on SQLite, then on PostgreSQL when one answers
	$(MAKE) --no-print-directory classify-eval
	$(MAKE) --no-print-directory test-sqlite
	@url="$${ADR_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python -m tests.support.pg_probe "$(PG_URL)"; then url="$(PG_URL)"; fi; \
	if [ -n "$$url" ]; then \
		$(MAKE) --no-print-directory test-pg ADR_TEST_DATABASE_URL="$$url"; \
	elif [ -n "$${ADR_REQUIRE_POSTGRES:-}" ]; then \
		echo "PostgreSQL is required (ADR_REQUIRE_POSTGRES) but none answers at $(PG_URL)" >&2; exit 1; \
	else \
		echo "NOTE: no PostgreSQL answered at $(PG_URL): the PostgreSQL run did not happen."; \
	fi

test-sqlite: $(STAMP) ## Run the suite on SQLite only
	ADR_TEST_DATABASE_URL= $(BIN)/pytest -n auto $(PYTEST_ARGS)

test-pg: $(STAMP) ## Run the suite on PostgreSQL (ADR_TEST_DATABASE_URL or 127.0.0.1:5432)
	ADR_TEST_DATABASE_URL="$${ADR_TEST_DATABASE_URL:-$(PG_URL)}" $(BIN)/pytest -n auto $(PYTEST_ARGS)

test-pgbouncer: $(STAMP) ## The API tests on PostgreSQL through PgBouncer in transaction pooling (needs pgbouncer)
	ADR_TEST_DATABASE_URL="$${ADR_TEST_DATABASE_URL:-$(PG_URL)}" $(BIN)/python -m tests.support.pgbouncer -- \
		$(BIN)/pytest -n auto tests/api $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, mypy --strict, import contracts, hadolint
	$(BIN)/ruff check app tests migrations scripts
	$(BIN)/ruff format --check app tests migrations scripts
	$(BIN)/mypy app tests
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m scripts.api_contract check

client: $(STAMP) ## Regenerate clients/openapi.json and the TypeScript types (refuses unacknowledged breaking changes)
	$(BIN)/python -m scripts.api_contract write

format: $(STAMP) ## Format and autofix
	$(BIN)/ruff format app tests migrations scripts
	$(BIN)/ruff check --fix app tests migrations scripts

walkthrough: $(STAMP) ## Run docs/walkthrough.md on a fresh service: SQLite, then PostgreSQL when one answers
	@command -v jq >/dev/null || { echo "the walkthrough needs jq (apt-get install jq)"; exit 1; }
	$(BIN)/python -m scripts.walkthrough collection --check
	$(BIN)/python -m scripts.walkthrough run
	@url="$${ADR_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python -m tests.support.pg_probe "$(PG_URL)"; then url="$(PG_URL)"; fi; \
	if [ -n "$$url" ]; then \
		$(BIN)/python -m scripts.walkthrough run --database-url "$$url"; \
	elif [ -n "$${ADR_REQUIRE_POSTGRES:-}" ]; then \
		echo "PostgreSQL is required (ADR_REQUIRE_POSTGRES) but none answers at $(PG_URL)" >&2; exit 1; \
	else \
		echo "NOTE: no PostgreSQL answered at $(PG_URL): the walkthrough did not run there."; \
	fi

walkthrough-collection: $(STAMP) ## Regenerate docs/walkthrough.postman_collection.json from the walkthrough
	$(BIN)/python -m scripts.walkthrough collection

bench: $(STAMP) ## Service vs bare ASGI+asyncpg baseline on PostgreSQL (needs wrk)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk >/dev/null; } || { echo "install wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python -m scripts.bench.run $(BENCH_ARGS)

bench-scale: $(STAMP) ## Lists, Chinese search, duplicates at 1M cases on PostgreSQL (SCALE_ARGS)
	$(BIN)/python -m scripts.bench.scale $(SCALE_ARGS)

$(MODEL): data/classification/train.jsonl scripts/classification/train.py app/domain/classification/model.py | $(STAMP)
	$(BIN)/python -m scripts.classification.train --output $(MODEL)

classify-model: $(MODEL) ## Build the classification model from the training texts (fixed seed)

classify-eval: $(MODEL) ## Classification figures on the held-out texts; fails below the targets
	$(BIN)/python -m scripts.classification.evaluate --split held_out --check

bench-classify: $(MODEL) ## Time one classification suggestion (no database)
	$(BIN)/python -m scripts.bench.classify

clean: ## Remove the virtualenv and local databases
	rm -rf $(VENV) adr.db adr.db-wal adr.db-shm $(MODEL)
