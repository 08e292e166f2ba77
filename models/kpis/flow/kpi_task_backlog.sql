{#
    Task backlog at the end of the week (flow, every team's task-tracker
    work; operations reads it as backlog aging): the tasks open (todo,
    in_progress, blocked or in_review) at the end of each week of the team's
    active range (kpi_base_team_weeks), Sunday 24:00 UTC, or for the current
    week the moment the task's tool's data reaches (kpi_base_data_as_of, per
    source system: an older export is not read as if nobody had worked since).
    task_backlog_age_p50 = the interpolated median age of those tasks (hours
    since created); task_backlog_over_30_days = how many were created more
    than 30 days before. sample_size = open tasks, contributor_count = their
    distinct owners. Team = the task's team (fct_work_items). A stock
    (macros/kpis/stock_kpis.sql): a longer period reports the backlog at its
    end, the snapshot of its last week. A week with no open task has no row:
    the count is zero-filled by fct_team_kpis_weekly, the age has no value.
#}
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

snapshots as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        data_as_of.source_system,
        least(
            cast(team_weeks.week_start + 7 as timestamp), data_as_of.as_of_at
        ) as snapshot_at
    from team_weeks
    cross join data_as_of
    where cast(team_weeks.week_start as timestamp) < data_as_of.as_of_at

),

open_tasks as (

    select
        snapshots.team_id,
        snapshots.week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        {{ elapsed_hours('work_items.created_at', 'snapshots.snapshot_at') }} as age_hours
    from snapshots
    inner join work_items
        on snapshots.team_id = work_items.team_id
            and snapshots.source_system = work_items.source_system
    inner join state_intervals
        on work_items.work_item_id = state_intervals.work_item_id
            and snapshots.snapshot_at > state_intervals.entered_at
            and (
                state_intervals.exited_at is null
                or snapshots.snapshot_at <= state_intervals.exited_at
            )
    where
        state_intervals.canonical_state in ('todo', 'in_progress', 'blocked', 'in_review')

),

{# A period's backlog is the one at its end: the snapshot of its last week. #}
aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('age_hours', 0.5) }} as backlog_age_p50_hours,
        count(case when age_hours > 30 * 24 then 1 end) as aged_over_30_days_count,
        count(*) as open_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('open_tasks', at_period_end=true) }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'task_backlog_age_p50', 'value': 'backlog_age_p50_hours',
         'sample_size': 'open_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'task_backlog_over_30_days', 'value': 'aged_over_30_days_count',
         'sample_size': 'open_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
