"""Load the configured sources into the warehouse: land, gate, publish.

1. Land: one dlt pipeline per (source, dataset) appends this load's rows to
   a fresh candidate schema `candidate_<dataset>` (`candidate_raw_github`,
   `candidate_identity`), dropped and recreated for every load. Nothing reads
   the candidates: they are not dbt sources, and their names do not start
   with `raw_`, so the report's freshness (`raw_*`) never counts them.
2. Gate: the quality gate (outcomes.quality.gate: Great Expectations suites
   and row counts) judges the candidate tables.
3. Publish, only when every table of the source passed: one DuckDB
   transaction merges each candidate table into its raw table by key
   (delete the keys present in the batch, insert the batch; set-based SQL,
   no second dlt load) and drops the candidate schemas. The keys are dlt's:
   the primary key, or the merge key where a source replaces whole groups
   (git: `repository_name`). A rerun on the same exports changes no counts.
   Quarantined records are merged into `quarantine.records` after publishing.

When the gate fails, the raw schemas are untouched, the raw candidates stay
for inspection until the next load of that source (an identity candidate,
which holds emails, is dropped at once; `outcomes privacy erase` does not
look at candidates yet) and `SourceLoad.published` is False; `SourceLoad.gate_report()` names the source, table, check and
failing records. `outcomes run`, `outcomes demo` and the Dagster load assets
all call `load_source`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

from outcomes.config import KNOWN_SOURCES, SourceConfig
from outcomes.errors import OutcomesError
from outcomes.faults import fault_point
from outcomes.privacy.erasures import read_erasure_tokens
from outcomes.privacy.policy_audit import log_policy_version
from outcomes.quality.gate import TableGate, gate_source, record_gate_counts
from outcomes.warehouse import ensure_warehouse
from pipelines.common.api import (
    api_client,
    api_source,
    commit_state,
    has_published_state,
    restore_state,
)
from pipelines.common.export_state import (
    TablePlan,
    keys_in_raw,
    load_context,
    plan_table,
    save_prints,
    stored_prints,
)
from pipelines.common.http import RequestLog
from pipelines.common.policy import SourcePolicy
from pipelines.common.push import Pushed, push_source
from pipelines.common.reader import QUARANTINE_SCHEMA, TableRead, arrow_schema, export_files
from pipelines.common.source import ReadReport, converted_files, quarantine_resource

QUARANTINE_DATASET = "quarantine"
CANDIDATE_PREFIX = "candidate_"

# Telemetry of dlt is off for every run (our users' data stays on their machine).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# Merge loads go through `<dataset>_staging`; empty it after each load so no
# second copy of the data lingers there.
os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")
# Every load lands in a candidate schema made anew, so the destination never
# holds a pipeline's state; dlt would read that as a dropped dataset and wipe
# the local state (the API cursors). The published state is ours to restore
# (pipelines.common.api.restore_state).
os.environ.setdefault("RESTORE_FROM_DESTINATION", "false")


@dataclass
class SourceLoad:
    """What loading one source did."""

    source: str
    reads: list[TableRead] = field(default_factory=list)
    quarantined: int = 0
    new_columns: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    gates: list[TableGate] = field(default_factory=list)
    published: bool = True
    timings: dict[str, float] = field(default_factory=dict)  # land, gate, publish (s)
    requests: RequestLog | None = None  # what an API pull asked for
    # children of work items outside the since/until window, per table
    window_dropped: dict[str, int] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        """No export file changed since the last published load: nothing was read."""
        return bool(self.reads) and all(read.mode == "unchanged" for read in self.reads)

    @property
    def rows_read_by_table(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for read in self.reads:
            found[read.table.name] = found.get(read.table.name, 0) + read.data.num_rows
        for table, dropped in self.window_dropped.items():
            found[table] -= dropped
        return found

    @property
    def failed_gates(self) -> list[TableGate]:
        return [g for g in self.gates if not g.passed]

    def gate_report(self) -> str:
        """What failed and where, for the CLI and the Dagster log."""
        if self.published:
            return f"source {self.source!r}: quality gate passed, published"
        candidates = sorted({g.read_from for g in self.gates if g.dataset.startswith("raw_")})
        lines = [
            f"source {self.source!r}: quality gate FAILED; raw tables untouched, "
            f"the batch is kept in {', '.join(candidates)} for inspection"
        ]
        lines += [f"  {line}" for gate in self.failed_gates for line in gate.failures()]
        return "\n".join(lines)

    @property
    def records_read(self) -> int:
        return sum(r.records_read for r in self.reads)

    @property
    def rows_landed(self) -> int:
        return sum(r.data.num_rows for r in self.reads) - sum(self.window_dropped.values())

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


def discard_pending_packages(warehouse: Path, pipeline_name: str) -> int:
    """Delete the load packages a killed load left (extracted, normalized or
    half loaded); return how many. Call it before dlt opens the pipeline.

    Given pending packages, dlt's `run` loads them and returns without
    extracting: the next load would publish the killed load's batch (read
    before any erasure since, with none of this load's read counts or
    quarantine) instead of reading the exports. Every load lands a fresh
    batch into a fresh candidate schema, so a pending package is never worth
    keeping: its rows are read again. (API pulls also restore their cursors,
    `pipelines.common.api.restore_state`.)
    """
    folder = pipelines_dir(warehouse) / pipeline_name
    removed = 0
    for pending in ("normalize/extracted", "load/new", "load/normalized"):
        if (folder / pending).is_dir():
            for package in (folder / pending).iterdir():
                if package.is_dir():
                    shutil.rmtree(package)
                    removed += 1
    return removed


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


def candidate_dataset(dataset: str) -> str:
    """Where a load of `dataset` lands before the gate: `candidate_raw_github`."""
    return f"{CANDIDATE_PREFIX}{dataset}"


def staging_dataset(dataset: str) -> str:
    """dlt's own staging schema beside a dataset; dlt creates it even for appends."""
    return f"{dataset}_staging"


