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

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) var
