{#
    One row per PagerDuty incident with the production deployment it is
    attributed to (docs/kpi-definitions.md#fct_incidents):
    1. explicit link wins: the incident's related_deployment_id, when it names
       a successful production deployment; else its related_commit_sha, which
       names the first successful production deployment of that commit;
    2. otherwise the latest successful production deployment of the same
       service (PagerDuty service name = repository short name, case-
       insensitive) that finished at or before the incident started, and only
       within var('attribution_window_hours') (default 72);
    3. otherwise unattributed: it still counts for time to restore.
    team_id is the team owning the service's repository; an incident on a
    service no repository matches falls back to its first assignee's team.
#}
{%- set window_hours = var('attribution_window_hours', 72) %}

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

work_items as (

    select * from {{ ref('int_work_items') }}
    where work_item_type = 'incident'

),

production_deployments as (

    select * from {{ ref('int_production_deployments') }}

),

repository_owners as (

    select * from {{ ref('int_repository_owners') }}

),

linked_by_deployment as (

    select
        incidents.incident_id,
        production_deployments.deployment_id
    from incidents
    inner join production_deployments
        on incidents.related_deployment_id = production_deployments.deployment_id

),

commit_deployments as (

    select
        incidents.incident_id,
        production_deployments.deployment_id,
        row_number() over (
            partition by incidents.incident_id
            order by production_deployments.finished_at, production_deployments.deployment_id
        ) as deployment_rank
    from incidents
    inner join production_deployments
        on incidents.related_commit_sha = production_deployments.commit_sha

),

linked_by_commit as (

    select
        incident_id,
        deployment_id
    from commit_deployments
    where deployment_rank = 1

),

window_candidates as (

    select
        incidents.incident_id,
        production_deployments.deployment_id,
        row_number() over (
            partition by incidents.incident_id
            order by
                production_deployments.finished_at desc,
                production_deployments.deployment_id desc
        ) as deployment_rank
    from incidents
    inner join production_deployments
        on lower(trim(incidents.service_name)) = production_deployments.service_name
            and incidents.created_at >= production_deployments.finished_at
            and {{ elapsed_hours('production_deployments.finished_at', 'incidents.created_at') }}
            <= {{ window_hours }}

),

linked_by_window as (

    select
        incident_id,
        deployment_id
    from window_candidates
    where deployment_rank = 1

),

service_owners as (

    select
        service_name,
        min(team_id) as team_id
    from repository_owners
    group by service_name

),

attributed as (

    select
        incidents.incident_id,
        'pagerduty:incident:' || incidents.incident_id as work_item_id,
        lower(trim(incidents.service_name)) as service_name,
        incidents.created_at as started_at,
        incidents.resolved_at,
        incidents.incident_status,
        coalesce(service_owners.team_id, work_items.team_id) as team_id,
        work_items.owner_person_id as first_assignee_person_id,
        coalesce(
            linked_by_deployment.deployment_id,
            linked_by_commit.deployment_id,
            linked_by_window.deployment_id
        ) as attributed_deployment_id,
        case
            when linked_by_deployment.deployment_id is not null then 'explicit_deployment'
            when linked_by_commit.deployment_id is not null then 'explicit_commit'
            when linked_by_window.deployment_id is not null then 'service_window'
            else 'unattributed'
        end as attribution_method
    from incidents
    left join work_items
        on incidents.incident_id = work_items.source_item_id
    left join service_owners
        on lower(trim(incidents.service_name)) = service_owners.service_name
    left join linked_by_deployment
        on incidents.incident_id = linked_by_deployment.incident_id
    left join linked_by_commit
        on incidents.incident_id = linked_by_commit.incident_id
    left join linked_by_window
        on incidents.incident_id = linked_by_window.incident_id

),

final as (

    select
        attributed.incident_id,
        attributed.work_item_id,
        attributed.service_name,
        attributed.team_id,
        attributed.first_assignee_person_id,
        attributed.incident_status,
        attributed.started_at,
        attributed.resolved_at,
        attributed.attributed_deployment_id,
        attributed.attribution_method,
        attributed.attributed_deployment_id is not null as is_attributed,
        production_deployments.finished_at as deployment_finished_at,
        {{ elapsed_hours('production_deployments.finished_at', 'attributed.started_at') }}
            as hours_since_deployment
    from attributed
    left join production_deployments
        on attributed.attributed_deployment_id = production_deployments.deployment_id

)

select * from final
