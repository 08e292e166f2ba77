"""The files a data team edits (docs/scorecards.md) stop the build with one clear
message naming the file, the team and the KPI, never a traceback; a target that
waits for its baseline (a matter of the data, not the file) is a warning.

Each case copies the demo warehouse and the dbt project, writes a bad seed into
the copy and builds only the seed and the model that checks it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import outcomes.build
from outcomes.build import run_dbt
from outcomes.errors import OutcomesError
from tests.project_copy import project_copy

TEAM_FILE_HEADER = "team_id,kpi_id,quarter,target_kind,target\n"
OKR_HEADER = "team_id,quarter,objective,key_result,kpi_id,start_value,target_value\n"
# platform and support-emea are demo teams at every demo size; their baselines
# of these KPIs are complete in the session warehouse (26 weeks).
ENGINEERING_EXTRA = [
    "deployment_days",
    "change_failure_rate",
    "pr_pickup_time_p85",
    "time_to_restore_p50",
]
PLATFORM_SET = ["weighted_throughput", "rework_rate", "task_cycle_time_p85", "on_time_delivery"]


def _prepared(
    tmp_path: Path,
    demo_warehouse,
    monkeypatch,
    team_file: str,
    okrs: str,
    sql: str | None = None,
) -> tuple[Path, Path]:
    """A warehouse copy and a project copy holding the given seed files.

    `sql` runs on the warehouse copy first (to make a baseline incomplete)."""
    warehouse = demo_warehouse.copy_to(tmp_path / "wh").path
    if sql:
        con = duckdb.connect(str(warehouse))
        try:
            con.execute(sql)
        finally:
            con.close()
    project = project_copy(tmp_path)
    (project / "seeds" / "scorecards" / "scorecard_team_kpis.csv").write_text(team_file)
    (project / "seeds" / "scorecards" / "okrs.csv").write_text(okrs)
    monkeypatch.setattr(outcomes.build, "PROJECT_DIR", project)
    return warehouse, project


def _build_with(
    tmp_path: Path,
    demo_warehouse,
    monkeypatch,
    team_file: str,
    okrs: str = OKR_HEADER,
    sql: str | None = None,
) -> str:
    """Build the scorecard seeds and checking models of a project copy; the error text."""
    warehouse, _ = _prepared(tmp_path, demo_warehouse, monkeypatch, team_file, okrs, sql)
    with pytest.raises(OutcomesError) as failure:
        run_dbt(
            ["build", "-s", "scorecard_team_kpis", "okrs", "dim_team_kpi_sets", "fct_team_okrs"],
            warehouse,
        )
    message = str(failure.value)
    assert "Traceback" not in message
    return message


def _rows(team_id: str, kpis: list[str], target: dict[str, str] | None = None) -> str:
    target = target or {}
    return "".join(f"{team_id},{kpi},{target.get(kpi, ',,')}\n" for kpi in kpis)


def test_team_file_problems_name_team_and_kpi(tmp_path, demo_warehouse, monkeypatch) -> None:
    team_file = (
        TEAM_FILE_HEADER
        # too small a set: three KPIs
        + _rows("platform", PLATFORM_SET[:3])
        # an unknown KPI in a set of four
        + _rows("support-emea", ["csat", "first_reply_time_p50", "case_reopen_rate", "csat_score"])
        # a team the roster does not have (a demo row in a real company's file)
        + _rows("acme-widgets", PLATFORM_SET)
        # more than seven KPIs
        + _rows(
            "search",
            [*PLATFORM_SET, *ENGINEERING_EXTRA],
        )
    )
    message = _build_with(tmp_path, demo_warehouse, monkeypatch, team_file)
    assert "seeds/scorecards/scorecard_team_kpis.csv" in message
    assert (
        "team 'platform' lists 3 KPIs (weighted_throughput, rework_rate, task_cycle_time_p85);"
        " a KPI set holds 4 to 7" in message
    )
    assert (
        "team 'support-emea', KPI 'csat_score': KPI 'csat_score' is not a KPI of"
        " seeds/kpis/kpi_catalog.csv" in message
    )
    assert (
        "team 'acme-widgets', KPIs weighted_throughput, rework_rate, task_cycle_time_p85,"
        " on_time_delivery: 'acme-widgets' is not a team of the roster (dim_teams);"
        " the roster's teams are business-operations, content-marketing" in message
    )
    assert "team 'search' lists 8 KPIs" in message


def test_target_before_its_baseline_warns_and_is_not_applied(
    tmp_path, demo_warehouse, monkeypatch
) -> None:
    """A baseline still forming (marked incomplete in the copy) or absent (a KPI
    the team has no data for) depends on the data, not on the file: the build
    goes on and warns, naming the team, the KPI and the quarter."""
    team_file = (
        TEAM_FILE_HEADER
        + _rows("platform", PLATFORM_SET, {"rework_rate": "2026-Q4,relative,-20%"})
        + _rows(
            "sales-emea",
            ["win_rate", "pipeline_generated", "speed_to_lead_p50", "csat"],
            {"csat": "2026-Q4,absolute,0.9"},
        )
    )
    warehouse, _ = _prepared(
        tmp_path,
        demo_warehouse,
        monkeypatch,
        team_file,
        OKR_HEADER,
        sql="update marts.fct_team_kpis_by_period set is_complete = false"
        " where period_grain = 'baseline' and team_id = 'platform' and kpi_id = 'rework_rate'",
    )
    result = run_dbt(["build", "-s", "scorecard_team_kpis", "dim_team_kpi_sets"], warehouse)
    (warning,) = result.warnings
    assert warning.startswith(
        "seeds/scorecards/scorecard_team_kpis.csv: 2 targets wait for a baseline"
    )
    assert (
        "team 'platform', KPI 'rework_rate', 2026-Q4: a target needs the team's baseline of"
        " the KPI, which is still forming" in warning
    )
    assert (
        "team 'sales-emea', KPI 'csat', 2026-Q4: a target needs the team's baseline of the"
        " KPI, and there is none" in warning
    )


def test_malformed_targets_and_okrs_stop_the_build(tmp_path, demo_warehouse, monkeypatch) -> None:
    """A malformed target and the OKR file's problems refuse the build."""
    team_file = (
        TEAM_FILE_HEADER
        + _rows("platform", PLATFORM_SET)
        + _rows("payments", PLATFORM_SET, {"weighted_throughput": "2026-q4,Relative,+10"})
    )
    okrs = OKR_HEADER + (
        "platform,2026-Q4,Ship faster,,task_cycle_time_p85,200,200\n"
        "nobody,2026-Q4,Ship faster,,weighted_throughput,10,20\n"
        "platform,2026-Q5,Ship faster,,weighted_throughput,10,20\n"
    )
    message = _build_with(tmp_path, demo_warehouse, monkeypatch, team_file, okrs)
    assert (
        "team 'payments', KPI 'weighted_throughput': relative target '+10' is not a signed"
        " percentage such as -30%" in message
    )
    assert "seeds/scorecards/okrs.csv" in message
    assert "team 'platform', KPI 'task_cycle_time_p85': start_value equals target_value" in message
    assert (
        "team 'nobody', KPI 'weighted_throughput': the team is not a team of the roster" in message
    )
    assert (
        "team 'platform', KPI 'weighted_throughput': quarter '2026-Q5' is not written YYYY-Qn"
        in message
    )


