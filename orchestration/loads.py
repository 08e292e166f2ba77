"""dlt loads: one multi-asset per source, one asset per raw table.

Asset keys are `[dataset, table]` (`["raw_github", "pull_requests"]`), exactly
what dagster-dbt derives for the dbt sources `raw_<tool>`, so the loads and
the models form one graph without a key mapping.

Why plain `@multi_asset`s over `pipelines.common.load.load_source` and not dagster-dlt
`@dlt_assets`: `@dlt_assets` needs a built `DltSource` and one `dlt.Pipeline`
at import time, but our sources take run-time arguments (the export folder
from `outcomes.yml`, the pseudonym salt, which must not be read at import
time, one `loaded_at` stamp and a read report that collects quarantined
records), and one source writes several datasets (`raw_roster` and
`identity`) plus `quarantine` through separate pipelines. `load_source`
already does all of that and is what the CLI runs, so Dagster calls it.

`load_source` lands each load in candidate schemas, runs the quality gate
(outcomes.quality.gate) on them and publishes to the raw tables only when
every table passed. Each table gets two checks with the gate's verdict. They
are not Dagster-`blocking`: a blocking failure fails the load step, and
Dagster then skips the whole dbt step (one op for every model). Instead the
load step succeeds and reports its raw tables with `published: false` (their
rows are the last good ones), and the dbt asset reads this run's failed gate
checks and leaves out the models downstream of those sources
(`--exclude source:raw_<tool>+`), builds the rest, then fails the run naming
what failed and where. Freshness is therefore judged from the data
(`_outcomes_loaded_at`, orchestration/checks.py), not from materialization
times.
"""

import datetime as dt

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.settings import OutcomesSettings
from outcomes.config import KNOWN_SOURCES
from outcomes.privacy.run_start import before_load_once
from outcomes.quality.gate import ROW_COUNT_CHECK, SUITE_CHECK, TableGate, gate_source
from outcomes.warehouse import ensure_warehouse
from pipelines.common.load import declare_unconfigured_sources, load_source, source_module
from pipelines.common.policy import SourcePolicy
from pipelines.common.source import check_export_folder

GROUP = "raw"
GATE_CHECKS = (SUITE_CHECK, ROW_COUNT_CHECK)
# Every run that writes the warehouse carries this tag; dagster.yaml limits it
# to one run at a time (DuckDB has a single writer).
WAREHOUSE_TAG = {"outcomes/warehouse": "write"}


def policy_of(source: str) -> SourcePolicy:
    return source_module(source).policy


def table_keys(source: str) -> list[dg.AssetKey]:
    policy = policy_of(source)
    return [dg.AssetKey([policy.dataset_for(t), t.name]) for t in policy.tables]


def _check_results(gate: TableGate, source: str) -> list[dg.AssetCheckResult]:
    key = dg.AssetKey([gate.dataset, gate.table])
    results = [
        dg.AssetCheckResult(
            asset_key=key,
            check_name=SUITE_CHECK,
            passed=gate.suite.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=gate.suite.describe(),
            metadata={
                "source": source,
                "read_from": gate.read_from,
                "expectations": gate.suite.expectations,
                "rows_in_batch": gate.suite.rows,
                "failures": "\n".join(gate.suite.failures) or "none",
            },
        )
    ]
    rows = gate.rows
    results.append(
        dg.AssetCheckResult(
            asset_key=key,
            check_name=ROW_COUNT_CHECK,
            passed=rows is None or rows.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=rows.describe() if rows else "source not configured: nothing loaded",
            metadata={
                "source": source,
                "rows_read": rows.rows if rows else 0,
                "previous_good_rows_read": (rows.previous if rows else None) or 0,
            },
        )
    )
    return results


