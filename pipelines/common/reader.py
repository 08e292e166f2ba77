"""Read one table of a JSONL export under its policy, with DuckDB as the parser.

DuckDB parses, extracts and casts millions of JSON lines per second on two
cores, which keeps the loaders arrow-fast (docs/stack-notes.md#dlt: dicts into dlt are
~20x slower). The policy is compiled to one SQL query per file:

    lines -> valid JSON records -> (exploded list elements) -> extracted text
          -> typed values + per-field problems

Rows with a problem (invalid JSON, a missing required field or key, an
unparsable timestamp or number, a timestamp or date out of its range, a value
outside its vocabulary: the record contract of pipelines.common.policy) go to
quarantine with the file, record number, key, field and reason; the rest are deduplicated on the primary key (the newest delivery
wins) and pseudonymized before they leave this module, and rows of people
on the erasure list are dropped (`outcomes.privacy.erasures`). Nothing not
named in the policy is ever extracted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from outcomes.privacy.erasures import drop_erased, erased_mask
from outcomes.privacy.pseudonym import pseudonymize, pseudonymize_array
from pipelines.common.policy import (
    INDEX_PATH,
    LOADED_AT_COLUMN,
    MISSING_REQUIRED,
    TIME_ZONES,
    ColumnRule,
    TablePolicy,
)

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("quarantine_id", pa.string(), nullable=False),
        ("source_system", pa.string()),
        ("table_name", pa.string()),
        ("file_name", pa.string()),
        ("record_number", pa.int64()),
        ("record_key", pa.string()),
        ("field_name", pa.string()),
        ("reason", pa.string()),
        ("bad_value", pa.string()),
        pa.field(LOADED_AT_COLUMN, pa.timestamp("us"), nullable=False),
    ]
)

# Read each line whole: valid JSON never contains a raw 0x1F byte (it must be
# escaped), so splitting on it never splits a record.
_UNIT_SEPARATOR = "\x1f"

# The quarantine reason of an object or list where the policy expects text
# (a changed API shape): landed as its JSON text it would pass for a value.
NOT_TEXT = "object or list where text is expected"

_SQL_TYPES = {"bigint": "bigint", "double": "double", "boolean": "boolean", "date": "date"}


@dataclass
class TableRead:
    """What reading one table produced."""

    table: TablePolicy
    data: pa.Table
    quarantine: pa.Table
    records_read: int = 0
    duplicates_dropped: int = 0
    outside_window: int = 0
    # Rows of people on the erasure list, dropped before landing (not quarantined).
    erased: int = 0
    files: list[str] = field(default_factory=list)
    # Top-level keys seen in the records of each file: compared with the
    # policy to report columns that newly appeared (and were dropped).
    keys_seen: dict[str, set[str]] = field(default_factory=dict)
    # Files read from an offset only (their earlier lines were read before).
    partial: list[str] = field(default_factory=list)
    # "full" (every file read), "partial" (new lines and files only) or
    # "unchanged" (no file changed since the last load: not read).
    mode: str = "full"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _json_path(path: str) -> str:
    return "$" if path == "" else "$." + path


class _Extraction:
    """The JSON paths a query extracts as text, per source (`r`, the record;
    `e`, the exploded element), in one `json_extract_string(source, [paths])`
    call each: DuckDB then parses a document once for all its columns instead
    of once per column (workflow runs: 13 s -> 3 s for a million records).
    The paths of text columns also get their JSON types, in one `json_type`
    call each, so an object or list where text is expected is found."""

    def __init__(self) -> None:
        self.paths: dict[str, list[str]] = {}
        self.typed: dict[str, list[str]] = {}

    def text(self, source: str, path: str) -> str:
        paths = self.paths.setdefault(source, [])
        if path not in paths:
            paths.append(path)
        return f"_{source}_texts[{paths.index(path) + 1}]"

    def json_type(self, source: str, path: str) -> str:
        paths = self.typed.setdefault(source, [])
        if path not in paths:
            paths.append(path)
        return f"_{source}_types[{paths.index(path) + 1}]"

    def columns(self) -> str:
        """The list columns, for the select that feeds `extracted`."""
        texts = "".join(
            f", json_extract_string({source}, [{', '.join(_sql_str(p) for p in paths)}])"
            f" as _{source}_texts"
            for source, paths in self.paths.items()
        )
        types = "".join(
            f", json_type({source}, [{', '.join(_sql_str(p) for p in paths)}]) as _{source}_types"
            for source, paths in self.typed.items()
        )
        return texts + types


def _extract(
    column: ColumnRule, element: str, extraction: _Extraction, null_values: tuple[str, ...] = ()
) -> str:
    """SQL for the column's raw text (or list / count for derivations).

    A JSON object or list reads as its JSON text (json_extract_string); where
    the policy expects text, `_problem` quarantines it (NOT_TEXT). A cell in
    the table's `null_values` reads as null."""
    source = "r" if column.record_path else element
    path = column.record_path or column.path or ""
    if path == INDEX_PATH:
        return "cast(item_index as varchar)"
    json_path = _sql_str(_json_path(path))
    if column.action == "derive" and column.derive == "join":
        return f"array_to_string(json_extract_string({source}, {json_path}), '|')"
    if column.action == "derive" and column.derive == "count":
        return f"cast(json_array_length({source}, {json_path}) as varchar)"
    text = extraction.text(source, _json_path(path))
    if null_values:
        markers = ", ".join(_sql_str(v) for v in null_values)
        return f"(case when {text} in ({markers}) then null else {text} end)"
    return text


