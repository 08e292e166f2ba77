{#
    One row per work item per canonical-state interval, from the status
    histories: Jira changelog status items, Zendesk audit status changes,
    ServiceNow incident updates,
    PagerDuty triggered/acknowledged/resolved, HubSpot deal stage history and
    GitHub pull request opened/merged/closed. HubSpot leads have no status
    history in raw and get no intervals.

    Consecutive entries that map to the same canonical state are one interval
    (Done -> Closed stays one `done` interval), so leaving `done` is always a
    real reopen. exited_at is null for the current interval.

    Materialized as a table (dbt_project.yml): window functions over every
    status history, read by fct_work_items and two event mappers.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

jira_issues as (

    select * from {{ consented(
        ref('stg_jira__issues'),
        ['assignee_account_id', 'reporter_account_id'],
        source_system='jira',
        opted_out='accounts_opted_out'
    ) }}

),

jira_changelog_items as (

    select * from {{ consented(
        ref('stg_jira__changelog_items'),
        'author_account_id',
        source_system='jira',
        opted_out='accounts_opted_out'
    ) }}

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

pagerduty_incidents as (

    select * from {{ consented(
        ref('stg_pagerduty__incidents'),
        'first_assignee_account_id',
        source_system='pagerduty',
        opted_out='accounts_opted_out'
    ) }}

),

hubspot_deals as (

    select * from {{ consented(
        ref('stg_hubspot__deals'),
        'owner_account_id',
        source_system='hubspot',
        opted_out='accounts_opted_out'
    ) }}

),

hubspot_deal_stages as (

    select * from {{ ref('stg_hubspot__deal_stage_history') }}

),

github_pull_requests as (

    select * from {{ consented(
        ref('stg_github__pull_requests'),
        'author_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

status_mappings as (

    select * from {{ ref('status_mappings') }}

),

jira_status_changes as (

    select
        issue_id,
        changed_at,
        from_value,
        to_value,
        author_account_id,
        history_id,
        item_index,
        row_number() over (
            partition by issue_id
            order by changed_at, history_id, item_index
        ) as change_number
    from jira_changelog_items
    where is_status_change

),

{#
    Every entry of an item into a source status. entry_order breaks ties
    between entries at the same instant (creation first, then source order).
#}
status_entries as (

    {# Jira: the status before the first change holds from creation. #}
    select
        'jira:task:' || cast(jira_issues.issue_id as varchar) as work_item_id,
        'task' as work_item_type,
        'jira' as source_system,
        jira_issues.created_at as entered_at,
        coalesce(jira_status_changes.from_value, jira_issues.status_name) as source_status,
        jira_issues.reporter_account_id as entered_by_account_id,
        cast(0 as bigint) as entry_order
    from jira_issues
    left join jira_status_changes
        on jira_issues.issue_id = jira_status_changes.issue_id
            and jira_status_changes.change_number = 1

    union all

    select
        'jira:task:' || cast(issue_id as varchar) as work_item_id,
        'task' as work_item_type,
        'jira' as source_system,
        changed_at as entered_at,
        to_value as source_status,
        author_account_id as entered_by_account_id,
        change_number as entry_order
    from jira_status_changes

    union all

    {# Zendesk: the status set by the create audit ('new' when absent). #}
    select
        'zendesk:case:' || cast(zendesk_tickets.ticket_id as varchar) as work_item_id,
        'case' as work_item_type,
        'zendesk' as source_system,
        zendesk_tickets.created_at as entered_at,
        coalesce(min(zendesk_audit_events.new_value), 'new') as source_status,
        min(zendesk_tickets.submitter_account_id) as entered_by_account_id,
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
        'case' as work_item_type,
        'zendesk' as source_system,
        created_at as entered_at,
        new_value as source_status,
        audit_author_account_id as entered_by_account_id,
        audit_event_id as entry_order
    from zendesk_audit_events
    where is_status_change and audit_event_type = 'change'

    union all

    {# ServiceNow: the state after every update, in update order. #}
    select
        'servicenow:case:' || incident_number as work_item_id,
        'case' as work_item_type,
        'servicenow' as source_system,
        updated_at as entered_at,
        incident_state as source_status,
        updated_by_account_id as entered_by_account_id,
        update_number as entry_order
    from servicenow_incident_updates

    union all

    {# PagerDuty keeps the first acknowledgement and the resolution only. #}
    select
        'pagerduty:incident:' || incident_id as work_item_id,
        'incident' as work_item_type,
        'pagerduty' as source_system,
        created_at as entered_at,
        'triggered' as source_status,
        cast(null as varchar) as entered_by_account_id,
        cast(0 as bigint) as entry_order
    from pagerduty_incidents

    union all

    select
        'pagerduty:incident:' || incident_id as work_item_id,
        'incident' as work_item_type,
        'pagerduty' as source_system,
        acknowledged_at as entered_at,
        'acknowledged' as source_status,
        cast(null as varchar) as entered_by_account_id,
        cast(1 as bigint) as entry_order
    from pagerduty_incidents
    where
        acknowledged_at is not null
        and (resolved_at is null or acknowledged_at <= resolved_at)

    union all

    select
        'pagerduty:incident:' || incident_id as work_item_id,
        'incident' as work_item_type,
        'pagerduty' as source_system,
        resolved_at as entered_at,
        'resolved' as source_status,
        cast(null as varchar) as entered_by_account_id,
        cast(2 as bigint) as entry_order
    from pagerduty_incidents
    where resolved_at is not null and incident_status = 'resolved'

    union all

    {# HubSpot: the stage history; a deal without history sits in its stage. #}
    select
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        'deal' as work_item_type,
        'hubspot' as source_system,
        entered_at,
        deal_stage as source_status,
        cast(null as varchar) as entered_by_account_id,
        row_number() over (
            partition by deal_id order by entered_at, deal_stage_entry_id
        ) as entry_order
    from hubspot_deal_stages

    union all

    select
        'hubspot:deal:' || cast(hubspot_deals.deal_id as varchar) as work_item_id,
        'deal' as work_item_type,
        'hubspot' as source_system,
        hubspot_deals.created_at as entered_at,
        hubspot_deals.deal_stage as source_status,
        cast(null as varchar) as entered_by_account_id,
        cast(0 as bigint) as entry_order
    from hubspot_deals
    where not exists (
            select 1
            from hubspot_deal_stages
            where hubspot_deal_stages.deal_id = hubspot_deals.deal_id
        )

    union all

    {# GitHub: opened (draft or ready), then merged or closed unmerged. #}
    select
        'github:pull_request:' || cast(pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        'github' as source_system,
        created_at as entered_at,
        case when pull_request_status = 'draft' then 'draft' else 'open' end as source_status,
        author_account_id as entered_by_account_id,
        cast(0 as bigint) as entry_order
    from github_pull_requests

    union all

    select
        'github:pull_request:' || cast(pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        'github' as source_system,
        coalesce(merged_at, closed_at) as entered_at,
        pull_request_status as source_status,
        cast(null as varchar) as entered_by_account_id,
        cast(1 as bigint) as entry_order
    from github_pull_requests
    where pull_request_status in ('merged', 'closed')

),

mapped as (

    select
        status_entries.*,
        status_mappings.canonical_state
    from status_entries
    left join status_mappings
        on status_entries.source_system = status_mappings.source_system
            and status_entries.work_item_type = status_mappings.work_item_type
            and lower(status_entries.source_status) = lower(status_mappings.source_status)

),

flagged as (

    select
        mapped.*,
        lag(mapped.canonical_state) over (
            partition by mapped.work_item_id order by mapped.entered_at, mapped.entry_order
        ) as previous_entry_state,
        row_number() over (
            partition by mapped.work_item_id order by mapped.entered_at, mapped.entry_order
        ) as entry_number
    from mapped

),

{# Gaps and islands: an interval starts where the canonical state changes. #}
interval_starts as (

    select *
    from flagged
    where
        entry_number = 1
        or canonical_state is distinct from previous_entry_state

),

intervals as (

    select
        work_item_id,
        work_item_type,
        source_system,
        row_number() over (
            partition by work_item_id order by entered_at, entry_order
        ) as interval_index,
        canonical_state,
        lag(canonical_state) over (
            partition by work_item_id order by entered_at, entry_order
        ) as previous_state,
        entered_at,
        lead(entered_at) over (
            partition by work_item_id order by entered_at, entry_order
        ) as exited_at,
        entered_by_account_id
    from interval_starts

),

final as (

    select
        {{ stable_id('work_item_id', 'interval_index') }} as state_interval_id,
        work_item_id,
        work_item_type,
        source_system,
        interval_index,
        canonical_state,
        previous_state,
        entered_at,
        exited_at,
        exited_at is null as is_current,
        {{ elapsed_hours('entered_at', 'exited_at') }} as duration_hours,
        entered_by_account_id
    from intervals

)

select * from final
