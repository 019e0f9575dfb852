# Two commands do everything on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test index bench setup clean

$(BIN)/jiaokan: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/jiaokan

# Build the index if missing or stale, then serve the bundled corpus.
run: setup
	$(BIN)/jiaokan serve --port $(PORT)

test: setup
	$(BIN)/python -m pytest

index: setup
	$(BIN)/jiaokan index

bench: setup
	$(BIN)/python bench/build_bench.py

clean:
	rm -rf $(VENV) instance
