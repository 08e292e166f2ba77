{#
    One row per PUBLIC reply by an AGENT on a help desk case: a public
    comment whose author (or, without one, the audit's author) is a Zendesk
    agent or admin other than the ticket's requester, outside the audit that
    created the ticket. The same rule int_zendesk__events_mapped uses for
    case.first_reply (reply_number 1 is that event), kept for every reply so
    one-touch resolution can count them. ServiceNow comments are not
    collected: its incidents have no rows here.
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

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'zendesk'

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
        authors.person_id as author_person_id
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

final as (

    select
        {{ stable_id("'zendesk'", 'audit_event_id') }} as case_reply_id,
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        'zendesk' as source_system,
        created_at as replied_at,
        author_person_id,
        row_number() over (
            partition by ticket_id
            order by created_at, audit_event_id
        ) as reply_number
    from agent_replies

)

select * from final
