"""The Dagster nudges job, in-process on the hand-built scenario warehouse,
with its channels from an outcomes.yml and their secrets from dlt's secrets
(environment variables here)."""

from __future__ import annotations

import dagster as dg

from orchestration.loads import WAREHOUSE_TAG
from tests.nudges.conftest import SCENARIO, SECRET, make_warehouse

CONFIG = """
sources:
  roster: {path: .}
nudges:
  links:
    github: "https://github.com/{repo}/pull/{number}"
  channels:
    - {name: berlin_chat, team: berlin, kind: slack, max_per_day: 2}
    - {name: sf_chat, team: sf, kind: teams}
  direct: {name: direct}
  retry: {max_attempts: 2, backoff_seconds: 0}
"""


def test_the_job_sends_and_logs_like_the_command(tmp_path, receiver, monkeypatch):
    from orchestration.definitions import build_definitions
    from orchestration.settings import OutcomesSettings

    con = make_warehouse(tmp_path / "w.duckdb", SCENARIO)
    con.close()
    (tmp_path / "outcomes.yml").write_text(CONFIG)
    for name in ("berlin_chat", "sf_chat", "direct"):
        monkeypatch.setenv(f"NUDGES__CHANNELS__{name.upper()}__URL", f"{receiver.url}/{name}")
        monkeypatch.setenv(f"NUDGES__CHANNELS__{name.upper()}__SIGNING_SECRET", SECRET)
    settings = OutcomesSettings(
        config_file=str(tmp_path / "outcomes.yml"), warehouse=str(tmp_path / "w.duckdb")
    )
    job = build_definitions(settings).get_job_def("nudges")
    result = job.execute_in_process(
        run_config={"ops": {"send_nudges": {"config": {"now": "2026-03-04 10:00"}}}},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    counts = result.output_for_node("send_nudges")
    assert counts == {"sent": 3, "capped": 1, "held": 2, "not_opted_in": 1}
    assert [r.path for r in receiver.accepted()] == ["/berlin_chat", "/berlin_chat", "/direct"]


def test_nudges_run_hourly_after_the_refresh_as_a_warehouse_writer():
    from orchestration.definitions import defs

    schedule = defs.get_schedule_def("hourly_nudges")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("45 * * * *", "UTC")
    assert WAREHOUSE_TAG.items() <= defs.get_job_def("nudges").tags.items()
