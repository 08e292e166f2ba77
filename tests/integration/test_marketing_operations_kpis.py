"""Approval latency, brief -> publish time, campaigns on schedule and handoff time on
the demo organisation, recomputed from the Jira export.

Each figure is computed here again from the raw `issues.jsonl`,
`changelogs.jsonl` and the roster with none of the warehouse's SQL: every
issue's status history from its changelog (Jira delivers some histories twice
and out of order), its owner's team (the assignee, else the creator; the
planted mover's team from the day of the move), the ISO week of the decision or
the launch. Every team-week the KPI model computes must equal that
recomputation, and the planted slow-approval team must be the one that waits.
An approval counts for its work item's team, as every work-item KPI does
(docs/architecture.md#team-history): the owner's team when the item was done; a
handoff counts for the team it was handed to, both teams taken at the moment.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import statistics
from collections import defaultdict
from pathlib import Path

from tests.integration.test_sales_kpis import assert_cells_match, computed, read_jsonl, week_of

CONTENT, CAMPAIGN = {"content"}, {"campaign"}  # dbt vars content/campaign_work_types


def parse(ts: str) -> dt.datetime:
    return dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z")


def owner_team(exports: Path, manifest: dict):
    """A function (accountId, when) -> team name, from Jira's users and the roster."""
    email_of = {
        u["accountId"]: u.get("emailAddress") for u in read_jsonl(exports / "jira" / "users.jsonl")
    }
    ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    versions = sorted(  # the roster holds older versions of a moved person: the latest wins
        read_jsonl(exports / "roster" / "users.jsonl"), key=lambda u: u["meta"]["lastModified"]
    )
    team_of_email = {u["userName"]: u[ext]["department"] for u in versions if ext in u}
    move = manifest["planted"]["team_move"]
    moved_on = dt.date.fromisoformat(move["moved_on"])

    def team(account: str | None, when: dt.datetime) -> str | None:
        email = email_of.get(account)
        if email == move["email"] and when.astimezone(dt.UTC).date() < moved_on:
            return move["from_team"]
        return team_of_email.get(email)

    return team


def jira_items(demo_warehouse) -> list[dict]:
    """One row per issue: owner, work type, due date and the sorted status history."""
    exports = demo_warehouse.exports
    broken = {
        record["line"]
        for record in demo_warehouse.manifest["broken_records"]
        if record["file"] == "jira/issues.jsonl"
    }
    issues: dict[str, dict] = {}
    lines = (exports / "jira" / "issues.jsonl").read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        if number in broken or not line.strip():
            continue
        issue = json.loads(line)
        held = issues.get(issue["id"])
        if held is None or parse(issue["fields"]["updated"]) >= parse(held["fields"]["updated"]):
            issues[issue["id"]] = issue
    histories: dict[str, dict[str, dict]] = defaultdict(dict)
    for record in read_jsonl(exports / "jira" / "changelogs.jsonl"):
        histories[record["issueId"]][record["id"]] = record  # a repeated delivery counts once
    rows = []
    for issue_id, issue in issues.items():
        fields = issue["fields"]
        changes = sorted(
            (parse(h["created"]), int(h["id"]), item["toString"], item["fromString"])
            for h in histories[issue_id].values()
            for item in h["items"]
            if item["field"] == "status"
        )
        work_type = (fields.get("customfield_10060") or {}).get("value")
        status = fields["status"]["name"]
        into_status = [at for at, _, to, _ in changes if to == status]
        closed = status in ("Done", "Won't Do") and into_status
        rows.append(
            {
                "owner": (fields.get("assignee") or fields["creator"])["accountId"],
                "type": fields["issuetype"]["name"],
                "work_type": (work_type or "").lower(),
                "due": dt.date.fromisoformat(fields["duedate"]) if fields.get("duedate") else None,
                "status": status,
                "created": parse(fields["created"]),
                # the status before the first change held from creation
                "initial": changes[0][3] if changes else status,
                "changes": [(at, to) for at, _, to, _ in changes],
                # the moment that decides the item's team: its final done or cancel, else now
                "team_at": max(into_status) if closed else dt.datetime.now(dt.UTC),
            }
        )
    assert len(rows) > 1000, f"the demo Jira export has only {len(rows)} issues"
    return rows


