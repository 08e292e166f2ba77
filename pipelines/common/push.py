"""Records a tool pushed (webhooks), landed like an incremental API pull.

A webhook receiver turns each verified delivery into records in the shape of
the tool's export files (`pipelines/<tool>/webhooks.py`), as JSON texts held in
memory, and hands a batch of them to `land_pushed`. They go through the
source's `policy.yml` exactly as pulled records do (`reader.read_records`:
default deny, pseudonyms at ingest, quarantine for a bad record), then the
same land -> gate -> publish path as every load (`load.load_source`), merged by
primary key. So a pushed pull request and the same pull request pulled at
night land as the same raw row, and a rerun of a batch changes nothing.

Nothing is written before the policy has been applied: the texts never touch
the disk, only the rows the policy lets through do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dlt
from dlt.sources import DltResource

from pipelines.common.policy import SourcePolicy, TablePolicy, load_policy
from pipelines.common.reader import read_records
from pipelines.common.source import ReadReport, column_hints

# export file (e.g. "pull_requests.jsonl") -> [(origin, JSON texts)]
Pushed = Mapping[str, list[tuple[str, list[str]]]]


def push_source(tool: str, pushed: Pushed) -> Callable[..., Any]:
    """The dlt source of one batch of pushed records, for `load_source`.

    Every table of the policy gets a resource, empty when nothing was pushed
    for its file, as an incremental API pull has for a stream that did not
    change: the gate and the merge then treat the batch as one."""
    policy: SourcePolicy = load_policy(tool)

    @dlt.source(name=tool, max_table_nesting=0)
    def source(
        salt: bytes,
        tables: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        loaded_at: dt.datetime | None = None,
        report: ReadReport | None = None,
        erased: frozenset[str] | None = None,
    ) -> list[DltResource]:
        stamp = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        sink = report if report is not None else ReadReport()
        chosen = [t for t in policy.tables if tables is None or t.name in tables]

        def resource(table: TablePolicy) -> DltResource:
            def rows() -> Iterator[Any]:
                batches = list(pushed.get(table.file, []))
                read = read_records(
                    table, tool, batches, salt, stamp, since, until, erased or frozenset()
                )
                sink.reads.append(read)
                yield read.data

            return dlt.resource(
                rows,
                name=table.name,
                primary_key=list(table.primary_key),
                write_disposition="merge",
                columns=column_hints(table),
            )

        return [resource(t) for t in chosen]

    source.policy = policy  # type: ignore[attr-defined]
    return source


def land_pushed(tool: str, warehouse: Path, salt: bytes, pushed: Pushed, loaded_at: dt.datetime):
    """Land one batch of pushed records of `tool`; returns its `SourceLoad`."""
    from outcomes.config import SourceConfig
    from pipelines.common.load import load_source

    return load_source(SourceConfig(name=tool), warehouse, salt, loaded_at, pushed=pushed)
