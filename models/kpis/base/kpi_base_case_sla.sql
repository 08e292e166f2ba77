{#
    The SLA targets of every help-desk ticket, one row per ticket and target
    (first_reply, resolution), judged met, breached, stopped or running
    (docs/kpi-definitions.md#first_reply_sla_compliance). Both SLA KPIs and
    the ticket SLA nudge read these rows, so they judge a ticket alike.

    - The target is read at the priority IN FORCE when the target is judged:
      at the moment its clock stopped (the first agent reply; the final
      solve), else at the data's as-of time. Zendesk re-evaluates a running
      target when the priority changes, so a ticket raised to urgent before
      its reply is judged on the urgent target, not on the one it was created
      with, nor on a priority set after the reply. The priority at a moment
      is the new value of the last priority change at or before it; before
      any change, the first change's previous value; with no change
      recorded, the ticket's priority.
    - The target is the one Zendesk APPLIED to the ticket when it says so:
      the last apply_sla ticket metric event of the target's metric
      (reply_time instance 1 for first_reply, resolution_time for
      resolution) at or before the moment the target is judged (the same
      moment as the priority: its clock stopped, else the as-of time), with
      its policy, target and business hours. Zendesk records one when a
      policy is applied and again whenever the policy or target changes
      (a priority change, an edited policy), so the last one holds; one
      after the clock stopped cannot change a stopped clock. Ties by event
      id. target_source 'zendesk_applied_policy'.
    - Else the target comes from Zendesk's own SLA policies when they set one for
      that priority and target (first_reply_time for first_reply,
      total_resolution_time for resolution: the clocks this model judges;
      requester_wait_time and the other metrics pause or restart and are not
      these clocks); when several policies do, the first by position, as
      Zendesk applies the first policy that matches (the filters are not
      collected, so the one that would match cannot be known). Else the
      sla_targets seed, in calendar hours; a priority it lacks, or none: the
      `normal` row.
    - A policy target in business hours counts only the team's business
      hours (int_team_business_days, macro business_hours_deadline): its
      deadline is the instant the team's working time since creation
      reaches the target. A ticket created outside the team's calendar (no
      schedule, or before its span) has no business-hours deadline and stays
      running; a deadline past the calendar's end is still ahead.
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

sla_policies as (

    select * from {{ ref('stg_zendesk__sla_policies') }}

),

sla_policy_metrics as (

    select * from {{ ref('stg_zendesk__sla_policy_metrics') }}
    where metric in ('first_reply_time', 'total_resolution_time')

),

{# The SLA targets Zendesk applied: reply_time instance 1 is the first reply. #}
applied_slas as (

    select
        metric_event_id,
        ticket_id,
        case metric when 'reply_time' then 'first_reply' else 'resolution' end as sla_metric,
        occurred_at,
        sla_policy_id,
        sla_target_minutes,
        sla_in_business_hours
    from {{ ref('stg_zendesk__ticket_metric_events') }}
    where event_type = 'apply_sla'
        and sla_target_minutes is not null
        and (
            (metric = 'reply_time' and coalesce(instance_id, 1) = 1)
            or metric = 'resolution_time'
        )

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_business_days as (

    select * from {{ ref('int_team_business_days') }}

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

{#
    Zendesk's targets per priority and target: the first policy by position
    (no position: after those with one; ties by id) that sets it.
#}
policy_targets as (

    select
        sla_policy_metrics.sla_policy_id,
        sla_policy_metrics.priority,
        case sla_policy_metrics.metric
            when 'first_reply_time' then 'first_reply'
            else 'resolution'
        end as sla_metric,
        sla_policy_metrics.target_minutes,
        sla_policy_metrics.in_business_hours,
        row_number() over (
            partition by sla_policy_metrics.priority, sla_policy_metrics.metric
            order by
                sla_policies.policy_position is null,
                sla_policies.policy_position,
                sla_policy_metrics.sla_policy_id
        ) as policy_rank
    from sla_policy_metrics
    left join sla_policies
        on sla_policy_metrics.sla_policy_id = sla_policies.sla_policy_id
    where sla_policy_metrics.target_minutes is not null

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

{# The last applied target at or before each target's moment (none: null). #}
applied_before as (

    select
        targets.work_item_id,
        targets.sla_metric,
        applied_slas.sla_policy_id,
        applied_slas.sla_target_minutes,
        applied_slas.sla_in_business_hours,
        row_number() over (
            partition by targets.work_item_id, targets.sla_metric
            order by applied_slas.occurred_at desc, applied_slas.metric_event_id desc
        ) as recency
    from targets
    inner join applied_slas
        on targets.ticket_id = applied_slas.ticket_id
            and targets.sla_metric = applied_slas.sla_metric
            and targets.priority_at >= applied_slas.occurred_at

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
        {{ stable_id('prioritized.work_item_id', 'prioritized.sla_metric') }} as case_sla_id,
        case
            when applied_before.work_item_id is not null
                then coalesce(prioritized.priority_in_force, 'normal')
            when policy_targets.sla_policy_id is not null then prioritized.priority_in_force
            else coalesce(sla_targets.priority, 'normal')
        end as target_priority,
        case
            when applied_before.work_item_id is not null then 'zendesk_applied_policy'
            when policy_targets.sla_policy_id is not null then 'sla_policy'
            else 'seed'
        end as target_source,
        case
            when applied_before.work_item_id is not null then applied_before.sla_policy_id
            else policy_targets.sla_policy_id
        end as sla_policy_id,
        case
            when applied_before.work_item_id is not null
                then coalesce(applied_before.sla_in_business_hours, false)
            else coalesce(policy_targets.in_business_hours, false)
        end as is_business_hours,
        case
            when applied_before.work_item_id is not null
                then applied_before.sla_target_minutes / 60.0
            when policy_targets.sla_policy_id is not null
                then policy_targets.target_minutes / 60.0
            when prioritized.sla_metric = 'first_reply'
                then coalesce(
                        sla_targets.first_reply_target_hours,
                        default_targets.first_reply_target_hours
                    )
            else coalesce(
                    sla_targets.resolution_target_hours,
                    default_targets.resolution_target_hours
                )
        end as target_hours,
        {{ to_date(utc_to_local('prioritized.created_at', 'team_schedules.time_zone')) }}
            as created_local_date
    from prioritized
    left join applied_before
        on prioritized.work_item_id = applied_before.work_item_id
            and prioritized.sla_metric = applied_before.sla_metric
            and applied_before.recency = 1
    left join policy_targets
        on prioritized.priority_in_force = policy_targets.priority
            and prioritized.sla_metric = policy_targets.sla_metric
            and policy_targets.policy_rank = 1
    left join sla_targets
        on prioritized.priority_in_force = sla_targets.priority
    left join sla_targets as default_targets
        on default_targets.priority = 'normal'
    left join team_schedules
        on prioritized.team_id = team_schedules.team_id

),

business_targets as (

    select * from deadlines
    where is_business_hours

),

business_deadlines as (

    {{ business_hours_deadline(
        'business_targets', 'case_sla_id', 'created_at', 'target_hours',
        'created_local_date'
    ) }}

),

judged as (

    select
        deadlines.*,
        case
            when not deadlines.is_business_hours
                then {{ add_hours('deadlines.created_at', 'deadlines.target_hours') }}
            else business_deadlines.deadline_at
        end as deadline_at,
        {# No deadline: past the calendar's end (ahead), or not placed (not judged). #}
        deadlines.is_business_hours and business_deadlines.case_sla_id is null
            as is_unplaced,
        deadlines.is_business_hours
        and business_deadlines.case_sla_id is not null
        and business_deadlines.deadline_at is null as is_deadline_ahead
    from deadlines
    left join business_deadlines
        on deadlines.case_sla_id = business_deadlines.case_sla_id

),

outcomes as (

    select
        *,
        case
            when is_unplaced then 'running'
            when is_deadline_ahead
                then case
                        when sla_metric = 'first_reply' and first_reply_at is not null
                            then 'met'
                        when sla_metric = 'first_reply' and first_solved_at is not null
                            then 'stopped'
                        when sla_metric = 'resolution' and final_solved_at is not null
                            then 'met'
                        else 'running'
                    end
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
        case_sla_id,
        work_item_id,
        sla_metric,
        team_id,
        owner_person_id,
        case when sla_metric = 'first_reply' then replier_person_id end as replier_person_id,
        priority_in_force,
        target_priority,
        target_source,
        sla_policy_id,
        is_business_hours,
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
