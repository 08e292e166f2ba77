{#
    One row per work item across tools, in one shape, before people, states and
    flow measures are attached in fct_work_items. Deployments, CI runs and
    meetings are event subjects, not work items.
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

github_pull_requests as (

    select * from {{ consented(
        ref('stg_github__pull_requests'),
        'author_account_id',
        source_system='github',
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

zendesk_tickets as (

    select * from {{ consented(
        ref('stg_zendesk__tickets'),
        ['assignee_account_id', 'submitter_account_id', 'requester_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

{# The one definition of the pull request size buckets (lines changed). #}
pr_size_buckets as (

    select * from {{ ref('pr_size_buckets') }}

),

github_pull_requests_sized as (

    select
        github_pull_requests.*,
        pr_size_buckets.size_bucket
    from github_pull_requests
    left join pr_size_buckets
        on github_pull_requests.lines_changed >= pr_size_buckets.min_lines_changed
            and (
                github_pull_requests.lines_changed < pr_size_buckets.max_lines_changed
                or pr_size_buckets.max_lines_changed is null
            )

),

servicenow_incidents as (

    select * from {{ consented(
        ref('stg_servicenow__incidents'),
        ['assignee_account_id', 'opened_by_account_id', 'caller_account_id',
         'resolved_by_account_id'],
        source_system='servicenow',
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

hubspot_contacts as (

    select * from {{ consented(
        ref('stg_hubspot__contacts'),
        'owner_account_id',
        source_system='hubspot',
        opted_out='accounts_opted_out'
    ) }}

),

unioned as (

    select
        'jira:task:' || cast(issue_id as varchar) as work_item_id,
        'task' as work_item_type,
        'jira' as source_system,
        cast(issue_id as varchar) as source_item_id,
        {# The work-type custom field wins; otherwise the issue type. #}
        lower(coalesce(work_type_name, issue_type)) as work_type,
        issue_type as item_type_name,
        status_name as source_status,
        assignee_account_id as owner_account_id,
        reporter_account_id as creator_account_id,
        label_names,
        environment_name,
        created_at,
        due_date,
        story_points,
        size_bucket,
        cast(false as boolean) as is_revert
    from jira_issues

    union all

    select
        'github:pull_request:' || cast(pull_request_id as varchar) as work_item_id,
        'pull_request' as work_item_type,
        'github' as source_system,
        cast(pull_request_id as varchar) as source_item_id,
        {# Refined from labels in fct_work_items (revert, hotfix, bugfix, change). #}
        cast(null as varchar) as work_type,
        cast(null as varchar) as item_type_name,
        pull_request_status as source_status,
        author_account_id as owner_account_id,
        author_account_id as creator_account_id,
        label_names,
        cast(null as varchar) as environment_name,
        created_at,
        cast(null as date) as due_date,
        cast(null as float8) as story_points,
        size_bucket,
        is_revert
    from github_pull_requests_sized

    union all

    select
        'pagerduty:incident:' || incident_id as work_item_id,
        'incident' as work_item_type,
        'pagerduty' as source_system,
        incident_id as source_item_id,
        coalesce(urgency, 'incident') as work_type,
        cast(null as varchar) as item_type_name,
        incident_status as source_status,
        first_assignee_account_id as owner_account_id,
        cast(null as varchar) as creator_account_id,
        cast(null as varchar) as label_names,
        cast(null as varchar) as environment_name,
        created_at,
        cast(null as date) as due_date,
        cast(null as float8) as story_points,
        cast(null as varchar) as size_bucket,
        cast(false as boolean) as is_revert
    from pagerduty_incidents

    union all

    select
        'zendesk:case:' || cast(ticket_id as varchar) as work_item_id,
        'case' as work_item_type,
        'zendesk' as source_system,
        cast(ticket_id as varchar) as source_item_id,
        coalesce(ticket_type, 'ticket') as work_type,
        ticket_type as item_type_name,
        ticket_status as source_status,
        assignee_account_id as owner_account_id,
        submitter_account_id as creator_account_id,
        tag_names as label_names,
        cast(null as varchar) as environment_name,
        created_at,
        {{ to_date('due_at') }} as due_date,
        cast(null as float8) as story_points,
        cast(null as varchar) as size_bucket,
        cast(false as boolean) as is_revert
    from zendesk_tickets

    union all

    {# A ServiceNow incident is a service desk case; its priority is its kind. #}
    select
        'servicenow:case:' || incident_number as work_item_id,
        'case' as work_item_type,
        'servicenow' as source_system,
        incident_number as source_item_id,
        coalesce(priority, 'incident') as work_type,
        cast(null as varchar) as item_type_name,
        incident_state as source_status,
        assignee_account_id as owner_account_id,
        opened_by_account_id as creator_account_id,
        cast(null as varchar) as label_names,
        cast(null as varchar) as environment_name,
        opened_at as created_at,
        cast(null as date) as due_date,
        cast(null as float8) as story_points,
        cast(null as varchar) as size_bucket,
        cast(false as boolean) as is_revert
    from servicenow_incidents

    union all

    select
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        'deal' as work_item_type,
        'hubspot' as source_system,
        cast(deal_id as varchar) as source_item_id,
        lower(coalesce(pipeline_name, 'default')) as work_type,
        cast(null as varchar) as item_type_name,
        deal_stage as source_status,
        owner_account_id,
        cast(null as varchar) as creator_account_id,
        cast(null as varchar) as label_names,
        cast(null as varchar) as environment_name,
        created_at,
        cast(null as date) as due_date,
        cast(null as float8) as story_points,
        cast(null as varchar) as size_bucket,
        cast(false as boolean) as is_revert
    from hubspot_deals

    union all

    select
        'hubspot:lead:' || cast(contact_id as varchar) as work_item_id,
        'lead' as work_item_type,
        'hubspot' as source_system,
        cast(contact_id as varchar) as source_item_id,
        coalesce(lead_source, 'unknown') as work_type,
        cast(null as varchar) as item_type_name,
        lead_status as source_status,
        owner_account_id,
        cast(null as varchar) as creator_account_id,
        cast(null as varchar) as label_names,
        cast(null as varchar) as environment_name,
        created_at,
        cast(null as date) as due_date,
        cast(null as float8) as story_points,
        cast(null as varchar) as size_bucket,
        cast(false as boolean) as is_revert
    from hubspot_contacts

),

final as (

    select * from unioned

)

select * from final
