{#
    PagerDuty incidents as canonical events: incident.opened,
    incident.acknowledged (first acknowledgement) and incident.resolved. Who
    acknowledged or resolved is not collected (actor unknown); the incident's
    team comes from its first assignee in fct_work_events.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

incidents as (

    select * from {{ consented(
        ref('stg_pagerduty__incidents'),
        'first_assignee_account_id',
        source_system='pagerduty',
        opted_out='accounts_opted_out'
    ) }}

),

events as (

    select
        {{ stable_id("'pagerduty'", "'incident.opened'", 'incident_id') }} as event_id,
        'incident.opened' as event_type,
        created_at as occurred_at,
        incident_id,
        cast(null as varchar) as from_state,
        'todo' as to_state
    from incidents

    union all

    select
        {{ stable_id("'pagerduty'", "'incident.acknowledged'", 'incident_id') }} as event_id,
        'incident.acknowledged' as event_type,
        acknowledged_at as occurred_at,
        incident_id,
        'todo' as from_state,
        'in_progress' as to_state
    from incidents
    where acknowledged_at is not null

    union all

    select
        {{ stable_id("'pagerduty'", "'incident.resolved'", 'incident_id') }} as event_id,
        'incident.resolved' as event_type,
        resolved_at as occurred_at,
        incident_id,
        case when acknowledged_at is not null then 'in_progress' else 'todo' end as from_state,
        'done' as to_state
    from incidents
    where resolved_at is not null and incident_status = 'resolved'

),

final as (

    select
        event_id,
        event_type,
        occurred_at,
        'pagerduty' as source_system,
        'pagerduty:incident:' || incident_id as work_item_id,
        'incident' as work_item_type,
        cast(null as varchar) as actor_person_id,
        'unknown' as actor_type,
        cast(null as varchar) as work_item_owner_person_id,
        from_state,
        to_state,
        cast(null as float8) as amount
    from events

)

select * from final