def team_ids(demo_warehouse) -> dict[str, str]:
    return dict(demo_warehouse.query("select team_name, team_id from marts.dim_teams"))


def test_approval_latency_is_every_decided_review_in_the_week_of_its_decision(demo_warehouse):
    team = owner_team(demo_warehouse.exports, demo_warehouse.manifest)
    ids = team_ids(demo_warehouse)
    hours = defaultdict(list)
    for item in jira_items(demo_warehouse):
        changes = item["changes"]
        for (entered, to), (left, _) in itertools.pairwise(changes):
            name = team(item["owner"], item["team_at"])
            if to == "In Review" and name in ids:
                cell = (ids[name], week_of(left))
                hours[cell].append((left - entered).total_seconds() / 3600)
    expected = {cell: statistics.median(values) for cell, values in hours.items()}
    actual = computed(demo_warehouse, "kpi_approval_latency", "approval_latency_p50")
    assert_cells_match(expected, actual, "approval_latency_p50")
    assert set(actual) == set(expected)


def test_slow_approval_team_waits_longest_for_approval(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["slow_approval_team"]
    slow = team_ids(demo_warehouse)[planted["team"]]
    by_team = dict(
        demo_warehouse.query(
            "select team_id, median(value) from marts.fct_team_kpis_weekly "
            "where kpi_id = 'approval_latency_p50' and not is_suppressed group by 1"
        )
    )
    assert slow in by_team, f"{planted['team']}: no published approval latency"
    others = [value for team, value in by_team.items() if team != slow]
    assert len(others) >= 5
    assert by_team[slow] > 3 * max(others), by_team


def test_brief_to_publish_is_first_start_to_final_done_of_content(demo_warehouse):
    team = owner_team(demo_warehouse.exports, demo_warehouse.manifest)
    ids = team_ids(demo_warehouse)
    hours = defaultdict(list)
    for item in jira_items(demo_warehouse):
        changes = item["changes"]
        started = [at for at, to in changes if to == "In Progress"]
        if item["work_type"] not in CONTENT or item["status"] != "Done" or not started:
            continue
        done_at = max(at for at, to in changes if to == "Done")
        name = team(item["owner"], item["team_at"])
        if name in ids:
            hours[(ids[name], week_of(done_at))].append(
                (done_at - min(started)).total_seconds() / 3600
            )
    expected = {cell: statistics.median(values) for cell, values in hours.items()}
    actual = computed(demo_warehouse, "kpi_brief_to_publish_time", "brief_to_publish_time_p50")
    assert_cells_match(expected, actual, "brief_to_publish_time_p50")
    assert set(actual) == set(expected)


def quarter_of(week: dt.date) -> dt.date:
    """The first week of the week's quarter: a week is in the quarter of its
    Thursday, and a quarter starts with the week that holds its fourth day."""
    thursday = week + dt.timedelta(days=3)
    fourth = dt.date(thursday.year, 3 * ((thursday.month - 1) // 3) + 1, 4)
    return fourth - dt.timedelta(days=fourth.weekday())


def assert_week_and_quarter_cells(demo_warehouse, model: str, kpi_id: str, expected: dict) -> None:
    """The KPI model's week and quarter cells ((grain, team_id, start) -> value) equal
    the recomputation, and the period mart publishes some quarter, with those values.
    For KPIs with a few items a week: the weekly cells stay under the small-group
    threshold, and the quarter is where the figure shows."""
    actual = {
        (grain, team_id, start): value
        for grain, team_id, start, value in demo_warehouse.query(
            f"select period_grain, team_id, period_start, value from kpis.{model} "
            "where kpi_id = ? and period_grain in ('week', 'quarter')",
            [kpi_id],
        )
    }
    assert len(actual) >= 15, f"{kpi_id}: only {len(actual)} cells"
    assert actual.keys() == expected.keys()
    for cell, value in actual.items():
        assert abs(value - expected[cell]) < 1e-9, (kpi_id, cell, value, expected[cell])
    shown = demo_warehouse.query(
        "select team_id, period_start, value from marts.fct_team_kpis_by_period "
        "where kpi_id = ? and period_grain = 'quarter' and not is_suppressed",
        [kpi_id],
    )
    assert shown, f"{kpi_id}: no quarter is published"
    for team_id, start, value in shown:
        assert value == actual[("quarter", team_id, start)]


def test_campaigns_on_schedule_are_launches_by_their_due_date(demo_warehouse):
    """The demo launches a campaign with a due date in about two weeks of three,
    by one or two owners: the weekly cells stay under the small-group threshold,
    and the quarter is where the figure is published."""
    team = owner_team(demo_warehouse.exports, demo_warehouse.manifest)
    ids = team_ids(demo_warehouse)
    on_time, launched = defaultdict(int), defaultdict(int)
    for item in jira_items(demo_warehouse):
        if item["work_type"] not in CAMPAIGN or item["status"] != "Done" or item["due"] is None:
            continue
        done_at = max(at for at, to in item["changes"] if to == "Done")
        name = team(item["owner"], item["team_at"])
        if name in ids:
            week = week_of(done_at)
            for cell in (("week", ids[name], week), ("quarter", ids[name], quarter_of(week))):
                launched[cell] += 1
                on_time[cell] += done_at.astimezone(dt.UTC).date() <= item["due"]
    assert 0 < sum(on_time.values()) < sum(launched.values()), "some campaigns launch late"
    expected = {cell: on_time[cell] / count for cell, count in launched.items()}
    assert_week_and_quarter_cells(
        demo_warehouse, "kpi_campaigns_on_schedule", "campaigns_on_schedule", expected
    )


OPEN = {"To Do", "In Progress", "Blocked", "In Review"}  # todo, in_progress, blocked, in_review


def status_at(item: dict, moment: dt.datetime) -> str:
    """The status held at `moment`: a change at that very instant has not happened yet."""
    held = item["initial"]
    for at, to in item["changes"]:
        if at >= moment:
            break
        held = to
    return held


def test_task_backlog_is_the_open_tasks_at_each_weeks_end(demo_warehouse):
    """Every team-week of the team's active range, the tasks open at Sunday
    24:00 UTC (the current week: when the Jira data ends), replayed from each
    issue's status history: their median age and how many are over 30 days."""
    team = owner_team(demo_warehouse.exports, demo_warehouse.manifest)
    ids = team_ids(demo_warehouse)
    ((as_of,),) = demo_warehouse.query(
        "select as_of_at from kpis.kpi_base_data_as_of where source_system = 'jira'"
    )
    as_of = as_of.replace(tzinfo=dt.UTC)
    team_weeks = demo_warehouse.query("select team_id, week_start from kpis.kpi_base_team_weeks")
    items = [
        dict(item, team_id=ids.get(team(item["owner"], item["team_at"])))
        for item in jira_items(demo_warehouse)
    ]
    by_team = defaultdict(list)
    for item in items:
        by_team[item["team_id"]].append(item)
    expected_age, expected_aged = {}, {}
    for team_id, week in team_weeks:
        start = dt.datetime.combine(week, dt.time(), dt.UTC)
        if start >= as_of:
            continue
        moment = min(start + dt.timedelta(days=7), as_of)
        ages = [
            (moment - item["created"]).total_seconds() / 3600
            for item in by_team[team_id]
            if item["created"] < moment and status_at(item, moment) in OPEN
        ]
        if ages:
            expected_age[(team_id, week)] = statistics.median(ages)
            expected_aged[(team_id, week)] = sum(age > 30 * 24 for age in ages)
    assert sum(expected_aged.values()) > 0, "some demo tasks stay open past 30 days"
    actual = computed(demo_warehouse, "kpi_task_backlog", "task_backlog_age_p50")
    assert_cells_match(expected_age, actual, "task_backlog_age_p50")
    assert set(actual) == set(expected_age)
    # a count: a published week without open tasks is a zero the mart fills in
    aged = dict(
        ((team_id, week), value)
        for team_id, week, value in demo_warehouse.query(
            "select team_id, period_start, value from kpis.kpi_task_backlog "
            "where kpi_id = 'task_backlog_over_30_days' and period_grain = 'week'"
        )
    )
    assert aged == expected_aged
    shown = demo_warehouse.query(
        "select team_id, week_start, value from marts.fct_team_kpis_weekly "
        "where kpi_id = 'task_backlog_over_30_days' and not is_suppressed"
    )
    assert shown
    assert all(value == expected_aged.get((t, week), 0) for t, week, value in shown)


def jira_handoffs(demo_warehouse) -> list[dict]:
    """Every cross-team handoff of the Jira export: an assignee change to a person of
    another team than the previous assignee's (or the assigner's, for an item nobody
    had), teams at the moment of the change; answered at the item's first change by a
    member of the receiving team, no later than the next assignee change."""
    exports = demo_warehouse.exports
    team = owner_team(exports, demo_warehouse.manifest)
    live = issue_ids(demo_warehouse)
    histories: dict[str, dict[str, dict]] = defaultdict(dict)
    for record in read_jsonl(exports / "jira" / "changelogs.jsonl"):
        if record["issueId"] in live:
            histories[record["issueId"]][record["id"]] = record
    handoffs = []
    for records in histories.values():
        changes = sorted(
            (parse(h["created"]), int(h["id"]), index, h["author"]["accountId"], item)
            for h in records.values()
            for index, item in enumerate(h["items"])
        )
        assignments = [c for c in changes if c[4]["field"] == "assignee"]
        for k, (at, _, _, author, item) in enumerate(assignments):
            receiving = team(item["to"], at)
            sending = team(item["from"] if item["from"] else author, at)
            if receiving is None or sending is None or receiving == sending:
                continue
            until = assignments[k + 1][0] if k + 1 < len(assignments) else None
            actions = [
                when
                for when, _, _, actor, _ in changes
                if when > at and (until is None or when <= until) and team(actor, when) == receiving
            ]
            handoffs.append(
                {"team": receiving, "at": at, "answered": min(actions) if actions else None}
            )
    return handoffs


def issue_ids(demo_warehouse) -> set[str]:
    """The issues the warehouse holds: every id with a readable record in the export."""
    broken = {
        record["line"]
        for record in demo_warehouse.manifest["broken_records"]
        if record["file"] == "jira/issues.jsonl"
    }
    lines = (demo_warehouse.exports / "jira" / "issues.jsonl").read_text().splitlines()
    return {
        json.loads(line)["id"]
        for number, line in enumerate(lines, start=1)
        if number not in broken and line.strip()
    }


def test_handoff_time_is_each_handoff_until_the_receiving_teams_first_action(demo_warehouse):
    """A team is handed a few items a week, by fewer than five receivers: the weekly
    cells stay under the small-group threshold, and the quarter is where it shows."""
    ids = team_ids(demo_warehouse)
    hours = defaultdict(list)
    handoffs = jira_handoffs(demo_warehouse)
    assert len(handoffs) > 100, f"only {len(handoffs)} cross-team handoffs in the demo"
    assert any(h["answered"] is None for h in handoffs), "some handoffs wait for an answer"
    for handoff in handoffs:
        if handoff["answered"] is not None and handoff["team"] in ids:
            week = week_of(handoff["answered"])
            wait = (handoff["answered"] - handoff["at"]).total_seconds() / 3600
            for cell in (
                ("week", ids[handoff["team"]], week),
                ("quarter", ids[handoff["team"]], quarter_of(week)),
            ):
                hours[cell].append(wait)
    expected = {cell: statistics.median(values) for cell, values in hours.items()}
    assert_week_and_quarter_cells(demo_warehouse, "kpi_handoff_time", "handoff_time_p50", expected)


def test_slow_handoff_team_takes_longest_to_act_on_handoffs(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["slow_handoff_team"]
    slow = team_ids(demo_warehouse)[planted["team"]]
    by_team = dict(
        demo_warehouse.query(
            "select team_id, median(value) from marts.fct_team_kpis_by_period "
            "where kpi_id = 'handoff_time_p50' and period_grain = 'quarter' "
            "and not is_suppressed group by 1"
        )
    )
    assert slow in by_team, f"{planted['team']}: no published handoff time"
    others = [value for team, value in by_team.items() if team != slow]
    assert len(others) >= 5
    assert by_team[slow] > 2 * max(others), by_team


WIP = {"In Progress", "Blocked", "In Review"}  # in_progress, blocked, in_review


def wip_limits() -> dict[str, int]:
    path = Path(__file__).resolve().parents[2] / "seeds" / "scorecards" / "team_wip_limits.csv"
    rows = path.read_text().splitlines()[1:]
    return {team_id: int(limit) for team_id, limit in (row.split(",") for row in rows)}


def test_wip_is_each_days_tasks_in_progress_and_the_days_over_the_limit(demo_warehouse):
    """Every day of every team-week, the tasks in progress, blocked or in review at
    24:00 UTC (the current day: when the Jira data ends), replayed from each issue's
    status history: their mean over the week, and the days above the team's limit."""
    team = owner_team(demo_warehouse.exports, demo_warehouse.manifest)
    ids = team_ids(demo_warehouse)
    limits = wip_limits()
    ((as_of,),) = demo_warehouse.query(
        "select as_of_at from kpis.kpi_base_data_as_of where source_system = 'jira'"
    )
    as_of = as_of.replace(tzinfo=dt.UTC)
    by_team = defaultdict(list)
    for item in jira_items(demo_warehouse):
        by_team[ids.get(team(item["owner"], item["team_at"]))].append(item)
    expected_mean, expected_over = {}, {}
    for team_id, week in demo_warehouse.query(
        "select team_id, week_start from kpis.kpi_base_team_weeks"
    ):
        start = dt.datetime.combine(week, dt.time(), dt.UTC)
        ends = [
            min(start + dt.timedelta(days=day + 1), as_of)
            for day in range(7)
            if start + dt.timedelta(days=day) < as_of
        ]
        if not ends:
            continue
        daily = [sum(1 for item in by_team[team_id] if status_at(item, end) in WIP) for end in ends]
        expected_mean[(team_id, week)] = sum(daily) / len(daily)
        if team_id in limits:
            expected_over[(team_id, week)] = sum(count > limits[team_id] for count in daily)
    assert set(limits) <= set(ids.values()), "every limited team is a demo team"
    assert sum(expected_over.values()) > 0, "some demo teams go over their WIP limit"
    cells = {
        (kpi_id, team_id, week): value
        for kpi_id, team_id, week, value in demo_warehouse.query(
            "select kpi_id, team_id, period_start, value from kpis.kpi_wip "
            "where period_grain = 'week'"
        )
    }
    mean = {(t, w): v for (k, t, w), v in cells.items() if k == "wip_items"}
    over = {(t, w): v for (k, t, w), v in cells.items() if k == "wip_over_limit_days"}
    assert mean.keys() == expected_mean.keys()
    assert all(abs(mean[cell] - expected_mean[cell]) < 1e-9 for cell in mean), [
        (cell, mean[cell], expected_mean[cell])
        for cell in mean
        if abs(mean[cell] - expected_mean[cell]) >= 1e-9
    ][:5]
    assert over == expected_over
    shown = demo_warehouse.query(
        "select team_id, week_start, value from marts.fct_team_kpis_weekly "
        "where kpi_id = 'wip_over_limit_days' and not is_suppressed"
    )
    assert shown, "no week of days over the WIP limit is published"
    assert all(value == expected_over[(t, week)] for t, week, value in shown)
