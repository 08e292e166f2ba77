{#
    Work in progress (flow, every team's task-tracker work; engineering reads
    it first): a daily snapshot, at the end of each day (24:00 UTC) of the
    team's active weeks (kpi_base_team_weeks), of the team's tasks in
    progress, blocked or in review; for the current day, the moment the
    task's tool's data reaches (kpi_base_data_as_of). Team = the task's team
    (fct_work_items), as for every work-item KPI.
    - wip_items: the mean of the period's daily snapshots (every day of the
      period counts, a day with nothing in progress as zero).
    - wip_over_limit_days: days whose snapshot exceeded the team's limit
      (seed team_wip_limits); a team without a limit has none.
    sample_size = days, contributor_count = distinct owners of the tasks in
    progress in the period.
#}

{{ scorecard_check_team_wip_limits(ref('team_wip_limits'), ref('dim_teams')) }}

with team_weeks as (

    select * from {{ ref('kpi_base_team_weeks') }}

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}
    where work_item_type = 'task'

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'task' and team_id is not null

),

wip_limits as (

    select
        trim(team_id) as team_id,
        cast(trim(wip_limit) as integer) as wip_limit
    from {{ ref('team_wip_limits') }}

),

task_sources as (

    select
        data_as_of.source_system,
        data_as_of.as_of_at
    from data_as_of
    where data_as_of.source_system in (select work_items.source_system from work_items)

),

{# Every day of the team's weeks that the task data has reached. #}
week_days as (

    select
        team_id,
        week_start,
        {{ date_series('week_start', 'week_start + 6') }} as day_start
    from team_weeks

),

days as (

    select
        week_days.team_id,
        week_days.week_start,
        week_days.day_start
    from week_days
    where
        cast(week_days.day_start as timestamp)
        < (select max(task_sources.as_of_at) from task_sources)

),

in_progress as (

    select
        days.team_id,
        days.week_start,
        days.day_start,
        work_items.work_item_id,
        work_items.owner_person_id
    from days
    inner join work_items
        on days.team_id = work_items.team_id
    inner join task_sources
        on work_items.source_system = task_sources.source_system
    inner join state_intervals
        on work_items.work_item_id = state_intervals.work_item_id
            and least(cast(days.day_start + 1 as timestamp), task_sources.as_of_at)
            > state_intervals.entered_at
            and (
                state_intervals.exited_at is null
                or least(cast(days.day_start + 1 as timestamp), task_sources.as_of_at)
                <= state_intervals.exited_at
            )
    where state_intervals.canonical_state in ('in_progress', 'blocked', 'in_review')

),

daily as (

    select
        days.team_id,
        days.week_start,
        days.day_start,
        count(in_progress.work_item_id) as wip_count
    from days
    left join in_progress
        on days.team_id = in_progress.team_id
            and days.day_start = in_progress.day_start
    group by days.team_id, days.week_start, days.day_start

),

daily_aggregated as (

    select
        daily.team_id,
        daily.period_grain,
        daily.period_start,
        avg(cast(daily.wip_count as double precision)) as wip_mean,
        count(case when daily.wip_count > wip_limits.wip_limit then 1 end) as over_limit_days,
        max(wip_limits.wip_limit) as wip_limit,
        count(*) as day_count
    from {{ kpi_periods('daily') }}
    left join wip_limits
        on daily.team_id = wip_limits.team_id
    group by daily.team_id, daily.period_grain, daily.period_start

),

owners as (

    select
        team_id,
        period_grain,
        period_start,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('in_progress') }}
    group by team_id, period_grain, period_start

),

aggregated as (

    select
        daily_aggregated.team_id,
        daily_aggregated.period_grain,
        daily_aggregated.period_start,
        daily_aggregated.wip_mean,
        daily_aggregated.over_limit_days,
        daily_aggregated.wip_limit,
        daily_aggregated.day_count,
        coalesce(owners.owner_count, 0) as owner_count
    from daily_aggregated
    left join owners
        on daily_aggregated.team_id = owners.team_id
            and daily_aggregated.period_grain = owners.period_grain
            and daily_aggregated.period_start = owners.period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'wip_items', 'value': 'wip_mean',
         'sample_size': 'day_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'wip_over_limit_days', 'value': 'over_limit_days',
         'sample_size': 'day_count', 'contributor_count': 'owner_count',
         'where': 'wip_limit is not null'},
    ]) }}

)

select * from final
