{#
    One row per successful production deployment: a GitHub deployment to an
    environment the environments seed calls production that reached status
    `success` (finished_at = its first success status). Deployments that only
    failed or errored never went live and are not counted by deployment days
    or change failure rate.

    previous_deployment_id is the previous successful production deployment
    of the same repository to the same environment (the chain of
    int_deployments_unioned: one per repository and environment, whichever
    pipeline deployed). A rollback (task `deploy:rollback`) rolls back exactly that
    previous deployment, so is_rolled_back marks the deployment a rollback
    replaced (docs/kpi-definitions.md: "it was rolled back"); the rollback itself is
    a production deployment like any other.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

deployments as (

    select * from {{ consented(
        ref('stg_github__deployments'),
        'creator_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

deployment_statuses as (

    select * from {{ ref('stg_github__deployment_statuses') }}

),

environments as (

    select * from {{ ref('environments') }}

),

repository_owners as (

    select * from {{ ref('int_repository_owners') }}

),

first_successes as (

    select
        deployment_id,
        min(created_at) as finished_at
    from deployment_statuses
    where status_state = 'success'
    group by deployment_id

),

production_deployments as (

    select
        deployments.deployment_id,
        deployments.repository_name,
        lower(
            case
                when strpos(deployments.repository_name, '/') > 0
                    then split_part(deployments.repository_name, '/', 2)
                else deployments.repository_name
            end
        ) as service_name,
        deployments.environment_name,
        deployments.commit_sha,
        coalesce(lower(deployments.deployment_task), 'deploy') = 'deploy:rollback'
            as is_rollback,
        deployments.created_at,
        first_successes.finished_at
    from deployments
    inner join environments
        on deployments.environment_name = environments.environment_name
    inner join first_successes
        on deployments.deployment_id = first_successes.deployment_id
    where environments.is_production

),

sequenced as (

    select
        production_deployments.*,
        lag(production_deployments.deployment_id) over (
            partition by
                production_deployments.repository_name, production_deployments.environment_name
            order by production_deployments.finished_at, production_deployments.deployment_id
        ) as previous_deployment_id,
        lead(production_deployments.is_rollback) over (
            partition by
                production_deployments.repository_name, production_deployments.environment_name
            order by production_deployments.finished_at, production_deployments.deployment_id
        ) as is_next_rollback
    from production_deployments

),

final as (

    select
        sequenced.deployment_id,
        sequenced.repository_name,
        sequenced.service_name,
        repository_owners.team_id,
        sequenced.commit_sha,
        sequenced.is_rollback,
        coalesce(sequenced.is_next_rollback, false) as is_rolled_back,
        sequenced.previous_deployment_id,
        sequenced.created_at,
        sequenced.finished_at
    from sequenced
    left join repository_owners
        on sequenced.repository_name = repository_owners.repository_name

)

select * from final
