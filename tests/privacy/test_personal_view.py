"""`outcomes me`: a person's own figures, computed by hand on a tiny warehouse."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import me
from outcomes.errors import OutcomesError
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.personal import personal_view, render_markdown, write_personal_view
from outcomes.privacy.pseudonym import pseudonymize

SALT = b"personal-view-test-salt-0123456789"
ANN = pseudonymize("ann@example.com", SALT, "email", "roster")
BOB = pseudonymize("bob@example.com", SALT, "email", "roster")


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "outcomes.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema identity; create schema marts; create schema staging")
    con.execute(
        "create table identity.people_identity as select * from (values "
        f"('{ANN}', 'ann@example.com', 'Ann'), ('{BOB}', 'bob@example.com', 'Bob')) "
        "as t(person_key, email, display_name)"
    )
    con.execute(
        "create table marts.fct_work_items as select * from (values "
        f"('pr1', 'pull_request', '{ANN}', timestamp '2026-01-05 09:00', "
        "timestamp '2026-01-05 21:00', null::double), "
        f"('pr2', 'pull_request', '{ANN}', timestamp '2026-01-06 09:00', "
        "timestamp '2026-01-07 09:00', null), "
        f"('pr3', 'pull_request', '{BOB}', timestamp '2026-01-06 10:00', null, null), "
        f"('t1', 'task', '{ANN}', timestamp '2026-01-01 09:00', null, 30.0), "
        f"('t2', 'task', '{ANN}', timestamp '2026-01-01 09:00', null, null), "
        f"('t3', 'task', '{BOB}', timestamp '2026-01-01 09:00', null, 5.0)) "
        "as t(work_item_id, work_item_type, owner_person_id, created_at, done_at, "
        "cycle_time_hours)"
    )
    con.execute(
        "create table marts.fct_work_events as select * from (values "
        "('pr1', 'pr.reviewed', timestamp '2026-01-05 10:00', null, 'bot'), "
        f"('pr1', 'pr.reviewed', timestamp '2026-01-05 11:00', '{BOB}', 'person'), "
        f"('pr1', 'pr.reviewed', timestamp '2026-01-05 15:00', '{BOB}', 'person'), "
        f"('pr2', 'pr.reviewed', timestamp '2026-01-06 13:00', '{BOB}', 'person'), "
        f"('pr3', 'pr.reviewed', timestamp '2026-01-06 16:00', '{ANN}', 'person'), "
        f"('pr3', 'pr.reviewed', timestamp '2026-01-06 18:00', '{ANN}', 'person')) "
        "as t(work_item_id, event_type, occurred_at, actor_person_id, actor_type)"
    )
    # The person-days of int_person_day_time_use (its own tests compute them).
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_person_day_time_use as select * from (values "
        f"('{ANN}', date '2026-01-05', 1.0, 6.0, 1.0, 0.0), "
        f"('{ANN}', date '2026-01-07', 1.5, 4.5, 2.0, 0.5), "
        f"('{ANN}', date '2026-01-12', 0.5, 7.5, 0.0, 0.0), "
        f"('{BOB}', date '2026-01-12', 0.5, 7.5, 0.0, 0.0)) "
        "as t(person_id, work_date, meeting_hours, focus_hours, fragmented_hours, "
        "after_hours_meeting_hours)"
    )
    con.close()
    return path


def test_figures_are_the_persons_own(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    view = personal_view(con, "Ann@Example.com", SALT)
    con.close()
    figures = {f.name: f for f in view.figures}
    # pr1 9:00 -> 21:00 = 12 h, pr2 = 24 h; pr3 is Bob's.
    assert figures["PR cycle time"].values == (12.0, 24.0)
    assert figures["PR cycle time"].median == 18.0
    assert figures["PR cycle time"].p85 == pytest.approx(12 + 0.85 * 12)
    # First human review by someone else: pr1 11:00 (the 10:00 bot skipped) = 2 h, pr2 = 4 h.
    assert figures["PR pickup wait"].values == (2.0, 4.0)
    # Ann's first review of Bob's pr3: 10:00 -> 16:00.
    assert figures["Review turnaround given"].values == (6.0,)
    assert figures["Task cycle time"].values == (30.0,)
    # Week of 5 Jan: two of Ann's days, summed; Bob's day is not hers.
    assert view.time_use_weeks == (
        ("2026-01-05", 2.5, 10.5, 3.0, 0.5),
        ("2026-01-12", 0.5, 7.5, 0.0, 0.0),
    )
    text = render_markdown(view)
    assert "| PR cycle time | your pull requests, opened to merged | 2 | 18.0 h | 22.2 h |" in text
    assert "| 2026-01-05 | 2.5 | 10.5 | 3.0 | 0.5 |" in text


def test_written_privately_logged_and_never_in_the_report_site(warehouse, tmp_path):
    out = tmp_path / "private" / "me.md"
    write_personal_view(warehouse, "ann@example.com", SALT, out, actor="ann")
    assert out.stat().st_mode & 0o777 == 0o600
    assert "Ann" in out.read_text()
    (entry,) = audit_log_for(warehouse).entries()
    assert entry["action"] == "privacy.personal_view"
    assert entry["details"] == {"person": ANN}

    reports = tmp_path / "reports"
    with pytest.raises(OutcomesError, match="inside the report site"):
        write_personal_view(
            warehouse, "ann@example.com", SALT, reports / "pages" / "me.md", reports_dir=reports
        )
    assert not reports.exists()


def test_me_command_refuses_the_projects_report_folder(warehouse, monkeypatch):
    from outcomes.privacy.personal import REPORTS_DIR

    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", SALT.decode())
    result = CliRunner().invoke(
        me,
        [
            "--email",
            "ann@example.com",
            "--out",
            str(REPORTS_DIR / "pages" / "me.md"),
            "--warehouse",
            str(warehouse),
        ],
    )
    assert result.exit_code == 2
    assert "inside the report site" in result.output
    assert not (REPORTS_DIR / "pages" / "me.md").exists()