def _drop_schemas(warehouse: Path, schemas: list[str]) -> None:
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=False)
    try:
        for schema in schemas:
            con.execute(f'drop schema if exists "{schema}" cascade')
    finally:
        con.close()


def load_source(
    config: SourceConfig,
    warehouse: Path,
    salt: bytes,
    loaded_at: dt.datetime,
    now: dt.datetime | None = None,
    declare_only: bool = False,
    source_options: Mapping[str, Any] | None = None,
    pushed: Pushed | None = None,
) -> SourceLoad:
    """Land one source in its candidate schemas, gate it, publish it if it passed.

    `now` is the gate's clock (timestamps later than it fail); `declare_only`
    marks a load of an empty export that only declares the tables (no row
    counts are recorded for it). `source_options` are further arguments of
    the source function, overriding the defaults taken from `config` (git:
    `export_dir` as a list of clones, `release_tag_pattern`, `default_branch`).
    `pushed` is a batch of records the tool pushed (webhooks,
    `pipelines.common.push`), landed as an incremental API pull is.
    """
    start = time.perf_counter()
    pushing = pushed is not None
    via_api = config.api is not None and not pushing
    if pushing:
        source_fn = push_source(config.name, pushed)
    else:
        source_fn = api_source(config.name) if via_api else source_module(config.name)
    policy: SourcePolicy = source_fn.policy
    report = ReadReport()
    erased = read_erasure_tokens(warehouse)  # erased people never land again
    by_dataset: dict[str, list[str]] = {}
    for table in policy.tables:
        by_dataset.setdefault(policy.dataset_for(table), []).append(table.name)
    candidates = {dataset: candidate_dataset(dataset) for dataset in by_dataset}
    # Sources that read when called (git) fail here on a bad path, before the
    # warehouse is touched; file sources read as dlt extracts.
    client = api_client(config.name, config.api) if via_api else None
    where = {"api": config.api, "full_refresh": config.full_refresh, "client": client}
    if pushing:
        where = {}
    elif not via_api:  # a source's own settings (outcomes.config.SOURCE_SETTINGS) too
        where = {"export_dir": str(config.path), **dict(config.options)}
    plans, context = None, None
    if getattr(source_fn, "reads_exports", False) and not declare_only:
        context = load_context(policy.path, salt, config.since, config.until, dict(config.options))
        plans = plan_exports(config, policy, warehouse, context)
        if all(plan.mode == "unchanged" for plan in plans.values()):
            reads = [
                TableRead(
                    table=t,
                    data=arrow_schema(t).empty_table(),
                    quarantine=QUARANTINE_SCHEMA.empty_table(),
                    mode="unchanged",
                )
                for t in policy.tables
            ]
            return SourceLoad(source=config.name, reads=reads, seconds=time.perf_counter() - start)
        where |= {"plans": plans, "key_check": _key_check(warehouse, policy)}
    sources = {
        dataset: source_fn(
            **{
                **where,
                "salt": salt,
                "tables": tables,
                "since": config.since,
                "until": config.until,
                "loaded_at": loaded_at,
                "report": report,
                "erased": erased,
                **(source_options or {}),
            }
        )
        for dataset, tables in by_dataset.items()
    }
    ensure_warehouse(warehouse)
    log_policy_version(warehouse, policy)  # audit log: policy_adopted / policy_changed
    staging = [staging_dataset(c) for c in candidates.values()]
    _drop_schemas(warehouse, [*candidates.values(), *staging])
    keys: dict[tuple[str, str], tuple[str, list[str]]] = {}
    names = {d: f"outcomes_{config.name}_{candidates[d]}" for d in sources}
    incremental = pushing or (
        via_api
        and not config.full_refresh
        and any(has_published_state(pipelines_dir(warehouse), name) for name in names.values())
    )
    for dataset, source in sources.items():
        if via_api:  # cursors as of the last published load (pipelines.common.api)
            restore_state(pipelines_dir(warehouse), names[dataset], config.full_refresh)
        discard_pending_packages(warehouse, names[dataset])
        pipeline = pipeline_for(names[dataset], candidates[dataset], warehouse)
        for resource in source.resources.values():
            # The candidate holds this batch only: append into a fresh schema.
            resource.apply_hints(write_disposition="append")
        try:
            # pipeline.run's three steps, each a fault point (outcomes.faults)
            pipeline.extract(source, loader_file_format="parquet")
            fault_point("load.extracted", config.name)
            pipeline.normalize()
            fault_point("load.normalized", config.name)
            pipeline.load()
        except Exception as exc:  # dlt wraps every step failure; say which source
            cause = _our_error(exc)
            if cause is not None:  # an API's answer or a setting: already names the source
                raise cause from None
            raise OutcomesError(
                f"loading source {config.name!r} into {candidates[dataset]!r} failed: {exc}"
            ) from exc
        for table in by_dataset[dataset]:
            keys[(dataset, table)] = merge_keys(pipeline, table)
    fault_point("load.landed", config.name)
    # A partial read (new lines, new files) or a table not read holds fewer
    # rows than raw by design: its counts are not judged, as an API pull's.
    partial = frozenset(read.table.name for read in report.reads if read.mode != "full")
    if config.since or config.until:
        window_dropped = drop_children_outside_window(warehouse, policy, candidates)
        for read in report.reads:
            read.outside_window += window_dropped.get(read.table.name, 0)
    else:
        window_dropped = {}
    load = SourceLoad(
        source=config.name,
        window_dropped=window_dropped,
        requests=client.log if client is not None else None,
        reads=report.reads,
        quarantined=report.quarantine.num_rows,
        new_columns=new_columns(policy, report.reads),
    )
    load.timings["land"] = time.perf_counter() - start
    rows_read = None if declare_only else load.rows_read_by_table
    load.gates = gate_source(
        warehouse,
        policy,
        rows_read,
        loaded_at,
        now,
        read_from=candidates,
        incremental=incremental,
        partial=partial,
    )
    load.timings["gate"] = time.perf_counter() - start - load.timings["land"]
    load.published = not load.failed_gates
    if not load.published:
        # Kept for inspection: the raw candidates (pseudonymized, like raw). An
        # identity candidate holds emails, which live nowhere but `identity`.
        identity = [c for d, c in candidates.items() if not d.startswith("raw_")]
        _drop_schemas(warehouse, [*identity, *staging])
        record_gate_counts(warehouse, load.gates, loaded_at, published=False)
    else:
        fault_point("load.gated", config.name)
        published_at = time.perf_counter()
        try:
            publish(warehouse, candidates, keys)
        except Exception:
            record_gate_counts(warehouse, load.gates, loaded_at, published=False)
            raise
        record_gate_counts(warehouse, load.gates, loaded_at, True, incremental, partial)
        fault_point("load.published", config.name)
        if via_api:
            for name in names.values():
                commit_state(pipelines_dir(warehouse), name)
        load.timings["publish"] = time.perf_counter() - published_at
        if plans is not None and context is not None:
            save_prints(warehouse, config.name, context, {t: p.prints for t, p in plans.items()})
        forget_fixed_records(warehouse, config.name, report.reads, via_api or pushing)
        quarantine = report.quarantine
        if quarantine.num_rows:
            discard_pending_packages(warehouse, "outcomes_quarantine")
            pipeline_for("outcomes_quarantine", QUARANTINE_DATASET, warehouse).run(
                quarantine_resource(quarantine), loader_file_format="parquet"
            )
    load.seconds = time.perf_counter() - start
    return load


