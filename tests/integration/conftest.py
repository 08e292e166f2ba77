"""One demo warehouse per test session: generate -> load -> dbt build.

The whole data path runs once (about a minute at the default demo size); the
tests in this folder read the result. They share one xdist worker through the
`demo` group so the warehouse is built only once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from outcomes.demo import generate
from outcomes.runner import demo_config, run
from outcomes.summary import RunSummary

DEMO_SALT = b"integration-test-salt-0123456789"
PEOPLE, WEEKS, SEED = 120, 26, 7


@dataclass
class DemoWarehouse:
    path: Path
    exports: Path
    manifest: dict
    first_run: RunSummary

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
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
