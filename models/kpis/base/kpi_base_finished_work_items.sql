{#
    One row per task or support case that was finished at least once: a task
    entered done (task.done), a case was solved (case.solved). It counts in the
    week of its FIRST finish, whatever happened later, and is reopened when a
    reopen event (task.reopened, case.reopened) came at or after that first
    finish. The rework rate (tasks) and the case reopen rate (cases) count
    these rows (docs/kpi-definitions.md): later reopens revise the week of the first
    finish, so recent weeks can still rise.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type in ('task', 'case') and team_id is not null

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type in ('task.done', 'task.reopened', 'case.solved', 'case.reopened')

),

first_finished as (

    select
        work_item_id,
        min(occurred_at) as first_finished_at
    from work_events
    where event_type in ('task.done', 'case.solved')
    group by work_item_id

),

reopens as (

    select
        first_finished.work_item_id,
        count(work_events.event_id) as reopen_count
    from first_finished
    inner join work_events
        on first_finished.work_item_id = work_events.work_item_id
            and work_events.event_type in ('task.reopened', 'case.reopened')
            and first_finished.first_finished_at <= work_events.occurred_at
    group by first_finished.work_item_id

),

final as (

    select
        work_items.work_item_id,
        work_items.work_item_type,
        work_items.team_id,
        work_items.owner_person_id,
        first_finished.first_finished_at,
        {{ week_start('first_finished.first_finished_at') }} as week_start,
        coalesce(reopens.reopen_count, 0) > 0 as is_reopened
    from work_items
    inner join first_finished
        on work_items.work_item_id = first_finished.work_item_id
    left join reopens
        on work_items.work_item_id = reopens.work_item_id

)

select * from final
