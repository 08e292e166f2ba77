"""Apply a collection policy (`pipelines/git/policy.yml`) to a stream of git fields.

The git counterpart of `pipelines.common.reader`: the same policy format and
the same guarantees. Only the columns a table lists are built, each from the
git field its `path` names; everything else in the stream (emails, subjects)
is dropped here, before anything reaches dlt. Emails become keyed pseudonyms
(`outcomes.privacy.pseudonym`, kind email, so the same person joins the
roster and every other tool). Rows older than the retention window (by the
table's `time_field`) are not written.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from outcomes.errors import OutcomesError
from outcomes.privacy.pseudonym import pseudonymize_array
from pipelines.common.policy import LOADED_AT_COLUMN, ColumnRule, SourcePolicy, TablePolicy
from pipelines.common.reader import QUARANTINE_SCHEMA, TableRead, arrow_schema
from pipelines.git.reader import STREAMS, utc_naive

SOURCE = "git"


def _where(policy: SourcePolicy, table: TablePolicy, column: ColumnRule | None = None) -> str:
    return f"policy {policy.path}: table {table.name!r}" + (
        f", column {column.name!r}" if column else ""
    )


def check_policy(policy: SourcePolicy) -> None:
    """Fail at once, naming file, table and column, on what the git reader cannot do."""
    for table in policy.tables:
        if table.file not in STREAMS:
            raise OutcomesError(
                f"{_where(policy, table)}: file must name a git stream, one of "
                f"{sorted(STREAMS)}; got {table.file!r}"
            )
        if table.explode or table.schema:
            raise OutcomesError(
                f"{_where(policy, table)}: `explode` and `schema` are not "
                "supported by the git reader"
            )
        fields = STREAMS[table.file]
        for column in table.columns:
            where = _where(policy, table, column)
            if column.path not in fields.names:
                raise OutcomesError(
                    f"{where}: {column.path!r} is not a field of git stream "
                    f"{table.file!r} (fields: {', '.join(fields.names)})"
                )
            if column.action == "identity" or column.when_column:
                raise OutcomesError(
                    f"{where}: `identity` and `when` are not supported by the git reader"
                )
            is_list = pa.types.is_list(fields.field(column.path).type)
            if is_list != (column.action == "derive" and column.derive in {"count", "join"}):
                raise OutcomesError(
                    f"{where}: a list field takes derive count or join, and only a list field does"
                )


def _column(rule: ColumnRule, values: pa.ChunkedArray, salt: bytes) -> pa.Array:
    values = values.combine_chunks()
    if rule.action == "pseudonymize":
        # An empty email (`<>`, allowed by git) is no identifier: null, not hash('').
        text = pc.if_else(pc.equal(pc.utf8_trim_whitespace(values), ""), None, values)
        return pseudonymize_array(text, salt, rule.kind or "email", SOURCE)
    if rule.action == "derive":
        if rule.derive == "count":
            return pc.fill_null(pc.list_value_length(values), 0).cast(pa.int64())
        if rule.derive == "join":
            return pc.binary_join(values, "|")
        if rule.derive == "starts_with":
            return pc.fill_null(pc.starts_with(values, str(rule.arg)), False)
        if rule.derive == "in":
            allowed = pa.array([str(v) for v in rule.arg], pa.string())
            return pc.fill_null(pc.is_in(values.cast(pa.string()), value_set=allowed), False)
        return pc.fill_null(
            pc.and_(pc.is_valid(values), pc.not_equal(pc.utf8_trim_whitespace(values), "")), False
        )
    return values


def _check_unique(policy: SourcePolicy, table: TablePolicy, data: pa.Table) -> None:
    """The primary key is unique (dlt is told only the merge key, so it won't dedup)."""
    keys = list(table.primary_key)
    if data.num_rows and data.group_by(keys).aggregate([]).num_rows != data.num_rows:
        raise OutcomesError(
            f"{_where(policy, table)}: rows repeat the primary key {keys} (two repositories "
            "with one name?)"
        )


def _moment(value: str | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return utc_naive(dt.datetime.fromisoformat(value))
    except ValueError as exc:
        raise OutcomesError(
            f"git source: {name} must be a date like 2026-01-31, got {value!r}"
        ) from exc


def _in_window(
    times: pa.ChunkedArray, starts: list[dt.datetime | None], end: dt.datetime | None
) -> pa.Array:
    """True where the time is known, at or after every start, and before the end."""
    values = times.combine_chunks()
    keep = pc.is_valid(values)
    for start in starts:
        if start is not None:
            keep = pc.and_(keep, pc.greater_equal(values, pa.scalar(start, pa.timestamp("us"))))
    if end is not None:
        keep = pc.and_(keep, pc.less(values, pa.scalar(end, pa.timestamp("us"))))
    return pc.fill_null(keep, False)


def apply_policy(
    policy: SourcePolicy,
    table: TablePolicy,
    stream: pa.Table,
    salt: bytes,
    loaded_at: dt.datetime,
    files: list[str],
    since: str | None = None,
    until: str | None = None,
) -> TableRead:
    """The rows of one table that land, typed as `arrow_schema(table)` says.

    Rows whose `time_field` is older than the retention window, before
    `since` or not before `until` (dates or timestamps, UTC) are not kept.
    """
    schema = arrow_schema(table)
    columns = {}
    for rule in table.columns:
        values = _column(rule, stream.column(rule.path), salt)
        if rule.required and values.null_count:
            raise OutcomesError(
                f"{_where(policy, table, rule)}: {values.null_count} row(s) have "
                f"no {rule.path!r} (required)"
            )
        columns[rule.name] = values
    columns[LOADED_AT_COLUMN] = pa.array([loaded_at] * stream.num_rows, pa.timestamp("us"))
    data = pa.table(columns).cast(schema)
    _check_unique(policy, table, data)
    outside = 0
    if table.time_field:
        keep = _in_window(
            data.column(table.time_field),
            [
                loaded_at - dt.timedelta(days=policy.retention_days),  # retention
                _moment(since, "since"),
            ],
            _moment(until, "until"),
        )
        outside = data.num_rows - keep.true_count
        data = data.filter(keep)
    return TableRead(
        table=table,
        data=data,
        quarantine=QUARANTINE_SCHEMA.empty_table(),
        records_read=stream.num_rows,
        outside_window=outside,
        files=files,
    )
