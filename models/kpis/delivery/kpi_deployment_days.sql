{#
    Deployment days (delivery, engineering): distinct UTC days in the week with
    at least one successful production deployment of the team's repositories
    (docs/kpi-definitions.md#deployment_days; the DORA cut-offs read the
    median of this weekly number). sample_size is the number of successful
    production deployments; contributor_count the distinct authors of pull
    requests merged into the team's repositories that week.
#}
with production_deployments as (

    select * from {{ ref('int_production_deployments') }}

),

change_authors as (

    select * from {{ ref('kpi_base_change_authors_weekly') }}

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

measured as (

    select
        deployment_weeks.*,
        coalesce(change_authors.author_count, 0) as contributor_count
    from deployment_weeks
    left join change_authors
        on deployment_weeks.team_id = change_authors.team_id
            and deployment_weeks.week_start = change_authors.week_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'deployment_days',
         'value': 'deployment_day_count',
         'sample_size': 'deployment_count'},
    ]) }}

)

select * from final
