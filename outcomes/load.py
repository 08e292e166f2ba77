"""Load the configured sources into the warehouse with dlt.

One dlt pipeline per (source, dataset): `raw_<source>` for the tool's tables,
`identity` for the roster's identity table, and `quarantine` for records
that broke the contract. Everything is merged on primary keys, so a rerun on
the same exports changes no counts.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import dlt

from outcomes.config import KNOWN_SOURCES, SourceConfig
from outcomes.errors import OutcomesError
from outcomes.privacy.erasures import read_erasure_tokens
from outcomes.privacy.policy_audit import log_policy_version
from pipelines.common.policy import SourcePolicy
from pipelines.common.reader import TableRead
from pipelines.common.source import ReadReport, quarantine_resource

QUARANTINE_DATASET = "quarantine"

# Telemetry of dlt is off for every run (our users' data stays on their machine).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# Merge loads go through `<dataset>_staging`; empty it after each load so no
# second copy of the data lingers there.
os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")


@dataclass
class SourceLoad:
    """What loading one source did."""

    source: str
    reads: list[TableRead] = field(default_factory=list)
    quarantined: int = 0
    new_columns: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def records_read(self) -> int:
        return sum(r.records_read for r in self.reads)

    @property
    def rows_landed(self) -> int:
        return sum(r.data.num_rows for r in self.reads)

    @property
    def duplicates_dropped(self) -> int:
        return sum(r.duplicates_dropped for r in self.reads)


def pipelines_dir(warehouse: Path) -> Path:
    """dlt state lives beside its warehouse, so two warehouses never share state."""
    return warehouse.parent / f".dlt_{warehouse.stem}"


def pipeline_for(name: str, dataset: str, warehouse: Path) -> dlt.Pipeline:
    """The dlt pipeline of one (source, dataset) into a warehouse, state kept beside it."""
    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir(warehouse)),
    )


def source_module(name: str):
    return getattr(importlib.import_module(f"pipelines.{name}"), name)


def new_columns(policy: SourcePolicy, reads: list[TableRead]) -> dict[str, list[str]]:
    """Top-level keys present in an export file that no table of the policy
    reads or knowingly drops. They were not stored (default deny); we say so."""
    known: dict[str, set[str]] = {}
    for table in policy.tables:
        known.setdefault(table.file, set()).update(k.strip('"') for k in table.top_level_keys())
    found: dict[str, list[str]] = {}
    for read in reads:
        for file_name, keys in read.keys_seen.items():
            pattern_known = known.get(read.table.file, set())
            extra = sorted(keys - pattern_known)
            if extra:
                found[file_name] = sorted(set(found.get(file_name, [])) | set(extra))
    return found


def load_source(
    config: SourceConfig, warehouse: Path, salt: bytes, loaded_at: dt.datetime
) -> SourceLoad:
    start = time.perf_counter()
    source_fn = source_module(config.name)
    policy: SourcePolicy = source_fn.policy
    report = ReadReport()
    log_policy_version(warehouse, policy)  # audit log: policy_adopted / policy_changed
    erased = read_erasure_tokens(warehouse)  # erased people never land again
    by_dataset: dict[str, list[str]] = {}
    for table in policy.tables:
        by_dataset.setdefault(policy.dataset_for(table), []).append(table.name)
    for dataset, tables in by_dataset.items():
        pipeline = pipeline_for(f"outcomes_{config.name}_{dataset}", dataset, warehouse)
        source = source_fn(
            export_dir=str(config.path),
            salt=salt,
            tables=tables,
            since=config.since,
            until=config.until,
            loaded_at=loaded_at,
            report=report,
            erased=erased,
        )
        try:
            pipeline.run(source, loader_file_format="parquet")
        except Exception as exc:  # dlt wraps every step failure; say which source
            raise OutcomesError(
                f"loading source {config.name!r} into {dataset!r} failed: {exc}"
            ) from exc
    quarantine = report.quarantine
    if quarantine.num_rows:
        pipeline_for("outcomes_quarantine", QUARANTINE_DATASET, warehouse).run(
            quarantine_resource(quarantine), loader_file_format="parquet"
        )
    return SourceLoad(
        source=config.name,
        reads=report.reads,
        quarantined=quarantine.num_rows,
        new_columns=new_columns(policy, report.reads),
        seconds=time.perf_counter() - start,
    )


def _datasets(warehouse: Path) -> set[str]:
    from outcomes.warehouse import connect

    con = connect(warehouse)
    try:
        return {
            s
            for (s,) in con.execute(
                "select schema_name from information_schema.schemata"
            ).fetchall()
        }
    finally:
        con.close()


def declare_unconfigured_sources(
    configured: set[str], warehouse: Path, salt: bytes, loaded_at: dt.datetime
) -> list[str]:
    """Give every source nobody configured its raw tables, empty.

    dbt builds every staging model, so a team that only loads, say, the roster
    and GitHub still needs `raw_jira.*` to exist. The tables are made by the
    source's own dlt pipeline reading an empty export, so their types are
    exactly what a real load would create and a later real load just merges.
    """
    present = _datasets(warehouse)
    if "privacy" not in present:
        # The canonical models filter on the opt-out list: it must exist, even
        # empty, before any build (the runner then loads the real list).
        from outcomes.privacy.opt_out import ensure_opt_out_table

        ensure_opt_out_table(warehouse)
    declared = []
    with tempfile.TemporaryDirectory(prefix="outcomes-empty-export-") as empty:
        for name in KNOWN_SOURCES:
            if name not in configured and f"raw_{name}" not in present:
                load_source(SourceConfig(name, Path(empty)), warehouse, salt, loaded_at)
                declared.append(name)
    return declared
