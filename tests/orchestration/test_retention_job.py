"""The weekly retention job, executed in-process on a copy of the demo
warehouse with an injected "now": expired raw rows are gone, and the audit
log and the run's metadata say how many went where."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from orchestration.loads import WAREHOUSE_TAG
from orchestration.retention import ACTOR
from outcomes.privacy.people import audit_log_for
from tests.conftest import DEMO_SALT

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")

RETENTION_DAYS = 396  # every source's policy.yml


def test_retention_job_deletes_expired_rows_and_logs_them(demo_warehouse, tmp_path):
    from orchestration.definitions import build_definitions
    from orchestration.settings import OutcomesSettings

    copy = demo_warehouse.copy_to(tmp_path)
    # its salt beside it, as `outcomes demo` keeps it: the job checks it and keys its entry
    (tmp_path / "outcomes.salt").write_text(DEMO_SALT.decode() + "\n")
    # the split: the day the middle pull request was opened; now = that day + the window
    (split,) = copy.query(
        "select date_trunc('day', quantile_disc(created_at, 0.5)) from raw_github.pull_requests"
    )[0]
    now = split + dt.timedelta(days=RETENTION_DAYS)
    ((prs_before, prs_expired),) = copy.query(
        "select count(*), count(*) filter (where created_at < ?) from raw_github.pull_requests",
        [split],
    )
    assert 0 < prs_expired < prs_before
    entries_before = len(audit_log_for(copy.path).entries())

    settings = OutcomesSettings(
        config_file=str(tmp_path / "no-outcomes.yml"), warehouse=str(copy.path)
    )
    defs = build_definitions(settings)
    job = defs.get_job_def("retention")
    result = job.execute_in_process(
        run_config={
            "ops": {"apply_retention": {"config": {"now": now.isoformat(), "rebuild": False}}}
        },
        instance=dg.DagsterInstance.ephemeral(),
    )

    assert result.success
    # the expired pull requests are gone, the others stay
    assert copy.query(
        "select count(*), count(*) filter (where created_at < ?) from raw_github.pull_requests",
        [split],
    ) == [(prs_before - prs_expired, 0)]
    deleted = result.output_for_node("apply_retention")
    assert deleted["raw_github.pull_requests"] == prs_expired
    # logged: one audit entry by the job, and the run's metadata
    entries = audit_log_for(copy.path).entries()
    assert len(entries) == entries_before + 1
    entry = entries[-1]
    assert (entry["action"], entry["actor"]) == ("privacy.retention", ACTOR)
    assert entry["details"] == {"now": now.isoformat(timespec="seconds"), "deleted": deleted}
    output = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT)
    metadata = output.event_specific_data.metadata
    assert metadata["rows_deleted"].value == sum(deleted.values())
    assert metadata["deleted_by_table"].value == deleted


def test_retention_is_scheduled_weekly_as_a_warehouse_writer():
    from orchestration.definitions import defs

    schedule = defs.get_schedule_def("weekly_retention")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 3 * * 0", "UTC")
    job = defs.get_job_def("retention")
    # dagster.yaml lets one run with this tag write at a time: never beside a load or build
    assert WAREHOUSE_TAG.items() <= job.tags.items()
