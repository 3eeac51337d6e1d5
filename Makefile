# Two commands for a fresh machine with Python 3.11+:
#   make demo   runs a whole crisis against the built-in Slack emulator (or `make serve` with credentials)
#   make test   runs the test-suite (and on PostgreSQL too when TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo serve run test bench migrate clean

$(BIN)/crisisbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/crisisbot
	$(BIN)/crisisbot demo

run: $(BIN)/crisisbot
	$(BIN)/crisisbot run

serve: $(BIN)/crisisbot
	$(BIN)/crisisbot serve

migrate: $(BIN)/crisisbot
	$(BIN)/crisisbot migrate

test: $(BIN)/crisisbot
	$(BIN)/python -m pytest -q

bench: $(BIN)/crisisbot
	$(BIN)/python -m bench.open_crisis
	$(BIN)/python -m bench.alerts

clean:
	rm -rf $(VENV) *.egg-info
