{#
    Rework rate (quality, every function's task-tracker work): tasks reopened /
    tasks done, per week of FIRST done (KPI_DEFINITIONS.md). A task counts once,
    in the week it first entered done, whatever happened later; it is reopened
    when it left done at least once after that (task.reopened). Later reopens
    revise the week of first done, so recent weeks can still rise.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

work_events as (

    select * from {{ ref('fct_work_events') }}

),

first_done as (

    select
        work_item_id,
        min(occurred_at) as first_done_at
    from work_events
    where event_type = 'task.done'
    group by work_item_id

),

reopens as (

    select
        first_done.work_item_id,
        count(work_events.event_id) as reopen_count
    from first_done
    inner join work_events
        on first_done.work_item_id = work_events.work_item_id
            and work_events.event_type = 'task.reopened'
            and first_done.first_done_at <= work_events.occurred_at
    group by first_done.work_item_id

),

done_tasks as (

    select
        work_items.team_id,
        {{ week_start('first_done.first_done_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        coalesce(reopens.reopen_count, 0) > 0 as is_reopened
    from work_items
    inner join first_done
        on work_items.work_item_id = first_done.work_item_id
    left join reopens
        on work_items.work_item_id = reopens.work_item_id
    where
        work_items.work_item_type = 'task'
        and work_items.team_id is not null

),

aggregated as (

    select
        team_id,
        week_start,
        count(case when is_reopened then 1 end) as reopened_count,
        count(*) as done_count,
        count(distinct owner_person_id) as owner_count
    from done_tasks
    group by team_id, week_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'rework_rate',
         'value': 'cast(reopened_count as float8) / nullif(done_count, 0)',
         'sample_size': 'done_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
