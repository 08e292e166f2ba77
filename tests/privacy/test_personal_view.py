"""`outcomes me`: a person's own figures, computed by hand on a tiny warehouse."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import me
from outcomes.errors import OutcomesError
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.personal import personal_view, render_markdown, write_personal_view
from outcomes.privacy.pseudonym import pseudonymize
from tests.conftest import DEMO_SALT

SALT = b"personal-view-test-salt-0123456789"
ANN = pseudonymize("ann@example.com", SALT, "email", "roster")
BOB = pseudonymize("bob@example.com", SALT, "email", "roster")


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "outcomes.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create schema identity; create schema marts; create schema staging; "
        "create schema intermediate"
    )
    con.execute(
        "create table identity.people_identity as select * from (values "
        f"('{ANN}', 'ann@example.com', 'Ann'), ('{BOB}', 'bob@example.com', 'Bob')) "
        "as t(person_key, email, display_name)"
    )
    con.execute(
        "create table marts.fct_work_items as select * from (values "
        f"('pr1', 'pull_request', 'github', '1', 'alpha', '{ANN}', 'done', "
        "timestamp '2026-01-05 09:00', null::timestamp, timestamp '2026-01-05 21:00', "
        "null::double), "
        f"('pr2', 'pull_request', 'github', '2', 'alpha', '{ANN}', 'done', "
        "timestamp '2026-01-06 09:00', null, timestamp '2026-01-07 09:00', null), "
        f"('pr3', 'pull_request', 'github', '3', 'alpha', '{BOB}', 'in_review', "
        "timestamp '2026-01-06 10:00', null, null, null), "
        f"('t1', 'task', 'jira', 'OPS-1', 'alpha', '{ANN}', 'done', "
        "timestamp '2026-01-01 09:00', null, null, 30.0), "
        f"('t2', 'task', 'jira', 'OPS-2', 'alpha', '{ANN}', 'todo', "
        "timestamp '2026-01-01 09:00', null, null, null), "
        f"('t3', 'task', 'jira', 'OPS-3', 'alpha', '{BOB}', 'done', "
        "timestamp '2026-01-01 09:00', null, null, 5.0)) "
        "as t(work_item_id, work_item_type, source_system, source_item_id, team_id, "
        "owner_person_id, canonical_state, created_at, started_at, done_at, cycle_time_hours)"
    )
    # What waits on Ann on Monday 2 March 2026 (test_what_waits_on_you_today).
    con.execute(
        "create schema kpis; create schema nudges; "
        "create table kpis.kpi_base_data_as_of as select * from (values "
        "('github', timestamp '2026-03-02 09:00'), ('jira', timestamp '2026-03-02 09:00'), "
        "('zendesk', timestamp '2026-03-02 08:00')) as t(source_system, as_of_at); "
        "create table nudges.nudge_base_team_rules as select * from (values "
        "('wip_aging', 'alpha', true, 1.0), ('ticket_sla_risk', 'alpha', true, 0.75), "
        "('pr_review_wait', 'alpha', true, 24.0)) "
        "as t(rule_id, team_id, is_enabled, threshold)"
    )
    con.execute(
        "insert into marts.fct_work_items values "
        # Bob's five tasks done in the last 90 days: the team's p85 is 44 h.
        + ", ".join(
            f"('d{n}', 'task', 'jira', 'OPS-1{n}', 'alpha', '{BOB}', 'done', "
            f"timestamp '2026-02-01 09:00', timestamp '2026-02-01 09:00', "
            f"timestamp '2026-02-10 09:00', {10.0 * n})"
            for n in range(1, 6)
        )
        + f", ('a1', 'task', 'jira', 'OPS-21', 'alpha', '{ANN}', 'in_progress', "
        "timestamp '2026-02-27 09:00', timestamp '2026-02-27 09:00', null, null), "
        f"('a2', 'task', 'jira', 'OPS-22', 'alpha', '{ANN}', 'in_review', "
        "timestamp '2026-03-01 09:00', timestamp '2026-03-01 09:00', null, null), "
        f"('a3', 'task', 'jira', 'OPS-23', 'alpha', '{BOB}', 'in_progress', "
        "timestamp '2026-02-01 09:00', timestamp '2026-02-01 09:00', null, null), "
        f"('c1', 'case', 'zendesk', '101', 'alpha', '{ANN}', 'in_progress', "
        "timestamp '2026-03-02 03:00', null, null, null), "
        f"('c2', 'case', 'zendesk', '102', 'alpha', '{ANN}', 'todo', "
        "timestamp '2026-03-01 09:00', null, null, null), "
        f"('c3', 'case', 'zendesk', '103', 'alpha', '{ANN}', 'todo', "
        "timestamp '2026-03-02 08:00', null, null, null), "
        f"('c4', 'case', 'zendesk', '104', 'alpha', '{BOB}', 'todo', "
        "timestamp '2026-03-01 09:00', null, null, null), "
        f"('c5', 'case', 'zendesk', '105', 'alpha', '{ANN}', 'in_progress', "
        "timestamp '2026-03-01 09:00', null, null, null)"
    )
    con.execute(
        "create table kpis.kpi_base_case_sla as select *, "
        "created_at + to_seconds(cast(target_hours * 3600 as bigint)) as deadline_at "
        "from (values "
        "('c1', 'first_reply', 8.0, timestamp '2026-03-02 03:00', null::timestamp), "
        "('c1', 'resolution', 24.0, timestamp '2026-03-02 03:00', null), "
        "('c2', 'first_reply', 4.0, timestamp '2026-03-01 09:00', null), "
        "('c3', 'first_reply', 8.0, timestamp '2026-03-02 08:00', null), "
        "('c4', 'first_reply', 4.0, timestamp '2026-03-01 09:00', null), "
        "('c5', 'first_reply', 4.0, timestamp '2026-03-01 09:00', "
        "timestamp '2026-03-01 10:00')) "
        "as t(work_item_id, sla_metric, target_hours, created_at, stopped_at)"
    )
    con.execute(
        "create table intermediate.int_accounts_mapped as select * from (values "
        f"('github', 'gh-ann', '{ANN}'), ('github', 'gh-bob', '{BOB}')) "
        "as t(source_system, account_id, person_id); "
        "create table marts.fct_pull_requests as select * from (values "
        f"('github:pull_request:10', 'web', 10, 'open', '{BOB}'), "
        f"('github:pull_request:11', 'web', 11, 'open', '{BOB}'), "
        f"('github:pull_request:12', 'web', 12, 'open', '{BOB}'), "
        f"('github:pull_request:13', 'web', 13, 'open', '{ANN}'), "
        f"('github:pull_request:14', 'web', 14, 'merged', '{BOB}')) "
        "as t(work_item_id, repository_name, pull_request_number, pull_request_status, "
        "author_person_id); "
        "create table staging.stg_github__pull_request_events as select * from (values "
        "(10, 'review_requested', 'gh-ann', timestamp '2026-03-01 09:00'), "
        "(11, 'review_requested', 'gh-ann', timestamp '2026-02-27 09:00'), "
        "(12, 'review_requested', 'gh-ann', timestamp '2026-02-25 09:00'), "
        "(12, 'review_requested', 'gh-ann', timestamp '2026-03-02 06:00'), "
        "(13, 'review_requested', 'gh-bob', timestamp '2026-03-01 09:00'), "
        "(14, 'review_requested', 'gh-ann', timestamp '2026-03-01 09:00'), "
        "(10, 'ready_for_review', null, timestamp '2026-03-01 08:00')) "
        "as t(pull_request_id, event_type, requested_reviewer_account_id, created_at)"
    )
    con.execute(
        "create table marts.fct_work_events as select * from (values "
        "('pr1', 'pr.reviewed', timestamp '2026-01-05 10:00', null, 'bot'), "
        f"('pr1', 'pr.reviewed', timestamp '2026-01-05 11:00', '{BOB}', 'person'), "
        f"('pr1', 'pr.reviewed', timestamp '2026-01-05 15:00', '{BOB}', 'person'), "
        f"('pr2', 'pr.reviewed', timestamp '2026-01-06 13:00', '{BOB}', 'person'), "
        f"('pr3', 'pr.reviewed', timestamp '2026-01-06 16:00', '{ANN}', 'person'), "
        f"('pr3', 'pr.reviewed', timestamp '2026-01-06 18:00', '{ANN}', 'person'), "
        # Ann reviewed web#11 after it was requested, and web#12 before it was asked again.
        "('github:pull_request:11', 'pr.reviewed', timestamp '2026-02-28 10:00', "
        f"'{ANN}', 'person'), "
        "('github:pull_request:12', 'pr.reviewed', timestamp '2026-02-26 09:00', "
        f"'{ANN}', 'person')) "
        "as t(work_item_id, event_type, occurred_at, actor_person_id, actor_type)"
    )
    # The person-days of int_person_day_time_use (its own tests compute them).
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


MONDAY = dt.datetime(2026, 3, 2, 9, 0)


def _view(warehouse, **options):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return personal_view(con, "ann@example.com", SALT, **options)
    finally:
        con.close()


def test_what_waits_on_you_today(warehouse):
    view = _view(warehouse, as_of=MONDAY)
    assert view.today == MONDAY
    # web#10: asked Sunday 9:00, no review = 24 h. web#12: reviewed on 26 Feb, asked
    # again today at 6:00 = 3 h. web#11 was reviewed after the request, web#14 is
    # merged, web#13 waits on Bob and is Ann's own.
    assert [(r.pull_request, r.waiting_hours) for r in view.reviews_waiting] == [
        ("web#10", 24.0),
        ("web#12", 3.0),
    ]
    # Team p85 of Bob's 10..50 h tasks: 40 + 0.4 * 10 = 44 h. OPS-21 started 72 h ago;
    # OPS-22 24 h ago (under it); OPS-23 is Bob's.
    assert [(i.item, i.age_hours, i.threshold_hours) for i in view.items_aging] == [
        ("OPS-21", 72.0, pytest.approx(44.0))
    ]
    # 102: 24 h of a 4 h first reply target; 101: 6 h of 8 h = 0.75, the rule's share
    # (its 24 h resolution target, a quarter used, is not near). 103 is 1 h old, 104
    # is Bob's, 105 was answered.
    assert [(t.ticket, t.sla_metric, t.elapsed_share) for t in view.tickets_near_sla] == [
        ("102", "first_reply", 6.0),
        ("101", "first_reply", 0.75),
    ]
    text = render_markdown(view)
    assert "## Waiting on you today (2026-03-02 09:00 UTC, as given)" in text
    assert "| web#10 | 2026-03-01 09:00 | 24.0 h |" in text
    assert "| OPS-21 | in_progress | 72.0 h | 44.0 h |" in text
    assert "| 102 | first reply | 4.0 h | 24.0 h | past the target |" in text
    assert "| 101 | first reply | 8.0 h | 6.0 h | 75% |" in text
    for not_hers in ("web#11", "web#13", "web#14", "OPS-22", "OPS-23", "| 103 |", "| 104 |"):
        assert not_hers not in text


def test_today_defaults_to_each_sources_as_of_time(warehouse):
    view = _view(warehouse)
    assert view.today == MONDAY  # the latest as-of time held
    # Zendesk's data ends at 8:00: ticket 101 is 5 h into its 8 h (0.625, not near).
    assert [t.ticket for t in view.tickets_near_sla] == ["102"]


def test_a_review_given_leaves_the_list(warehouse):
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into marts.fct_work_events values ('github:pull_request:10', 'pr.reviewed', "
        f"timestamp '2026-03-02 08:30', '{ANN}', 'person')"
    )
    con.close()
    assert [r.pull_request for r in _view(warehouse, as_of=MONDAY).reviews_waiting] == ["web#12"]
    # Before that review (and before web#12 was asked again) only web#10 waited.
    earlier = _view(warehouse, as_of=dt.datetime(2026, 3, 2, 5, 0))
    assert [(r.pull_request, r.waiting_hours) for r in earlier.reviews_waiting] == [
        ("web#10", 20.0)
    ]


def test_someone_elses_items_never_appear(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    bob = personal_view(con, "bob@example.com", SALT, as_of=MONDAY)
    con.close()
    assert [r.pull_request for r in bob.reviews_waiting] == ["web#13"]
    assert [i.item for i in bob.items_aging] == ["OPS-23"]
    assert [t.ticket for t in bob.tickets_near_sla] == ["104"]


def _add_history(warehouse):
    """Ann's PRs and calendar weeks around 2 March 2026 for the trends and signals."""
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into marts.fct_work_items values "
        f"('pr4', 'pull_request', 'github', '4', 'alpha', '{ANN}', 'done', "
        "timestamp '2025-11-30 09:00', null, timestamp '2025-12-01 15:00', null), "
        f"('pr5', 'pull_request', 'github', '5', 'alpha', '{ANN}', 'done', "
        "timestamp '2026-02-10 09:00', null, timestamp '2026-02-10 15:00', null), "
        f"('pr6', 'pull_request', 'github', '6', 'alpha', '{ANN}', 'done', "
        "timestamp '2026-02-20 09:00', null, timestamp '2026-02-20 19:00', null)"
    )
    con.execute(
        "insert into intermediate.int_person_day_time_use values "
        f"('{ANN}', date '2025-12-15', 1.0, 9.0, 1.0, 0.5), "
        f"('{ANN}', date '2026-02-09', 2.0, 4.0, 1.0, 2.0), "
        f"('{ANN}', date '2026-02-16', 2.0, 5.0, 1.0, 3.0)"
    )
    con.close()


