"""The engineering marts find what the demo generator planted.

Read-only: the session's `demo_warehouse` is built once by tests/conftest.py.
"""

from __future__ import annotations

import pytest

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
