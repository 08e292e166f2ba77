"""dlt loads: one multi-asset per source, one asset per raw table.

Asset keys are `[dataset, table]` (`["raw_github", "pull_requests"]`), exactly
what dagster-dbt derives for the dbt sources `raw_<tool>`, so the loads and
the models form one graph without a key mapping.

Why plain `@multi_asset`s over `outcomes.load.load_source` and not dagster-dlt
`@dlt_assets`: `@dlt_assets` needs a built `DltSource` and one `dlt.Pipeline`
at import time, but our sources take run-time arguments (the export folder
from `outcomes.yml`, the pseudonym salt, which must not be read at import
time, one `loaded_at` stamp and a read report that collects quarantined
records), and one source writes several datasets (`raw_roster` and
`identity`) plus `quarantine` through separate pipelines. `load_source`
already does all of that and is what the CLI runs, so Dagster calls it.

After the load, the quality gate (outcomes.quality.gate) runs two BLOCKING
checks per table: a failed one fails this step, so the dbt models downstream
are not rebuilt in that run and the published marts keep their last state.
"""

import datetime as dt

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.settings import OutcomesSettings
from outcomes.config import KNOWN_SOURCES
from outcomes.load import declare_unconfigured_sources, load_source, source_module
from outcomes.quality.gate import TableGate, gate_source
from outcomes.warehouse import ensure_warehouse
from pipelines.common.policy import SourcePolicy

GROUP = "raw"
# As the dbt sources declare: warn after a day without a load, fail after two.
FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=dt.timedelta(days=2), warn_window=dt.timedelta(days=1)
)
SUITE_CHECK = "gx_suite"
ROW_COUNT_CHECK = "row_count_stable"
# Every run that writes the warehouse carries this tag; dagster.yaml limits it
# to one run at a time (DuckDB has a single writer).
WAREHOUSE_TAG = {"outcomes/warehouse": "write"}


def policy_of(source: str) -> SourcePolicy:
    return source_module(source).policy


def table_keys(source: str) -> list[dg.AssetKey]:
    policy = policy_of(source)
    return [dg.AssetKey([policy.dataset_for(t), t.name]) for t in policy.tables]


def _check_results(gate: TableGate) -> list[dg.AssetCheckResult]:
    key = dg.AssetKey([gate.dataset, gate.table])
    results = [
        dg.AssetCheckResult(
            asset_key=key,
            check_name=SUITE_CHECK,
            passed=gate.suite.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=gate.suite.describe(),
            metadata={
                "expectations": gate.suite.expectations,
                "rows_in_table": gate.suite.rows,
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
            freshness_policy=FRESHNESS,
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
                blocking=True,
                description="Great Expectations: keys present and unique, timestamps in "
                "range, known enum values.",
            ),
            dg.AssetCheckSpec(
                ROW_COUNT_CHECK,
                asset=key,
                blocking=True,
                description="This load read at least half the rows of the last good load.",
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
        loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        configured = {s.name: s for s in resolved.config.sources}
        rows_read: dict[str, int] | None = None
        metadata: dict[str, dict] = {}
        if source in configured:
            result = load_source(configured[source], warehouse, resolved.salt, loaded_at)
            rows_read = {}
            for read in result.reads:
                rows_read[read.table.name] = rows_read.get(read.table.name, 0) + read.data.num_rows
            context.log.info(
                f"{source}: {result.rows_landed} rows landed, {result.quarantined} quarantined,"
                f" {result.duplicates_dropped} duplicates dropped in {result.seconds:.1f}s"
            )
            for file_name, columns in result.new_columns.items():
                context.log.warning(f"{source}: {file_name} has new, unstored columns {columns}")
            metadata = {
                t: {"rows_read": n, "quarantined_in_load": result.quarantined}
                for t, n in rows_read.items()
            }
        else:
            declared = declare_unconfigured_sources(
                set(KNOWN_SOURCES) - {source}, warehouse, resolved.salt, loaded_at
            )
            context.log.info(
                f"{source}: not configured; "
                + ("declared its tables empty" if declared else "tables already exist")
            )
        gates = gate_source(warehouse, policy, rows_read, loaded_at)
        for gate in gates:
            key = dg.AssetKey([gate.dataset, gate.table])
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "rows_in_table": gate.suite.rows,
                    "configured": source in configured,
                    **metadata.get(gate.table, {}),
                },
            )
        for gate in gates:
            yield from _check_results(gate)
        failed = [g for g in gates if not g.passed]
        for gate in failed:
            context.log.error(
                f"quality gate FAILED for {gate.dataset}.{gate.table}: "
                + " | ".join([*gate.suite.failures, *([gate.rows.describe()] if gate.rows else [])])
                + " -> the dbt models reading it are not rebuilt in this run"
            )

    return load


RAW_KEYS = [key for source in KNOWN_SOURCES for key in table_keys(source)]


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
    path = Path(os.environ.get(OPT_OUT_ENV) or DEFAULT_OPT_OUT_FILE)
    people = load_opt_outs(warehouse, resolved.salt, path)
    context.log.info(f"opt-out list: {people} people")
    return dg.MaterializeResult(metadata={"people": people})


LOAD_ASSETS = [*(build_load_assets(source) for source in KNOWN_SOURCES), opt_outs]
