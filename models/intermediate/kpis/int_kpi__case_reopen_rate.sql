{#
    Ticket reopen rate (quality, support): solved tickets later reopened /
    solved tickets (KPI_DEFINITIONS.md), per week of FIRST solve, the same
    convention as rework_rate. A ticket is reopened when a case.reopened event
    (any exit from solved/closed) follows its first case.solved.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

work_events as (

    select * from {{ ref('fct_work_events') }}

),

first_solved as (

    select
        work_item_id,
        min(occurred_at) as first_solved_at
    from work_events
    where event_type = 'case.solved'
    group by work_item_id

),

reopens as (

    select
        first_solved.work_item_id,
        count(work_events.event_id) as reopen_count
    from first_solved
    inner join work_events
        on first_solved.work_item_id = work_events.work_item_id
            and work_events.event_type = 'case.reopened'
            and first_solved.first_solved_at <= work_events.occurred_at
    group by first_solved.work_item_id

),

solved_cases as (

    select
        work_items.team_id,
        {{ week_start('first_solved.first_solved_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        coalesce(reopens.reopen_count, 0) > 0 as is_reopened
    from work_items
    inner join first_solved
        on work_items.work_item_id = first_solved.work_item_id
    left join reopens
        on work_items.work_item_id = reopens.work_item_id
    where
        work_items.work_item_type = 'case'
        and work_items.team_id is not null

),

aggregated as (

    select
        team_id,
        week_start,
        count(case when is_reopened then 1 end) as reopened_count,
        count(*) as solved_count,
        count(distinct owner_person_id) as owner_count
    from solved_cases
    group by team_id, week_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'case_reopen_rate',
         'value': 'cast(reopened_count as float8) / nullif(solved_count, 0)',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
