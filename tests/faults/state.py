"""What a warehouse holds, table by table, to compare two warehouses.

`warehouse_state` gives every relation of every schema; for each base table
its columns, its row count and an order-independent checksum (the sum of
one 64-bit hash per row, so duplicated rows count). Some values are made
new by every run and are normalised away, each for a stated reason:

- dlt's bookkeeping tables (`_dlt_loads`, `_dlt_version`,
  `_dlt_pipeline_state`): one row per load, and a killed run did load;
- `_outcomes_loaded_at` and `quality.row_counts.loaded_at`: the time of the
  load that wrote the row;
- `quality.row_counts` is a history, one row per table per load (a killed
  run loaded the sources before its kill): its latest row per table, the
  baseline of the next gate, is compared;
- the erasure list's `erased_at` and the requests' ids and times: when the
  erase ran, and a random request id;
- doubles are rounded to 9 decimals: two builds of the same data can differ
  at 1e-16 (DuckDB's parallel aggregation order).

Everything else must be identical: a value the normalisation hides would
have to be one of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

DLT_BOOKKEEPING = {"_dlt_loads", "_dlt_version", "_dlt_pipeline_state"}
RUN_TIME_COLUMNS = {
    ("*", "*", "_outcomes_loaded_at"),
    ("quality", "row_counts", "loaded_at"),
    ("privacy", "erasures", "erased_at"),
    ("privacy", "erasure_requests", "request_id"),
    ("privacy", "erasure_requests", "requested_at"),
    ("privacy", "erasure_requests", "deleted_at"),
    ("privacy", "erasure_requests", "completed_at"),
}
# history tables: only the latest row per key (ordered by the second item) is compared
HISTORIES = {("quality", "row_counts"): (("dataset", "table_name"), "loaded_at")}
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


@dataclass(frozen=True)
class TableState:
    kind: str  # BASE TABLE or VIEW
    columns: tuple[tuple[str, str], ...]  # (name, type)
    rows: int | None  # None for a view
    checksum: int | None


def _normalised(schema: str, table: str, column: str) -> bool:
    return any(
        s in ("*", schema) and t in ("*", table) and c == column for s, t, c in RUN_TIME_COLUMNS
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def warehouse_state(path: Path) -> dict[str, TableState]:
    """schema.table -> TableState, every schema but DuckDB's own."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_catalog = current_database() "
            "and table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, data_type in con.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns where table_catalog = current_database() "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall():
            columns.setdefault((schema, table), []).append((column, data_type))
        state = {}
        for schema, table, kind in relations:
            if table in DLT_BOOKKEEPING:
                continue
            cols = columns.get((schema, table), [])
            if kind != "BASE TABLE":
                state[f"{schema}.{table}"] = TableState(kind, tuple(cols), None, None)
                continue
            values = [
                f"round({_ident(c)}, 9)" if t in FLOAT_TYPES else _ident(c)
                for c, t in cols
                if not _normalised(schema, table, c)
            ]
            row = f"hash({', '.join(values)})" if values else "0"
            relation = f"{_ident(schema)}.{_ident(table)}"
            if (schema, table) in HISTORIES:
                keys, order = HISTORIES[(schema, table)]
                relation = (
                    f"(from {relation} qualify row_number() over (partition by "
                    f"{', '.join(map(_ident, keys))} order by {_ident(order)} desc) = 1)"
                )
            rows, checksum = con.execute(
                f"select count(*), coalesce(sum({row}::hugeint), 0) from {relation}"
            ).fetchone()
            state[f"{schema}.{table}"] = TableState(kind, tuple(cols), rows, int(checksum))
        return state
    finally:
        con.close()


def differences(actual: dict[str, TableState], expected: dict[str, TableState]) -> list[str]:
    """One line per relation that differs, empty when the two are identical."""
    lines = []
    for name in sorted(set(actual) | set(expected)):
        a, e = actual.get(name), expected.get(name)
        if a is None or e is None:
            lines.append(f"{name}: {'missing' if a is None else 'not in the clean run'}")
        elif a.columns != e.columns:
            lines.append(f"{name}: columns differ")
        elif a.rows != e.rows:
            lines.append(f"{name}: {a.rows} rows, the clean run {e.rows}")
        elif a.checksum != e.checksum:
            lines.append(f"{name}: same {a.rows} rows, other values")
    return lines
