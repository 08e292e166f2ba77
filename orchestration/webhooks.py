"""Near real time: refresh what a webhook push landed, minutes after it landed.

`outcomes webhooks serve` lands each delivery at once (outcomes/webhooks.py)
and, after each batch, stamps `<warehouse stem>.webhooks.json` with the time
each tool's records landed. The sensor `pushed_changes` reads that file (not
the warehouse, which a run may be writing) every 30 seconds and asks for one
run of `pushed_refresh` per new stamp: the models downstream of the pushed
tools' raw tables, without reloading the tables themselves (the push already
landed them). The nudge rules are models too, so they are evaluated in the
same run; when it succeeds, `nudges_after_push` starts the `nudges` job, which
sends what they found (held for quiet hours, capped, deduplicated as always).
"""

import json

import dagster as dg

from orchestration.loads import WAREHOUSE_TAG, table_keys
from orchestration.nudges import nudges_job
from outcomes.webhooks import PUSHING_TOOLS, read_marker


def _pushed_tables():
    return dg.AssetSelection.assets(*[key for tool in PUSHING_TOOLS for key in table_keys(tool)])


pushed_refresh_job = dg.define_asset_job(
    "pushed_refresh",
    selection=_pushed_tables().downstream() - _pushed_tables(),
    tags=WAREHOUSE_TAG,
    description="Rebuild the models downstream of what webhook pushes landed "
    "(GitHub, Jira, Zendesk), without reloading the raw tables.",
)


@dg.sensor(job=pushed_refresh_job, minimum_interval_seconds=30, required_resource_keys={"outcomes"})
def pushed_changes(context: dg.SensorEvaluationContext):
    """A run of pushed_refresh for each new landing stamp of the webhook receiver."""
    warehouse = context.resources.outcomes.warehouse_path()
    marker = read_marker(warehouse)
    seen = json.loads(context.cursor) if context.cursor else {}
    fresh = {tool: stamp for tool, stamp in marker.items() if seen.get(tool) != stamp}
    if not fresh:
        return dg.SkipReason("no webhook delivery landed since the last refresh")
    context.update_cursor(json.dumps({**seen, **fresh}, sort_keys=True))
    stamp = max(fresh.values())
    return dg.RunRequest(
        run_key=f"pushed-{stamp}",
        tags={"outcomes/pushed": ",".join(sorted(fresh))},
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[pushed_refresh_job],
    request_job=nudges_job,
    minimum_interval_seconds=30,
)
def nudges_after_push(context: dg.RunStatusSensorContext):
    """Send the nudges a pushed change produced, once its models are rebuilt."""
    return dg.RunRequest(run_key=f"nudges-after-{context.dagster_run.run_id}")


WEBHOOK_JOBS = [pushed_refresh_job]
WEBHOOK_SENSORS = [pushed_changes, nudges_after_push]
