{#
    Deployment days (delivery, engineering): distinct UTC days in the week with
    at least one successful production deployment of the team's repositories
    (KPI_DEFINITIONS.md, Deployment frequency; the DORA cut-offs read the
    median of this weekly number). sample_size is the number of successful
    production deployments; contributor_count the distinct authors of pull
    requests merged into the team's repositories that week.
#}
with production_deployments as (

    select * from {{ ref('int_kpi__production_deployments') }}

),

change_authors as (

    select * from {{ ref('int_kpi__change_authors_weekly') }}

),

dated_deployments as (

    select
        team_id,
        deployment_id,
        {{ week_start('finished_at') }} as week_start,
        {{ to_date('finished_at') }} as deployment_date
    from production_deployments
    where team_id is not null

),

deployment_weeks as (

    select
        team_id,
        week_start,
        count(distinct deployment_date) as deployment_day_count,
        count(*) as deployment_count
    from dated_deployments
    group by team_id, week_start

),

kpi_rows as (

    select
        cast(deployment_weeks.team_id as varchar) as team_id,
        deployment_weeks.week_start,
        cast('deployment_days' as varchar) as kpi_id,
        cast(deployment_weeks.deployment_day_count as float8) as value,
        cast(deployment_weeks.deployment_count as bigint) as sample_size,
        cast(coalesce(change_authors.author_count, 0) as bigint) as contributor_count
    from deployment_weeks
    left join change_authors
        on deployment_weeks.team_id = change_authors.team_id
            and deployment_weeks.week_start = change_authors.week_start

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
