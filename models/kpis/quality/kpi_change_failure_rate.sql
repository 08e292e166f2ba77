{#
    Change failure rate (quality, engineering): successful production
    deployments that caused a failure / successful production deployments, in
    the week the deployment finished, for the team owning the repository.
    docs/kpi-definitions.md counts DEPLOYMENTS, not incidents: a deployment with two
    attributed incidents counts once.

    One definition: "caused a failure" is fct_deployments.has_caused_failure
    (an attributed incident, a rollback, or a revert / hotfix of its changes
    deployed by a later deployment within the attribution window: a change
    shipped together with its revert fails nothing), the verdict the DORA marts
    (kpi_base_dora_team_windows) count too, so this KPI and
    fct_dora_team_weekly.change_failure_rate agree for every team-week. It
    reads the mart like kpi_base_dora_team_windows does: the verdict needs the
    PR-to-deployment crediting of fct_pull_requests, which lives in the marts.
    contributor_count: the team's change authors that week
    (kpi_base_change_authors).
#}
with deployments as (

    select * from {{ ref('fct_deployments') }}
    where is_live and team_id is not null

),

change_authors as (

    select * from {{ ref('kpi_base_change_authors') }}

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
        period_grain,
        period_start,
        count(case when has_caused_failure then 1 end) as failed_count,
        count(*) as deployment_count
    from {{ kpi_periods('judged') }}
    group by team_id, period_grain, period_start

),

measured as (

    select
        aggregated.*,
        coalesce(change_authors.contributor_count, 0) as contributor_count
    from aggregated
    left join change_authors
        on aggregated.team_id = change_authors.team_id
            and aggregated.period_grain = change_authors.period_grain
            and aggregated.period_start = change_authors.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'change_failure_rate',
         'value': 'cast(failed_count as float8) / nullif(deployment_count, 0)',
         'sample_size': 'deployment_count'},
    ]) }}

)

select * from final
