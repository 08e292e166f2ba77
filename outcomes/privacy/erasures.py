"""The erasure list: an erased person stays erased (docs/privacy.md#export-and-erasure).

`outcomes privacy erase` deletes a person's rows, but their records are still
in the tool exports, and a later load of the same files would bring them
back. So erase also writes, in the same transaction as its deletes, one row
per pseudonym that named them (their email pseudonym and each tool account)
to `privacy.erasures` inside the warehouse: not the email, not even the
pseudonym, but an erasure token, HMAC-SHA256 under the same salt of the
pseudonym (32 hex characters). The list therefore names nobody: a scan for
the person's pseudonyms finds nothing, and with the identity row gone
nothing maps a token back to anyone.

Every loader (the file-export reader in pipelines/common and the git loader)
reads the tokens before it writes and passes its pseudonymized rows through
`drop_erased`: a row whose people column (a column the policy pseudonymizes)
holds an erased pseudonym does not land, and is counted as erased in the run
summary (not quarantined). A reference column (`REFERENCE_COLUMNS`: the row is
about someone else, e.g. a direct report's roster row naming the erased
manager) is set to null instead, exactly as erase does.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from outcomes.privacy.pseudonym import PSEUDONYM_HEX_CHARS

ERASURES_SCHEMA = "privacy"
ERASURES_TABLE = f"{ERASURES_SCHEMA}.erasures"

# Columns that name a person only as someone else's relation: the row is
# about the other person (a direct report's roster record names their
# manager), so erasure (and a later load) sets the reference to NULL instead
# of deleting the row. Keyed by (source, table, column).
REFERENCE_COLUMNS = {("roster", "users", "manager_scim_user_key")}

_CREATE_TABLE = (
    f"create table if not exists {ERASURES_TABLE} ("
    "erasure_token varchar primary key, erased_at timestamp not null)"
)


def erasure_token(pseudonym: str, salt: bytes) -> str:
    """The token stored for an erased pseudonym (never the pseudonym itself)."""
    digest = hmac.new(salt, b"erased|" + pseudonym.encode(), hashlib.sha256)
    return digest.hexdigest()[:PSEUDONYM_HEX_CHARS]


def record_erasures(con: duckdb.DuckDBPyConnection, pseudonyms: Iterable[str], salt: bytes) -> int:
    """Add the tokens of `pseudonyms` to the list (inside the caller's transaction).

    Returns how many tokens were new.
    """
    con.execute(f"create schema if not exists {ERASURES_SCHEMA}")
    con.execute(_CREATE_TABLE)
    tokens = sorted({erasure_token(p, salt) for p in pseudonyms})
    (before,) = con.execute(f"select count(*) from {ERASURES_TABLE}").fetchone()
    if tokens:
        con.executemany(
            f"insert or ignore into {ERASURES_TABLE} "
            "values (?, cast(timezone('UTC', current_timestamp) as timestamp))",
            [[t] for t in tokens],
        )
    (after,) = con.execute(f"select count(*) from {ERASURES_TABLE}").fetchone()
    return after - before


def read_erasure_tokens(warehouse: Path) -> frozenset[str]:
    """Every token of the warehouse's erasure list; empty when it has none yet."""
    if not warehouse.exists():
        return frozenset()
    from outcomes.warehouse import connect

    con = connect(warehouse)
    try:
        (exists,) = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = 'erasures'",
            [ERASURES_SCHEMA],
        ).fetchone()
        if not exists:
            return frozenset()
        rows = con.execute(f"select erasure_token from {ERASURES_TABLE}").fetchall()
        return frozenset(t for (t,) in rows)
    finally:
        con.close()


def erased_mask(
    values: pa.Array | pa.ChunkedArray, tokens: frozenset[str], salt: bytes
) -> pa.Array:
    """True where the pseudonym is on the erasure list (each distinct value hashed once)."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    uniques = pc.unique(values).drop_null().to_pylist()
    erased = [v for v in uniques if erasure_token(v, salt) in tokens]
    if not erased:
        return pa.array([False] * len(values), pa.bool_())
    return pc.fill_null(pc.is_in(values, value_set=pa.array(erased, values.type)), False)


def drop_erased(
    data: pa.Table,
    source: str,
    table: str,
    people_columns: Iterable[str],
    tokens: frozenset[str],
    salt: bytes,
) -> tuple[pa.Table, int]:
    """The rows that may land, and how many were dropped as erased.

    `people_columns` are the table's pseudonymized columns. A row naming an
    erased pseudonym in one of them is dropped; in a reference column the
    value is set to null instead.
    """
    if not tokens or data.num_rows == 0:
        return data, 0
    drop = pa.array([False] * data.num_rows, pa.bool_())
    for name in people_columns:
        if name not in data.column_names:
            continue
        hits = erased_mask(data.column(name), tokens, salt)
        if (source, table, name) in REFERENCE_COLUMNS:
            column = data.column(name)
            index = data.schema.get_field_index(name)
            nulls = pa.nulls(data.num_rows, column.type)
            data = data.set_column(index, data.schema.field(name), pc.if_else(hits, nulls, column))
        else:
            drop = pc.or_(drop, hits)
    dropped = drop.true_count
    return (data.filter(pc.invert(drop)) if dropped else data), dropped


def purge_loaded_packages(warehouse: Path) -> int:
    """Delete the copies of loaded rows dlt kept beside the warehouse; return how many files.

    Unless told otherwise dlt keeps every completed load package (parquet files
    of the rows it loaded, pseudonymized) in the pipelines folder, where they
    would outlive erasure and retention. The loaders now tell dlt to delete
    them (`LOAD__DELETE_COMPLETED_JOBS`, pipelines/common/source.py); erase
    removes any left by earlier loads.
    """
    from pipelines.common.load import pipelines_dir  # pipelines.common.load imports this module

    removed = 0
    for jobs in pipelines_dir(warehouse).glob("*/load/loaded/*/completed_jobs"):
        for path in jobs.iterdir():
            if path.is_file():
                path.unlink()
                removed += 1
    return removed
