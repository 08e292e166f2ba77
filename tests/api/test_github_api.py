"""GitHub through its simulator: the same raw rows as the exports, incremental
(only what changed is fetched again), resilient to faults and rate limits."""

from __future__ import annotations

import pytest

from tests.api.conftest import (
    api_config,
    assert_same_raw,
    load_api,
    load_files,
    raw_tables,
)

SOURCE = "github"
ORG = {"organization": "acme"}


def config(simulator, **scope):
    return api_config(SOURCE, simulator, **{**ORG, **scope})


@pytest.fixture(scope="module")
def files_warehouse(demo_exports, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("github-files") / "files.duckdb"
    load_files(SOURCE, demo_exports, warehouse)
    return warehouse


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, files_warehouse, tmp_path):
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    for table in ("pull_requests", "reviews", "commits", "pull_request_events", "users"):
        assert tables[f"raw_github.{table}"], table
    targets = pulled.requests.targets()
    assert all("per_page=100" in t for t in targets if "/pulls?" in t or "/deployments?" in t)
