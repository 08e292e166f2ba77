"""Copy the loaded schemas of a DuckDB warehouse into Postgres, types kept.

What dbt reads (raw_<tool>, privacy) and what must stay private (identity,
quarantine) are copied table by table: DuckDB writes each table as CSV with
its built-in writer (no extension), Postgres reads it with COPY. dlt's own
`<dataset>_staging` schemas are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# DuckDB type -> Postgres type. Anything else stops the copy: a new raw
# column type must be mapped on purpose, not guessed.
TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38, 0)",
    "UBIGINT": "numeric(20, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "UUID": "uuid",
    "JSON": "jsonb",
    "BLOB": "bytea",
}
DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def copied_schemas(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """
        select distinct schema_name from duckdb_tables()
        where database_name = current_database()
            and (schema_name like 'raw\\_%' escape '\\'
                or schema_name in ('identity', 'privacy', 'quarantine'))
            and schema_name not like '%\\_staging' escape '\\'
        order by 1
        """
    ).fetchall()
    return [schema for (schema,) in rows]


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type in TYPES:
        return TYPES[duckdb_type]
    decimal = DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    raise ValueError(f"no Postgres type mapped for DuckDB type {duckdb_type!r}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_warehouse(warehouse: Path, pg_con, workdir: Path) -> dict[str, int]:
    """Copy every table of the copied schemas; returns rows per `schema.table`."""
    workdir.mkdir(parents=True, exist_ok=True)
    copied: dict[str, int] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for schema in copied_schemas(con):
            tables = con.execute(
                "select table_name from duckdb_tables() where database_name = current_database()"
                " and schema_name = ? order by 1",
                [schema],
            ).fetchall()
            with pg_con.cursor() as cur:
                cur.execute(f"create schema if not exists {_ident(schema)}")
            for (table,) in tables:
                columns = con.execute(
                    "select column_name, data_type from duckdb_columns()"
                    " where database_name = current_database()"
                    " and schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                target = f"{_ident(schema)}.{_ident(table)}"
                ddl = ", ".join(f"{_ident(c)} {postgres_type(t)}" for c, t in columns)
                csv = workdir / f"{schema}.{table}.csv"
                con.execute(f"copy {target} to '{csv}' (format csv, header true)")
                with pg_con.cursor() as cur, csv.open() as f:
                    cur.execute(f"drop table if exists {target}")
                    cur.execute(f"create table {target} ({ddl})")
                    cur.copy_expert(f"copy {target} from stdin with (format csv, header true)", f)
                    copied[f"{schema}.{table}"] = cur.rowcount
                csv.unlink()
    finally:
        con.close()
    return copied
