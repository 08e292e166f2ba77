"""Checks beyond the per-load quality gate and the dbt tests: the freshness of
each source (from the data) and the reconciliation of the canonical event
mart with the raw tables.

Freshness is read from `_outcomes_loaded_at`, not from materialization
times: a load whose gate failed still reports its raw tables (unchanged,
`published: false`, see orchestration/loads.py) but publishes no row, so
the source grows stale here (outcomes.quality.freshness).
"""

import dagster as dg
from dagster import AssetCheckExecutionContext
from dagster_dbt import get_asset_key_for_model

from orchestration.dbt import outcomes_dbt_models
from orchestration.loads import RAW_KEYS, policy_of, table_keys
from orchestration.settings import OutcomesSettings
from outcomes.config import KNOWN_SOURCES
from outcomes.quality.freshness import ERROR_AFTER, WARN_AFTER, SourceFreshness, source_freshness
from outcomes.quality.reconcile import RECONCILED_SOURCES, reconcile

WORK_EVENTS = get_asset_key_for_model([outcomes_dbt_models], "fct_work_events")
FRESHNESS_CHECK = "fresh"


def freshness_results(freshness: SourceFreshness, keys: list[dg.AssetKey]):
    """One check result per raw table of the source: `warn` -> WARN, `error` -> ERROR."""
    status = freshness.status
    for key in keys:
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=FRESHNESS_CHECK,
            passed=status == "fresh",
            severity=dg.AssetCheckSeverity.WARN
            if status == "warn"
            else dg.AssetCheckSeverity.ERROR,
            description=freshness.describe(),
            metadata={
                "source": freshness.source,
                "status": status,
                "last_loaded_at": str(freshness.last_loaded_at or "never"),
                "age_hours": round(freshness.age.total_seconds() / 3600, 1)
                if freshness.age is not None
                else -1.0,
            },
        )


def build_freshness_check(source: str) -> dg.AssetChecksDefinition:
    keys = table_keys(source)

    @dg.multi_asset_check(
        name=f"{source}_freshness",
        specs=[
            dg.AssetCheckSpec(
                FRESHNESS_CHECK,
                asset=key,
                description=f"The last published load of {source} is at most "
                f"{WARN_AFTER.days} day old (warn) / {ERROR_AFTER.days} days old (error).",
            )
            for key in keys
        ],
    )
    def freshness(context: AssetCheckExecutionContext, outcomes: OutcomesSettings):
        resolved = outcomes.resolve()
        if source not in {s.name for s in resolved.config.sources}:
            for key in keys:  # declared empty, never loaded: nothing to judge
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=FRESHNESS_CHECK,
                    passed=True,
                    description=f"{source}: not configured, freshness not judged",
                    metadata={"source": source, "status": "not configured"},
                )
            return
        result = source_freshness(resolved.config.warehouse, policy_of(source))
        context.log.info(result.describe())
        yield from freshness_results(result, keys)

    return freshness


@dg.asset_check(
    asset=WORK_EVENTS,
    name="reconciles_with_raw",
    additional_deps=[k for k in RAW_KEYS if k.path[0] in {f"raw_{s}" for s in RECONCILED_SOURCES}],
    description="Events per source and type equal the raw rows that produce them "
    "(outcomes.quality.reconcile).",
)
def work_events_reconcile(context: AssetCheckExecutionContext, outcomes: OutcomesSettings):
    result = reconcile(outcomes.warehouse_path())
    return dg.AssetCheckResult(
        passed=result.passed,
        description=result.describe(),
        metadata={
            "reconciled_types": len(result.expected),
            "unreconciled_types": ", ".join(f"{s}:{t}" for s, t in result.unreconciled),
        },
    )


ASSET_CHECKS = [
    *(build_freshness_check(source) for source in KNOWN_SOURCES),
    work_events_reconcile,
]
