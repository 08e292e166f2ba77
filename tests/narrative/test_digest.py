"""The narrative (docs/narrative.md): the executive weekly digest every run writes,
the movers it reports on the demo organisation's planted overloaded support
queue, and the check of the teams' notes file."""

from __future__ import annotations

import datetime as dt

import pytest

import outcomes.build
from outcomes.build import run_dbt
from outcomes.digest import digest_paths, write_digest
from outcomes.errors import OutcomesError
from tests.project_copy import project_copy

NO_NOTE = "The team has written no note for this week."


def _team_section(markdown: str, team_name: str) -> str:
    """The lines of one team's section (### heading to the next heading)."""
    start = markdown.index(f"### {team_name}\n")
    rest = markdown[start + 1 :]
    ends = [i for i in (rest.find("\n### "), rest.find("\n## ")) if i >= 0]
    return rest[: min(ends)] if ends else rest


def test_every_run_writes_the_digest_beside_the_warehouse(demo_warehouse) -> None:
    markdown_path, html_path = digest_paths(demo_warehouse.path)
    assert demo_warehouse.first_run.digest == markdown_path
    markdown = markdown_path.read_text()
    latest = demo_warehouse.query("select max(week_start) from reports.rpt_digest_teams")[0][0]
    assert markdown.startswith(f"# Weekly digest: week of {latest.day} {latest:%B %Y}\n")
    functions = {
        row[0]
        for row in demo_warehouse.query(
            "select distinct function_name from reports.rpt_digest_teams"
        )
    }
    for function_name in functions:
        assert f"\n## {function_name.capitalize()}\n" in markdown
    teams = demo_warehouse.query(
        "select team_name, has_note from reports.rpt_digest_teams where is_latest_week"
    )
    assert len(teams) == len(demo_warehouse.query("select * from reports.rpt_teams"))
    for team_name, has_note in teams:
        section = _team_section(markdown, team_name)
        assert "**What next.**" in section
        assert (NO_NOTE in section) is not has_note
    html = html_path.read_text()
    assert "<h1>Weekly digest: week of" in html
    assert html.count("<h3>") == len(teams)


def test_the_overloaded_support_queue_is_a_mover_with_its_why(demo_warehouse, tmp_path) -> None:
    planted = demo_warehouse.manifest["planted"]["overloaded_support_queue"]
    first_week = dt.date.fromisoformat(planted["weeks"][0])
    files = write_digest(demo_warehouse.path, first_week, tmp_path)
    assert files is not None and files.week_start == first_week
    section = _team_section(files.markdown.read_text(), planted["team"])
    moved = [line for line in section.splitlines() if line.startswith("- **Moved.** ")]
    first_reply = [line for line in moved if line.startswith("- **Moved.** First reply time")]
    assert first_reply, section
    # the first reply time rose above the team's own range, and the why names
    # the queue's volume: about volume_ratio times a typical week's tickets
    assert " rose to " in first_reply[0] and ": worse." in first_reply[0]
    assert "Why: The queue received " in first_reply[0]
    times = float(first_reply[0].split(" new tickets this week, ")[1].split(" times")[0])
    assert times >= 2
    # a week before the overload, the queue is not a first reply mover
    before = write_digest(demo_warehouse.path, first_week - dt.timedelta(weeks=2), tmp_path)
    assert before is not None
    earlier = _team_section(before.markdown.read_text(), planted["team"])
    assert "Why: The queue received" not in earlier


def test_movers_never_come_from_suppressed_cells(demo_warehouse) -> None:
    rows = demo_warehouse.query(
        "select count(*) from marts.fct_team_kpi_movers m "
        "join marts.fct_team_kpis_weekly w using (team_id, week_start, kpi_id) "
        "where w.is_suppressed or m.mover_rank > 3"
    )
    assert rows == [(0,)]
    small = demo_warehouse.manifest["planted"]["small_team"]["team"]
    assert demo_warehouse.query(
        "select count(*) from marts.fct_team_kpi_movers m join marts.dim_teams t "
        "using (team_id) where t.team_name = ?",
        [small],
    ) == [(0,)]


def test_team_notes_problems_name_the_team_and_week(tmp_path, demo_warehouse, monkeypatch) -> None:
    warehouse = demo_warehouse.copy_to(tmp_path / "wh").path
    project = project_copy(tmp_path)
    (project / "seeds" / "scorecards" / "team_notes.csv").write_text(
        "team_id,week_start,note\n"
        "acme-widgets,2026-08-03,Hire two agents\n"
        "platform,2026-08-04,Smaller stories\n"
        "search,2026-08-03,\n"
        "payments,2026-08-03,Pair on reviews\n"
        "payments,2026-08-03,And again\n"
    )
    monkeypatch.setattr(outcomes.build, "PROJECT_DIR", project)
    with pytest.raises(OutcomesError) as failure:
        run_dbt(["build", "-s", "team_notes", "fct_team_notes"], warehouse)
    message = str(failure.value)
    assert "Traceback" not in message
    assert "seeds/scorecards/team_notes.csv: 4 problems" in message
    assert (
        "team 'acme-widgets', week 2026-08-03: the team is not a team of the roster"
        " (dim_teams); the roster's teams are business-operations" in message
    )
    assert (
        "team 'platform', week 2026-08-04: week_start must be the Monday of the ISO week" in message
    )
    assert "team 'search', week 2026-08-03: the note is empty" in message
    assert "team 'payments', week 2026-08-03: two notes for the same team and week" in message
