{#
    Change failure rate (quality, engineering): successful production
    deployments that caused a failure / successful production deployments, in
    the week the deployment finished, for the team owning the repository.
    KPI_DEFINITIONS.md counts DEPLOYMENTS, not incidents: a deployment with two
    attributed incidents counts once. It caused a failure when an incident is
    attributed to it (int_kpi__incident_attribution) or it was rolled back (the
    next production deployment of the service is a `deploy:rollback`).
    Revert/hotfix detection is not implemented: a revert PR does not say which
    change it reverts in the collected data.
#}
with production_deployments as (

    select * from {{ ref('int_kpi__production_deployments') }}

),

incident_attribution as (

    select * from {{ ref('int_kpi__incident_attribution') }}

),

change_authors as (

    select * from {{ ref('int_kpi__change_authors_weekly') }}

),

attributed_deployments as (

    select distinct attributed_deployment_id as deployment_id
    from incident_attribution
    where attributed_deployment_id is not null

),

judged as (

    select
        production_deployments.team_id,
        {{ week_start('production_deployments.finished_at') }} as week_start,
        production_deployments.deployment_id,
        attributed_deployments.deployment_id is not null
        or production_deployments.is_rolled_back as has_caused_failure
    from production_deployments
    left join attributed_deployments
        on production_deployments.deployment_id = attributed_deployments.deployment_id
    where production_deployments.team_id is not null

),

aggregated as (

    select
        team_id,
        week_start,
        count(case when has_caused_failure then 1 end) as failed_count,
        count(*) as deployment_count
    from judged
    group by team_id, week_start

),

kpi_rows as (

    select
        cast(aggregated.team_id as varchar) as team_id,
        aggregated.week_start,
        cast('change_failure_rate' as varchar) as kpi_id,
        cast(aggregated.failed_count as float8) / nullif(aggregated.deployment_count, 0)
            as value,
        cast(aggregated.deployment_count as bigint) as sample_size,
        cast(coalesce(change_authors.author_count, 0) as bigint) as contributor_count
    from aggregated
    left join change_authors
        on aggregated.team_id = change_authors.team_id
            and aggregated.week_start = change_authors.week_start

),

final as (

    select
        {{ stable_id('team_id', 'week_start', 'kpi_id') }} as team_kpi_week_id,
        team_id,
        week_start,
        kpi_id,
        value,
        sample_size,
        contributor_count
    from kpi_rows

)

select * from final
