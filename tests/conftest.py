"""Shared test setup.

Tools never phone home. One demo warehouse per test session: generate ->
load -> dbt build. The whole data path runs once (under a minute at the
default demo size); tests read it through `demo_warehouse` and share one
xdist worker through the `demo` group. A test that changes a warehouse
copies it first (`demo_warehouse.copy_to(tmp_path)`).
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


# tryfirst: pytest-xdist reads the xdist_group marks in its own
# pytest_collection_modifyitems; an initial conftest (this one, or any
# conftest of a path given on the command line) runs after it unless
# tryfirst, and its groups are then silently ignored.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "demo_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("demo"))


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> DemoWarehouse:
    root = tmp_path_factory.mktemp("demo")
    exports = root / "exports"
    generate(exports, people=PEOPLE, weeks=WEEKS, seed=SEED)
    warehouse = root / "outcomes.duckdb"
    summary = run(demo_config(exports, warehouse), DEMO_SALT)
    manifest = json.loads((exports / "manifest.json").read_text())
    return DemoWarehouse(warehouse, exports, manifest, summary)
