"""dlt wiring shared by every file-export source.

Each `pipelines/<tool>/__init__.py` declares its dlt source with
`export_source(<tool>)`; the mechanics (policy -> reader -> arrow -> dlt
merge) live here once. Tables are merged on their primary key, so loading
the same export twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import orjson
import pyarrow as pa
from dlt.sources import DltResource

from pipelines.common.export_state import TablePlan
from pipelines.common.policy import LOADED_AT_COLUMN, SourcePolicy, TablePolicy, load_policy
from pipelines.common.reader import (
    QUARANTINE_SCHEMA,
    TableRead,
    arrow_schema,
    export_files,
    read_records,
    read_table,
)

# A file a tool's policy reads may come in another format an export can
# take: `pipelines/<tool>/__init__.py` declares
#     CONVERTERS = {"users.jsonl": ("users.csv", csv_to_scim_records)}
# (policy file -> (glob of the other format, path -> records in the policy
# file's shape)). When the policy's file is absent and the other one is
# there, its records are read in memory exactly as records pulled from an API.
Converter = tuple[str, Callable[[Path], Iterator[dict[str, Any]]]]

# dlt otherwise keeps a parquet copy of every loaded row in its pipelines
# folder, beyond the reach of retention and erasure (outcomes.privacy.erasures).
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")

_DLT_TYPES = {
    "string": "text",
    "bigint": "bigint",
    "double": "double",
    "boolean": "bool",
    "timestamp": "timestamp",
    "date": "date",
}


@dataclass
class ReadReport:
    """What the resources of one source read; filled while dlt extracts."""

    reads: list[TableRead] = field(default_factory=list)

    @property
    def quarantine(self) -> pa.Table:
        tables = [r.quarantine for r in self.reads if r.quarantine.num_rows]
        return pa.concat_tables(tables) if tables else QUARANTINE_SCHEMA.empty_table()


def column_hints(table: TablePolicy) -> dict[str, dict[str, Any]]:
    """dlt column hints: exact types, and timestamps stored as naive UTC."""
    hints: dict[str, dict[str, Any]] = {}
    for column in table.columns:
        out_type = column.output_type
        hint: dict[str, Any] = {
            "data_type": _DLT_TYPES[out_type],
            "nullable": column.name not in table.primary_key,
        }
        if out_type == "timestamp":
            hint["timezone"] = False
        hints[column.name] = hint
    hints[LOADED_AT_COLUMN] = {"data_type": "timestamp", "timezone": False, "nullable": False}
    return hints


def converter_for(source_name: str, table: TablePolicy) -> Converter | None:
    module = importlib.import_module(f"pipelines.{source_name}")
    return getattr(module, "CONVERTERS", {}).get(table.file)


def converted_files(source_name: str, table: TablePolicy, export_dir: Path) -> list[Path]:
    """The files in another format a converter reads for `table`, when its own are absent."""
    converter = converter_for(source_name, table)
    if converter is None or export_files(table, export_dir):
        return []
    return sorted(export_dir.glob(converter[0]))


def _read_converted(
    table: TablePolicy,
    source: str,
    export_dir: Path,
    salt: bytes,
    loaded_at: dt.datetime,
    since: str | None,
    until: str | None,
    erased: frozenset[str],
) -> TableRead | None:
    files = converted_files(source, table, export_dir)
    if not files:
        return None
    convert = converter_for(source, table)[1]  # type: ignore[index]
    batches = [(p.name, [orjson.dumps(r).decode() for r in convert(p)]) for p in files]
    return read_records(table, source, batches, salt, loaded_at, since, until, erased)


def _table_resource(
    policy: SourcePolicy,
    table: TablePolicy,
    export_dir: Path,
    salt: bytes,
    loaded_at: dt.datetime,
    since: str | None,
    until: str | None,
    report: ReadReport,
    erased: frozenset[str],
    plans: dict[str, TablePlan] | None = None,
    key_check: Callable[[TablePolicy, pa.Table], bool] | None = None,
) -> DltResource:
    def rows() -> Iterator[pa.Table]:
        plan = (plans or {}).get(table.name)
        if plan is not None and plan.mode == "unchanged":
            read = TableRead(
                table=table,
                data=arrow_schema(table).empty_table(),
                quarantine=QUARANTINE_SCHEMA.empty_table(),
                mode="unchanged",
            )
            report.reads.append(read)
            yield read.data
            return
        read = None
        if plan is not None and plan.mode == "partial":
            read = read_table(
                table,
                policy.source,
                export_dir,
                salt,
                loaded_at,
                since,
                until,
                erased,
                files=plan.files,
                offsets=plan.offsets,
            )
            read.mode = "partial"
            if key_check is not None and key_check(table, read.data):
                read = None  # a record delivered again: only a whole read knows which wins
        if read is None:
            read = _read_converted(
                table, policy.source, export_dir, salt, loaded_at, since, until, erased
            ) or read_table(table, policy.source, export_dir, salt, loaded_at, since, until, erased)
        report.reads.append(read)
        yield read.data

    return dlt.resource(
        rows,
        name=table.name,
        primary_key=list(table.primary_key),
        write_disposition="merge",
        columns=column_hints(table),
    )


def export_source(source_name: str) -> Callable[..., Any]:
    """Build the dlt source function of one tool from its policy."""
    policy = load_policy(source_name)

    @dlt.source(name=source_name, max_table_nesting=0)
    def source(
        export_dir: str,
        salt: bytes,
        tables: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        loaded_at: dt.datetime | None = None,
        report: ReadReport | None = None,
        erased: frozenset[str] | None = None,
        plans: dict[str, TablePlan] | None = None,
        key_check: Callable[[TablePolicy, pa.Table], bool] | None = None,
    ) -> list[DltResource]:
        """`erased`: the warehouse's erasure list (`read_erasure_tokens`); rows of
        erased people are dropped before they land. `plans` say which files of
        each table to read (`pipelines.common.export_state`); `key_check` tells
        whether a partial read holds a key raw already has (then the table is
        read whole)."""
        stamp = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        sink = report if report is not None else ReadReport()
        chosen = [t for t in policy.tables if tables is None or t.name in tables]
        return [
            _table_resource(
                policy,
                t,
                Path(export_dir),
                salt,
                stamp,
                since,
                until,
                sink,
                erased or frozenset(),
                plans,
                key_check,
            )
            for t in chosen
        ]

    source.policy = policy  # type: ignore[attr-defined]
    source.reads_exports = True  # type: ignore[attr-defined]  # plans apply (export_state)
    return source


def quarantine_resource(rows: pa.Table) -> DltResource:
    """Quarantined records of a load, merged on their id (reruns add nothing)."""
    return dlt.resource(
        [rows] if rows.num_rows else [],
        name="records",
        primary_key="quarantine_id",
        write_disposition="merge",
        columns={
            "quarantine_id": {"data_type": "text", "nullable": False},
            LOADED_AT_COLUMN: {"data_type": "timestamp", "timezone": False, "nullable": False},
        },
    )


# --- Is this folder the tool's export? ------------------------------------
#
# Tools name their files alike (five write a `users.jsonl`), so an export put
# in another tool's folder used to load silently on a first load: GitHub's
# users landed as `raw_pagerduty.users`, since the one field PagerDuty's users
# require (`id`) is one GitHub's have too. Before a run loads anything, each
# file-export folder is compared with every tool's policy: a file whose first
# records lack its policy's required fields, or whose fields are another
# tool's (that tool's required fields present, its declared fields a clearly
# larger share of the record's), is refused, naming the tool it looks like.
# Only the records' keys are read, never their values.

SHAPE_SAMPLE = 200  # records read from the start of each file
# How much larger another tool's share of a record's fields must be.
SHAPE_MARGIN = 0.2
_JSON_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json")


@dataclass(frozen=True)
class _Shape:
    """What a tool's policy says the records of one of its files look like."""

    tool: str
    pattern: str
    required: frozenset[str]  # top-level keys of its required fields
    known: frozenset[str]  # top-level keys it reads or knowingly drops


