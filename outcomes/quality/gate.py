"""The quality gate of one source's load: GX suites and row counts per table.

`pipelines.common.load.load_source` lands each load in candidate schemas
(`candidate_<dataset>`), runs this gate on them, and publishes to the raw
schemas only when every table passed. A plain function over the warehouse so
tests call it directly; Dagster turns each `TableGate` into two asset checks
of the raw table's asset.

The gate blocks a batch only for what is wrong with the batch as a whole; a
bad record never reaches it (the reader quarantined it at ingest, and the
rest of the batch loads):

- key duplication: a key column null or a key repeated (the GX suite);
- schema loss: a column that holds values in the published table is null in
  every row of a batch of at least `MIN_BATCH_ROWS` rows: the export stopped
  carrying the field (renamed, dropped from an export's settings); judged
  with the GX suite's check. Not judged on an incremental API batch, which is
  small by design;
- volume collapse: far fewer rows than the last good load (row counts).
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
from outcomes.quality.row_counts import (
    MIN_BASELINE_ROWS,
    RowCountCheck,
    check_counts,
    record_counts,
)
from pipelines.common.policy import SourcePolicy, TablePolicy

SUITE_CHECK = "gx_suite"
ROW_COUNT_CHECK = "row_count_stable"
# Schema loss: a batch this large with no value at all in a column that the
# published table fills (at least MIN_BASELINE_ROWS values) lost the column.
MIN_BATCH_ROWS = MIN_BASELINE_ROWS


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
    partial: frozenset[str] = frozenset(),
) -> list[TableGate]:
    """Validate every table of `policy` as it stands in the warehouse.

    `read_from` maps a raw dataset to the schema holding the batch to judge
    (its candidate); datasets not in it are read as they are. `rows_read`
    maps table name -> rows this load read (None when the source was only
    declared empty). An `incremental` batch (an API pull since its cursor) is
    small by design: its counts are never judged; nor are those of the
    tables in `partial` (an export read from where the last load stopped, or
    not read: `pipelines.common.export_state`). The caller records the
    counts once it knows whether the batch was published
    (`record_gate_counts`).
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
                if incremental or name in partial
                else check
            )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        gates = []
        for table in policy.tables:
            dataset = policy.dataset_for(table)
            schema = read_from.get(dataset, dataset)
            frame = read_table(con, schema, table.name, suite_columns(dataset, table))
            suite = validate_frame(frame, dataset, table, now)
            if schema != dataset and not incremental and table.name not in partial:
                suite.failures += schema_losses(con, dataset, schema, table)
            gates.append(
                TableGate(
                    dataset,
                    table.name,
                    suite,
                    counts.get((dataset, table.name)),
                    read_from=schema,
                )
            )
    finally:
        con.close()
    return gates


def record_gate_counts(
    warehouse: Path,
    gates: list[TableGate],
    loaded_at: dt.datetime,
    published: bool,
    incremental: bool = False,
    partial: frozenset[str] = frozenset(),
) -> None:
    """Keep the rows each table of a gated batch read (`quality.row_counts`).

    They become the next load's baseline only when the batch was published
    (after the publish committed: a batch that passed the gate but died
    before publishing, or failed to publish, sets no bar) and was a full
    batch: an incremental API pull reads only what changed, so it says
    nothing of how many rows a full export should hold."""
    checks = [g.rows for g in gates if g.rows is not None]
    if not checks:
        return
    good = (
        {g.table for g in gates if g.table not in partial}
        if published and not incremental
        else set()
    )
    record_counts(warehouse, checks, loaded_at, good)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_losses(con, dataset: str, batch_schema: str, table: TablePolicy) -> list[str]:
    """Columns the batch in `batch_schema` lost: null in all its rows while
    the published `dataset` table holds values (module docstring)."""
    present = {
        (s, c)
        for s, c in con.execute(
            "select table_schema, column_name from information_schema.columns "
            "where table_schema in (?, ?) and table_name = ?",
            [dataset, batch_schema, table.name],
        ).fetchall()
    }
    columns = [
        c.name
        for c in table.columns
        if c.action != "derive"  # a derived flag is never null: false is a value
        and c.name not in table.primary_key
        and (batch_schema, c.name) in present
        and (dataset, c.name) in present
    ]
    if not columns:
        return []
    batch = f"{_ident(batch_schema)}.{_ident(table.name)}"
    counts = con.execute(
        f"select count(*), {', '.join(f'count({_ident(c)})' for c in columns)} from {batch}"
    ).fetchone()
    rows, filled = counts[0], dict(zip(columns, counts[1:], strict=True))
    if rows < MIN_BATCH_ROWS:
        return []
    published = f"{_ident(dataset)}.{_ident(table.name)}"
    lost = []
    for column in columns:
        if filled[column]:
            continue
        (held,) = con.execute(
            f"select count(*) from (select 1 from {published} "
            f"where {_ident(column)} is not null limit {MIN_BASELINE_ROWS})"
        ).fetchone()
        if held >= MIN_BASELINE_ROWS:
            lost.append(
                f"schema loss on {column}: null in all {rows} rows of this batch, while the "
                f"published table holds values (the export no longer carries the field?)"
            )
    return lost