def plan_exports(
    config: SourceConfig, policy: SourcePolicy, warehouse: Path, context: str
) -> dict[str, TablePlan]:
    """How each table of a file-export source is read this load
    (pipelines.common.export_state): not at all, its new lines only, or whole."""
    stored = None if config.full_refresh else stored_prints(warehouse, config.name, context)
    present = _published_tables(warehouse)
    plans: dict[str, TablePlan] = {}
    for table in policy.tables:
        files = export_files(table, config.path)
        known = None if stored is None else stored.get(table.name, {})
        if converted_files(config.name, table, config.path):
            known = None  # another format, converted in memory: read whole
        if (policy.dataset_for(table), table.name) not in present:
            known = None  # raw lost the table (dropped, a new warehouse): read whole
        plans[table.name] = plan_table(files, config.path, known)
    return plans


def _published_tables(warehouse: Path) -> set[tuple[str, str]]:
    from outcomes.warehouse import connect

    if not warehouse.exists():
        return set()
    con = connect(warehouse)
    try:
        return set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
    finally:
        con.close()


def _key_check(warehouse: Path, policy: SourcePolicy):
    """Whether a partial read of a table holds a key raw already has."""

    def check(table, data: pa.Table) -> bool:
        dataset = policy.dataset_for(table)
        return keys_in_raw(warehouse, dataset, table.name, list(table.primary_key), data)

    return check