def _expects_text(column: ColumnRule) -> bool:
    """A column whose value must be a JSON scalar: kept text, or text made a
    pseudonym or identity. (Typed columns refuse an object as unparsable;
    derivations such as `is_present` and `join` read objects and lists.)"""
    if (column.record_path or column.path or "") == INDEX_PATH:
        return False
    return column.action in {"pseudonymize", "identity"} or (
        column.action == "keep" and column.type == "string"
    )


def _json_type(column: ColumnRule, element: str, extraction: _Extraction) -> str:
    """SQL for the JSON type of the column's value (OBJECT, ARRAY, VARCHAR...)."""
    source = "r" if column.record_path else element
    return extraction.json_type(source, _json_path(column.record_path or column.path or ""))


def _typed(column: ColumnRule, raw: str) -> str:
    """SQL turning the raw text into the landed type (null when it does not parse)."""
    if column.action == "derive":
        if column.derive == "is_present":
            return f"coalesce(trim({raw}) not in ('', '[]', '{{}}'), false)"
        if column.derive == "starts_with":
            return f"coalesce(starts_with({raw}, {_sql_str(str(column.arg))}), false)"
        if column.derive == "in":
            values = ", ".join(_sql_str(str(v)) for v in column.arg)
            return f"coalesce({raw} in ({values}), false)"
        if column.derive == "count":
            return f"coalesce(try_cast({raw} as bigint), 0)"
        if column.derive == "extract_number":
            pattern = _sql_str(str(column.arg))
            return f"try_cast(nullif(regexp_extract({raw}, {pattern}, 1), '') as bigint)"
        return f"nullif({raw}, '')"
    if column.action in {"pseudonymize", "identity"} or column.type == "string":
        return raw
    if column.type == "timestamp" and column.format:
        return f"try_strptime({raw}, {_sql_str(column.format)})"
    if column.type == "timestamp":
        # Offsets (`Z`, `+02:00`, `+0200`) are honoured; text without an offset is
        # read as UTC because the connection's TimeZone is UTC.
        return f"(try_cast({raw} as timestamptz) at time zone 'UTC')"
    if column.type == "epoch_ms":
        # try(): milliseconds past the timestamp range overflow (an error that
        # would stop the load); they are unparsable, one record's problem
        return f"try(make_timestamp(try_cast({raw} as bigint) * 1000))"
    return f"try_cast({raw} as {_SQL_TYPES[column.type]})"


