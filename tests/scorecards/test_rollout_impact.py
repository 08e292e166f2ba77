"""ROI over a rollout (issue 11) on the demo organisation.

fct_team_rollout_impact is recomputed here in plain Python from the rollout
file and the published weekly cells: the windows (the rollout week in
neither), the means, Welch's interval with t at min(n) - 1 degrees of
freedom, and the verdict. Every row must agree, and only published cells may
count.
"""

from __future__ import annotations

import csv
import math
import statistics
from datetime import date, timedelta

import pytest

import outcomes.build
from outcomes.build import run_dbt
from outcomes.config import PROJECT_DIR
from outcomes.errors import OutcomesError
from tests.project_copy import project_copy

ROLLOUTS = PROJECT_DIR / "seeds" / "scorecards" / "team_rollouts.csv"
DEFAULT_KPIS = (
    "task_cycle_time_p50",
    "backlog_age_p50",
    "meeting_hours_per_person",
    "after_hours_meeting_hours_per_person",
    "csat",
)
WINDOW_WEEKS = 8
# Student's t, 97.5th percentile, from the standard tables (beyond 30: 1.96).
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}


def expected_rows(demo_warehouse) -> dict[tuple[str, str], dict]:
    with ROLLOUTS.open() as f:
        rollouts = {
            row["team_id"]: date.fromisoformat(row["rollout_date"]) for row in csv.DictReader(f)
        }
    directions = dict(demo_warehouse.query("select kpi_id, direction from seeds.kpi_catalog"))
    cells = demo_warehouse.query(
        "select team_id, kpi_id, week_start, value from marts.fct_team_kpis_weekly "
        "where not is_suppressed and value is not null"
    )
    windows: dict[tuple[str, str], dict[str, list[float]]] = {}
    for team_id, kpi_id, week, value in cells:
        if team_id not in rollouts or kpi_id not in DEFAULT_KPIS:
            continue
        rollout_week = rollouts[team_id] - timedelta(days=rollouts[team_id].weekday())
        offset = (week - rollout_week).days // 7
        if offset == 0 or abs(offset) > WINDOW_WEEKS:
            continue
        side = "before" if offset < 0 else "after"
        windows.setdefault((team_id, kpi_id), {"before": [], "after": []})[side].append(value)
    rows = {}
    for key, sides in windows.items():
        before, after = sides["before"], sides["after"]
        row = {"before_weeks": len(before), "after_weeks": len(after), "verdict": "too_few_weeks"}
        row["difference"] = (
            statistics.fmean(after) - statistics.fmean(before) if before and after else None
        )
        if len(before) >= 2 and len(after) >= 2:
            se = math.sqrt(
                statistics.variance(before) / len(before) + statistics.variance(after) / len(after)
            )
            t = T_975.get(min(len(before), len(after)) - 1, 1.96)
            low, high = row["difference"] - t * se, row["difference"] + t * se
            better_is_up = directions[key[1]] == "higher_is_better"
            if low > 0:
                row["verdict"] = "improved" if better_is_up else "worsened"
            elif high < 0:
                row["verdict"] = "worsened" if better_is_up else "improved"
            else:
                row["verdict"] = "no_clear_change"
            row["interval"] = (low, high)
        rows[key] = row
    return rows


@pytest.mark.slow
def test_rollout_impact_agrees_with_a_second_implementation(demo_warehouse):
    expected = expected_rows(demo_warehouse)
    assert len(expected) >= 6, "the demo's rollout file covers two teams with several KPIs"
    got = {
        (team_id, kpi_id): (before_weeks, after_weeks, difference, low, high, verdict)
        for team_id, kpi_id, before_weeks, after_weeks, difference, low, high, verdict in (
            demo_warehouse.query(
                "select team_id, kpi_id, before_weeks, after_weeks, difference, difference_low, "
                "difference_high, verdict from marts.fct_team_rollout_impact"
            )
        )
    }
    assert set(got) == set(expected)
    for key, want in expected.items():
        before_weeks, after_weeks, difference, low, high, verdict = got[key]
        assert (before_weeks, after_weeks, verdict) == (
            want["before_weeks"],
            want["after_weeks"],
            want["verdict"],
        ), key
        if want["difference"] is None:
            assert difference is None, key
        else:
            assert difference == pytest.approx(want["difference"], rel=1e-9, abs=1e-9), key
        if "interval" in want:
            assert (low, high) == pytest.approx(want["interval"], rel=1e-9, abs=1e-9), key
        else:
            assert low is None and high is None, key


@pytest.mark.slow
def test_rollout_impact_reads_published_cells_only(demo_warehouse):
    """A suppressed week around a rollout counts on neither side."""
    (suppressed_around,) = demo_warehouse.query(
        """
        select count(*)
        from marts.fct_team_kpis_weekly as weekly
        inner join marts.fct_team_rollout_impact as impact
            on weekly.team_id = impact.team_id and weekly.kpi_id = impact.kpi_id
        where weekly.is_suppressed
            and weekly.week_start between impact.rollout_date - 63 and impact.rollout_date + 63
        """
    )[0]
    assert suppressed_around > 0, "the demo has suppressed weeks around a rollout"
    weeks = {
        key: row["before_weeks"] + row["after_weeks"]
        for key, row in expected_rows(demo_warehouse).items()
    }
    got = dict(
        ((team_id, kpi_id), n)
        for team_id, kpi_id, n in demo_warehouse.query(
            "select team_id, kpi_id, before_weeks + after_weeks from marts.fct_team_rollout_impact"
        )
    )
    assert got == weeks


@pytest.mark.slow
def test_rollout_file_problems_name_the_team(tmp_path, demo_warehouse, monkeypatch) -> None:
    warehouse = demo_warehouse.copy_to(tmp_path / "wh").path
    project = project_copy(tmp_path)
    (project / "seeds" / "scorecards" / "team_rollouts.csv").write_text(
        "team_id,rollout_date\n"
        "acme-widgets,2026-08-03\n"
        "platform,3 August 2026\n"
        "payments,2026-08-03\n"
        "payments,2026-09-07\n"
    )
    monkeypatch.setattr(outcomes.build, "PROJECT_DIR", project)
    with pytest.raises(OutcomesError) as failure:
        run_dbt(
            [
                "build",
                "-s",
                "team_rollouts",
                "fct_team_rollout_impact",
                "--vars",
                "{rollout_impact_kpis: [csat, cycle_time]}",
            ],
            warehouse,
        )
    message = str(failure.value)
    assert "Traceback" not in message
    assert "seeds/scorecards/team_rollouts.csv: 4 problems" in message
    assert (
        "team 'acme-widgets': the team is not a team of the roster (dim_teams); "
        "the roster's teams are business-operations" in message
    )
    assert "team 'platform': rollout_date must be a date, YYYY-MM-DD" in message
    assert "team 'payments': two rollout dates for the same team; keep one" in message
    assert "var rollout_impact_kpis: 'cycle_time' is not a KPI of the catalog" in message
