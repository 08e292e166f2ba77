{#
    The SLA targets of every help-desk ticket, one row per ticket and target
    (first_reply, resolution), judged met, breached, stopped or running
    (docs/kpi-definitions.md#first_reply_sla_compliance). Both SLA KPIs and
    the ticket SLA nudge read these rows, so they judge a ticket alike.

    - The target comes from the sla_targets seed (calendar hours from
      creation) by the priority IN FORCE when the target is judged: at the
      moment its clock stopped (the first agent reply; the final solve), else
      at the data's as-of time. Zendesk re-evaluates a running target when
      the priority changes, so a ticket raised to urgent before its reply is
      judged on the urgent target, not on the one it was created with, nor
      on a priority set after the reply. The priority at a moment is the new
      value of the last priority change at or before it; before any change,
      the first change's previous value; with no change recorded, the
      ticket's priority. None, or one the seed lacks: the `normal` target.
    - first_reply: met = first agent reply at or before the deadline;
      breached = the deadline passed first (a late reply, none by the as-of
      time, or solved without one after the deadline); stopped = solved
      without a reply before its deadline (neither met nor breached);
      running = no reply yet and the deadline still ahead.
    - resolution: met = the final solve (the ticket is done) at or before
      the deadline; breached = solved after it, or still unsolved (never
      solved, or reopened) once it passed; running = unsolved and the
      deadline still ahead. A reopened ticket is judged again on its next
      solve.
    A judged target counts in the week its clock stopped, or of its deadline
    when it never stopped (the rule of on_time_delivery).
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

tickets as (

    select * from {{ consented(
        ref('stg_zendesk__tickets'),
        ['assignee_account_id', 'submitter_account_id', 'requester_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

audit_events as (

    select * from {{ ref('stg_zendesk__ticket_audit_events') }}
    where field_name = 'priority'

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case' and source_system = 'zendesk'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type in ('case.first_reply', 'case.solved')

),

sla_targets as (

    select * from {{ ref('sla_targets') }}

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}
    where source_system = 'zendesk'

),

first_events as (

    select
        work_item_id,
        event_type,
        occurred_at,
        actor_person_id,
        row_number() over (
            partition by work_item_id, event_type
            order by occurred_at, event_id
        ) as event_number
    from work_events

),

cases as (

    select
        work_items.work_item_id,
        work_items.team_id,
        work_items.owner_person_id,
        work_items.created_at,
        tickets.ticket_id,
        lower(trim(tickets.priority)) as ticket_priority,
        replies.occurred_at as first_reply_at,
        replies.actor_person_id as replier_person_id,
        solves.occurred_at as first_solved_at,
        case when work_items.canonical_state = 'done' then work_items.done_at end
            as final_solved_at,
        data_as_of.as_of_at
    from work_items
    inner join tickets
        on work_items.source_item_id = cast(tickets.ticket_id as varchar)
    left join first_events as replies
        on work_items.work_item_id = replies.work_item_id
            and replies.event_type = 'case.first_reply'
            and replies.event_number = 1
    left join first_events as solves
        on work_items.work_item_id = solves.work_item_id
            and solves.event_type = 'case.solved'
            and solves.event_number = 1
    cross join data_as_of
    where work_items.team_id is not null and work_items.canonical_state <> 'canceled'

),

{# One row per ticket and target, with the moment its priority is read at. #}
targets as (

    select
        *,
        'first_reply' as sla_metric,
        coalesce(first_reply_at, as_of_at) as priority_at
    from cases

    union all

    select
        *,
        'resolution' as sla_metric,
        coalesce(final_solved_at, as_of_at) as priority_at
    from cases

),

priority_changes as (

    select
        ticket_id,
        created_at as changed_at,
        lower(trim(new_value)) as new_priority,
        lower(trim(previous_value)) as previous_priority,
        row_number() over (
            partition by ticket_id order by created_at asc, audit_event_id asc
        ) as change_number,
        row_number() over (
            partition by ticket_id order by created_at desc, audit_event_id desc
        ) as change_rank_desc
    from audit_events

),

{# The last change at or before each target's moment (none: null). #}
changes_before as (

    select
        targets.work_item_id,
        targets.sla_metric,
        priority_changes.new_priority,
        row_number() over (
            partition by targets.work_item_id, targets.sla_metric
            order by priority_changes.changed_at desc, priority_changes.change_number desc
        ) as recency
    from targets
    inner join priority_changes
        on targets.ticket_id = priority_changes.ticket_id
            and targets.priority_at >= priority_changes.changed_at

),

prioritized as (

    select
        targets.*,
        case
            when changes_before.work_item_id is not null then changes_before.new_priority
            when first_changes.ticket_id is not null then first_changes.previous_priority
            else targets.ticket_priority
        end as priority_in_force
    from targets
    left join changes_before
        on targets.work_item_id = changes_before.work_item_id
            and targets.sla_metric = changes_before.sla_metric
            and changes_before.recency = 1
    left join priority_changes as first_changes
        on targets.ticket_id = first_changes.ticket_id
            and first_changes.change_number = 1

),

deadlines as (

    select
        prioritized.*,
        coalesce(sla_targets.priority, 'normal') as target_priority,
        case
            when prioritized.sla_metric = 'first_reply'
                then coalesce(
                        sla_targets.first_reply_target_hours,
                        default_targets.first_reply_target_hours
                    )
            else coalesce(
                    sla_targets.resolution_target_hours,
                    default_targets.resolution_target_hours
                )
        end as target_hours
    from prioritized
    left join sla_targets
        on prioritized.priority_in_force = sla_targets.priority
    left join sla_targets as default_targets
        on default_targets.priority = 'normal'

),

judged as (

    select
        *,
        {{ add_hours('created_at', 'target_hours') }} as deadline_at
    from deadlines

),

outcomes as (

    select
        *,
        case
            when sla_metric = 'first_reply' and first_reply_at is not null
                then case when first_reply_at <= deadline_at then 'met' else 'breached' end
            when sla_metric = 'first_reply'
                and first_solved_at is not null and first_solved_at <= deadline_at
                then 'stopped'
            when sla_metric = 'resolution' and final_solved_at is not null
                then case when final_solved_at <= deadline_at then 'met' else 'breached' end
            when deadline_at < as_of_at then 'breached'
            else 'running'
        end as sla_outcome,
        case sla_metric
            when 'first_reply' then first_reply_at
            else final_solved_at
        end as stopped_at
    from judged

),

final as (

    select
        {{ stable_id('work_item_id', 'sla_metric') }} as case_sla_id,
        work_item_id,
        sla_metric,
        team_id,
        owner_person_id,
        case when sla_metric = 'first_reply' then replier_person_id end as replier_person_id,
        priority_in_force,
        target_priority,
        cast(target_hours as float8) as target_hours,
        created_at,
        deadline_at,
        stopped_at,
        sla_outcome,
        case
            when sla_outcome in ('met', 'breached')
                then {{ week_start('coalesce(stopped_at, deadline_at)') }}
        end as week_start
    from outcomes

)

select * from final