def _problem(
    column: ColumnRule,
    raw: str,
    typed: str,
    loaded_at: dt.datetime,
    is_key: bool = False,
    json_type: str | None = None,
) -> str:
    """SQL for the quarantine reason of one field, or null (one reason a field,
    the first that applies: missing, not text, unparsable, out of range,
    unknown value). `json_type`: SQL for the value's JSON type, for a column
    that expects text."""
    label = _sql_str(column.name)
    checks = []
    if column.required or is_key:
        checks.append(f"when {raw} is null then {_sql_str(MISSING_REQUIRED)}")
    if json_type is not None:
        checks.append(f"when {json_type} in ('OBJECT', 'ARRAY') then {_sql_str(NOT_TEXT)}")
    if column.action in {"keep"} and column.type != "string":
        kind = "timestamp" if column.type in {"timestamp", "epoch_ms"} else column.type
        checks.append(f"when {raw} is not null and {typed} is null then 'unparsable {kind}'")
    if column.has_range:
        kind = "date" if column.type == "date" else "timestamp"
        earliest = column.earliest.isoformat()
        latest = column.latest(loaded_at).isoformat(sep=" ")
        too_early, too_late = column.range_reasons
        checks.append(f"when {typed} < {kind} {_sql_str(earliest)} then {_sql_str(too_early)}")
        checks.append(f"when {typed} > timestamp {_sql_str(latest)} then {_sql_str(too_late)}")
    if column.has_vocabulary:
        if column.values_from == TIME_ZONES:
            known = "(select name from pg_timezone_names())"
            reason = "time zone the engine does not know"
        else:
            known = "(" + ", ".join(_sql_str(v) for v in column.values) + ")"
            reason = f"unknown value (not in {column.values_from})"
        value = f"lower(trim({raw}))" if column.values_ignore_case else raw
        checks.append(f"when {raw} is not null and {value} not in {known} then {_sql_str(reason)}")
    if not checks:
        return "null"
    return f"case {' '.join(checks)} end || ': ' || {label}"


def _query(
    table: TablePolicy,
    lines_table: str,
    since: str | None,
    until: str | None,
    loaded_at: dt.datetime,
) -> str:
    columns = table.columns
    element = "e" if table.explode else "r"
    extraction = _Extraction()
    raw_cols = ",\n        ".join(
        f'{_extract(c, element, extraction, table.null_values)} as "raw__{c.name}"' for c in columns
    )
    text_columns = [c for c in columns if _expects_text(c)]
    raw_cols += "".join(
        f',\n        {_json_type(c, element, extraction)} as "json_type__{c.name}"'
        for c in text_columns
    )
    typed_cols = []
    for c in columns:
        value = _typed(c, f'"raw__{c.name}"')
        if c.when_column:
            allowed = ", ".join(_sql_str(v) for v in c.when_in)
            value = f'case when "raw__{c.when_column}" in ({allowed}) then {value} end'
        typed_cols.append(f'{value} as "{c.name}"')
    problems = ", ".join(
        _problem(
            c,
            f'"raw__{c.name}"',
            _typed(c, f'"raw__{c.name}"'),
            loaded_at,
            is_key=c.name in table.primary_key,
            json_type=f'"json_type__{c.name}"' if c in text_columns else None,
        )
        for c in columns
    )
    raw_values = ", ".join(f'"raw__{c.name}"' for c in columns)
    if table.explode:
        list_path = _sql_str(_json_path(table.explode) + "[*]")
        items = f"""
    items as (
        select
            record_number,
            r,
            unnest(elements) as e,
            unnest(range(len(elements))) as item_index
        from (
            select record_number, r, coalesce(json_extract(r, {list_path}), []) as elements
            from records
        )
    ),"""
        item_source = "items"
    else:
        items = ""
        item_source = "records"
    window = []
    if table.window_follows:  # its parent's window decides (pipelines.common.load)
        since = until = None
    if table.time_field and since:
        window.append(f'"{table.time_field}" >= {_sql_str(since)}::timestamp')
    if table.time_field and until:
        window.append(f'"{table.time_field}" < {_sql_str(until)}::timestamp')
    in_window = " and ".join(window) or "true"
    return f"""
with
    records as (
        select record_number, line as r
        from {lines_table}
        where is_valid_json
    ),{items}
    extracted as (
        select
        record_number,
        {raw_cols}
        from (select *{extraction.columns()} from {item_source})
    ),
    checked as (
        select
            *,
            list_filter([{problems}], lambda p: p is not null) as problems,
            [{raw_values}] as raw_values
        from (select *, {", ".join(typed_cols)} from extracted)
    )
select *, ({in_window}) as in_window from checked
"""


