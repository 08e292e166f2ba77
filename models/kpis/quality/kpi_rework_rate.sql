{#
    Rework rate (quality, every function's task-tracker work): tasks reopened /
    tasks done, per week of FIRST done (docs/kpi-definitions.md). A task counts once,
    in the week it first entered done, whatever happened later; it is reopened
    when it left done at least once after that (task.reopened). Later reopens
    revise the week of first done, so recent weeks can still rise.
#}
with finished as (

    select * from {{ ref('kpi_base_finished_work_items') }}
    where work_item_type = 'task'

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_reopened then 1 end) as reopened_count,
        count(*) as done_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('finished') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'rework_rate',
         'value': 'cast(reopened_count as float8) / nullif(done_count, 0)',
         'sample_size': 'done_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
