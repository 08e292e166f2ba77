{#
    One row per pull request shipped by a successful production deployment
    of a repository a team owns: the team, the week the deployment finished,
    the roster author (null for a bot or an account outside the roster) and
    the lead time for changes, its cycle time (fct_pull_requests.cycle_time_hours
    ends at the deployment for a shipped PR, from the earlier of the earliest
    commit and the opening; null where the start is unknown or after the
    deployment). Read by the DORA windows (kpi_base_dora_team_windows) and the
    weekly KPI (kpi_lead_time_for_changes), so both count the same changes.
#}
with deployments as (

    select * from {{ ref('fct_deployments') }}
    where is_live and team_id is not null

),

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}
    where deployment_id is not null

),

final as (

    select
        pull_requests.pull_request_id,
        deployments.team_id,
        {{ week_start('deployments.finished_at') }} as week_start,
        case when pull_requests.author_type = 'person' then pull_requests.author_person_id end
            as author_person_id,
        pull_requests.cycle_time_hours as lead_time_hours
    from pull_requests
    inner join deployments
        on pull_requests.deployment_id = deployments.deployment_id

)

select * from final
