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

from pipelines.common.policy import LOADED_AT_COLUMN, SourcePolicy, TablePolicy, load_policy
from pipelines.common.reader import (
    QUARANTINE_SCHEMA,
    TableRead,
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
) -> DltResource:
    def rows() -> Iterator[pa.Table]:
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
    ) -> list[DltResource]:
        """`erased`: the warehouse's erasure list (`read_erasure_tokens`); rows of
        erased people are dropped before they land."""
        stamp = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        sink = report if report is not None else ReadReport()
        chosen = [t for t in policy.tables if tables is None or t.name in tables]
        return [
            _table_resource(
                policy, t, Path(export_dir), salt, stamp, since, until, sink, erased or frozenset()
            )
            for t in chosen
        ]

    source.policy = policy  # type: ignore[attr-defined]
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
