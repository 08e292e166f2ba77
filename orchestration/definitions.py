"""The Dagster code location: assembles the pieces, holds no logic.

DAGSTER_HOME=orchestration/dagster_home dagster dev -m orchestration.definitions
"""

import dagster as dg

from orchestration.checks import ASSET_CHECKS
from orchestration.dbt import dbt_resource, outcomes_dbt_models
from orchestration.loads import LOAD_ASSETS
from orchestration.nudges import NUDGE_JOBS, NUDGE_SCHEDULES
from orchestration.quarantine import quarantine_records
from orchestration.reports import report_data, weekly_digest
from orchestration.retention import RETENTION_JOBS, RETENTION_SCHEDULES
from orchestration.schedules import JOBS, SCHEDULES
from orchestration.settings import OutcomesSettings
from orchestration.webhooks import WEBHOOK_JOBS, WEBHOOK_SENSORS


def build_definitions(settings: OutcomesSettings) -> dg.Definitions:
    return dg.Definitions(
        assets=[*LOAD_ASSETS, quarantine_records, outcomes_dbt_models, report_data, weekly_digest],
        asset_checks=ASSET_CHECKS,
        jobs=[*JOBS, *RETENTION_JOBS, *NUDGE_JOBS, *WEBHOOK_JOBS],
        schedules=[*SCHEDULES, *RETENTION_SCHEDULES, *NUDGE_SCHEDULES],
        sensors=WEBHOOK_SENSORS,
        resources={"outcomes": settings, "dbt": dbt_resource()},
        executor=dg.in_process_executor,
    )


defs = build_definitions(OutcomesSettings())
