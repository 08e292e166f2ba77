{#
    Nudge rule ticket_sla_risk (docs/nudges.md): an open help desk ticket
    without a first agent reply whose first reply SLA target (as judged in
    kpi_base_case_sla, the rows first_reply_sla_compliance counts: the
    source's SLA policy or the seed sla_targets at the priority in force
    now, in calendar or business hours) has run for at least the rule's
    share of the time from creation to its deadline (seed nudge_rules
    threshold, e.g. 0.75). Past the deadline it is breached: reason
    sla_breached, severity critical. wait_hours and threshold are calendar
    hours (the threshold is creation -> deadline: the target itself in
    calendar hours; longer for a business-hours target, whose nights and
    weekends do not count). A target without a deadline (a business-hours
    one outside the team's calendar) is not flagged. "Now" is the data's
    as-of time.
#}
with case_sla as (

    select * from {{ ref('kpi_base_case_sla') }}
    where sla_metric = 'first_reply' and stopped_at is null

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where
        work_item_type = 'case'
        and source_system = 'zendesk'
        and canonical_state not in ('done', 'canceled')

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'ticket_sla_risk' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}
    where source_system = 'zendesk'

),

targeted as (

    select
        work_items.team_id,
        work_items.owner_person_id,
        work_items.work_item_id,
        work_items.source_system,
        work_items.source_item_id,
        work_items.created_at,
        case_sla.deadline_at,
        {{ elapsed_hours('work_items.created_at', 'case_sla.deadline_at') }} as target_hours,
        data_as_of.as_of_at
    from work_items
    inner join case_sla
        on work_items.work_item_id = case_sla.work_item_id
    cross join data_as_of
    where work_items.team_id is not null and case_sla.deadline_at is not null

),

measured as (

    select
        targeted.*,
        {{ elapsed_hours('targeted.created_at', 'targeted.as_of_at') }} as wait_hours
    from targeted

),

flagged as (

    select
        team_rules.rule_id,
        measured.team_id,
        measured.owner_person_id,
        'case' as subject_type,
        measured.work_item_id as subject_id,
        measured.source_system,
        measured.source_item_id as subject_ref,
        case
            when measured.wait_hours >= measured.target_hours then 'sla_breached'
            else 'sla_at_risk'
        end as reason_code,
        case
            when measured.wait_hours >= measured.target_hours
                then 'no first reply and the first reply SLA has passed'
            else 'no first reply and most of the first reply SLA has elapsed'
        end as reason,
        case
            when measured.wait_hours >= measured.target_hours then 'critical'
            else team_rules.severity
        end as severity,
        measured.wait_hours,
        measured.target_hours as threshold,
        'hours' as threshold_unit,
        case
            when measured.wait_hours >= measured.target_hours then measured.deadline_at
            else {{ add_hours(
                'measured.created_at', 'measured.target_hours * team_rules.threshold'
            ) }}
        end as first_seen_at,
        measured.as_of_at,
        team_rules.notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from measured
    inner join team_rules
        on measured.team_id = team_rules.team_id
    where measured.wait_hours >= measured.target_hours * team_rules.threshold

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