def forget_fixed_records(
    warehouse: Path, source: str, reads: list[TableRead], incremental_api: bool
) -> int:
    """Quarantine keeps only what is still broken: an export is read whole, so
    its files' earlier quarantine is replaced by this load's; an API pull sees
    only what changed, so a record that now landed leaves quarantine."""
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=False)
    forgotten = 0
    try:
        if not _columns(con, QUARANTINE_DATASET, "records"):
            return 0
        for read in reads:
            where = "source_system = ? and table_name = ?"
            if incremental_api:
                key = read.table.primary_key[0]
                keys = [str(k) for k in read.data.column(key).to_pylist() if k is not None]
                if not keys:
                    continue
                con.register("landed_keys", pa.table({"record_key": keys}))
                (count,) = con.execute(
                    f"delete from {QUARANTINE_DATASET}.records where {where} and record_key in "
                    "(select record_key from landed_keys)",
                    [source, read.table.name],
                ).fetchone()
                con.unregister("landed_keys")
            else:
                # a file read from an offset keeps the quarantine of its earlier lines
                whole = [f for f in read.files if f not in read.partial]
                if not whole:
                    continue
                (count,) = con.execute(
                    f"delete from {QUARANTINE_DATASET}.records where {where} "
                    f"and file_name in ({', '.join('?' for _ in whole)})",
                    [source, read.table.name, *whole],
                ).fetchone()
            forgotten += count
    finally:
        con.close()
    return forgotten


