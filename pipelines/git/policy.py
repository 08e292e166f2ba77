"""Apply a collection policy (`pipelines/git/policy.yml`) to a stream of git fields.

The git counterpart of `pipelines.common.reader`: the same policy format and
the same guarantees. Only the columns a table lists are built, each from the
git field its `path` names; everything else in the stream (emails, subjects)
is dropped here, before anything reaches dlt. Emails become keyed pseudonyms
(`outcomes.privacy.pseudonym`, kind email, so the same person joins the
roster and every other tool). Rows older than the retention window (by the
table's `time_field`) are not written.

A bad record never stops a load: the record contract of
`pipelines.common.policy` holds here as in the file readers, with their
reasons. A row whose required field (or key) has no value, or whose timestamp
lies outside its column's range (by default before 1970-01-02 or more than a
day after the load; git stores any number: year 9999, 0, twenty digits) goes
to quarantine with its repository and stream, its key (the commit sha, tag
name...), the field and the reason; its failing value only when it is a date
(git's epoch seconds), never an email or a subject. The rest of the table
loads. A row whose parent row went to quarantine goes with it
(`QUARANTINE_FOLLOWS`), so what lands still holds together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from outcomes.errors import OutcomesError
from outcomes.privacy.erasures import drop_erased
from outcomes.privacy.pseudonym import pseudonymize_array
from pipelines.common.policy import (
    LOADED_AT_COLUMN,
    MISSING_REQUIRED,
    ColumnRule,
    SourcePolicy,
    TablePolicy,
)
from pipelines.common.reader import QUARANTINE_SCHEMA, TableRead, arrow_schema, record_identity
from pipelines.git.reader import STREAMS, utc_naive

SOURCE = "git"

# A row goes to quarantine with its parent row: staging relates these tables
# with error-severity tests (a pull request's merge commit is a commit, a
# pull request's commit belongs to a landed pull request). Each entry is
# (table, parent table, the table's columns holding the parent's primary key);
# parents come first in policy.yml, so they are read first.
QUARANTINE_FOLLOWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("pull_requests", "commits", ("repository_name", "merge_commit_sha")),
    ("pull_request_commits", "commits", ("repository_name", "commit_sha")),
    ("pull_request_commits", "pull_requests", ("repository_name", "merge_commit_sha")),
)
_EPOCH = dt.datetime(1970, 1, 1)


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
            is_date = pa.types.is_timestamp(fields.field(column.path).type)
            if column.action == "keep" and is_date != (column.type == "timestamp"):
                raise OutcomesError(
                    f"{where}: a git date field is kept as type timestamp, and only a date field is"
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


def _seconds(moment: dt.datetime) -> int:
    """Whole epoch seconds at or before `moment` (naive UTC)."""
    return (moment - _EPOCH) // dt.timedelta(seconds=1)


def _problems(
    table: TablePolicy,
    data: pa.Table,
    loaded_at: dt.datetime,
    quarantined: Mapping[str, set[tuple]],
) -> list[tuple[pa.Array, str, str]]:
    """(rows, field, reason) of each rule a row breaks: one reason a field, the
    first that applies (missing, out of range), as in pipelines.common.reader;
    then the rows whose parent row is quarantined."""
    found = []
    for rule in table.columns:
        values = data.column(rule.name).combine_chunks()
        if rule.required or rule.name in table.primary_key:
            found.append((pc.is_null(values), rule.name, MISSING_REQUIRED))
        if rule.has_range and rule.type == "timestamp":
            seconds = values.cast(pa.int64())  # git's number, never cast to microseconds
            earliest = _seconds(dt.datetime.combine(rule.earliest, dt.time()))
            too_early, too_late = rule.range_reasons
            found.append((pc.less(seconds, earliest), rule.name, too_early))
            found.append(
                (pc.greater(seconds, _seconds(rule.latest(loaded_at))), rule.name, too_late)
            )
    for name, parent, columns in QUARANTINE_FOLLOWS:
        if name != table.name or not quarantined.get(parent):
            continue
        keys = zip(*(data.column(c).to_pylist() for c in columns), strict=True)
        hits = pa.array([key in quarantined[parent] for key in keys], pa.bool_())
        found.append((hits, columns[-1], f"quarantined with its {parent} record"))
    return [(pc.fill_null(rows, False), field, reason) for rows, field, reason in found]


def _quarantine(
    table: TablePolicy,
    data: pa.Table,
    problems: list[tuple[pa.Array, str, str]],
    origins: Mapping[str, str],
    salt: bytes,
    loaded_at: dt.datetime,
) -> pa.Table:
    """One quarantine row per failing field, named like the file readers' rows:
    `file_name` the repository and stream, `record_key` the key within the
    repository (a sha, a tag name; `merge/commit` for a pull request's
    commit). git has no record numbers: the key finds the record."""
    keys = list(table.primary_key)
    inner = [k for k in keys if k != "repository_name"] or keys
    out = []
    seen: set[str] = set()
    for rows, field_name, reason in problems:
        for i in pc.indices_nonzero(rows).to_pylist():
            row = {k: data.column(k)[i].as_py() for k in keys}
            repository = row.get("repository_name")
            file_name = f"{origins.get(repository, repository)} ({table.file})"
            values = [row[k] for k in keys]
            identity = record_identity(table, SOURCE, salt, values, values)
            bad_value = None
            if reason != MISSING_REQUIRED and table.column(field_name).type == "timestamp":
                bad_value = str(data.column(field_name).cast(pa.int64())[i].as_py())
            key_parts = [row[k] for k in inner]
            quarantine_id = f"{SOURCE}|{table.name}|{file_name}|{identity}|{field_name}"
            if quarantine_id in seen:  # rows without a key share one: keep the first
                continue
            seen.add(quarantine_id)
            out.append(
                {
                    "quarantine_id": quarantine_id,
                    "source_system": SOURCE,
                    "table_name": table.name,
                    "file_name": file_name,
                    "record_number": None,
                    "record_key": (
                        None
                        if any(p is None for p in key_parts)
                        else "/".join(str(p) for p in key_parts)
                    ),
                    "field_name": field_name,
                    "reason": reason,
                    "bad_value": bad_value,
                    LOADED_AT_COLUMN: loaded_at,
                }
            )
    out.sort(key=lambda r: r["quarantine_id"])
    return pa.Table.from_pylist(out, schema=QUARANTINE_SCHEMA)


def apply_policy(
    policy: SourcePolicy,
    table: TablePolicy,
    stream: pa.Table,
    salt: bytes,
    loaded_at: dt.datetime,
    origins: Mapping[str, str],
    since: str | None = None,
    until: str | None = None,
    erased: frozenset[str] = frozenset(),
    quarantined: dict[str, set[tuple]] | None = None,
) -> TableRead:
    """The rows of one table that land, typed as `arrow_schema(table)` says,
    and those that go to quarantine (module docstring).

    `origins` names each repository's clone (repository name -> path) for
    quarantine. Rows naming a person on the erasure list (`erased`, its
    tokens) are dropped and counted in `TableRead.erased`, quarantined or not.
    `quarantined` holds the primary keys of the rows quarantined so far, per
    table: this table's children follow its rows (`QUARANTINE_FOLLOWS`), and
    this table's are added. Rows whose `time_field` is older than the
    retention window, before `since` or not before `until` (dates or
    timestamps, UTC) are not kept.
    """
    quarantined = {} if quarantined is None else quarantined
    schema = arrow_schema(table)
    columns = {rule.name: _column(rule, stream.column(rule.path), salt) for rule in table.columns}
    columns[LOADED_AT_COLUMN] = pa.array([loaded_at] * stream.num_rows, pa.timestamp("us"))
    built = pa.table(columns)  # timestamps still git's seconds
    people = [c.name for c in table.columns if c.action == "pseudonymize"]
    built, erased_rows = drop_erased(built, SOURCE, table.name, people, erased, salt)
    problems = _problems(table, built, loaded_at, quarantined)
    bad = pa.array([False] * built.num_rows, pa.bool_())
    for rows, _, _ in problems:
        bad = pc.or_(bad, rows)
    quarantine = _quarantine(table, built, problems, origins, salt, loaded_at)
    bad_rows = built.filter(bad)
    quarantined[table.name] = quarantined.get(table.name, set()) | set(
        zip(*(bad_rows.column(k).to_pylist() for k in table.primary_key), strict=True)
    )
    data = built.filter(pc.invert(bad)).cast(schema)
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
        quarantine=quarantine,
        records_read=stream.num_rows,
        outside_window=outside,
        erased=erased_rows,
        files=sorted({f"{path} ({table.file})" for path in origins.values()}),
    )
