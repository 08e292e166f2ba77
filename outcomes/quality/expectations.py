"""Great Expectations suites on the raw tables, run on pandas frames.

GX's SQL datasource over DuckDB silently returns no rows, so each raw table is
read with DuckDB into pandas and validated there (an ephemeral GX context,
one suite per table built from the table's collection policy):

- primary key columns present and unique (compound keys together);
- timestamp columns inside a sane range (not before 2000, not in the future);
- enumerated columns only hold known values (`KNOWN_VALUES`), nulls allowed;
- time zone columns only hold names the engine converts with
  (`TIME_ZONE_COLUMNS`), nulls allowed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from dataclasses import dataclass, field

import pandas as pd

from pipelines.common.policy import LOADED_AT_COLUMN, TablePolicy

# GX usage statistics stay off (our users' data stays on their machine).
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

EARLIEST = dt.datetime(2000, 1, 1)
# Clock skew between a tool and this machine is tolerated up to this much.
FUTURE_SLACK = dt.timedelta(days=1)
# Planned dates (a deal's expected close, a ticket's due time, a meeting on
# the calendar) may lie in the future, within reason.
PLANNED_COLUMNS = {
    ("raw_hubspot", "deals", "close_date"),
    ("raw_zendesk", "tickets", "due_at"),
    ("raw_calendar", "events", "start_at"),
    ("raw_calendar", "events", "end_at"),
}
PLANNED_HORIZON = dt.timedelta(days=10 * 366)
# HR accounts of long-tenured people predate 2000, and a record nobody edited
# since then keeps its old modification time; only the epoch-zero default
# (1970-01-01 00:00, an unset value) is refused there.
HISTORIC_COLUMNS = {
    ("raw_roster", "users", "created_at"),
    ("raw_roster", "users", "last_modified_at"),
    ("identity", "people_identity", "last_modified_at"),
}
EARLIEST_HISTORIC = dt.datetime(1970, 1, 1, 0, 0, 1)
# Failing values and records named per failed expectation.
MAX_EXAMPLES = 5

# ServiceNow incident states (-100: the UCI event log's "no state" value).
SERVICENOW_INCIDENT_STATES = frozenset(
    {
        "New",
        "Active",
        "Awaiting User Info",
        "Awaiting Problem",
        "Awaiting Vendor",
        "Awaiting Evidence",
        "Resolved",
        "Closed",
        "-100",
    }
)

# Vocabularies of the tools' APIs that the models map (event types, states).
# A value outside these means an export changed shape: the models would
# silently drop or misclassify it. Keys: (dataset, table, column).
KNOWN_VALUES: dict[tuple[str, str, str], frozenset[str]] = {
    ("raw_github", "pull_requests", "state"): frozenset({"open", "closed"}),
    ("raw_github", "reviews", "review_state"): frozenset(
        {"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"}
    ),
    ("raw_github", "deployment_statuses", "status_state"): frozenset(
        {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
    ),
    ("raw_github", "workflow_runs", "conclusion"): frozenset(
        {
            "action_required",
            "cancelled",
            "failure",
            "neutral",
            "skipped",
            "stale",
            "startup_failure",
            "success",
            "timed_out",
        }
    ),
    ("raw_pagerduty", "incidents", "incident_status"): frozenset(
        {"triggered", "acknowledged", "resolved"}
    ),
    ("raw_pagerduty", "incidents", "urgency"): frozenset({"high", "low"}),
    # the incremental ticket export serves a deleted ticket with status "deleted"
    ("raw_zendesk", "tickets", "ticket_status"): frozenset(
        {"new", "open", "pending", "hold", "solved", "closed", "deleted"}
    ),
    ("raw_zendesk", "satisfaction_ratings", "score"): frozenset(
        {"good", "bad", "offered", "unoffered"}
    ),
    ("raw_servicenow", "incident_updates", "incident_state"): SERVICENOW_INCIDENT_STATES,
    ("raw_servicenow", "incidents", "incident_state"): SERVICENOW_INCIDENT_STATES,
    ("raw_hubspot", "engagements", "engagement_type"): frozenset(
        {"CALL", "EMAIL", "MEETING", "NOTE", "TASK"}
    ),
    ("raw_jira", "issues", "issue_type"): frozenset(
        {"Bug", "Epic", "Story", "Subtask", "Sub-task", "Task"}
    ),
    ("raw_calendar", "events", "event_status"): frozenset({"confirmed", "tentative", "cancelled"}),
    ("raw_calendar", "event_attendees", "response_status"): frozenset(
        {"accepted", "declined", "needsAction", "tentative"}
    ),
}


# IANA time zone names the models convert with (utc_to_local, business
# hours): a name the engine does not know stops the build with an engine error
# that names no record, so the gate checks them against the engine's own list.
TIME_ZONE_COLUMNS = {("raw_roster", "users", "time_zone")}


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The time zone names DuckDB converts with (its bundled ICU database)."""
    import duckdb

    con = duckdb.connect()
    try:
        return frozenset(
            name for (name,) in con.execute("select name from pg_timezone_names()").fetchall()
        )
    finally:
        con.close()


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


def timestamp_columns(table: TablePolicy) -> list[str]:
    return [c.name for c in table.columns if c.output_type == "timestamp"]


def build_suite(dataset: str, table: TablePolicy, now: dt.datetime):
    """The GX suite of one raw table (expectations only; no data)."""
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
    for column in [*timestamp_columns(table), LOADED_AT_COLUMN]:
        planned = (dataset, table.name, column) in PLANNED_COLUMNS
        latest = now + (PLANNED_HORIZON if planned else FUTURE_SLACK)
        historic = (dataset, table.name, column) in HISTORIC_COLUMNS
        earliest = EARLIEST_HISTORIC if historic else EARLIEST
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=earliest, max_value=latest)
        )
    for (ds, tbl, column), values in KNOWN_VALUES.items():
        if ds == dataset and tbl == table.name:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(values))
            )
    for ds, tbl, column in sorted(TIME_ZONE_COLUMNS):
        if ds == dataset and tbl == table.name:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(known_time_zones()))
            )
    return suite


def validate_frame(
    frame: pd.DataFrame, dataset: str, table: TablePolicy, now: dt.datetime | None = None
) -> TableQuality:
    """Run the table's suite on `frame` (the raw table's rows)."""
    import great_expectations as gx

    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
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
    """The columns the table's suite looks at (keys, timestamps, enumerations)."""
    columns = [*table.primary_key, *timestamp_columns(table), LOADED_AT_COLUMN]
    columns += [
        c
        for (ds, tbl, c) in [*KNOWN_VALUES, *sorted(TIME_ZONE_COLUMNS)]
        if ds == dataset and tbl == table.name
    ]
    return list(dict.fromkeys(columns))


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
    2262) stays as it is: it fails its range expectation either way, and its
    examples show the value as it was loaded."""
    for column in frame.columns:
        if str(frame[column].dtype) in {"datetime64[us]", "datetime64[ms]", "datetime64[s]"}:
            with contextlib.suppress(OverflowError, pd.errors.OutOfBoundsDatetime):
                frame[column] = frame[column].astype("datetime64[ns]")
    return frame
