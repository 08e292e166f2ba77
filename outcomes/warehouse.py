"""The DuckDB warehouse file."""

from __future__ import annotations

from pathlib import Path

import duckdb

# DuckDB 2.0 writes storage v69 by default, which DuckDB <= 1.5 (and the
# report site's bundled DuckDB 1.4) cannot open; the version is fixed when the
# file is created, so create it ourselves before dlt or dbt touch it.
STORAGE_COMPATIBILITY = "v1.4.0"


def ensure_warehouse(path: Path) -> Path:
    """Create an empty warehouse file readable by DuckDB 1.4, if none exists."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        duckdb.connect(
            str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
        ).close()
    return path


def connect(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    return con


def table_counts(path: Path, schema_prefix: str = "") -> dict[tuple[str, str], int]:
    """Row counts of every base table whose schema starts with `schema_prefix`."""
    con = connect(path)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema like ? "
            "and table_name not like '\\_dlt%' escape '\\' order by 1, 2",
            [schema_prefix + "%"],
        ).fetchall()
        return {
            (s, t): con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0]
            for s, t in tables
        }
    finally:
        con.close()
