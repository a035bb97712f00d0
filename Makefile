# Two commands: `make run` serves Kenal with demo data, `make test` runs the suite on
# SQLite and PostgreSQL. Both set everything up on their own.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: run test setup messages worker benchmark clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Kenal needs Python 3.11 or newer."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

# Translations are compiled with Babel (a dependency), so no system gettext is needed.
messages: $(VENV)/.installed
	@$(BIN)/pybabel compile --domain django --directory kenal/locale --statistics 2>&1 | grep -v "^compiling" || true

setup: $(VENV)/.installed messages

run: setup
	PORT=$(PORT) $(BIN)/kenal serve

test: setup
	@bash scripts/test.sh

# Each benchmark states its own scale and writes its section of docs/benchmarks.md;
# this runs them all at a size that finishes in minutes (`--help` of each for more).
benchmark: setup
	$(BIN)/python benchmarks/search_bench.py --scale 0.05 --no-doc
	$(BIN)/python benchmarks/import_bench.py --scale 0.02 --no-doc
	$(BIN)/python benchmarks/export_bench.py --scale 0.05 --no-doc
	$(BIN)/python benchmarks/classify_bench.py --scale 0.01 --no-doc

clean:
	rm -rf $(VENV) var
