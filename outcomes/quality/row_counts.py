"""Rows each load read per raw table, kept durably in `quality.row_counts`.

A full export that suddenly yields far fewer rows than the last good load
(a truncated file, an expired token paging one page, a wrong folder) is
caught before dbt rebuilds the marts from it. Only loads whose checks passed
become the baseline, so one collapsed load cannot lower the bar for the next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA = "quality"
TABLE = "row_counts"
# A load must read at least this share of the previous good load's rows.
MIN_SHARE = 0.5
# Below this many previous rows, a drop is noise, not a collapse.
MIN_BASELINE_ROWS = 20


@dataclass(frozen=True)
class RowCountCheck:
    dataset: str
    table: str
    rows: int
    previous: int | None

    @property
    def passed(self) -> bool:
        if self.previous is None or self.previous < MIN_BASELINE_ROWS:
            return True
        return self.rows >= self.previous * MIN_SHARE

    def describe(self) -> str:
        where = f"{self.dataset}.{self.table}"
        if self.previous is None:
            return f"{where}: {self.rows} rows read (first load, no baseline)"
        verdict = "ok" if self.passed else f"COLLAPSED below {MIN_SHARE:.0%} of the last good load"
        return f"{where}: {self.rows} rows read, last good load read {self.previous}: {verdict}"


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create table if not exists {SCHEMA}.{TABLE} ("
        " dataset varchar not null, table_name varchar not null, rows_read bigint not null,"
        " loaded_at timestamp not null, passed boolean not null)"
    )


def previous_counts(warehouse: Path, dataset: str) -> dict[str, int]:
    """Rows read by the last load that passed, per table of `dataset`."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [SCHEMA, TABLE],
        ).fetchone()[0]
        if not exists:
            return {}
        rows = con.execute(
            f"select table_name, arg_max(rows_read, loaded_at) from {SCHEMA}.{TABLE} "
            "where dataset = ? and passed group by table_name",
            [dataset],
        ).fetchall()
        return dict(rows)
    finally:
        con.close()


def check_counts(
    warehouse: Path, dataset: str, rows_read: dict[str, int]
) -> dict[str, RowCountCheck]:
    previous = previous_counts(warehouse, dataset)
    return {
        table: RowCountCheck(dataset, table, rows, previous.get(table))
        for table, rows in rows_read.items()
    }


def record_counts(
    warehouse: Path, checks: list[RowCountCheck], loaded_at: dt.datetime, good: set[str]
) -> None:
    """Keep this load's counts; tables named in `good` passed every check and
    become the baseline of the next load."""
    con = duckdb.connect(str(warehouse))
    try:
        _ensure(con)
        con.executemany(
            f"insert into {SCHEMA}.{TABLE} values (?, ?, ?, ?, ?)",
            [(c.dataset, c.table, c.rows, loaded_at, c.table in good) for c in checks],
        )
    finally:
        con.close()
