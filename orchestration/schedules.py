"""Jobs and schedules. Every job runs in-process and carries the warehouse
tag that dagster.yaml limits to one run at a time (one DuckDB writer)."""

import dagster as dg

from orchestration.loads import WAREHOUSE_TAG, table_keys

# Sources whose exports change during the day and whose loads merge on keys,
# so reloading them hourly only adds what is new. The roster, calendars and
# git clones change slowly: daily is enough.
HOURLY_SOURCES = ("github", "jira", "pagerduty", "zendesk", "hubspot")

full_refresh_job = dg.define_asset_job(
    "full_refresh",
    selection=dg.AssetSelection.all(),
    tags=WAREHOUSE_TAG,
    description="Load every source, run the quality gates, build all dbt models and "
    "tests, export the report data.",
)

hourly_job = dg.define_asset_job(
    "hourly_refresh",
    selection=dg.AssetSelection.assets(
        *[key for source in HOURLY_SOURCES for key in table_keys(source)]
    ).downstream(),
    tags=WAREHOUSE_TAG,
    description="Reload the fast-moving sources and rebuild only the models downstream of them.",
)

SCHEDULES = [
    dg.ScheduleDefinition(
        name="daily_full_refresh",
        job=full_refresh_job,
        cron_schedule="0 5 * * *",
        execution_timezone="UTC",
    ),
    dg.ScheduleDefinition(
        name="hourly_refresh",
        job=hourly_job,
        cron_schedule="30 * * * *",
        execution_timezone="UTC",
    ),
]
JOBS = [full_refresh_job, hourly_job]