def build_load_assets(source: str) -> dg.AssetsDefinition:
    policy = policy_of(source)
    keys = table_keys(source)
    specs = [
        dg.AssetSpec(
            key=key,
            group_name=GROUP,
            kinds={"dlt", "duckdb"},
            description=f"`{key.path[0]}.{table.name}` loaded by dlt under "
            f"pipelines/{source}/policy.yml.",
        )
        for key, table in zip(keys, policy.tables, strict=True)
    ]
    check_specs = [
        spec
        for key in keys
        for spec in (
            dg.AssetCheckSpec(
                SUITE_CHECK,
                asset=key,
                description="Great Expectations on this load's batch (its candidate): keys "
                "present and unique, no column lost (null in every row while the published "
                "table has values); a bad record was quarantined at ingest, never judged "
                "here. On failure the source is not published and its downstream models "
                "are not rebuilt.",
            ),
            dg.AssetCheckSpec(
                ROW_COUNT_CHECK,
                asset=key,
                description="This load read at least half the rows of the last good load "
                "(else not published, downstream models not rebuilt).",
            ),
        )
    ]

    @dg.multi_asset(
        name=f"load_{source}",
        specs=specs,
        check_specs=check_specs,
        op_tags=WAREHOUSE_TAG,
    )
    def load(context: AssetExecutionContext, outcomes: OutcomesSettings):
        resolved = outcomes.resolve()
        warehouse = ensure_warehouse(resolved.config.warehouse)
        # The runner's start-of-run hooks (salt check, leftovers, open erasures),
        # once per run, before this run's first source is read.
        if before_load_once(context.run.run_id, warehouse, resolved.salt):
            context.log.info("run start: salt checked, leftovers cleared, open erasures finished")
        loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        configured = {s.name: s for s in resolved.config.sources}
        published = True
        metadata: dict[str, dict] = {}
        if source in configured:
            chosen = configured[source]
            if chosen.path is not None and source != "git":  # as the runner's check
                for pattern in check_export_folder(source, chosen.path):
                    context.log.warning(f"{source}: no file matching {pattern!r} in {chosen.path}")
            result = load_source(chosen, warehouse, resolved.salt, loaded_at)
            context.log.info(
                f"{source}: {result.rows_landed} rows landed, {result.quarantined} quarantined,"
                f" {result.duplicates_dropped} duplicates dropped in {result.seconds:.1f}s"
            )
            for file_name, columns in result.new_columns.items():
                context.log.warning(f"{source}: {file_name} has new, unstored columns {columns}")
            gates, published = result.gates, result.published
            if result.unchanged:  # not read: the checks judge raw as it stands
                context.log.info(f"{source}: unchanged since the last run, not re-read")
                gates = gate_source(warehouse, policy, None, loaded_at)
            metadata = {
                t: {"rows_read": n, "quarantined_in_load": result.quarantined}
                for t, n in result.rows_read_by_table.items()
            }
            if not published:
                context.log.error(
                    result.gate_report()
                    + "\n-> the dbt models reading this source are not rebuilt in this run"
                )
        else:
            declared = declare_unconfigured_sources(
                set(KNOWN_SOURCES) - {source}, warehouse, resolved.salt, loaded_at
            )
            context.log.info(
                f"{source}: not configured; "
                + ("declared its tables empty" if declared else "tables already exist")
            )
            gates = gate_source(warehouse, policy, None, loaded_at)
        for gate in gates:
            key = dg.AssetKey([gate.dataset, gate.table])
            # Reported even when not published (rows unchanged), so that the
            # dbt step runs for the other sources; see the module docstring.
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "published": published,
                    "configured": source in configured,
                    **metadata.get(gate.table, {}),
                },
            )
        for gate in gates:
            yield from _check_results(gate, source)

    return load


RAW_KEYS = [key for source in KNOWN_SOURCES for key in table_keys(source)]


def failed_gates_in_run(instance: dg.DagsterInstance, run_id: str) -> dict[str, list[str]]:
    """Sources whose quality gate failed in this run -> what failed (table, check, why)."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failed: dict[str, list[str]] = {}
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.asset_check_evaluation_data if event else None
        if evaluation is None or evaluation.passed or evaluation.check_name not in GATE_CHECKS:
            continue
        source_value = evaluation.metadata.get("source")
        source = source_value.value if source_value is not None else None
        if source is None:
            continue
        failures = evaluation.metadata.get("failures")
        detail = failures.value if failures is not None else evaluation.description
        failed.setdefault(str(source), []).append(
            f"{evaluation.asset_key.to_user_string()} [{evaluation.check_name}]: {detail}"
        )
    return failed


@dg.asset(
    key=dg.AssetKey(["privacy", "opt_outs"]),
    group_name=GROUP,
    kinds={"duckdb"},
    op_tags=WAREHOUSE_TAG,
    description="The opt-out list (privacy/opt_out.csv or $OUTCOMES_OPT_OUT_FILE), hashed "
    "with the pseudonym salt; the canonical marts leave these people out.",
)
def opt_outs(context: AssetExecutionContext, outcomes: OutcomesSettings) -> dg.MaterializeResult:
    import os
    from pathlib import Path

    from outcomes.privacy.opt_out import DEFAULT_OPT_OUT_FILE, OPT_OUT_ENV, load_opt_outs

    resolved = outcomes.resolve()
    warehouse = ensure_warehouse(resolved.config.warehouse)
    before_load_once(context.run.run_id, warehouse, resolved.salt)  # hashed with the salt
    path = Path(os.environ.get(OPT_OUT_ENV) or DEFAULT_OPT_OUT_FILE)
    people = load_opt_outs(warehouse, resolved.salt, path)
    context.log.info(f"opt-out list: {people} people")
    return dg.MaterializeResult(metadata={"people": people})


LOAD_ASSETS = [*(build_load_assets(source) for source in KNOWN_SOURCES), opt_outs]
