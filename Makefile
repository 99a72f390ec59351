# Two commands do everything on a fresh machine:
#   make run   - the full compliance suite against the embedded reference server, report included
#   make test  - the project's own tests (what CI runs through .ci/run, with make test-install)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: test test-install run lint setup clean

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ruff, then the import contracts in pyproject.toml [tool.importlinter] (layers one way, the reference server
# apart, no cycles); run from the root, which lint-imports puts on sys.path for `fixtures` and `suites`.
lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Three workers on 2 cores: the self-tests start one compliance run per fault, and about a tenth of their time is
# waiting (paced requests, stop signals, rate windows), which a third worker fills (1,108 worker-seconds: about 560 s
# with two workers, 534 s measured with three);
# `loadgroup` keeps tests sharing a run together.
# Bytecode caching on (some images set PYTHONDONTWRITEBYTECODE): each of those ~200 runs would otherwise
# recompile and assert-rewrite schemathesis and the suites from source, about 1 s of CPU per run.
test: $(PY_STAMP) $(NODE_STAMP) lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest tests -q -n 3 --dist loadgroup --ignore=tests/packaging/test_wheel_install.py

# The tool as users get it: the wheel built, installed into a fresh venv, a smoke run from an empty directory
# (about 2 min on 2 cores: a build, a pip install, a run at the documented pace). .ci/run calls it after `test`.
test-install: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/pytest tests/packaging/test_wheel_install.py -q

run: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/msgflash-compliance run

clean:
	rm -rf $(VENV) node_modules build dist reports/allure-results reports/allure-report
