"""Independent scans of a warehouse for the privacy tests.

They do not use the people-column rule of `outcomes.privacy.people`: they
look at every text column of every table, so they prove that rule complete.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


def text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('information_schema', "
        "'pg_catalog') order by table_schema, table_name, ordinal_position"
    ).fetchall():
        found.setdefault((schema, table), []).append(column)
    return found


def _mentions(columns: list[str]) -> str:
    # A value names a key when it is the key or ends in ':<key>' (source_account_id).
    return " or ".join(
        f"""("{c}" in (select unnest($keys)) or regexp_extract("{c}", ':([0-9a-f]{{32}})$', 1)
            in (select unnest($keys)))"""
        for c in columns
    )


def tables_naming(path: Path, keys: set[str]) -> dict[str, int]:
    """schema.table -> rows whose text columns hold one of `keys`, every table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = {}
        for (schema, table), columns in text_columns(con).items():
            (count,) = con.execute(
                f'select count(*) from "{schema}"."{table}" where {_mentions(columns)}',
                {"keys": sorted(keys)},
            ).fetchone()
            if count:
                found[f"{schema}.{table}"] = count
        return found
    finally:
        con.close()


def raw_dump(path: Path) -> dict[str, tuple[list[str], Counter]]:
    """Every row of every raw, identity and quarantine table (dlt's own tables too)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and (table_schema like 'raw\\_%' escape '\\' "
            "or table_schema like 'identity%' or table_schema like 'quarantine%') order by 1, 2"
        ).fetchall()
        dump = {}
        for schema, table in tables:
            cursor = con.execute(f'select * from "{schema}"."{table}"')
            names = [d[0] for d in cursor.description]
            dump[f"{schema}.{table}"] = (names, Counter(cursor.fetchall()))
        return dump
    finally:
        con.close()
