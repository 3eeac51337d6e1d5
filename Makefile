# Two commands for a fresh machine with Python 3.11+:
#   make demo   runs a whole crisis against the built-in Slack emulator (or `make serve` with credentials)
#   make test   runs the test-suite (and on PostgreSQL too when TEST_DATABASE_URL is set)
# The virtualenv installs exactly the versions in requirements.lock (hash-checked), then the bot itself
# without resolving anything again: CI runs what was tested. `make lock` refreshes the lock from
# pyproject.toml; `make audit` checks the locked set for known vulnerabilities (it needs PyPI's or OSV's
# vulnerability service, and fails, saying so, when it cannot ask them).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
LOCK    = requirements.lock
TOOLS   = $(VENV)/tools/bin

.PHONY: demo serve run test bench migrate lock audit clean

$(BIN)/crisisbot: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
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

# wrk (Debian's package) is the load generator, in its own process; the bench says so when it could not be had.
bench: $(BIN)/crisisbot
	@command -v wrk >/dev/null 2>&1 || { echo "bench: installing wrk (apt-get install -y wrk)"; \
		apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } \
		|| echo "bench: could not install wrk (apt-get needs root and Debian's packages): the ingest figures will not be measured"; }
	$(BIN)/python -m bench.run

# pip-tools and pip-audit live in their own virtualenv, apart from what the bot runs with.
$(TOOLS)/pip-audit:
	$(PYTHON) -m venv $(VENV)/tools
	$(TOOLS)/pip install --quiet pip-tools pip-audit

lock: $(TOOLS)/pip-audit
	$(TOOLS)/pip-compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml

# --strict: a package the service could not look up fails the audit instead of passing as "no known
# vulnerabilities". Not part of `make test` or CI, which must not depend on the service being reachable.
audit: $(TOOLS)/pip-audit
	$(TOOLS)/pip-audit --strict --require-hashes --disable-pip -r $(LOCK) \
		|| { echo "audit: FAILED or NOT RUN (read the lines above: a package 'not found' means the" \
		          "vulnerability service could not be asked about it, not that it is safe)"; exit 1; }

clean:
	rm -rf $(VENV) *.egg-info
