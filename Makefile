# 清源 Qingyuan — the two commands for a newcomer:
#   make run    set everything up (SQLite, demo data) and serve http://127.0.0.1:8000
#   make test   ruff, Django checks, migration check and the whole pytest suite (incl. browser tests)
# The work is done by scripts/dev.sh (plain POSIX sh: `sh scripts/dev.sh run` works without make).
# DATABASE_URL=postgres://user@host:5432/db selects PostgreSQL for any target.

.DEFAULT_GOAL := help
.PHONY: help run setup test lint format deps

DEV := sh scripts/dev.sh

help:
	@echo "make run      set up (virtualenv, dependencies, database, regions, assets, demo data) and serve http://127.0.0.1:8000"
	@echo "make test     ruff check, manage.py check, makemigrations --check, pytest (ARGS='-k login' to narrow)"
	@echo "make setup    everything 'make run' does except starting the server"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff check --fix and ruff format"

run:
	@$(DEV) run

setup:
	@$(DEV) setup

test:
	@$(DEV) test $(ARGS)

lint:
	@$(DEV) lint

format:
	@$(DEV) format

deps:
	@$(DEV) deps
