"""Retention (docs/privacy.md#retention) as a scheduled Dagster job.

Weekly, Sunday 03:00 UTC (before the 05:00 daily refresh), the job runs
`outcomes.privacy.retention.apply_retention`, the same function as
`outcomes privacy retention`: raw rows older than each source's window are
deleted, one audit log entry records the cutoffs and counts, and the run's
metadata shows them too. With `rebuild` (the default) it rebuilds the dbt
models at once, so event-level marts drop the expired events now rather than
at the next refresh.

It writes the warehouse, so it carries the warehouse tag that dagster.yaml
limits to one run at a time: it never overlaps a load or a build.
"""

import datetime as dt

import dagster as dg

from orchestration.loads import WAREHOUSE_TAG
from orchestration.settings import OutcomesSettings

ACTOR = "dagster:retention"


class RetentionConfig(dg.Config):
    now: str = ""  # ISO date-time (UTC when naive) to judge ages against; "" = now
    rebuild: bool = True  # rebuild the dbt models after deleting


def retention_now(value: str) -> dt.datetime:
    """The clock of a retention run: `value` (ISO, naive = UTC) or the current time."""
    if not value:
        return dt.datetime.now(dt.UTC)
    when = dt.datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dg.op(tags=WAREHOUSE_TAG)
def apply_retention(
    context: dg.OpExecutionContext, config: RetentionConfig, outcomes: OutcomesSettings
) -> dg.Output[dict[str, int]]:
    """Delete the raw rows past their source's retention window; log what went.

    As `outcomes privacy retention`: the configured salt must be the
    warehouse's (its fingerprint), and keys the audit entry."""
    from outcomes.privacy.retention import apply_retention as delete_expired
    from outcomes.privacy.salt import check_salt, configured_salt

    warehouse = outcomes.warehouse_path()
    now = retention_now(config.now)
    salt = configured_salt(warehouse)
    check_salt(warehouse, salt, record=False)
    min_group_size = outcomes.resolve().config.min_group_size if config.rebuild else None
    deleted = delete_expired(
        warehouse,
        now,
        actor=ACTOR,
        rebuild=config.rebuild,
        min_group_size=min_group_size,
        salt=salt,
    )
    total = sum(deleted.values())
    context.log.info(
        f"retention at {now.isoformat(timespec='seconds')}: {total} rows deleted"
        + "".join(f"\n  {table}: {count}" for table, count in sorted(deleted.items()))
    )
    return dg.Output(
        deleted,
        metadata={
            "now": now.isoformat(timespec="seconds"),
            "rows_deleted": total,
            "deleted_by_table": dg.MetadataValue.json(deleted),
            "rebuilt": config.rebuild,
        },
    )


@dg.job(
    name="retention",
    tags=WAREHOUSE_TAG,
    description="Delete raw rows older than each source's retention window (docs/privacy.md), "
    "log the counts in the audit log, rebuild the models.",
)
def retention_job() -> None:
    apply_retention()


retention_schedule = dg.ScheduleDefinition(
    name="weekly_retention",
    job=retention_job,
    cron_schedule="0 3 * * 0",
    execution_timezone="UTC",
)

RETENTION_JOBS = [retention_job]
RETENTION_SCHEDULES = [retention_schedule]
