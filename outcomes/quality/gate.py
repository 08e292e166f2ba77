"""The quality gate after one source's load: GX suites and row counts per table.

A plain function over the warehouse so tests call it directly; Dagster turns
each `TableGate` into two blocking asset checks of the raw table's asset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from outcomes.quality.expectations import TableQuality, read_table, validate_frame
from outcomes.quality.row_counts import RowCountCheck, check_counts, record_counts
from pipelines.common.policy import SourcePolicy


@dataclass(frozen=True)
class TableGate:
    dataset: str
    table: str
    suite: TableQuality
    rows: RowCountCheck | None  # None: the source was not loaded (not configured)

    @property
    def passed(self) -> bool:
        return self.suite.passed and (self.rows is None or self.rows.passed)


def gate_source(
    warehouse: Path,
    policy: SourcePolicy,
    rows_read: dict[str, int] | None,
    loaded_at: dt.datetime,
    now: dt.datetime | None = None,
) -> list[TableGate]:
    """Validate every table of `policy` as it now stands in the warehouse.

    `rows_read` maps table name -> rows this load read (None when the source
    was only declared empty). Counts are recorded in `quality.row_counts`;
    only tables that passed become the next baseline.
    """
    by_dataset: dict[str, dict[str, int]] = {}
    for table in policy.tables:
        if rows_read is not None:
            by_dataset.setdefault(policy.dataset_for(table), {})[table.name] = rows_read.get(
                table.name, 0
            )
    counts: dict[tuple[str, str], RowCountCheck] = {}
    for dataset, tables in by_dataset.items():
        for name, check in check_counts(warehouse, dataset, tables).items():
            counts[(dataset, name)] = check
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        gates = []
        for table in policy.tables:
            dataset = policy.dataset_for(table)
            frame = read_table(con, dataset, table.name)
            gates.append(
                TableGate(
                    dataset,
                    table.name,
                    validate_frame(frame, dataset, table, now),
                    counts.get((dataset, table.name)),
                )
            )
    finally:
        con.close()
    if counts:
        good = {g.table for g in gates if g.passed}
        record_counts(warehouse, list(counts.values()), loaded_at, good)
    return gates
