"""Publishing to Postgres (README "Publishing to Postgres").

    outcomes publish-postgres [--bi-reader-role ROLE]

copies what the models read from the DuckDB warehouse (`raw_<tool>` and
`privacy`, the opt-out and erasure lists) into the Postgres database of the
dbt profile's `postgres` target, then runs `dbt build --target postgres`
there: every seed, model, data test and unit test, and the BI reader role's
grants on the team-level marts. The connection comes from the same
environment variables as the profile (OUTCOMES_PG_HOST, _PORT, _DBNAME,
_USER, _PASSWORD); no secret is written anywhere.

Each table is copied whole and replaced (DuckDB writes CSV with its built-in
writer, Postgres reads it with COPY), in one Postgres transaction: a failed
copy leaves the database as it was, and a rerun copies the same rows again.
Replacing a raw table drops dbt's staging views over it; the build that
follows recreates them, and the marts (tables) stay readable throughout.
`identity` (emails) and `quarantine` stay in the warehouse unless asked for
(`include_private`, used by the tests that prove the BI role cannot read
them): the models never read them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from outcomes.errors import OutcomesError

# The profile's postgres target reads these, with these defaults (profiles.yml).
CONNECTION_ENV = {
    "host": ("OUTCOMES_PG_HOST", "localhost"),
    "port": ("OUTCOMES_PG_PORT", "5432"),
    "dbname": ("OUTCOMES_PG_DBNAME", "outcomes"),
    "user": ("OUTCOMES_PG_USER", "outcomes"),
    "password": ("OUTCOMES_PG_PASSWORD", ""),
}
PRIVATE_SCHEMAS = ("identity", "quarantine")

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


def copied_schemas(con: duckdb.DuckDBPyConnection, include_private: bool = False) -> list[str]:
    """`raw_<tool>` and `privacy` (what the models read), without dlt's
    `<dataset>_staging` schemas; with `identity` and `quarantine` on request."""
    wanted = ["privacy", *(PRIVATE_SCHEMAS if include_private else ())]
    rows = con.execute(
        """
        select distinct schema_name from duckdb_tables()
        where database_name = current_database()
            and (schema_name like 'raw\\_%' escape '\\' or list_contains(?, schema_name))
            and schema_name not like '%\\_staging' escape '\\'
        order by 1
        """,
        [wanted],
    ).fetchall()
    return [schema for (schema,) in rows]


def postgres_type(duckdb_type: str, where: str = "") -> str:
    if duckdb_type in TYPES:
        return TYPES[duckdb_type]
    decimal = DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    raise OutcomesError(f"{where}: no Postgres type mapped for DuckDB type {duckdb_type!r}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(env: Mapping[str, str] | None = None):
    """A psycopg2 connection to the profile's postgres target, from OUTCOMES_PG_*."""
    import psycopg2

    env = os.environ if env is None else env
    settings = {key: env.get(name) or default for key, (name, default) in CONNECTION_ENV.items()}
    try:
        return psycopg2.connect(**settings)
    except psycopg2.Error as exc:
        where = f"{settings['user']}@{settings['host']}:{settings['port']}/{settings['dbname']}"
        raise OutcomesError(
            f"cannot connect to Postgres {where} (OUTCOMES_PG_HOST, _PORT, _DBNAME, _USER, "
            f"_PASSWORD): {str(exc).strip()}"
        ) from exc


def copy_warehouse(
    warehouse: Path, pg_con, workdir: Path | None = None, include_private: bool = False
) -> dict[str, int]:
    """Copy every table of the copied schemas in one transaction (committed
    here); returns rows per `schema.table`."""
    if not warehouse.exists():
        raise OutcomesError(f"no warehouse at {warehouse}: load it first (`outcomes run`)")
    copied: dict[str, int] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    with tempfile.TemporaryDirectory(prefix="outcomes-pg-copy-", dir=workdir) as scratch:
        try:
            schemas = copied_schemas(con, include_private)
            if not any(s.startswith("raw_") for s in schemas):
                raise OutcomesError(f"warehouse {warehouse} holds no raw_<tool> schema to copy")
            with pg_con.cursor() as cur:
                for schema in schemas:
                    cur.execute(f"create schema if not exists {_ident(schema)}")
                    copied.update(_copy_schema(con, cur, schema, Path(scratch)))
            pg_con.commit()
        except Exception:
            pg_con.rollback()
            raise
        finally:
            con.close()
    return copied


def _copy_schema(con: duckdb.DuckDBPyConnection, cur, schema: str, scratch: Path) -> dict[str, int]:
    copied: dict[str, int] = {}
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()"
        " and schema_name = ? order by 1",
        [schema],
    ).fetchall()
    for (table,) in tables:
        columns = con.execute(
            "select column_name, data_type from duckdb_columns()"
            " where database_name = current_database()"
            " and schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
        target = f"{_ident(schema)}.{_ident(table)}"
        ddl = ", ".join(
            f"{_ident(c)} {postgres_type(t, f'{schema}.{table}.{c}')}" for c, t in columns
        )
        csv = scratch / f"{schema}.{table}.csv"
        con.execute(f"copy {target} to '{csv}' (format csv, header true)")
        with csv.open() as f:
            # cascade: dbt's staging views over the raw table go with it; the
            # build that follows recreates them (the marts are tables and stay).
            cur.execute(f"drop table if exists {target} cascade")
            cur.execute(f"create table {target} ({ddl})")
            cur.copy_expert(f"copy {target} from stdin with (format csv, header true)", f)
            copied[f"{schema}.{table}"] = cur.rowcount
        csv.unlink()
    return copied


def postgres_target_path(warehouse: Path) -> Path:
    """dbt's artifacts of the Postgres build, apart from the DuckDB build's
    (the report site reads the DuckDB one's manifest)."""
    return warehouse.parent / f"dbt_target_{warehouse.stem}_postgres"


def publish(
    warehouse: Path,
    min_group_size: int | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    include_private: bool = False,
):
    """Copy the warehouse's raw data into Postgres and build every model there.

    `dbt_vars` are passed to dbt (`bi_reader_role`, `as_of_utc`). Returns
    (rows copied per table, the dbt BuildResult)."""
    from outcomes.build import run_dbt

    pg_con = connect()
    try:
        copied = copy_warehouse(warehouse, pg_con, include_private=include_private)
    finally:
        pg_con.close()
    build = run_dbt(
        ["build", "--target", "postgres"],
        warehouse,
        min_group_size,
        dbt_vars=dbt_vars,
        target_path=postgres_target_path(warehouse),
    )
    return copied, build
