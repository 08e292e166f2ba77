{#
    One row per help desk case (Zendesk ticket, ServiceNow incident) per
    SOURCE-status interval: what int_work_item_state_intervals keeps apart
    only by canonical state. There pending and on-hold are both `blocked` and
    one interval; here they stay two, each with its case_wait side (seed
    status_mappings): requester_wait (new, open, on-hold: the requester waits
    on support) or agent_wait (pending: support waits on the requester), as
    Zendesk defines its requester and agent wait times.

    Entries are read as int_work_item_state_intervals reads them (Zendesk: the
    create audit's status, else `new`, then every status change; ServiceNow:
    the state after every update, from the first update on), from the same
    consented rows, for the cases int_work_items holds (an audit or update
    whose ticket or incident row was quarantined has no case to belong to). Consecutive
    entries into the same status are one interval (Zendesk's staging already
    spells on-hold as hold). exited_at is null for the current interval.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

zendesk_tickets as (

    select * from {{ consented(
        ref('stg_zendesk__tickets'),
        ['assignee_account_id', 'submitter_account_id', 'requester_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

zendesk_audit_events as (

    select * from {{ consented(
        ref('stg_zendesk__ticket_audit_events'),
        ['audit_author_account_id', 'comment_author_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

servicenow_incident_updates as (

    select * from {{ consented(
        ref('stg_servicenow__incident_updates'),
        ['updated_by_account_id', 'assignee_account_id'],
        source_system='servicenow',
        opted_out='accounts_opted_out'
    ) }}

),

work_items as (

    select * from {{ ref('int_work_items') }}
    where work_item_type = 'case'

),

status_mappings as (

    select * from {{ ref('status_mappings') }}
    where work_item_type = 'case'

),

status_entries as (

    select
        'zendesk:case:' || cast(zendesk_tickets.ticket_id as varchar) as work_item_id,
        'zendesk' as source_system,
        zendesk_tickets.created_at as entered_at,
        coalesce(min(zendesk_audit_events.new_value), 'new') as source_status,
        cast(0 as bigint) as entry_order
    from zendesk_tickets
    left join zendesk_audit_events
        on zendesk_tickets.ticket_id = zendesk_audit_events.ticket_id
            and zendesk_audit_events.is_status_change
            and zendesk_audit_events.audit_event_type = 'create'
    group by zendesk_tickets.ticket_id, zendesk_tickets.created_at

    union all

    select
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        'zendesk' as source_system,
        created_at as entered_at,
        new_value as source_status,
        audit_event_id as entry_order
    from zendesk_audit_events
    where is_status_change and audit_event_type = 'change'

    union all

    select
        'servicenow:case:' || incident_number as work_item_id,
        'servicenow' as source_system,
        updated_at as entered_at,
        incident_state as source_status,
        update_number as entry_order
    from servicenow_incident_updates

),

flagged as (

    select
        work_item_id,
        source_system,
        entered_at,
        entry_order,
        lower(trim(source_status)) as source_status,
        lag(lower(trim(source_status))) over (
            partition by work_item_id order by entered_at, entry_order
        ) as previous_entry_status,
        row_number() over (
            partition by work_item_id order by entered_at, entry_order
        ) as entry_number
    from status_entries

),

{# Gaps and islands: an interval starts where the source status changes. #}
interval_starts as (

    select *
    from flagged
    where
        entry_number = 1
        or source_status is distinct from previous_entry_status

),

intervals as (

    select
        work_item_id,
        source_system,
        source_status,
        entered_at,
        row_number() over (
            partition by work_item_id order by entered_at, entry_order
        ) as interval_index,
        lead(entered_at) over (
            partition by work_item_id order by entered_at, entry_order
        ) as exited_at
    from interval_starts

),

final as (

    select
        {{ stable_id('intervals.work_item_id', 'intervals.interval_index') }}
            as case_status_interval_id,
        intervals.work_item_id,
        intervals.source_system,
        intervals.interval_index,
        intervals.source_status,
        status_mappings.canonical_state,
        nullif(status_mappings.case_wait, '') as case_wait,
        intervals.entered_at,
        intervals.exited_at,
        intervals.exited_at is null as is_current,
        {{ elapsed_hours('intervals.entered_at', 'intervals.exited_at') }} as duration_hours
    from intervals
    inner join work_items
        on intervals.work_item_id = work_items.work_item_id
    left join status_mappings
        on intervals.source_system = status_mappings.source_system
            and intervals.source_status = lower(status_mappings.source_status)

)

select * from final
