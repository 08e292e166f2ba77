"""Nudges (docs/nudges.md) as a scheduled Dagster job.

Hourly at :45 UTC, after the :30 refresh has rebuilt the rule models, the
job runs `outcomes.nudges.run.send`, the same function as `outcomes nudges
send`: each candidate is sent, held, capped or deduplicated in its
recipient's own time zone, and every decision lands in nudges.delivery_log.
Quiet hours are the recipient's, so an hourly run is what opens each
recipient's working window close to its start. It writes the warehouse, so
it carries the warehouse tag: never beside a load or a build.
"""

import dagster as dg

from orchestration.loads import WAREHOUSE_TAG
from orchestration.settings import OutcomesSettings


class NudgesConfig(dg.Config):
    now: str = ""  # naive UTC 'YYYY-MM-DD hh:mm' to decide at; "" = now


@dg.op(tags=WAREHOUSE_TAG)
def send_nudges(
    context: dg.OpExecutionContext, config: NudgesConfig, outcomes: OutcomesSettings
) -> dg.Output[dict[str, int]]:
    """Send the nudges due now and log every decision (as `outcomes nudges send`)."""
    from outcomes.nudges.run import clock, send
    from outcomes.nudges.settings import NudgeConfig, load
    from outcomes.warehouse import connect

    path = outcomes._path(outcomes.config_file)
    nudge_config = load(path) if path.exists() else NudgeConfig()
    now = clock(config.now or None)
    con = connect(outcomes.warehouse_path(), read_only=False)
    try:
        outcome = send(con, nudge_config, now)
    finally:
        con.close()
    context.log.info(
        f"nudges at {now:%Y-%m-%d %H:%M} UTC: {outcome.sent_messages} message(s) sent, "
        f"{outcome.failed_messages} failed; decisions {outcome.counts}"
    )
    return dg.Output(
        dict(outcome.counts),
        metadata={
            "now": now.isoformat(timespec="minutes"),
            "messages_sent": outcome.sent_messages,
            "messages_failed": outcome.failed_messages,
            "decisions": dg.MetadataValue.json(outcome.counts),
        },
    )


@dg.job(
    name="nudges",
    tags=WAREHOUSE_TAG,
    description="Send the nudges of models/nudges/ (docs/nudges.md): signed, capped, "
    "quiet hours in each recipient's time zone, logged in nudges.delivery_log.",
)
def nudges_job() -> None:
    send_nudges()


nudges_schedule = dg.ScheduleDefinition(
    name="hourly_nudges",
    job=nudges_job,
    cron_schedule="45 * * * *",
    execution_timezone="UTC",
)

NUDGE_JOBS = [nudges_job]
NUDGE_SCHEDULES = [nudges_schedule]