@pytest.mark.slow
def test_work_type_file_problems_name_the_team(tmp_path, demo_warehouse, monkeypatch) -> None:
    """An unknown team, an empty work type and a team listed twice refuse the build."""
    warehouse = demo_warehouse.copy_to(tmp_path / "wh").path
    project = project_copy(tmp_path)
    (project / "seeds" / "scorecards" / "team_work_types.csv").write_text(
        "team_id,work_type\nacme-widgets,platform\nplatform,\npayments,product\npayments,platform\n"
    )
    monkeypatch.setattr(outcomes.build, "PROJECT_DIR", project)
    with pytest.raises(OutcomesError) as failure:
        run_dbt(["build", "-s", "team_work_types", "fct_team_kpi_status"], warehouse)
    message = str(failure.value)
    assert "Traceback" not in message
    assert "seeds/scorecards/team_work_types.csv: 3 problems" in message
    assert "team 'acme-widgets': the team is not a team of the roster (dim_teams)" in message
    assert "team 'platform': work_type is empty" in message
    assert "team 'payments': two work types for the same team; keep one" in message


@pytest.mark.slow
def test_wip_limit_file_problems_name_the_team(tmp_path, demo_warehouse, monkeypatch) -> None:
    """An unknown team, a limit that is not a whole number of at least 1 and a team
    listed twice refuse the build."""
    warehouse = demo_warehouse.copy_to(tmp_path / "wh").path
    project = project_copy(tmp_path)
    (project / "seeds" / "scorecards" / "team_wip_limits.csv").write_text(
        "team_id,wip_limit\nacme-widgets,5\nplatform,0\nsearch,2.5\npayments,6\npayments,7\n"
    )
    monkeypatch.setattr(outcomes.build, "PROJECT_DIR", project)
    with pytest.raises(OutcomesError) as failure:
        run_dbt(["build", "-s", "team_wip_limits", "kpi_wip"], warehouse)
    message = str(failure.value)
    assert "Traceback" not in message
    assert "seeds/scorecards/team_wip_limits.csv: 4 problems" in message
    assert "team 'acme-widgets': the team is not a team of the roster (dim_teams)" in message
    assert "team 'platform': wip_limit 0 is not a whole number of items of at least 1" in message
    assert "team 'search': wip_limit 2.5 is not a whole number" in message
    assert "team 'payments': two WIP limits for the same team; keep one" in message