def _shapes_of(tool: str) -> list[_Shape]:
    from pipelines.common.policy import INDEX_PATH, _root

    policy = load_policy(tool)
    by_file: dict[str, tuple[set[str], set[str]]] = {}
    for table in policy.tables:
        required, known = by_file.setdefault(table.file, (set(), set()))
        known.update(k.strip('"') for k in table.top_level_keys())
        for column in table.columns:
            if not column.required:
                continue
            if column.record_path:
                required.add(_root(column.record_path).strip('"'))
            elif table.explode:
                required.add(_root(table.explode).strip('"'))
            elif column.path and column.path != INDEX_PATH:
                required.add(_root(column.path).strip('"'))
    return [
        _Shape(tool, pattern, frozenset(required), frozenset(known))
        for pattern, (required, known) in by_file.items()
    ]


def _all_shapes() -> list[_Shape]:
    from outcomes.config import KNOWN_SOURCES

    # git reads clones, not export files
    return [shape for tool in KNOWN_SOURCES if tool != "git" for shape in _shapes_of(tool)]


def _sample(path: Path) -> list[dict[str, Any]]:
    """The first records of a JSONL export that are JSON objects (keys only matter)."""
    import gzip

    records: list[dict[str, Any]] = []
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as lines:
        for line in lines:
            if len(records) >= SHAPE_SAMPLE:
                break
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # the reader quarantines it
            if isinstance(value, dict):
                records.append(value)
    return records


