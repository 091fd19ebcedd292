# Agendaí: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint fmt serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed  ## create/upgrade the database, load the demo clinic, serve on :5000
	$(FLASK) setup
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed  ## production server: gunicorn (gunicorn.conf.py; BIND, WEB_CONCURRENCY)
	$(FLASK) db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py app:app

test: $(VENV)/.installed  ## run the test suite
	$(BIN)/pytest

bench: $(VENV)/.installed  ## throughput benchmark (not part of test): writes docs/benchmarks.md
	$(BIN)/python -m bench.run

lint: $(VENV)/.installed  ## ruff, and the layer contracts of pyproject.toml (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
