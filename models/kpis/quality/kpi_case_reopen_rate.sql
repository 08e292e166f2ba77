{#
    Ticket reopen rate (quality, support): solved tickets later reopened /
    solved tickets (docs/kpi-definitions.md), per week of FIRST solve, the same
    convention as rework_rate. A ticket is reopened when a case.reopened event
    (any exit from solved/closed) follows its first case.solved.
#}
with finished as (

    select * from {{ ref('kpi_base_finished_work_items') }}
    where work_item_type = 'case'

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_reopened then 1 end) as reopened_count,
        count(*) as solved_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('finished') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'case_reopen_rate',
         'value': 'cast(reopened_count as float8) / nullif(solved_count, 0)',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
