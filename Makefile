# The README's two commands: `make demo` and `make test`. Both work on a fresh machine
# that has only python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# constraints.txt pins the versions the suite (and its snapshots) were made with.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/clerk-tui demo

# Two workers (pytest-xdist): the suite's tests are independent (each has its own SQLite file or
# PostgreSQL schema); PYTEST_WORKERS=0 runs them in one process. worksteal: a worker that runs out
# takes tests queued for the other, so a few slow tests at the end of one queue do not leave a core idle.
PYTEST_WORKERS ?= 2

# Lint and format (ruff) and types (mypy, pyproject's [tool.mypy] files) before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python scripts/bench_startup.py
	$(BIN)/python scripts/bench_search.py
	$(BIN)/python scripts/bench_queue.py
	$(BIN)/python scripts/bench_cases.py
	$(BIN)/python scripts/bench_reports.py
	$(BIN)/python scripts/bench_keys.py

clean:
	rm -rf $(VENV) .pytest_cache
