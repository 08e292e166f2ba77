"""The quality gate of one source's load: GX suites and row counts per table.

`pipelines.common.load.load_source` lands each load in candidate schemas
(`candidate_<dataset>`), runs this gate on them, and publishes to the raw
schemas only when every table passed. A plain function over the warehouse so
tests call it directly; Dagster turns each `TableGate` into two asset checks
of the raw table's asset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from outcomes.quality.expectations import (
    TableQuality,
    read_table,
    suite_columns,
    validate_frame,
)
from outcomes.quality.row_counts import RowCountCheck, check_counts, record_counts
from pipelines.common.policy import SourcePolicy

SUITE_CHECK = "gx_suite"
ROW_COUNT_CHECK = "row_count_stable"


@dataclass(frozen=True)
class TableGate:
    dataset: str  # the raw schema the table is published to
    table: str
    suite: TableQuality
    rows: RowCountCheck | None  # None: the source was not loaded (not configured)
    read_from: str = ""  # the schema the gate read (the candidate); "" = `dataset`

    @property
    def passed(self) -> bool:
        return self.suite.passed and (self.rows is None or self.rows.passed)

    def failures(self) -> list[str]:
        """One line per failed check: table, check and what failed (records named)."""
        where = f"{self.dataset}.{self.table}"
        lines = [f"{where} [{SUITE_CHECK}]: {failure}" for failure in self.suite.failures]
        if self.rows is not None and not self.rows.passed:
            lines.append(f"{where} [{ROW_COUNT_CHECK}]: {self.rows.describe()}")
        return lines


def gate_source(
    warehouse: Path,
    policy: SourcePolicy,
    rows_read: dict[str, int] | None,
    loaded_at: dt.datetime,
    now: dt.datetime | None = None,
    read_from: Mapping[str, str] | None = None,
    incremental: bool = False,
) -> list[TableGate]:
    """Validate every table of `policy` as it stands in the warehouse.

    `read_from` maps a raw dataset to the schema holding the batch to judge
    (its candidate); datasets not in it are read as they are. `rows_read`
    maps table name -> rows this load read (None when the source was only
    declared empty). Counts are recorded in `quality.row_counts`; they become
    the next baseline only when every table passed (a source is published
    whole or not at all). An `incremental` batch (an API pull since its
    cursor) is small by design: its counts are recorded, never judged.
    """
    read_from = read_from or {}
    by_dataset: dict[str, dict[str, int]] = {}
    for table in policy.tables:
        if rows_read is not None:
            by_dataset.setdefault(policy.dataset_for(table), {})[table.name] = rows_read.get(
                table.name, 0
            )
    counts: dict[tuple[str, str], RowCountCheck] = {}
    for dataset, tables in by_dataset.items():
        for name, check in check_counts(warehouse, dataset, tables).items():
            counts[(dataset, name)] = (
                RowCountCheck(check.dataset, check.table, check.rows, None)
                if incremental
                else check
            )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        gates = []
        for table in policy.tables:
            dataset = policy.dataset_for(table)
            schema = read_from.get(dataset, dataset)
            frame = read_table(con, schema, table.name, suite_columns(dataset, table))
            gates.append(
                TableGate(
                    dataset,
                    table.name,
                    validate_frame(frame, dataset, table, now),
                    counts.get((dataset, table.name)),
                    read_from=schema,
                )
            )
    finally:
        con.close()
    if counts:
        good = {g.table for g in gates} if all(g.passed for g in gates) else set()
        record_counts(warehouse, list(counts.values()), loaded_at, good)
    return gates