def _clean_rows_sql(table: TablePolicy) -> str:
    """SQL for the rows that land: no problem, inside the window, one per key.

    Exports repeat records (retries, overlapping pages) and deliver them out
    of order, so the newest version by `dedup_by` wins, then the latest line.
    """
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    pk = ", ".join(f'"{k}"' for k in table.primary_key)
    order = f'"{table.dedup_by}" desc nulls last, ' if table.dedup_by else ""
    return f"""
        select {names} from checked_all
        where len(problems) = 0 and in_window
        qualify row_number() over (partition by {pk} order by {order}file_order desc,
                                   record_number desc) = 1
    """


def _lines_sql(path: Path) -> str:
    """Every line of a file as text, numbered from 1 (the record number in errors).

    A CSV export (`.csv`, `.csv.gz`) is read with its header: each row becomes
    a JSON object keyed by the header's column names, every cell as text and
    an empty cell as null, so a policy reads it with the same paths and casts
    as a JSON export (record number = data row, the header not counted).
    A line or row DuckDB cannot read is skipped into `rejected_lines`
    (`_load_lines` quarantines it).
    """
    rejects = (
        "max_line_size = 33554432, ignore_errors = true, store_rejects = true, "
        "rejects_table = 'rejected_lines', rejects_scan = 'rejected_scan'"
    )
    if _is_csv(path):
        return f"""
        select row_number() over () as record_number, cast(to_json(t) as varchar) as line
        from read_csv({_sql_str(str(path))}, header = true, all_varchar = true,
                      auto_detect = true, {rejects}) as t
    """
    return f"""
        select row_number() over () as record_number, line
        from read_csv({_sql_str(str(path))}, columns = {{'line': 'VARCHAR'}},
                      delim = {_sql_str(_UNIT_SEPARATOR)}, quote = '', escape = '',
                      header = false, auto_detect = false, {rejects})
    """


def _is_csv(path: Path) -> bool:
    return path.name.endswith((".csv", ".csv.gz"))


# Why DuckDB rejected a line of a JSONL export or a row of a CSV export (never
# the line itself: it may hold a person's values).
_REJECT_REASONS = {
    "INVALID ENCODING": "not valid UTF-8 text",
    "LINE SIZE OVER MAXIMUM": "record longer than 32 MiB",
    "MISSING COLUMNS": "fewer cells than the header",
    "TOO MANY COLUMNS": "more cells than the header",
    "UNQUOTED VALUE": "malformed CSV quoting",
}


def _load_lines(con: duckdb.DuckDBPyConnection, order: int, path: Path) -> None:
    """`lines_<order>`: every record of a file, numbered by its line in the file
    (a CSV export: by its data row).

    A line DuckDB cannot read (a byte that is not UTF-8, a CSV row with the
    wrong number of cells) does not stop the load: it is kept as a problem of
    its line (quarantined by `_scan_lines`), and the lines after it keep their
    own numbers."""
    con.execute(f"create or replace temp table read_{order} as " + _lines_sql(path))
    # DuckDB numbers a CSV's rows from its header (line 1): data row = line - 1.
    header = 1 if _is_csv(path) else 0
    rejected = con.execute(
        f"select line - {header} as line, min(cast(error_type as varchar)) "
        "from rejected_lines group by line order by line"
    ).fetchall()
    con.execute("drop table if exists rejected_lines")
    con.execute("drop table if exists rejected_scan")
    if rejected:
        # Rows read are numbered without the rejected lines: give each its line back.
        skipped = ", ".join(str(line) for line, _ in rejected)
        (read,) = con.execute(f"select count(*) from read_{order}").fetchone()
        con.execute(
            f"""create or replace temp table read_{order} as
            select numbers.line_number as record_number, r.line
            from (select row_number() over () as k, line from read_{order}) as r
            join (
                select row_number() over (order by n) as k, n as line_number
                from range(1, {read + len(rejected) + 1}) as t(n) where n not in ({skipped})
            ) as numbers using (k)"""
        )
    reasons = " ".join(
        f"when {line} then {_sql_str(_REJECT_REASONS.get(kind, 'unreadable line'))}"
        for line, kind in rejected
    )
    problem_rows = (
        f" union all select n, null, false, case n {reasons} end from "
        f"(select unnest([{', '.join(str(line) for line, _ in rejected)}]) as n)"
        if rejected
        else ""
    )
    con.execute(
        f"""create or replace temp table lines_{order} as
        select record_number, line, json_valid(line) as is_valid_json, null::varchar as problem
        from read_{order} where line is not null and trim(line) <> ''{problem_rows}"""
    )
    con.execute(f"drop table read_{order}")


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    # An in-memory database has nowhere to spill by default; large exports
    # (GBs of JSON) must be able to spill instead of failing out of memory.
    con.execute(
        f"set temp_directory = {_sql_str(str(Path(tempfile.gettempdir()) / 'outcomes-spill'))}"
    )
    con.execute("set preserve_insertion_order = true")
    return con


