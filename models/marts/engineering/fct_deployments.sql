{#
    One row per deployment (GitHub deployments of every environment and
    result, release tags of git-only repositories), with the changes it
    shipped and whether it caused a failure (docs/kpi-definitions.md).

    Only successful production deployments (is_live) ship changes and can
    fail: change_count is the pull requests credited to it (merged inside its
    credit window, see int_deployments_unioned), 0 for a deployment with
    nothing new, null for a deployment that never went live.

    It caused a failure when, within var('attribution_window_hours') (72) of
    finishing: an incident is attributed to it (int_incident_attribution),
    it was rolled back (the next deployment of its chain, same repository and
    environment, is a rollback), a revert of one of its changes was deployed
    by a LATER deployment (a revert linked exactly, by the PR number it names:
    fct_pull_requests.is_reverted; no heuristic; a change shipped together
    with its own revert never ran alone in production and failed nothing), or
    the next deployment of its chain ships a hotfix.
    failure_reason names the first of these that holds, in that order.
    has_caused_failure is the one verdict: kpi_change_failure_rate and the
    DORA marts both count it.
#}
{%- set window_hours = var('attribution_window_hours', 72) %}

with deployments as (

    select * from {{ ref('int_deployments_unioned') }}

),

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

incident_attribution as (

    select * from {{ ref('int_incident_attribution') }}

),

repository_owners as (

    select * from {{ ref('int_repository_owners') }}

),

{# Git-only repositories: the team whose people authored most of its PRs. #}
git_owner_votes as (

    select
        repository_name,
        team_id,
        row_number() over (
            partition by repository_name
            order by count(*) desc, team_id asc
        ) as vote_rank
    from pull_requests
    where source_system = 'git' and team_id is not null
    group by repository_name, team_id

),

live_deployments as (

    select * from deployments
    where is_live

),

credited as (

    select
        deployment_id,
        count(*) as change_count,
        count(case when is_hotfix then 1 end) as hotfix_count
    from pull_requests
    where deployment_id is not null
    group by deployment_id

),

incident_counts as (

    select
        attributed_deployment_id,
        count(*) as incident_count
    from incident_attribution
    where attributed_deployment_id is not null
    group by attributed_deployment_id

),

{# The deployment that shipped each revert (fct_pull_requests), when it is
   another one than the deployment that shipped the reverted change. #}
reverts_deployed as (

    select
        pull_requests.deployment_id as reverted_deployment_id,
        min(live_deployments.finished_at) as revert_deployed_at
    from pull_requests
    inner join live_deployments
        on pull_requests.revert_deployment_id = live_deployments.deployment_id
    where
        pull_requests.is_reverted
        and pull_requests.deployment_id is not null
        and pull_requests.revert_deployment_id <> pull_requests.deployment_id
    group by pull_requests.deployment_id

),

next_hotfixes as (

    select
        live_deployments.previous_deployment_id,
        live_deployments.finished_at as hotfix_deployed_at
    from live_deployments
    inner join credited
        on live_deployments.deployment_id = credited.deployment_id
    where credited.hotfix_count > 0

),

judged as (

    select
        deployments.*,
        coalesce(repository_owners.team_id, git_owner_votes.team_id) as team_id,
        case when deployments.is_live then coalesce(credited.change_count, 0) end
            as change_count,
        coalesce(credited.hotfix_count, 0) > 0 as is_hotfix,
        coalesce(incident_counts.incident_count, 0) as incident_count,
        deployments.is_live and coalesce(incident_counts.incident_count, 0) > 0
            as has_attributed_incident,
        deployments.is_live and deployments.is_rolled_back as has_rollback,
        coalesce(
            deployments.is_live
            and reverts_deployed.revert_deployed_at >= deployments.finished_at
            and {{ elapsed_hours('deployments.finished_at',
                                 'reverts_deployed.revert_deployed_at') }}
            <= {{ window_hours }},
            false
        ) as has_revert_in_window,
        coalesce(
            deployments.is_live
            and next_hotfixes.hotfix_deployed_at >= deployments.finished_at
            and {{ elapsed_hours('deployments.finished_at',
                                 'next_hotfixes.hotfix_deployed_at') }}
            <= {{ window_hours }},
            false
        ) as has_hotfix_in_window
    from deployments
    left join repository_owners
        on deployments.source_system = 'github'
            and deployments.repository_name = repository_owners.repository_name
    left join git_owner_votes
        on deployments.source_system = 'git'
            and deployments.repository_name = git_owner_votes.repository_name
            and git_owner_votes.vote_rank = 1
    left join credited
        on deployments.deployment_id = credited.deployment_id
    left join incident_counts
        on deployments.source_deployment_id = incident_counts.attributed_deployment_id
            and deployments.source_system = 'github'
    left join reverts_deployed
        on deployments.deployment_id = reverts_deployed.reverted_deployment_id
    left join next_hotfixes
        on deployments.deployment_id = next_hotfixes.previous_deployment_id

),

final as (

    select
        cast(deployment_id as varchar) as deployment_id,
        cast(source_system as varchar) as source_system,
        cast(source_deployment_id as bigint) as source_deployment_id,
        cast(repository_name as varchar) as repository_name,
        cast(service_name as varchar) as service_name,
        cast(team_id as varchar) as team_id,
        cast(environment_name as varchar) as environment_name,
        cast(is_production as boolean) as is_production,
        cast(result as varchar) as result,
        cast(is_live as boolean) as is_live,
        cast(is_rollback as boolean) as is_rollback,
        cast(is_hotfix as boolean) as is_hotfix,
        cast(is_live and (is_rollback or is_hotfix) as boolean) as is_unplanned,
        cast(is_first_of_service as boolean) as is_first_of_service,
        cast(commit_sha as varchar) as commit_sha,
        cast(created_at as timestamp) as created_at,
        cast(finished_at as timestamp) as finished_at,
        cast(credit_window_start_at as timestamp) as credit_window_start_at,
        cast(
            case when is_live and source_system = 'github' then head_at end as timestamp
        ) as credit_window_end_at,
        cast(previous_deployment_id as varchar) as previous_deployment_id,
        cast(change_count as bigint) as change_count,
        cast(incident_count as bigint) as incident_count,
        cast(has_attributed_incident as boolean) as has_attributed_incident,
        cast(has_rollback as boolean) as is_rolled_back,
        cast(has_revert_in_window as boolean) as has_revert_in_window,
        cast(has_hotfix_in_window as boolean) as has_hotfix_in_window,
        cast(
            case
                when is_live
                    then
                        has_attributed_incident
                        or has_rollback
                        or has_revert_in_window
                        or has_hotfix_in_window
            end as boolean
        ) as has_caused_failure,
        cast(
            case
                when not is_live then null
                when has_attributed_incident then 'incident'
                when has_rollback then 'rollback'
                when has_revert_in_window then 'revert'
                when has_hotfix_in_window then 'hotfix'
            end as varchar
        ) as failure_reason
    from judged

)

select * from final
