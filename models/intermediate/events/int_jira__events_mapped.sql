{#
    Jira issues as canonical events: task.created, task.status_changed (every
    status change), and from the canonical-state intervals task.started (first
    entry into in_progress), task.done (every entry into done) and
    task.reopened (every exit from done).
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

issues as (

    select * from {{ consented(
        ref('stg_jira__issues'),
        ['assignee_account_id', 'reporter_account_id'],
        source_system='jira',
        opted_out='accounts_opted_out'
    ) }}

),

changelog_items as (

    select * from {{ consented(
        ref('stg_jira__changelog_items'),
        'author_account_id',
        source_system='jira',
        opted_out='accounts_opted_out'
    ) }}

),

state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}
    where source_system = 'jira'

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}
    where source_system = 'jira'

),

status_mappings as (

    select * from {{ ref('status_mappings') }}
    where source_system = 'jira' and work_item_type = 'task'

),

status_changes as (

    select
        changelog_items.changelog_item_id,
        changelog_items.issue_id,
        changelog_items.changed_at,
        changelog_items.author_account_id,
        from_mappings.canonical_state as from_state,
        to_mappings.canonical_state as to_state
    from changelog_items
    left join status_mappings as from_mappings
        on lower(changelog_items.from_value) = lower(from_mappings.source_status)
    left join status_mappings as to_mappings
        on lower(changelog_items.to_value) = lower(to_mappings.source_status)
    where changelog_items.is_status_change

),

in_progress_entries as (

    select
        state_intervals.*,
        row_number() over (
            partition by state_intervals.work_item_id order by state_intervals.interval_index
        ) as in_progress_number
    from state_intervals
    where state_intervals.canonical_state = 'in_progress'

),

events as (

    select
        {{ stable_id("'jira'", "'task.created'", 'issue_id') }} as event_id,
        'task.created' as event_type,
        created_at as occurred_at,
        'jira:task:' || cast(issue_id as varchar) as work_item_id,
        reporter_account_id as actor_account_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state
    from issues

    union all

    select
        {{ stable_id("'jira'", "'task.status_changed'", 'changelog_item_id') }} as event_id,
        'task.status_changed' as event_type,
        changed_at as occurred_at,
        'jira:task:' || cast(issue_id as varchar) as work_item_id,
        author_account_id as actor_account_id,
        from_state,
        to_state
    from status_changes

    union all

    select
        {{ stable_id("'jira'", "'task.started'", 'work_item_id') }} as event_id,
        'task.started' as event_type,
        entered_at as occurred_at,
        work_item_id,
        entered_by_account_id as actor_account_id,
        previous_state as from_state,
        canonical_state as to_state
    from in_progress_entries
    where in_progress_number = 1

    union all

    select
        {{ stable_id("'jira'", "'task.done'", 'work_item_id', 'interval_index') }} as event_id,
        'task.done' as event_type,
        entered_at as occurred_at,
        work_item_id,
        entered_by_account_id as actor_account_id,
        previous_state as from_state,
        canonical_state as to_state
    from state_intervals
    where canonical_state = 'done'

    union all

    select
        {{ stable_id("'jira'", "'task.reopened'", 'work_item_id', 'interval_index') }}
            as event_id,
        'task.reopened' as event_type,
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
        'jira' as source_system,
        events.work_item_id,
        'task' as work_item_type,
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