def drop_children_outside_window(
    warehouse: Path, policy: SourcePolicy, candidates: dict[str, str]
) -> dict[str, int]:
    """The time window applies to the work item: a child row (a review, a
    ticket event) stays in the batch only if its parent is in this batch or
    already published. Rows dropped, per child table."""
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=False)
    dropped: dict[str, int] = {}
    try:
        for table in policy.tables:
            if table.window_follows is None:
                continue
            parent, column = table.window_follows
            dataset = policy.dataset_for(table)
            batch = _ident(candidates[dataset])
            if not _columns(con, candidates[dataset], table.name):
                continue
            key = _ident(column)
            sources = [f"select {key} from {batch}.{_ident(parent)}"]
            if _columns(con, dataset, parent):
                sources.append(f"select {key} from {_ident(dataset)}.{_ident(parent)}")
            if not _columns(con, candidates[dataset], parent):
                sources = sources[1:]
            parents = " union all ".join(sources) or f"select null as {key} where false"
            (count,) = con.execute(
                f"delete from {batch}.{_ident(table.name)} as child where not exists "
                f"(select 1 from ({parents}) as p where p.{key} = child.{key})"
            ).fetchone()
            dropped[table.name] = count
    finally:
        con.close()
    return dropped


def _our_error(exc: BaseException) -> OutcomesError | None:
    """The OutcomesError (an ApiError, a missing secret) dlt wrapped, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OutcomesError):
            return current
        seen.add(id(current))
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    return None


def merge_keys(pipeline: dlt.Pipeline, table: str) -> tuple[str, list[str]]:
    """("merge_key" | "primary_key", columns) of a table, as its dlt resource declares.

    A merge key replaces every raw row sharing a value with the batch (git
    replaces whole repositories); a primary key replaces rows one by one.
    """
    columns = pipeline.default_schema.get_table_columns(table)
    merge = [name for name, column in columns.items() if column.get("merge_key")]
    if merge:
        return "merge_key", merge
    primary = [name for name, column in columns.items() if column.get("primary_key")]
    if not primary:
        raise OutcomesError(f"table {table!r} of pipeline {pipeline.pipeline_name!r} has no key")
    return "primary_key", primary


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con, schema: str, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    )


def publish(
    warehouse: Path,
    candidates: dict[str, str],
    keys: dict[tuple[str, str], tuple[str, list[str]]],
) -> dict[tuple[str, str], int]:
    """Merge every candidate table into its raw table, then drop the candidates.

    One DuckDB transaction: readers see the old raw tables or the new ones,
    never a half-published source. Returns rows inserted per (dataset, table).
    """
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=False)
    inserted: dict[tuple[str, str], int] = {}
    try:
        con.execute("begin transaction")
        for (dataset, table), (kind, columns) in keys.items():
            raw = f"{_ident(dataset)}.{_ident(table)}"
            batch = f"{_ident(candidates[dataset])}.{_ident(table)}"
            con.execute(f"create schema if not exists {_ident(dataset)}")
            existing = _columns(con, dataset, table)
            if not existing:
                con.execute(f"create table {raw} as select * from {batch} limit 0")
            else:
                for column, data_type in _columns(con, candidates[dataset], table).items():
                    if column not in existing:
                        con.execute(f"alter table {raw} add column {_ident(column)} {data_type}")
            match = ", ".join(_ident(c) for c in columns)
            condition = " and ".join(f"{raw}.{_ident(c)} = batch.{_ident(c)}" for c in columns)
            # a merge key names groups (many rows each), a primary key single rows
            distinct = "distinct " if kind == "merge_key" else ""
            con.execute(
                f"delete from {raw} using (select {distinct}{match} from {batch}) as batch "
                f"where {condition}"
            )
            (count,) = con.execute(f"insert into {raw} by name select * from {batch}").fetchone()
            inserted[(dataset, table)] = count
        for schema in candidates.values():
            con.execute(f"drop schema if exists {_ident(schema)} cascade")
            con.execute(f"drop schema if exists {_ident(staging_dataset(schema))} cascade")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.close()
    return inserted


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
                load_source(
                    SourceConfig(name, Path(empty)), warehouse, salt, loaded_at, declare_only=True
                )
                declared.append(name)
    return declared