def export_files(table: TablePolicy, export_dir: Path) -> list[Path]:
    """The files of a table in an export folder: its name or glob, gzipped or not."""
    found = set(export_dir.glob(table.file)) | set(export_dir.glob(table.file + ".gz"))
    return sorted(found)


def read_table(
    table: TablePolicy,
    source: str,
    export_dir: Path,
    salt: bytes,
    loaded_at: dt.datetime,
    since: str | None = None,
    until: str | None = None,
    erased: frozenset[str] = frozenset(),
    files: list[Path] | None = None,
    offsets: dict[str, tuple[int, int]] | None = None,
) -> TableRead:
    """Read every file of `table` in `export_dir` (a name or a glob, sorted).

    `erased` holds the erasure list's tokens (`read_erasure_tokens`): rows
    naming an erased person do not land and are counted in `TableRead.erased`.
    `files` reads only those (`pipelines.common.export_state`); `offsets` maps
    a file name to (byte offset, lines before it): only its lines after the
    offset are read, numbered as a whole read numbers them.
    """
    files = export_files(table, export_dir) if files is None else files
    offsets = offsets or {}
    con = _connect()
    with tempfile.TemporaryDirectory(prefix="outcomes-tail-") as tails:
        for order, path in enumerate(files):
            if path.name in offsets:
                start, before = offsets[path.name]
                tail = Path(tails) / f"{order}.jsonl"
                with path.open("rb") as handle, tail.open("wb") as out:
                    handle.seek(start)
                    shutil.copyfileobj(handle, out)
                _load_lines(con, order, tail)
                con.execute(
                    f"update lines_{order} set record_number = record_number + {int(before)}"
                ).fetchall()
            else:
                _load_lines(con, order, path)
    result = _read(
        con, table, source, [p.name for p in files], salt, loaded_at, since, until, erased
    )
    result.partial = sorted(set(offsets) & {p.name for p in files})
    return result


def read_records(
    table: TablePolicy,
    source: str,
    batches: list[tuple[str, list[str]]],
    salt: bytes,
    loaded_at: dt.datetime,
    since: str | None = None,
    until: str | None = None,
    erased: frozenset[str] = frozenset(),
) -> TableRead:
    """Read records pulled from an API, exactly as `read_table` reads an export.

    `batches` are (origin, JSON texts): the origin (an endpoint, e.g.
    `GET /incidents`) takes the place of the file name in quarantine, and a
    later batch wins over an earlier one as a later file does. The texts
    never touch the disk: DuckDB holds them in memory, and only the rows the
    policy lets through (pseudonymized) leave this function.
    """
    con = _connect()
    names = []
    for order, (origin, texts) in enumerate(batches):
        incoming = pa.table(
            {
                "record_number": pa.array(range(1, len(texts) + 1), pa.int64()),
                "line": pa.array(texts, pa.string()),
            }
        )
        con.register("incoming", incoming)
        con.execute(
            f"create or replace temp table lines_{order} as "
            "select record_number, line, json_valid(line) as is_valid_json, "
            "null::varchar as problem from incoming"
        )
        con.unregister("incoming")
        names.append(origin)
    return _read(con, table, source, names, salt, loaded_at, since, until, erased)


