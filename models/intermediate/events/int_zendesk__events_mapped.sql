{#
    Zendesk tickets as canonical events: case.created, case.first_reply,
    case.status_changed, case.solved, case.reopened and case.rated.

    case.first_reply is the first PUBLIC comment by an AGENT (role agent or
    admin) who is not the requester, excluding the ticket's opening comment
    (any comment of the audit that created the ticket): when an agent opens a
    ticket on a customer's behalf, the first reply is the one after it.
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

    select * from {{ consented(
        ref('stg_zendesk__ticket_audit_events'),
        ['audit_author_account_id', 'comment_author_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

satisfaction_ratings as (

    select * from {{ consented(
        ref('stg_zendesk__satisfaction_ratings'),
        'assignee_account_id',
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}
    where source_system = 'zendesk'

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'zendesk'

),

status_mappings as (

    select * from {{ ref('status_mappings') }}
    where source_system = 'zendesk' and work_item_type = 'case'

),

creation_audits as (

    select distinct audit_id
    from audit_events
    where audit_event_type = 'create'

),

agent_replies as (

    select
        audit_events.ticket_id,
        audit_events.audit_event_id,
        audit_events.created_at,
        coalesce(
            audit_events.comment_author_account_id, audit_events.audit_author_account_id
        ) as author_account_id,
        row_number() over (
            partition by audit_events.ticket_id
            order by audit_events.created_at, audit_events.audit_event_id
        ) as reply_number
    from audit_events
    inner join tickets
        on audit_events.ticket_id = tickets.ticket_id
    inner join accounts as authors
        on coalesce(
                audit_events.comment_author_account_id, audit_events.audit_author_account_id
            ) = authors.account_id
    left join creation_audits
        on audit_events.audit_id = creation_audits.audit_id
    where
        audit_events.is_comment
        and audit_events.is_public
        and authors.account_type in ('agent', 'admin')
        and authors.account_id is distinct from tickets.requester_account_id
        and creation_audits.audit_id is null

),

status_changes as (

    select
        audit_events.audit_event_id,
        audit_events.ticket_id,
        audit_events.created_at,
        audit_events.audit_author_account_id,
        audit_events.new_value,
        from_mappings.canonical_state as from_state,
        to_mappings.canonical_state as to_state
    from audit_events
    left join status_mappings as from_mappings
        on audit_events.previous_value = lower(from_mappings.source_status)
    left join status_mappings as to_mappings
        on audit_events.new_value = lower(to_mappings.source_status)
    where audit_events.is_status_change and audit_events.audit_event_type = 'change'

),

events as (

    select
        {{ stable_id("'zendesk'", "'case.created'", 'ticket_id') }} as event_id,
        'case.created' as event_type,
        created_at as occurred_at,
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        submitter_account_id as actor_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state
    from tickets

    union all

    select
        {{ stable_id("'zendesk'", "'case.first_reply'", 'ticket_id') }} as event_id,
        'case.first_reply' as event_type,
        created_at as occurred_at,
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        author_account_id as actor_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state
    from agent_replies
    where reply_number = 1

    union all

    select
        {{ stable_id("'zendesk'", "'case.status_changed'", 'audit_event_id') }} as event_id,
        'case.status_changed' as event_type,
        created_at as occurred_at,
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        audit_author_account_id as actor_account_id,
        from_state,
        to_state
    from status_changes

    union all

    select
        {{ stable_id("'zendesk'", "'case.solved'", 'audit_event_id') }} as event_id,
        'case.solved' as event_type,
        created_at as occurred_at,
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        audit_author_account_id as actor_account_id,
        from_state,
        to_state
    from status_changes
    where new_value = 'solved'

    union all

    select
        {{ stable_id("'zendesk'", "'case.reopened'", 'work_item_id', 'interval_index') }}
            as event_id,
        'case.reopened' as event_type,
        entered_at as occurred_at,
        work_item_id,
        entered_by_account_id as actor_account_id,
        previous_state as from_state,
        canonical_state as to_state
    from state_intervals
    where previous_state = 'done'

    union all

    {# The rating's requester is not collected; the ticket's requester rated it. #}
    select
        {{ stable_id("'zendesk'", "'case.rated'", 'satisfaction_ratings.rating_id') }}
            as event_id,
        'case.rated' as event_type,
        satisfaction_ratings.created_at as occurred_at,
        'zendesk:case:' || cast(satisfaction_ratings.ticket_id as varchar) as work_item_id,
        tickets.requester_account_id as actor_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state
    from satisfaction_ratings
    left join tickets
        on satisfaction_ratings.ticket_id = tickets.ticket_id
    where satisfaction_ratings.rating in ('good', 'bad')

),

final as (

    select
        events.event_id,
        events.event_type,
        events.occurred_at,
        'zendesk' as source_system,
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