def test_trends_compare_you_with_your_own_past(warehouse):
    _add_history(warehouse)
    trends = {t.name: t for t in _view(warehouse, as_of=MONDAY).trends}
    # Last 4 full weeks (2 Feb to 1 Mar): pr5 6 h, pr6 10 h, median 8; the 12 weeks
    # before: pr4 30 h, pr1 12 h, pr2 24 h, median 24.
    cycle = trends["PR cycle time"]
    assert (cycle.recent, sorted(cycle.usual)) == ((6.0, 10.0), [12.0, 24.0, 30.0])
    assert (cycle.recent_median, cycle.usual_median) == (8.0, 24.0)
    assert cycle.words == "shorter than your usual"
    # Focus per week: 4 and 5 lately (4.5) against 9.0, 10.5, 7.5 (median 9).
    focus = trends["Focus hours"]
    assert (focus.recent_median, focus.usual_median) == (4.5, 9.0)
    assert focus.words == "less than your usual"
    assert trends["PR pickup wait"].words == "not enough of your own history yet"
    text = render_markdown(_view(warehouse, as_of=MONDAY))
    assert "| PR cycle time | 8.0 h | 24.0 h | shorter than your usual |" in text
    assert "| Focus hours | 4.5 h a week | 9.0 h a week | less than your usual |" in text
    for comparison in ("Bob", "team median", "colleague"):
        assert comparison not in text


