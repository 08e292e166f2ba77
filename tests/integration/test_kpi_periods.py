"""KPIs over longer periods (issue 11) on the demo organisation:
fct_team_kpis_by_period's week grain is fct_team_kpis_weekly row for row, a
4-week value is computed from the four weeks' items (not from weekly values),
and no published cell at any grain is backed by fewer than k people.
"""

from __future__ import annotations

import math

K = 5
GRAINS = {"week", "rolling_4_weeks", "quarter", "baseline"}


def test_week_grain_is_the_weekly_mart_row_for_row(demo_warehouse):
    weekly = demo_warehouse.query(
        "select team_id, week_start, kpi_id, category, value, sample_size,"
        " contributor_count, is_suppressed, week_start + 6, 1"
        " from marts.fct_team_kpis_weekly order by team_id, week_start, kpi_id"
    )
    by_period = demo_warehouse.query(
        "select team_id, period_start, kpi_id, category, value, sample_size,"
        " contributor_count, is_suppressed, period_end, week_count"
        " from marts.fct_team_kpis_by_period where period_grain = 'week'"
        " order by team_id, period_start, kpi_id"
    )
    assert weekly
    assert by_period == weekly


def test_every_grain_is_published_and_no_cell_is_below_k(demo_warehouse):
    grains = {
        g
        for (g,) in demo_warehouse.query(
            "select distinct period_grain from marts.fct_team_kpis_by_period"
            " where not is_suppressed"
        )
    }
    assert grains == GRAINS
    below_k = demo_warehouse.query(
        "select team_id, period_grain, period_start, kpi_id, contributor_count"
        " from marts.fct_team_kpis_by_period"
        " where not is_suppressed and contributor_count < ?",
        [K],
    )
    assert below_k == []
    shown_though_suppressed = demo_warehouse.query(
        "select count(*) from marts.fct_team_kpis_by_period"
        " where is_suppressed and value is not null"
    )
    assert shown_though_suppressed == [(0,)]


def test_a_4_week_p85_is_the_p85_of_the_four_weeks_items(demo_warehouse):
    """Every published rolling task cycle-time p85, recomputed here from the
    done tasks of its four weeks; contributor_count is the distinct owners
    over the four weeks. At least one differs from the mean of its weeks'
    p85s, which is what a value built from weekly cells would show."""
    rows = demo_warehouse.query(
        """
        with windows as (
            select team_id, period_start, period_end, value, sample_size, contributor_count
            from marts.fct_team_kpis_by_period
            where period_grain = 'rolling_4_weeks' and kpi_id = 'task_cycle_time_p85'
                and not is_suppressed
        ),
        done_tasks as (
            select team_id, cast(date_trunc('week', done_at) as date) as week_start,
                owner_person_id, cycle_time_hours
            from marts.fct_work_items
            where work_item_type = 'task' and canonical_state = 'done'
                and done_at is not null and cycle_time_hours is not null
                and cycle_time_hours >= 0 and team_id is not null
        ),
        weekly as (
            select team_id, week_start, value
            from marts.fct_team_kpis_weekly
            where kpi_id = 'task_cycle_time_p85' and value is not null
        )
        select
            windows.team_id, windows.period_start, windows.value,
            windows.sample_size, windows.contributor_count,
            (select quantile_cont(cycle_time_hours, 0.85) from done_tasks
             where done_tasks.team_id = windows.team_id
                and done_tasks.week_start between windows.period_start and windows.period_end),
            (select count(*) from done_tasks
             where done_tasks.team_id = windows.team_id
                and done_tasks.week_start between windows.period_start and windows.period_end),
            (select count(distinct owner_person_id) from done_tasks
             where done_tasks.team_id = windows.team_id
                and done_tasks.week_start between windows.period_start and windows.period_end),
            (select avg(weekly.value) from weekly
             where weekly.team_id = windows.team_id
                and weekly.week_start between windows.period_start and windows.period_end)
        from windows
        """
    )
    assert len(rows) > 10
    for team, start, value, sample, people, p85, items, owners, _ in rows:
        assert math.isclose(value, p85, rel_tol=1e-9), (team, start)
        assert (sample, people) == (items, owners), (team, start)
    assert any(
        mean_of_weeks is not None and not math.isclose(value, mean_of_weeks, rel_tol=1e-6)
        for _, _, value, *_, mean_of_weeks in rows
    )


def test_thin_weeks_gain_a_value_over_four_weeks(demo_warehouse):
    """A percentile KPI whose week is suppressed (fewer than k people that
    week) is published over the four weeks when k people are behind them."""
    gained = demo_warehouse.query(
        """
        select count(*)
        from marts.fct_team_kpis_by_period as longer
        inner join marts.fct_team_kpis_by_period as week
            on longer.team_id = week.team_id and longer.kpi_id = week.kpi_id
                and week.period_grain = 'week'
                and week.period_start between longer.period_start and longer.period_end
        where longer.period_grain = 'rolling_4_weeks' and not longer.is_suppressed
            and week.is_suppressed and week.sample_size > 0
        """
    )
    assert gained[0][0] > 0


def test_baseline_is_the_first_four_weeks_with_data(demo_warehouse):
    """Default baseline (no explicit windows in the seed): each team's first
    four weeks of kpi_base_team_weeks."""
    rows = demo_warehouse.query(
        """
        with first_weeks as (
            select team_id, week_start,
                row_number() over (partition by team_id order by week_start) as n
            from kpis.kpi_base_team_weeks
        )
        select periods.team_id, periods.period_start, periods.period_end,
            (select min(week_start) from first_weeks f where f.team_id = periods.team_id),
            (select max(week_start) + 6 from first_weeks f
             where f.team_id = periods.team_id and f.n <= 4)
        from kpis.kpi_base_periods as periods
        where periods.period_grain = 'baseline'
        """
    )
    assert rows
    for team, start, end, first, fourth_end in rows:
        assert (start, end) == (first, fourth_end), team
