# Two commands on a fresh machine: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test typecheck bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/winnow ingest

test: $(STAMP) typecheck
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# flows/ and schemas/ install as winnow.flows and winnow.schemas (pyproject's package-dir); mypy
# cannot follow that mapping, so it reads the package through a tree of links laid out as installed.
typecheck: $(STAMP)
	@rm -rf build/typecheck && mkdir -p build/typecheck/winnow
	@for f in winnow/*; do ln -s ../../../$$f build/typecheck/winnow/; done
	@ln -s ../../../flows build/typecheck/winnow/flows && ln -s ../../../schemas build/typecheck/winnow/schemas
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py --n 10000

clean:
	rm -rf $(VENV) build warehouse/*.duckdb warehouse/*.wal
