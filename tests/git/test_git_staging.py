"""dbt builds and tests models/staging/git on a real load (views + data tests)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from outcomes.build import run_dbt
from outcomes.config import WAREHOUSE_ENV
from outcomes.warehouse import STORAGE_COMPATIBILITY
from pipelines.git import load_git
from tests.git.conftest import LOADED_AT, SALT, utc


def query(warehouse: Path, sql: str) -> list[tuple]:
    # dbt-duckdb keeps its connection open in this process; DuckDB only lets a
    # second one in with the same configuration.
    con = duckdb.connect(
        str(warehouse), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
    )
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_staging_models_build_and_pass_their_tests(tmp_path, repos, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    load_git([repos["api"].path, repos["web"].path], warehouse, SALT, LOADED_AT)
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))  # run_dbt sets it; restored after
    result = run_dbt(["build", "--select", "path:models/staging/git"], warehouse)
    assert result.counts.get("model:success") == 5
    assert not result.failures
    s = repos["api"].shas
    assert query(
        warehouse,
        "select pull_request_number, merge_method, merged_at, "
        "first_authored_at, commit_count from staging.stg_git__pull_requests "
        "order by 1",
    ) == [
        (7, "merge", utc("2026-03-04T11:00"), utc("2026-03-02T14:30"), 3),
        (8, "squash", utc("2026-03-05T10:15"), utc("2026-03-05T03:30"), 1),
    ]
    assert query(
        warehouse,
        "select count(*), min(authored_at) from "
        "staging.stg_git__pull_request_commits where pull_request_number = 7",
    ) == [(3, utc("2026-03-02T14:30"))]
    assert query(
        warehouse,
        "select tag_name, commit_sha from staging.stg_git__tags "
        "where repository_name = 'acme/api' order by 1",
    ) == [("v0.9.0", s["c3"]), ("v1.0.0", s["M7"])]
