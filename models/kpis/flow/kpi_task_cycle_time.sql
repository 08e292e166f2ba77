{#
    Task cycle time (flow, every function's task-tracker work): first entry
    into in_progress -> final done, in calendar hours (fct_work_items), for
    tasks reaching final done in the week. Published as the interpolated
    median (task_cycle_time_p50) and 85th percentile (task_cycle_time_p85).
    A task that went straight to done (never in progress) has no cycle time
    and is left out.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

done_tasks as (

    select
        team_id,
        {{ week_start('done_at') }} as week_start,
        work_item_id,
        owner_person_id,
        cycle_time_hours
    from work_items
    where
        work_item_type = 'task'
        and canonical_state = 'done'
        and done_at is not null
        and cycle_time_hours is not null
        and cycle_time_hours >= 0
        and team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('cycle_time_hours', 0.5) }} as cycle_time_p50_hours,
        {{ percentile('cycle_time_hours', 0.85) }} as cycle_time_p85_hours,
        count(*) as done_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('done_tasks') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'task_cycle_time_p50',
         'value': 'cycle_time_p50_hours',
         'sample_size': 'done_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'task_cycle_time_p85',
         'value': 'cycle_time_p85_hours',
         'sample_size': 'done_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