def _read(
    con: duckdb.DuckDBPyConnection,
    table: TablePolicy,
    source: str,
    names: list[str],
    salt: bytes,
    loaded_at: dt.datetime,
    since: str | None,
    until: str | None,
    erased: frozenset[str],
) -> TableRead:
    """Check, deduplicate and pseudonymize the `lines_<n>` tables of `names`."""
    parts = []
    for order, name in enumerate(names):
        con.execute(
            f"create or replace temp table checked_{order} as "
            + _query(table, f"lines_{order}", since, until, loaded_at)
        )
        parts.append(
            f"select *, {order} as file_order, {_sql_str(name)} as file_name from checked_{order}"
        )
    result = TableRead(
        table=table,
        data=_empty(table),
        quarantine=QUARANTINE_SCHEMA.empty_table(),
        files=list(names),
    )
    if not parts:
        return result
    con.execute("create temp table checked_all as " + " union all ".join(parts))
    result.records_read = con.execute("select count(*) from checked_all").fetchall()[0][0]
    data = con.sql(_clean_rows_sql(table)).to_arrow_table()
    stats = con.execute(
        "select count(*) filter (where len(problems) = 0 and in_window), "
        "count(*) filter (where len(problems) = 0 and not in_window) from checked_all"
    ).fetchall()[0]
    result.duplicates_dropped = stats[0] - data.num_rows
    result.outside_window = stats[1]
    result.data, result.erased = drop_erased(
        _finish(data, table, source, salt, loaded_at),
        source,
        table.name,
        [c.name for c in table.columns if c.action == "pseudonymize"],
        erased,
        salt,
    )
    result.quarantine = _quarantine(con, table, source, salt, loaded_at)
    if erased and result.quarantine.num_rows and _key_names_person(table):
        # A quarantined record keyed by an erased person's pseudonym is theirs too.
        hits = erased_mask(result.quarantine.column("record_key"), erased, salt)
        result.erased += hits.true_count
        result.quarantine = result.quarantine.filter(pc.invert(hits))
    invalid = _scan_lines(con, names, table, source, loaded_at, result.keys_seen, salt)
    if invalid.num_rows:
        result.quarantine = pa.concat_tables([result.quarantine, invalid])
        result.records_read += invalid.num_rows
    return result


def _key_names_person(table: TablePolicy) -> bool:
    return table.column(table.primary_key[0]).action == "pseudonymize"


_ARROW_TYPES = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def arrow_schema(table: TablePolicy) -> pa.Schema:
    """The exact schema a table lands with (so an all-null column keeps its type)."""
    fields = [
        pa.field(c.name, _ARROW_TYPES[c.output_type], nullable=c.name not in table.primary_key)
        for c in table.columns
    ]
    return pa.schema([*fields, pa.field(LOADED_AT_COLUMN, pa.timestamp("us"), nullable=False)])


def _empty(table: TablePolicy) -> pa.Table:
    return arrow_schema(table).empty_table()


