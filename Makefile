# QuantFoot: `make run` starts the site (and its worker), `make test` runs the tests (pytest).
# `make setup` is what both do first: a .venv on Python >= 3.12 with requirements-dev.txt,
# re-installed only when a requirements file changes (stamp: .venv/.requirements-installed).

SHELL := /bin/bash
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
BENCH_STAMP := $(VENV)/.bench-requirements-installed
# Override to pick an interpreter: make setup PYTHON=/path/to/python3.13
PYTHON ?=
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: setup run test bench clean

setup: $(STAMP)

# Django 6 needs Python >= 3.12; the machine's default python3 may be older.
$(STAMP): requirements.txt requirements-dev.txt
	@set -e; \
	is_new_enough() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	if [ -x "$(VENV_PYTHON)" ] && is_new_enough "$(VENV_PYTHON)"; then :; else \
		found=""; \
		for candidate in $(PYTHON) python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3.1? 2>/dev/null | sort -rV); do \
			path=$$(command -v "$$candidate" 2>/dev/null || true); \
			if [ -n "$$path" ] && is_new_enough "$$path"; then found="$$path"; break; fi; \
		done; \
		if [ -z "$$found" ]; then \
			echo "error: QuantFoot needs Python 3.12 or newer (Django 6)." >&2; \
			echo "       Tried: $(PYTHON) python3.13 python3.12 /root/.pyenv/versions/3.1[23]*/bin/python3.1?" >&2; \
			echo "       Install one, or run: make setup PYTHON=/path/to/python3.13" >&2; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$found ($$("$$found" --version 2>&1))"; \
		rm -rf "$(VENV)"; \
		"$$found" -m venv "$(VENV)"; \
	fi
# --no-compile: byte-compiling every installed module (scipy's thousands) tripled the install
# (60 s against 21 s here); Python compiles what it imports on first use instead.
	$(VENV_PYTHON) -m pip install --disable-pip-version-check --quiet --no-compile -r requirements-dev.txt
	@touch $(STAMP)

run: setup
	bin/run

# pytest exits 5 when it collects no tests: that is a failure too.
test: setup
	@$(VENV_PYTHON) -m pytest $(PYTEST_ARGS) || { rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; exit $$rc; }

# Import benchmarks; BENCH_ARGS=--live for the live fan-out one (needs Redis; bench/live.py).
bench: setup $(BENCH_STAMP)
	$(VENV_PYTHON) bench/run.py $(BENCH_ARGS)

# Benchmark-only packages (the live benchmark's peer server and client), not in requirements.txt.
$(BENCH_STAMP): bench/requirements.txt $(STAMP)
	$(VENV_PYTHON) -m pip install --disable-pip-version-check --quiet -r bench/requirements.txt
	@touch $(BENCH_STAMP)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
