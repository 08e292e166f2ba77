# The verbs people use. Every target sets itself up first, so each works on a
# fresh machine with only Python 3.11, node/npm and make.
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

# Never download interpreters; no tool phones home.
export UV_PYTHON_DOWNLOADS := never
export DO_NOT_TRACK := 1
export RUNTIME__DLTHUB_TELEMETRY := false

.PHONY: setup demo run dev report serve test lint format bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/outcomes: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(BIN)/outcomes  ## install the locked Python environment in .venv

reports/node_modules: reports/package.json reports/package-lock.json
	cd reports && npm install --no-audit --no-fund
	@touch $@

demo: setup reports/node_modules  ## generate the demo organisation, load it, build the KPIs and the report site
	$(BIN)/outcomes demo

report: setup reports/node_modules  ## export the marts as CSV and build the report site (reports/build)
	$(BIN)/python -m outcomes.reports build

serve: setup  ## serve the built report site on http://127.0.0.1:3000/
	$(BIN)/python -m outcomes.reports serve

run: setup  ## load the sources in outcomes.yml and build
	$(BIN)/outcomes run

DAGSTER_PORT ?= 3000
dev: setup  ## the Dagster UI on 127.0.0.1: the whole asset graph, schedules and checks
	DAGSTER_HOME=$(CURDIR)/orchestration/dagster_home $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p $(DAGSTER_PORT)

test: setup reports/node_modules  ## the whole test suite (what CI runs)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: setup  ## ruff, sqlfluff and the dbt manifest rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models macros --dialect duckdb
	$(BIN)/python -m outcomes.lint_manifest

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup  ## rows/s per stage at scale (default 10,000 people x 52 weeks)
	$(BIN)/python -m outcomes.bench $(BENCH_ARGS)

clean:
	rm -rf warehouse target logs