def _finish(
    data: pa.Table, table: TablePolicy, source: str, salt: bytes, loaded_at: dt.datetime
) -> pa.Table:
    """Pseudonymize the people identifiers and stamp the load time."""
    for column in table.columns:
        if column.action == "pseudonymize":
            index = data.schema.get_field_index(column.name)
            data = data.set_column(
                index,
                column.name,
                pseudonymize_array(data.column(column.name), salt, column.kind, source),
            )
    stamp = pa.array([loaded_at] * data.num_rows, type=pa.timestamp("us"))
    schema = arrow_schema(table)
    return data.append_column(LOADED_AT_COLUMN, stamp).select(schema.names).cast(schema)


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    table: TablePolicy,
    source: str,
    salt: bytes,
    loaded_at: dt.datetime,
) -> pa.Table:
    """One quarantine row per failing field. Only the failing value is kept, and
    only when it is not a people identifier (then it is pseudonymized)."""
    names = [c.name for c in table.columns]
    key_column = table.primary_key[0]
    key_index = names.index(key_column) + 1
    rows = con.execute(
        f"""
        select file_name, record_number, raw_values[{key_index}] as record_key,
               unnest(problems) as problem, raw_values
        from checked_all
        where len(problems) > 0
        order by file_name, record_number
        """
    ).fetchall()
    key_rule = table.column(key_column)
    key_indexes = [names.index(k) for k in table.primary_key]
    out = []
    seen: set[str] = set()
    for file_name, record_number, record_key, problem, raw_values in rows:
        identity = record_identity(
            table, source, salt, [raw_values[i] for i in key_indexes], raw_values
        )
        reason, _, field_name = problem.rpartition(": ")
        rule = table.column(field_name)
        bad_value = raw_values[names.index(field_name)]
        if rule.action in {"pseudonymize", "identity"} or reason == NOT_TEXT:
            bad_value = None  # a person's value, or an object that may hold one
        if record_key is not None and key_rule.action in {"pseudonymize", "identity"}:
            record_key = pseudonymize(record_key, salt, key_rule.kind or "account", source)
        quarantine_id = f"{source}|{table.name}|{file_name}|{identity}|{field_name}"
        if quarantine_id in seen:  # list elements of one exploded record share it
            continue
        seen.add(quarantine_id)
        out.append(
            {
                "quarantine_id": quarantine_id,
                "source_system": source,
                "table_name": table.name,
                "file_name": file_name,
                "record_number": record_number,
                "record_key": record_key,
                "field_name": field_name,
                "reason": reason,
                "bad_value": bad_value,
                LOADED_AT_COLUMN: loaded_at,
            }
        )
    return pa.Table.from_pylist(out, schema=QUARANTINE_SCHEMA)


def _keyed_digest(salt: bytes, text: str) -> str:
    return hmac.new(salt, text.encode(), hashlib.sha256).hexdigest()[:32]


def record_identity(
    table: TablePolicy, source: str, salt: bytes, key_values: list, raw_values: list
) -> str:
    """What names a quarantined record across loads: its key, else a keyed digest
    of its values. Never its line number (a line added above it would make it
    another record), never a person's identifier in the clear."""
    if all(v is not None for v in key_values):
        parts = []
        for name, value in zip(table.primary_key, key_values, strict=True):
            rule = table.column(name)
            if rule.action in {"pseudonymize", "identity"}:
                value = pseudonymize(value, salt, rule.kind or "account", source)
            parts.append(str(value))
        return "key:" + "/".join(parts)
    return "values:" + _keyed_digest(salt, repr(raw_values))


def _scan_lines(
    con: duckdb.DuckDBPyConnection,
    file_names: list[str],
    table: TablePolicy,
    source: str,
    loaded_at: dt.datetime,
    keys_seen: dict[str, set[str]],
    salt: bytes,
) -> pa.Table:
    """Lines that are not JSON at all (quarantined whole), and the keys seen."""
    out = []
    for order, name in enumerate(file_names):
        rows = con.execute(
            f"select record_number, coalesce(problem, 'invalid JSON'), line from lines_{order} "
            "where not is_valid_json order by 1"
        ).fetchall()
        keys_seen[name] = {
            key
            for (key,) in con.execute(
                # json_keys of a non-object (an array, a scalar) is empty
                f"select distinct unnest(json_keys(line)) from lines_{order} where is_valid_json"
            ).fetchall()
        }
        out += [
            {
                "quarantine_id": f"{source}|{table.name}|{name}|"
                + (f"line:{_keyed_digest(salt, line)}" if line is not None else f"unreadable:{n}")
                + "|<record>",
                "source_system": source,
                "table_name": table.name,
                "file_name": name,
                "record_number": n,
                "record_key": None,
                "field_name": "<record>",
                "reason": reason,
                "bad_value": None,
                LOADED_AT_COLUMN: loaded_at,
            }
            for (n, reason, line) in rows
        ]
        con.execute(f"drop table lines_{order}")
    return pa.Table.from_pylist(out, schema=QUARANTINE_SCHEMA)
