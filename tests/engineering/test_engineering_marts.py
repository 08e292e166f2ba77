"""The engineering marts find what the demo generator planted.

Read-only: the session's `demo_warehouse` is built once by tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import defaultdict

import pytest

from outcomes.demo.clock import TIMEZONES, holidays
from tests.integration.test_sales_kpis import read_jsonl, week_of

MIN_GROUP_SIZE = 5


def _team_id(demo_warehouse, team_name: str) -> str:
    rows = demo_warehouse.query(
        "select team_id from marts.dim_teams where team_name = ?", [team_name]
    )
    assert len(rows) == 1, f"team {team_name!r} not in dim_teams"
    return rows[0][0]


def test_slow_review_team_has_the_slowest_pickup(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["slow_review_team"]
    slow_team = _team_id(demo_warehouse, planted["team"])
    medians = demo_warehouse.query(
        """
        select team_id, quantile_cont(pickup_time_hours, 0.5) as pickup_p50
        from marts.fct_pull_requests
        where team_id is not null and pickup_time_hours is not null
        group by team_id
        order by pickup_p50 desc
        """
    )
    assert medians[0][0] == slow_team
    by_team = dict(medians)
    others = [v for team, v in by_team.items() if team != slow_team]
    # the generator's own measure (first human review - created) agrees
    assert by_team[slow_team] == pytest.approx(planted["pickup_median_hours"], rel=0.15)
    assert by_team[slow_team] > 2.5 * max(others)


def test_slow_review_team_repositories_are_its_own(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["slow_review_team"]
    slow_team = _team_id(demo_warehouse, planted["team"])
    owners = demo_warehouse.query(
        """
        select distinct repository_name, team_id
        from marts.fct_deployments
        where repository_name in (select unnest(?))
        """,
        [planted["repositories"]],
    )
    assert owners and {team for _, team in owners} == {slow_team}


def test_planted_incident_is_attributed_to_the_planted_deployment(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["incident_after_deployment"]
    deployment_id = f"github:{planted['deployment_id']}"
    incident = demo_warehouse.query(
        """
        select deployment_id, attribution_method, service_name, hours_since_deployment
        from marts.fct_incidents
        where incident_id = ?
        """,
        [planted["incident_id"]],
    )
    assert incident == [
        (
            deployment_id,
            "service_window",
            planted["service"],
            pytest.approx(planted["minutes_after_deployment"] / 60, abs=1 / 60),
        )
    ]


def test_planted_deployment_caused_a_failure_for_its_team(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["incident_after_deployment"]
    team = _team_id(demo_warehouse, planted["team"])
    rows = demo_warehouse.query(
        """
        select team_id, is_live, has_caused_failure, failure_reason, incident_count,
            cast(date_trunc('week', finished_at) as date) as week_start
        from marts.fct_deployments
        where deployment_id = ?
        """,
        [f"github:{planted['deployment_id']}"],
    )
    assert len(rows) == 1
    team_id, is_live, failed, reason, incidents, week = rows[0]
    assert (team_id, is_live, failed, reason) == (team, True, True, "incident")
    assert incidents >= 1
    weekly = demo_warehouse.query(
        """
        select failed_deployment_count, deployment_count, is_suppressed
        from marts.fct_dora_team_weekly
        where team_id = ? and week_start = ?
        """,
        [team, week],
    )
    assert len(weekly) == 1
    failed_count, deployment_count, suppressed = weekly[0]
    assert deployment_count >= 1
    assert suppressed or failed_count >= 1


def test_changes_are_credited_once_and_never_before_their_merge(demo_warehouse):
    (credited, shipped, early) = demo_warehouse.query(
        """
        select
            (select sum(change_count) from marts.fct_deployments),
            (select count(*) from marts.fct_pull_requests where deployment_id is not null),
            (select count(*) from marts.fct_pull_requests where deploy_time_hours < 0)
        """
    )[0]
    assert credited == shipped > 0
    assert early == 0


def test_dora_cells_are_suppressed_below_k(demo_warehouse):
    for table in ("fct_dora_team_weekly", "fct_dora_team_rolling"):
        leaks = demo_warehouse.query(
            f"""
            select count(*) from marts.{table}
            where (contributor_count < {MIN_GROUP_SIZE}) <> is_suppressed
                or (is_suppressed and (lead_time_p50_hours is not null
                    or change_failure_rate is not null
                    or deployment_frequency_level is not null))
            """
        )
        assert leaks == [(0,)], table


def test_dora_levels_say_no_data_without_deployments(demo_warehouse):
    rows = demo_warehouse.query(
        """
        select distinct deployment_frequency_level, change_failure_rate_level
        from marts.fct_dora_team_rolling
        where deployment_count = 0 and not is_suppressed
        """
    )
    assert all(row == ("no data", "no data") for row in rows)


def test_task_flow_marts_hold_their_invariants(demo_warehouse):
    (bad_efficiency, leaks) = demo_warehouse.query(
        f"""
        select
            (select count(*) from marts.fct_task_flow_team_weekly
             where flow_efficiency < 0 or flow_efficiency > 1),
            (select count(*) from marts.fct_wip_daily
             where (contributor_count < {MIN_GROUP_SIZE}) <> is_suppressed
                or (is_suppressed and wip_count is not null)
                or (not is_suppressed and wip_count < contributor_count))
        """
    )[0]
    assert (bad_efficiency, leaks) == (0, 0)
    published = demo_warehouse.query(
        "select count(*) from marts.fct_task_flow_team_weekly where not is_suppressed"
    )
    assert published[0][0] > 0


# -- review latency, exact reverts, one change failure rate, business hours ----------------------


def test_slow_review_team_has_the_slowest_review_latency(demo_warehouse):
    """Review requested -> first review by a requested reviewer: the planted team waits longest,
    in calendar and in business hours (the generator plants ~5x in business hours)."""
    planted = demo_warehouse.manifest["planted"]["slow_review_team"]
    slow_team = _team_id(demo_warehouse, planted["team"])
    rows = demo_warehouse.query(
        """
        select team_id,
            quantile_cont(review_latency_hours, 0.5),
            quantile_cont(review_latency_business_hours, 0.5),
            count(review_latency_hours)
        from marts.fct_pull_requests
        where team_id is not null and review_latency_hours is not null
        group by team_id
        """
    )
    by_team = {team: (calendar, business, n) for team, calendar, business, n in rows}
    assert slow_team in by_team and all(n >= 20 for _, _, n in by_team.values())
    others = [v for team, v in by_team.items() if team != slow_team]
    assert by_team[slow_team][0] > 2.5 * max(calendar for calendar, _, _ in others)
    assert by_team[slow_team][1] > 2.5 * max(business for _, business, _ in others)


def test_review_latency_starts_at_the_request_and_ends_at_a_requested_review(demo_warehouse):
    bad = demo_warehouse.query(
        """
        select count(*) from marts.fct_pull_requests
        where review_requested_at < ready_at
            or first_requested_review_at < review_requested_at
            or first_requested_review_at < first_review_at
            or (review_latency_hours is not null) <> (first_requested_review_at is not null)
            or (is_draft and (ready_at is not null or review_latency_hours is not null))
        """
    )
    assert bad == [(0,)]


def _merged_revert_links(exports) -> set[tuple[str, int]]:
    """(repository, reverted number) named by every merged revert PR of the raw export."""
    latest: dict[int, dict] = {}
    for line in (exports / "github" / "pull_requests.jsonl").read_text().splitlines():
        try:
            pr = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "id" in pr and pr["updated_at"] >= latest.get(pr["id"], {}).get("updated_at", ""):
            latest[pr["id"]] = pr
    links = set()
    for pr in latest.values():
        match = re.fullmatch(r"Reverts ([\w.-]+/[\w.-]+)#(\d+)", pr.get("body") or "")
        if match and pr["merged_at"]:
            links.add((match.group(1), int(match.group(2))))
    return links


def test_reverted_pull_requests_are_exactly_the_ones_reverts_name(demo_warehouse):
    named = _merged_revert_links(demo_warehouse.exports)
    assert len(named) >= 5
    reverted = demo_warehouse.query(
        """
        select repository_name, pull_request_number from marts.fct_pull_requests
        where source_system = 'github' and is_reverted
        """
    )
    assert set(reverted) == named
    # and the link goes to the revert that names it
    mismatched = demo_warehouse.query(
        """
        select count(*) from marts.fct_pull_requests as reverted
        inner join marts.fct_pull_requests as revert
            on reverted.reverted_by_pull_request_id = revert.pull_request_id
        where not revert.is_revert or revert.repository_name <> reverted.repository_name
            or revert.merged_at < reverted.merged_at
        """
    )
    assert mismatched == [(0,)]


def test_change_failure_rate_kpi_equals_the_dora_mart(demo_warehouse):
    """One definition: the team KPI and fct_dora_team_weekly count the same failed deployments."""
    (cells, differing, only_one_side) = demo_warehouse.query(
        """
        select
            count(*),
            count(*) filter (where abs(kpi.value - dora.change_failure_rate) > 1e-9
                or kpi.sample_size <> dora.deployment_count),
            count(*) filter (where kpi.team_id is null or dora.team_id is null)
        from (
            select * from kpis.kpi_change_failure_rate where period_grain = 'week'
        ) as kpi
        full join (
            select * from kpis.kpi_base_dora_team_windows
            where window_weeks = 1 and deployment_count > 0
        ) as dora
            on kpi.team_id = dora.team_id and kpi.period_start = dora.week_start
        """
    )[0]
    assert cells > 0 and (differing, only_one_side) == (0, 0)
    published = demo_warehouse.query(
        """
        select count(*), count(*) filter (where abs(kpi.value - dora.change_failure_rate) > 1e-9)
        from marts.fct_team_kpis_weekly as kpi
        inner join marts.fct_dora_team_weekly as dora
            on kpi.team_id = dora.team_id and kpi.week_start = dora.week_start
        where kpi.kpi_id = 'change_failure_rate'
            and kpi.value is not null and dora.change_failure_rate is not null
        """
    )
    assert published[0][0] > 0 and published[0][1] == 0


MEASURES = (
    "coding_time",
    "pickup_time",
    "review_time",
    "review_latency",
    "deploy_time",
    "cycle_time",
)


@pytest.mark.parametrize("measure", MEASURES)
def test_business_hours_lie_between_zero_and_calendar_hours(demo_warehouse, measure):
    (measured, bad) = demo_warehouse.query(
        f"""
        select
            count({measure}_business_hours),
            count(*) filter (where {measure}_business_hours < -1e-9
                or {measure}_business_hours > {measure}_hours + 1e-9
                or ({measure}_business_hours is not null and {measure}_hours is null)
                or ({measure}_hours is not null and team_id is not null
                    and {measure}_business_hours is null))
        from marts.fct_pull_requests
        """
    )[0]
    assert measured > 0 and bad == 0


def test_holiday_seed_holds_the_demo_holidays(demo_warehouse):
    """The demo plants quiet public holidays (outcomes/demo/clock.py); the seed knows them."""
    seeded = demo_warehouse.query(
        "select time_zone, holiday_date from seeds.holidays where team_id is null"
    )
    planted = {(tz, day) for tz in TIMEZONES for y in range(2024, 2028) for day in holidays(tz, y)}
    assert set(seeded) == planted


def test_team_schedules_follow_the_roster(demo_warehouse):
    rows = demo_warehouse.query(
        """
        select count(*), count(*) filter (where days.business_hours_before is null
            or (days.is_working_day and abs(days.business_hours
                - (schedules.work_end_hour - schedules.work_start_hour)) > 1e-9))
        from intermediate.int_team_business_days as days
        inner join intermediate.int_team_schedules as schedules using (team_id)
        """
    )
    assert rows[0][0] > 0 and rows[0][1] == 0
    published = demo_warehouse.query(
        "select count(*) from marts.dim_teams where time_zone is null or work_days is null"
    )
    assert published == [(0,)]


def test_a_revert_counts_as_a_failure_only_when_a_later_deployment_ships_it(demo_warehouse):
    """Issue 14: a change and its revert shipped in one deployment never ran
    alone in production, so that deployment did not fail by the revert."""
    (together, apart) = demo_warehouse.query(
        """
        select
            count(*) filter (where revert_deployment_id = deployment_id),
            count(*) filter (where revert_deployment_id <> deployment_id)
        from marts.fct_pull_requests
        where is_reverted and deployment_id is not null
        """
    )[0]
    assert together > 0 and apart > 0  # the demo has both
    wrong = demo_warehouse.query(
        """
        select count(*) from marts.fct_deployments as d
        where d.has_revert_in_window <> exists (
            select 1
            from marts.fct_pull_requests as p
            inner join marts.fct_deployments as r
                on p.revert_deployment_id = r.deployment_id
            where p.deployment_id = d.deployment_id and p.is_reverted
                and r.deployment_id <> d.deployment_id
                and r.finished_at >= d.finished_at
                and r.finished_at <= d.finished_at + interval 72 hour
        )
        """
    )
    assert wrong == [(0,)]


def test_a_cycle_is_never_shorter_than_its_own_stages(demo_warehouse):
    """Issue 14: the cycle starts at the earlier of first commit and opening,
    so it holds pickup, review and deploy time."""
    shorter = demo_warehouse.query(
        """
        select count(*) from marts.fct_pull_requests
        where cycle_time_hours + 1e-9 < coalesce(pickup_time_hours, 0)
            + coalesce(review_time_hours, 0) + coalesce(deploy_time_hours, 0)
        """
    )
    assert shorter == [(0,)]


def test_deployments_and_deployment_days_are_the_weeks_successful_production_deploys(
    demo_warehouse,
):
    """Recomputed from the raw GitHub export: each production deployment with a
    `success` status counts once (duplicated deliveries too), in the UTC week of its
    first success, for the team owning its repository."""
    exports = demo_warehouse.exports / "github"
    deployments = {d["id"]: d for d in read_jsonl(exports / "deployments.jsonl")}
    first_success: dict[int, dt.datetime] = {}
    for status in read_jsonl(exports / "deployment_statuses.jsonl"):
        if status["state"] == "success":
            at = dt.datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))
            held = first_success.get(status["deployment_id"])
            first_success[status["deployment_id"]] = min(at, held) if held else at
    owners = dict(
        demo_warehouse.query(
            "select repository_name, team_id from intermediate.int_repository_owners"
        )
    )
    count, days = defaultdict(int), defaultdict(set)
    for deployment_id, at in first_success.items():
        deployment = deployments.get(deployment_id)
        if deployment is None or deployment["environment"] != "production":
            continue
        team = owners.get(deployment["repository"]["full_name"])
        if team is not None:
            count[(team, week_of(at))] += 1
            days[(team, week_of(at))].add(at.date())
    assert sum(count.values()) > 100 and any(n > len(days[c]) for c, n in count.items())
    actual = {
        (kpi_id, team, week): value
        for kpi_id, team, week, value in demo_warehouse.query(
            "select kpi_id, team_id, period_start, value from kpis.kpi_deployment_days "
            "where period_grain = 'week'"
        )
    }
    assert {(t, w): v for (k, t, w), v in actual.items() if k == "deployments"} == count
    assert {(t, w): v for (k, t, w), v in actual.items() if k == "deployment_days"} == {
        cell: len(dates) for cell, dates in days.items()
    }


def test_review_latency_kpi_is_the_weeks_pull_requests_reviewed_on_request(demo_warehouse):
    """The weekly KPI is the median of fct_pull_requests' review latency over the pull
    requests first reviewed on request that week, and the planted team has the slowest
    published quarter."""
    latencies = defaultdict(list)
    for team, reviewed_at, hours in demo_warehouse.query(
        "select team_id, first_requested_review_at, review_latency_hours "
        "from marts.fct_pull_requests where team_id is not null and review_latency_hours is not null"
    ):
        latencies[(team, week_of(reviewed_at.replace(tzinfo=dt.UTC)))].append(hours)
    expected = {cell: statistics.median(values) for cell, values in latencies.items()}
    actual = dict(
        ((team, week), value)
        for team, week, value in demo_warehouse.query(
            "select team_id, period_start, value from kpis.kpi_review_latency "
            "where kpi_id = 'review_latency_p50' and period_grain = 'week'"
        )
    )
    assert actual.keys() == expected.keys() and len(actual) > 50
    assert all(abs(actual[cell] - expected[cell]) < 1e-9 for cell in actual)
    slow_team = _team_id(
        demo_warehouse, demo_warehouse.manifest["planted"]["slow_review_team"]["team"]
    )
    quarters = dict(
        demo_warehouse.query(
            "select team_id, median(value) from marts.fct_team_kpis_by_period "
            "where kpi_id = 'review_latency_p50' and period_grain = 'quarter' "
            "and not is_suppressed group by 1"
        )
    )
    others = [value for team, value in quarters.items() if team != slow_team]
    assert slow_team in quarters and len(others) >= 3
    assert quarters[slow_team] > 2 * max(others), quarters


def test_lead_time_kpi_is_the_dora_one_week_window(demo_warehouse):
    """The weekly lead time for changes is the DORA marts' 1-week window, for every
    team and week with a measured change (p50 and p85), and the planted slow-review
    team, whose pull requests wait longest, has the longest published quarter."""
    dora = {
        (team, week, f"lead_time_for_changes_{p}"): value
        for team, week, p50, p85 in demo_warehouse.query(
            "select team_id, week_start, lead_time_p50_hours, lead_time_p85_hours "
            "from kpis.kpi_base_dora_team_windows "
            "where window_weeks = 1 and lead_time_p50_hours is not null"
        )
        for p, value in (("p50", p50), ("p85", p85))
    }
    weekly = {
        (team, week, kpi_id): value
        for team, week, kpi_id, value in demo_warehouse.query(
            "select team_id, period_start, kpi_id, value from kpis.kpi_lead_time_for_changes "
            "where period_grain = 'week'"
        )
    }
    assert weekly.keys() == dora.keys() and len(weekly) > 50
    assert all(abs(weekly[cell] - dora[cell]) < 1e-9 for cell in weekly)
    slow_team = _team_id(
        demo_warehouse, demo_warehouse.manifest["planted"]["slow_review_team"]["team"]
    )
    quarters = dict(
        demo_warehouse.query(
            "select team_id, median(value) from marts.fct_team_kpis_by_period "
            "where kpi_id = 'lead_time_for_changes_p50' and period_grain = 'quarter' "
            "and not is_suppressed group by 1"
        )
    )
    others = [value for team, value in quarters.items() if team != slow_team]
    assert slow_team in quarters and len(others) >= 3
    assert quarters[slow_team] > max(others), quarters
