"""Shared test setup.

Tools never phone home. One demo warehouse per test session: generate ->
load -> dbt build, once per xdist worker (session scope). The tests that read
it through `demo_warehouse` are not pinned to one worker: there are enough of
them (many rebuild a copy) that running them on one worker made it the whole
suite's critical path, so each worker builds its own (the same seed, the same
warehouse) and they spread over both. A test that changes a warehouse copies
it first (`demo_warehouse.copy_to(tmp_path)`).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from outcomes.demo import generate
from outcomes.runner import demo_config, run
from outcomes.summary import RunSummary

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")

DEMO_SALT = b"integration-test-salt-0123456789"
PEOPLE, WEEKS, SEED = 120, 26, 7


@dataclass
class DemoWarehouse:
    path: Path
    exports: Path
    manifest: dict
    first_run: RunSummary

    def copy_to(self, folder: Path) -> DemoWarehouse:
        """A private copy (warehouse file, dlt state, exports) a test may change."""
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.path, folder / self.path.name)
        state = self.path.parent / f".dlt_{self.path.stem}"
        if state.exists():
            shutil.copytree(state, folder / state.name)
        return DemoWarehouse(folder / self.path.name, self.exports, self.manifest, self.first_run)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


# What dbt leaves out of a rebuild of a demo copy (dbt reads the variable as
# `--exclude-resource-type`): its data and unit tests.
DBT_TESTS_LEFT_OUT = "test unit_test"


@pytest.fixture
def rebuilds_leave_out_dbt_tests(monkeypatch):
    """A test's builds run the models and seeds, not dbt's tests.

    For the tests whose own assertions are the point: the privacy tests that
    erase, rotate, opt out and retain on a copy of the session's demo warehouse
    (whose build ran every data and unit test on every model), the rerun's
    idempotence, and the git-only warehouses (tests/git/test_run_git_cli.py
    keeps dbt's tests on one). dbt's tests were 150 s of a 180 s demo
    rebuild (1,452 data and 118 unit tests over 184 models). The tests whose
    point is a dbt test's failure (the scorecard and digest file checks) keep
    them. A test that patches more must undo its own patches in a
    `pytest.MonkeyPatch.context()`: `monkeypatch.undo()` would undo this one.
    """
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", DBT_TESTS_LEFT_OUT)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> DemoWarehouse:
    root = tmp_path_factory.mktemp("demo")
    exports = root / "exports"
    generate(exports, people=PEOPLE, weeks=WEEKS, seed=SEED)
    warehouse = root / "outcomes.duckdb"
    summary = run(demo_config(exports, warehouse), DEMO_SALT)
    manifest = json.loads((exports / "manifest.json").read_text())
    return DemoWarehouse(warehouse, exports, manifest, summary)
