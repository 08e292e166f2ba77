"""Read a published table from both engines as comparable, sorted rows."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from pathlib import Path

import duckdb

DIGITS = 6  # floats agree to 6 decimals across engines (double arithmetic order differs)


def normalize(value):
    """One engine-neutral representation of a cell."""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        rounded = round(value, DIGITS)
        return 0.0 if rounded == 0 else rounded  # -0.0 == 0.0 but prints apart
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _sort_key(row: tuple) -> tuple:
    return tuple((cell is None, str(cell)) for cell in row)


def table_columns(warehouse: Path, schema: str, table: str) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select column_name from duckdb_columns() where database_name = current_database()"
            " and schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
    finally:
        con.close()
    return [name for (name,) in rows]


def _select(schema: str, table: str, columns: list[str]) -> str:
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    return f'select {quoted} from "{schema}"."{table}"'


def duckdb_rows(warehouse: Path, schema: str, table: str, columns: list[str]) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(_select(schema, table, columns)).fetchall()
    finally:
        con.close()
    return sorted((tuple(map(normalize, row)) for row in rows), key=_sort_key)


def postgres_rows(pg_con, schema: str, table: str, columns: list[str]) -> list[tuple]:
    with pg_con.cursor() as cur:
        cur.execute(_select(schema, table, columns))
        rows = cur.fetchall()
    return sorted((tuple(map(normalize, row)) for row in rows), key=_sort_key)