def test_wellbeing_only_when_asked(warehouse):
    _add_history(warehouse)
    view = _view(warehouse, as_of=MONDAY)
    assert view.wellbeing is None
    text = render_markdown(view)
    assert "Wellbeing" not in text and "Break nudge" not in text

    view = _view(warehouse, as_of=MONDAY, wellbeing=True)
    signals = view.wellbeing
    # After-hours meetings: 2 and 3 h lately (2.5) against 0.5, 0.5, 0 in the 8
    # weeks before (1/3); focus 4.5 against 9.0.
    assert (signals.after_hours_recent, signals.after_hours_before) == (2.5, pytest.approx(1 / 3))
    assert (signals.focus_recent, signals.focus_before) == (4.5, 9.0)
    assert signals.after_hours_rising and signals.focus_shrinking
    text = render_markdown(view)
    assert "2.5 h a week lately, against 0.3 h a week before" in text
    assert "Your focus time has been shrinking: 4.5 h a week lately" in text
    assert "Break nudge" not in text

    text = render_markdown(_view(warehouse, as_of=MONDAY, wellbeing=True, break_nudge=True))
    assert "**Break nudge** (you switched it on): this may be a good week" in text


def test_wellbeing_quiet_when_nothing_changed(warehouse):
    view = _view(warehouse, as_of=MONDAY, wellbeing=True, break_nudge=True)
    # No calendar weeks in the last 4: nothing is claimed.
    assert not view.wellbeing.after_hours_rising and not view.wellbeing.focus_shrinking
    text = render_markdown(view)
    assert "Not enough weeks of your calendar yet" in text
    assert "nothing calls for one now" in text


