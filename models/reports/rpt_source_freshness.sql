{#
    When each source last loaded, and how much it holds (the data quality
    page): per source, the latest load time (`loaded_at`, the raw tables'
    `_outcomes_loaded_at`) over its staging models, their rows and how many
    tables it has. A source whose tables are empty has no last load (null),
    never a made-up time. Staging models are one view per raw table that
    never filters or aggregates (docs/contributing.md), so their rows are the rows loaded.

    The staging models are named here, not found by looping over `graph`:
    dbt fills `graph` only at execution, so a loop would record no lineage.
    tests/reports/test_report_models.py fails when a raw table with
    `loaded_at_field: _outcomes_loaded_at` has no staging model in this list.
#}
{%- set staging_models = [
    'stg_calendar__event_attendees', 'stg_calendar__events',
    'stg_git__commits', 'stg_git__pull_request_commits', 'stg_git__pull_requests',
    'stg_git__repositories', 'stg_git__tags',
    'stg_github__commits', 'stg_github__deployment_statuses', 'stg_github__deployments',
    'stg_github__pull_request_events', 'stg_github__pull_requests',
    'stg_github__repositories', 'stg_github__reviews',
    'stg_github__users', 'stg_github__workflow_runs',
    'stg_hubspot__contacts', 'stg_hubspot__deal_stage_history', 'stg_hubspot__deals',
    'stg_hubspot__engagements', 'stg_hubspot__owners',
    'stg_jira__changelog_items', 'stg_jira__issue_links', 'stg_jira__issue_sprints',
    'stg_jira__issues', 'stg_jira__sprints', 'stg_jira__users',
    'stg_pagerduty__incidents', 'stg_pagerduty__log_entries', 'stg_pagerduty__services',
    'stg_pagerduty__users',
    'stg_roster__user_versions', 'stg_roster__users',
    'stg_servicenow__incident_updates', 'stg_servicenow__incidents',
    'stg_zendesk__groups', 'stg_zendesk__satisfaction_ratings',
    'stg_zendesk__sla_policies', 'stg_zendesk__sla_policy_metrics',
    'stg_zendesk__ticket_audit_events', 'stg_zendesk__ticket_metric_events',
    'stg_zendesk__tickets', 'stg_zendesk__users',
] %}

with staged_tables as (
    {% for model in staging_models %}
        select
            '{{ model[4:].split("__")[0] }}' as source_system,
            max(loaded_at) as last_loaded_at,
            count(*) as row_count
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (

    select
        cast(source_system as varchar) as source_system,
        max(last_loaded_at) as last_loaded_at,
        cast(sum(row_count) as bigint) as rows_loaded,
        count(*) as tables_loaded
    from staged_tables
    group by source_system

)

select * from final