def _has(record: dict[str, Any], keys: frozenset[str]) -> bool:
    return all(record.get(k) is not None for k in keys)


def _fit(records: list[dict[str, Any]], shape: _Shape) -> tuple[float, float]:
    """(share of records with every required field, mean share of their keys declared)."""
    complete = sum(_has(r, shape.required) for r in records) / len(records)
    declared = sum(len(r.keys() & shape.known) / max(len(r), 1) for r in records) / len(records)
    return complete, declared


def foreign_exports(source_name: str, export_dir: Path) -> list[str]:
    """Why files of `export_dir` are not `source_name`'s export (one line each), or []."""
    import fnmatch

    shapes = _all_shapes()
    problems = []
    for own in (s for s in shapes if s.tool == source_name):
        files = sorted(
            set(export_dir.glob(own.pattern)) | set(export_dir.glob(own.pattern + ".gz"))
        )
        for path in files:
            if not path.name.endswith(_JSON_SUFFIXES) or not path.is_file():
                continue
            records = _sample(path)
            if not records:
                continue
            complete, declared = _fit(records, own)
            alike = []
            for other in shapes:
                if other.tool == source_name or not fnmatch.fnmatch(
                    path.name.removesuffix(".gz"), other.pattern
                ):
                    continue
                other_complete, other_declared = _fit(records, other)
                if other_complete == 1 and other_declared >= declared + SHAPE_MARGIN:
                    alike.append((other_declared, other.tool))
            looks = max(alike)[1] if alike else None
            where = f"source {source_name!r}: {path}"
            if complete == 0:
                missing = sorted(k for k in own.required if not any(k in r for r in records))
                fields = ", ".join(missing or sorted(own.required))
                problems.append(
                    f"{where} is not {source_name}'s {own.pattern}: none of its first "
                    f"{len(records)} records has the required field(s) {fields}"
                    + (f"; they look like {looks}'s {path.name}" if looks else "")
                )
            elif looks is not None:
                problems.append(
                    f"{where} holds {looks}'s records, not {source_name}'s: they have "
                    f"{looks}'s required fields, and {looks}'s policy declares "
                    f"{max(alike)[0]:.0%} of their fields against {declared:.0%} for "
                    f"{source_name}'s"
                )
    return problems


def missing_exports(source_name: str, export_dir: Path) -> list[str]:
    """The files `source_name`'s policy reads that `export_dir` lacks (their patterns)."""
    policy = load_policy(source_name)
    missing = []
    for table in policy.tables:
        if table.file in missing or table.optional:
            continue
        if not export_files(table, export_dir) and not converted_files(
            source_name, table, export_dir
        ):
            missing.append(table.file)
    return missing


def check_export_folder(source_name: str, export_dir: Path) -> list[str]:
    """Refuse a folder that is not the source's export (OutcomesError naming
    every reason); return the expected files it lacks, for the run to report."""
    from outcomes.errors import OutcomesError

    missing = missing_exports(source_name, export_dir)
    expected = sorted({t.file for t in load_policy(source_name).tables if not t.optional})
    problems = foreign_exports(source_name, export_dir)
    if len(missing) == len(expected):
        problems.insert(
            0,
            f"source {source_name!r}: none of its export files is in {export_dir} "
            f"(expected {', '.join(expected)})",
        )
    if problems:
        raise OutcomesError(
            "; ".join(problems) + ". Nothing was loaded: point the source at its own export folder"
        )
    return missing
