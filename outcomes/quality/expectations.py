"""Great Expectations suites on the raw tables, run on pandas frames.

GX's SQL datasource over DuckDB silently returns no rows, so each batch is
read with DuckDB into pandas and validated there (an ephemeral GX context,
one suite per table built from the table's collection policy).

The suites judge the batch, never one record: the primary key columns are
present and unique (compound keys together), so the batch can be merged by
key. What one record can get wrong (a missing field, a timestamp out of its
range, a value outside its vocabulary, a time zone the engine does not know)
is the record contract of the policy (pipelines.common.policy), checked at
ingest by the reader: that record is quarantined and the others load. The
other batch-level checks are in outcomes.quality.gate (schema loss) and
outcomes.quality.row_counts (volume collapse).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass, field

import pandas as pd

from pipelines.common.policy import TablePolicy

# GX usage statistics stay off (our users' data stays on their machine).
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# Failing values and records named per failed expectation.
MAX_EXAMPLES = 5


@dataclass
class TableQuality:
    """The outcome of one table's suite: what failed, said plainly."""

    dataset: str
    table: str
    rows: int
    failures: list[str] = field(default_factory=list)
    expectations: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        where = f"{self.dataset}.{self.table}"
        if self.passed:
            return f"{where}: {self.expectations} expectations passed on {self.rows} rows"
        return f"{where}: " + "; ".join(self.failures)


def build_suite(dataset: str, table: TablePolicy, now: dt.datetime | None = None):
    """The GX suite of one raw table (expectations only; no data): its key."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=f"{dataset}.{table.name}")
    keys = list(table.primary_key)
    for key in keys:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=key))
    if len(keys) == 1:
        suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column=keys[0]))
    else:
        suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=keys))
    return suite


def validate_frame(
    frame: pd.DataFrame, dataset: str, table: TablePolicy, now: dt.datetime | None = None
) -> TableQuality:
    """Run the table's suite on `frame` (the raw table's rows; `now` is unused,
    kept for callers: no expectation depends on the clock any more)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # no progress bar per table on the terminal of `outcomes run`
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(name="raw")
        .add_dataframe_asset(name=f"{dataset}.{table.name}")
        .add_batch_definition_whole_dataframe(name="all_rows")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = build_suite(dataset, table, now)
    keys = [k for k in table.primary_key if k in frame.columns]
    result = batch.validate(
        suite,
        result_format={
            "result_format": "SUMMARY",
            "unexpected_index_column_names": keys,
            "partial_unexpected_count": MAX_EXAMPLES,
        },
    )
    quality = TableQuality(dataset, table.name, len(frame), expectations=len(suite.expectations))
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        column = config.kwargs.get("column") or config.kwargs.get("column_list")
        detail = outcome.result or {}
        examples = detail.get("partial_unexpected_list") or []
        count = detail.get("unexpected_count")
        text = f"{config.type} on {column}"
        if count is not None:
            text += f" failed for {count} row(s)"
        if examples:
            text += f", e.g. {examples[:3]}"
        records = failing_records(
            detail.get("partial_unexpected_index_list") or [], keys, count or 0
        )
        if records:
            text += f"; failing records: {records}"
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            text += f" (error: {outcome.exception_info.get('exception_message')})"
        quality.failures.append(text)
    return quality


def failing_records(index_list: list, keys: list[str], count: int) -> str:
    """The primary keys of the first failing rows, e.g. `pull_request_id=7, pull_request_id=9`."""
    if not keys:
        return ""
    named = []
    for row in index_list[:MAX_EXAMPLES]:
        if isinstance(row, dict):
            named.append(" ".join(f"{k}={_plain(row.get(k))}" for k in keys))
    more = count - len(named)
    return ", ".join(named) + (f" (+{more} more)" if more > 0 else "")


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def suite_columns(dataset: str, table: TablePolicy) -> list[str]:
    """The columns the table's suite looks at (its key)."""
    return list(dict.fromkeys(table.primary_key))


def read_table(con, schema: str, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A table as pandas (DuckDB reads, GX validates); only `columns` when given
    (those present), so a large batch is not copied whole into memory."""
    if columns is not None:
        present = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        }
        chosen = [c for c in columns if c in present]
        if chosen:
            names = ", ".join(f'"{c}"' for c in chosen)
            return _nanosecond_timestamps(
                con.execute(f'select {names} from "{schema}"."{table}"').df()
            )
    return _nanosecond_timestamps(con.execute(f'select * from "{schema}"."{table}"').df())


def _nanosecond_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    """DuckDB hands timestamps to pandas in microseconds; GX compares only
    nanosecond columns vectorized and calls Python once per value otherwise
    (50 s for the 4 million calendar rows of `make bench`, 0.2 s vectorized).
    A column with a value outside the nanosecond range (before 1677 or after
    2262) stays as it is, and its examples show the value as it was loaded."""
    for column in frame.columns:
        if str(frame[column].dtype) in {"datetime64[us]", "datetime64[ms]", "datetime64[s]"}:
            with contextlib.suppress(OverflowError, pd.errors.OutOfBoundsDatetime):
                frame[column] = frame[column].astype("datetime64[ns]")
    return frame