def test_me_command_with_wellbeing_logs_only_the_action(warehouse, tmp_path, monkeypatch):
    _add_history(warehouse)
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", SALT.decode())
    out = tmp_path / "private" / "today.md"
    args = ["--email", "ann@example.com", "--out", str(out), "--warehouse", str(warehouse)]
    result = CliRunner().invoke(me, [*args, "--as-of", "2026-03-02T09:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "Wellbeing" not in out.read_text()
    assert "| web#10 | 2026-03-01 09:00 | 24.0 h |" in out.read_text()

    result = CliRunner().invoke(me, [*args, "--as-of", "2026-03-02T09:00", "--wellbeing"])
    assert result.exit_code == 0, result.output
    assert "after-hours" not in result.output.lower()
    assert "Meetings outside your working hours have been growing" in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600

    log = audit_log_for(warehouse)
    entries = log.entries()
    assert [(e["action"], e["details"]) for e in entries] == [
        ("privacy.personal_view", {"person": ANN}),
        ("privacy.personal_view", {"person": ANN}),
    ]
    held = log.path.read_text()
    assert "ann@example.com" not in held and "wellbeing" not in held.lower()


def test_me_command_refuses_bad_options(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", SALT.decode())
    args = ["--email", "ann@example.com", "--out", str(tmp_path / "me.md")]
    args += ["--warehouse", str(warehouse)]
    result = CliRunner().invoke(me, [*args, "--break-nudge"])
    assert result.exit_code == 2
    assert "--break-nudge is part of the wellbeing signals: add --wellbeing" in result.output
    result = CliRunner().invoke(me, [*args, "--as-of", "monday"])
    assert result.exit_code == 2
    assert "--as-of 'monday' is not an ISO 8601 time" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "me.md").exists()


def _owned(con, rule: str, person: str) -> list[str]:
    """The items a nudge rule flags that the person owns (a rule row per recipient)."""
    return sorted(
        ref
        for (ref,) in con.execute(
            f"select distinct items.source_item_id from nudges.{rule} as rule "
            "inner join marts.fct_work_items as items on rule.subject_id = items.work_item_id "
            "where items.owner_person_id = ?",
            [person],
        ).fetchall()
    )


def test_today_matches_the_nudge_rules_on_the_demo(demo_warehouse):
    """At the data's as-of time, a person's aging items and first reply tickets are
    the rows the wip_aging and ticket_sla_risk rules hold for the items they own."""
    con = duckdb.connect(str(demo_warehouse.path), read_only=True)
    try:
        emails = [
            e for (e,) in con.execute("select email from identity.people_identity").fetchall()
        ]
        seen = {"aging": 0, "tickets": 0, "reviews": 0}
        for email in emails:
            view = personal_view(con, email, DEMO_SALT)
            key = view.person_key
            aging = _owned(con, "nudge_rule_wip_aging", key)
            tickets = _owned(con, "nudge_rule_ticket_sla_risk", key)
            assert sorted(i.item for i in view.items_aging) == aging, email
            first_reply = [t.ticket for t in view.tickets_near_sla if t.sla_metric == "first_reply"]
            assert sorted(first_reply) == tickets, email
            assert view.wellbeing is None
            seen["aging"] += len(aging)
            seen["tickets"] += len(view.tickets_near_sla)
            seen["reviews"] += len(view.reviews_waiting)
    finally:
        con.close()
    # The demo has aging items and reviews waiting (its near-SLA tickets are few).
    assert seen["aging"] and seen["reviews"], seen


def test_a_warehouse_without_the_models_is_named(warehouse, tmp_path, monkeypatch):
    con = duckdb.connect(str(warehouse))
    con.execute("drop table kpis.kpi_base_data_as_of")
    con.close()
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", SALT.decode())
    out = tmp_path / "me.md"
    args = ["--email", "ann@example.com", "--out", str(out), "--warehouse", str(warehouse)]
    result = CliRunner().invoke(me, args)
    assert result.exit_code == 2
    assert "kpi_base_data_as_of" in result.output and "run `outcomes build`" in result.output
    assert "Traceback" not in result.output and not out.exists()
