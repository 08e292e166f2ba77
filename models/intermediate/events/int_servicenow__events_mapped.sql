{#
    ServiceNow incidents (service desk cases) as canonical events:
    case.created, case.status_changed, case.solved and case.reopened.

    The update log gives one row per update with the state after it; a
    status change is an update whose state differs from the previous
    update's (the first update sets the initial state, like Zendesk's create
    audit). case.solved is every entry into Resolved (or straight into
    Closed). ServiceNow comments are not collected, so there is no
    case.first_reply, and no satisfaction survey, so no case.rated.
    ServiceNow users have no roster email in the export: actors are unknown.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

incidents as (

    select * from {{ consented(
        ref('stg_servicenow__incidents'),
        ['assignee_account_id', 'opened_by_account_id', 'caller_account_id',
         'resolved_by_account_id'],
        source_system='servicenow',
        opted_out='accounts_opted_out'
    ) }}

),

incident_updates as (

    select * from {{ consented(
        ref('stg_servicenow__incident_updates'),
        ['updated_by_account_id', 'assignee_account_id'],
        source_system='servicenow',
        opted_out='accounts_opted_out'
    ) }}

),

state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}
    where source_system = 'servicenow'

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'servicenow'

),

status_mappings as (

    select * from {{ ref('status_mappings') }}
    where source_system = 'servicenow' and work_item_type = 'case'

),

sequenced as (

    select
        incident_update_id,
        incident_number,
        updated_at,
        updated_by_account_id,
        incident_state,
        lag(incident_state) over (
            partition by incident_number order by update_number
        ) as previous_incident_state
    from incident_updates

),

status_changes as (

    select
        sequenced.incident_update_id,
        sequenced.incident_number,
        sequenced.updated_at,
        sequenced.updated_by_account_id,
        sequenced.incident_state,
        sequenced.previous_incident_state,
        from_mappings.canonical_state as from_state,
        to_mappings.canonical_state as to_state
    from sequenced
    left join status_mappings as from_mappings
        on lower(sequenced.previous_incident_state) = lower(from_mappings.source_status)
    left join status_mappings as to_mappings
        on lower(sequenced.incident_state) = lower(to_mappings.source_status)
    where
        sequenced.previous_incident_state is not null
        and sequenced.incident_state <> sequenced.previous_incident_state

),

events as (

    select
        {{ stable_id("'servicenow'", "'case.created'", 'incident_number') }} as event_id,
        'case.created' as event_type,
        opened_at as occurred_at,
        'servicenow:case:' || incident_number as work_item_id,
        opened_by_account_id as actor_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state
    from incidents

    union all

    select
        {{ stable_id("'servicenow'", "'case.status_changed'", 'incident_update_id') }}
            as event_id,
        'case.status_changed' as event_type,
        updated_at as occurred_at,
        'servicenow:case:' || incident_number as work_item_id,
        updated_by_account_id as actor_account_id,
        from_state,
        to_state
    from status_changes

    union all

    select
        {{ stable_id("'servicenow'", "'case.solved'", 'incident_update_id') }} as event_id,
        'case.solved' as event_type,
        updated_at as occurred_at,
        'servicenow:case:' || incident_number as work_item_id,
        updated_by_account_id as actor_account_id,
        from_state,
        to_state
    from status_changes
    where
        lower(incident_state) = 'resolved'
        or (lower(incident_state) = 'closed' and lower(previous_incident_state) <> 'resolved')

    union all

    select
        {{ stable_id("'servicenow'", "'case.reopened'", 'work_item_id', 'interval_index') }}
            as event_id,
        'case.reopened' as event_type,
        entered_at as occurred_at,
        work_item_id,
        entered_by_account_id as actor_account_id,
        previous_state as from_state,
        canonical_state as to_state
    from state_intervals
    where previous_state = 'done'

),

final as (

    select
        events.event_id,
        events.event_type,
        events.occurred_at,
        'servicenow' as source_system,
        events.work_item_id,
        'case' as work_item_type,
        accounts.person_id as actor_person_id,
        coalesce(accounts.actor_type, 'unknown') as actor_type,
        cast(null as varchar) as work_item_owner_person_id,
        events.from_state,
        events.to_state,
        cast(null as float8) as amount
    from events
    left join accounts
        on events.actor_account_id = accounts.account_id

)

select * from final
