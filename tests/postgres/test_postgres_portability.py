"""The same dbt project on Postgres: built from the same raw data as on DuckDB,
every seed, model, data test and unit test passes, and the published marts
hold the same values on both engines (floats rounded to 6 decimals)."""

from __future__ import annotations

import duckdb
import pytest

from tests.postgres.compare import duckdb_rows, postgres_rows, table_columns

# The marts the report pages and BI readers use most; every other marts table
# is compared by test_every_mart_has_the_same_rows_on_both_engines.
KEY_MARTS = [
    "fct_team_kpis_weekly",
    "fct_dora_team_weekly",
    "fct_pull_requests",
    "fct_work_events",
    "fct_work_items",
    "dim_teams",
]


def _duckdb_tables(published, schema: str) -> list[str]:
    con = duckdb.connect(str(published.duckdb_warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
            " and schema_name = ? order by 1",
            [schema],
        ).fetchall()
    finally:
        con.close()
    return [name for (name,) in rows]


def _postgres_tables(con, schema: str) -> list[str]:
    with con.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables where table_schema = %s"
            " and table_type = 'BASE TABLE' order by 1",
            [schema],
        )
        return [name for (name,) in cur.fetchall()]


@pytest.fixture(scope="module")
def pg(published):
    con = published.cluster.connect()
    yield con
    con.close()


def test_postgres_build_passes_every_node(published):
    counts = published.build.counts
    assert published.build.failures == []
    assert not [key for key in counts if key.split(":")[1] in {"error", "fail", "skipped"}]
    # seeds, models, data tests and unit tests all ran (not filtered away)
    for kind in ("seed:success", "model:success", "test:pass", "unit_test:pass"):
        assert counts.get(kind, 0) > 0, kind


def test_raw_copy_keeps_every_row_and_type(published, pg):
    con = duckdb.connect(str(published.duckdb_warehouse), read_only=True)
    try:
        for name, copied in published.copied.items():
            schema, table = name.split(".")
            (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            assert copied == rows, name
    finally:
        con.close()
    assert "identity.people_identity" in published.copied
    assert "privacy.opt_outs" in published.copied
    with pg.cursor() as cur:
        cur.execute(
            "select data_type from information_schema.columns where table_schema = 'raw_github'"
            " and table_name = 'pull_requests' and column_name = 'merged_at'"
        )
        assert cur.fetchall() == [("timestamp without time zone",)]


def test_postgres_publishes_the_same_marts(published, pg):
    assert _postgres_tables(pg, "marts") == _duckdb_tables(published, "marts")
    assert set(KEY_MARTS) <= set(_duckdb_tables(published, "marts"))


@pytest.mark.parametrize("table", KEY_MARTS)
def test_key_mart_has_the_same_values_on_both_engines(published, pg, table):
    columns = table_columns(published.duckdb_warehouse, "marts", table)
    on_duckdb = duckdb_rows(published.duckdb_warehouse, "marts", table, columns)
    on_postgres = postgres_rows(pg, "marts", table, columns)
    assert len(on_duckdb) > 0
    assert len(on_postgres) == len(on_duckdb)
    for left, right in zip(on_duckdb, on_postgres, strict=True):
        assert dict(zip(columns, right, strict=True)) == dict(zip(columns, left, strict=True))


def test_every_mart_has_the_same_rows_on_both_engines(published, pg):
    differing = []
    for table in _duckdb_tables(published, "marts"):
        columns = table_columns(published.duckdb_warehouse, "marts", table)
        on_duckdb = duckdb_rows(published.duckdb_warehouse, "marts", table, columns)
        if postgres_rows(pg, "marts", table, columns) != on_duckdb:
            differing.append(table)
    assert differing == []
