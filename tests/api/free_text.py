"""Where an API pull must never write a record's free text or an email: the
warehouse (every table of every schema: raw, quarantine, dlt's own), every
file the pull leaves beside it (dlt's extract, normalize and load packages,
its state) and what the pull logged or printed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def warehouse_text(warehouse: Path) -> str:
    """Every text cell of every table in the warehouse, joined."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' or data_type like '%[]' or data_type like 'STRUCT%' "
            "or data_type = 'JSON'"
        ).fetchall()
        cells = []
        for schema, table, column in columns:
            rows = con.execute(
                f'select cast("{column}" as varchar) from "{schema}"."{table}" '
                f'where "{column}" is not null'
            ).fetchall()
            cells.extend(value for (value,) in rows)
        return "\x00".join(cells)
    finally:
        con.close()


def files_bytes(folder: Path) -> bytes:
    """Every file under `folder` (the warehouse file too, and dlt's pipelines)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def leaks(texts: Iterable[str], folder: Path, warehouse: Path, logs: str) -> dict[str, list[str]]:
    """For each place, the texts found there (empty lists: none leaked)."""
    texts = sorted(set(texts))
    cells = warehouse_text(warehouse)
    on_disk = files_bytes(folder)
    return {
        "warehouse": [t for t in texts if t in cells],
        "files": [t for t in texts if t.encode() in on_disk],
        "logs": [t for t in texts if t in logs],
    }


NO_LEAK = {"warehouse": [], "files": [], "logs": []}
