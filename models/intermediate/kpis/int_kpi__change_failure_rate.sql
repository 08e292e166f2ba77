{#
    Change failure rate (quality, engineering): successful production
    deployments that caused a failure / successful production deployments, in
    the week the deployment finished, for the team owning the repository.
    KPI_DEFINITIONS.md counts DEPLOYMENTS, not incidents: a deployment with two
    attributed incidents counts once.

    One definition: "caused a failure" is fct_deployments.has_caused_failure
    (an attributed incident, a rollback, or a revert / hotfix of its changes
    deployed within the attribution window), the verdict the DORA marts
    (int_dora_team_windows) count too, so this KPI and
    fct_dora_team_weekly.change_failure_rate agree for every team-week. It
    reads the mart like int_dora_team_windows does: the verdict needs the
    PR-to-deployment crediting of fct_pull_requests, which lives in the marts.
    contributor_count: the team's change authors that week
    (int_kpi__change_authors_weekly).
#}
with deployments as (

    select * from {{ ref('fct_deployments') }}
    where is_live and team_id is not null

),

change_authors as (

    select * from {{ ref('int_kpi__change_authors_weekly') }}

),

judged as (

    select
        team_id,
        {{ week_start('finished_at') }} as week_start,
        deployment_id,
        has_caused_failure
    from deployments

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
