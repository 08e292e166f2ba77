"""Checks beyond the per-load quality gate and the dbt tests: the
reconciliation of the canonical event mart with the raw tables.

Freshness of each raw table is a `FreshnessPolicy` on its asset
(orchestration/loads.py), evaluated by Dagster's freshness daemon: a raw asset
materializes exactly when a load stamps `_outcomes_loaded_at`.
"""

import dagster as dg
from dagster import AssetCheckExecutionContext
from dagster_dbt import get_asset_key_for_model

from orchestration.dbt import outcomes_dbt_models
from orchestration.loads import RAW_KEYS
from orchestration.settings import OutcomesSettings
from outcomes.quality.reconcile import reconcile

WORK_EVENTS = get_asset_key_for_model([outcomes_dbt_models], "fct_work_events")


@dg.asset_check(
    asset=WORK_EVENTS,
    name="reconciles_with_raw",
    additional_deps=[k for k in RAW_KEYS if k.path[0] in {"raw_github", "raw_pagerduty"}],
    description="Events per source and type equal the raw rows that produce them "
    "(outcomes.quality.reconcile).",
)
def work_events_reconcile(context: AssetCheckExecutionContext, outcomes: OutcomesSettings):
    result = reconcile(outcomes.resolve().config.warehouse)
    return dg.AssetCheckResult(
        passed=result.passed,
        description=result.describe(),
        metadata={
            "reconciled_types": len(result.expected),
            "unreconciled_types": ", ".join(f"{s}:{t}" for s, t in result.unreconciled),
        },
    )


ASSET_CHECKS = [work_events_reconcile]
