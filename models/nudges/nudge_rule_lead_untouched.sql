{#
    Nudge rule lead_untouched (docs/nudges.md): an open lead (neither done nor
    canceled) with no first sales touch (lead.first_touch: a call, email or
    meeting) longer than the rule's SLA (seed nudge_rules threshold, calendar
    hours since it was created). "Now" is the data's as-of time of its source.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'lead' and canonical_state not in ('done', 'canceled')

),

first_touches as (

    select distinct work_item_id from {{ ref('fct_work_events') }}
    where event_type = 'lead.first_touch'

),

team_rules as (

    select * from {{ ref('nudge_base_team_rules') }}
    where rule_id = 'lead_untouched' and is_enabled

),

data_as_of as (

    select * from {{ ref('kpi_base_data_as_of') }}

),

untouched as (

    select
        work_items.team_id,
        work_items.owner_person_id,
        work_items.work_item_id,
        work_items.source_system,
        work_items.source_item_id,
        work_items.created_at,
        data_as_of.as_of_at,
        {{ elapsed_hours('work_items.created_at', 'data_as_of.as_of_at') }} as wait_hours
    from work_items
    inner join data_as_of
        on work_items.source_system = data_as_of.source_system
    left join first_touches
        on work_items.work_item_id = first_touches.work_item_id
    where work_items.team_id is not null and first_touches.work_item_id is null

),

flagged as (

    select
        team_rules.rule_id,
        untouched.team_id,
        untouched.owner_person_id,
        'lead' as subject_type,
        untouched.work_item_id as subject_id,
        untouched.source_system,
        untouched.source_item_id as subject_ref,
        'lead_not_touched' as reason_code,
        'not contacted yet, longer than the team''s lead response SLA' as reason,
        team_rules.severity,
        untouched.wait_hours,
        team_rules.threshold,
        team_rules.threshold_unit,
        {{ add_hours('untouched.created_at', 'team_rules.threshold') }} as first_seen_at,
        untouched.as_of_at,
        team_rules.notify_owner,
        team_rules.repeat_after_hours,
        team_rules.stop_after_hours
    from untouched
    inner join team_rules
        on untouched.team_id = team_rules.team_id
    where untouched.wait_hours > team_rules.threshold

),

final as (

    {{ nudge_candidate_rows('flagged') }}

)

select * from final
