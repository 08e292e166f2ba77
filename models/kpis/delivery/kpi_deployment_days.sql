{#
    Deployment days (delivery, engineering): distinct UTC days in the week with
    at least one successful production deployment of the team's repositories
    (docs/kpi-definitions.md#deployment_days; the DORA cut-offs read the
    median of this weekly number), and beside it deployments, their number
    (docs/kpi-definitions.md#deployments). sample_size is the number of successful
    production deployments; contributor_count the distinct authors of pull
    requests merged into the team's repositories that week.
#}
with production_deployments as (

    select * from {{ ref('int_production_deployments') }}

),

change_authors as (

    select * from {{ ref('kpi_base_change_authors') }}

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

deployment_periods as (

    select
        team_id,
        period_grain,
        period_start,
        count(distinct deployment_date) as deployment_day_count,
        count(*) as deployment_count
    from {{ kpi_periods('dated_deployments') }}
    group by team_id, period_grain, period_start

),

measured as (

    select
        deployment_periods.*,
        coalesce(change_authors.contributor_count, 0) as contributor_count
    from deployment_periods
    left join change_authors
        on deployment_periods.team_id = change_authors.team_id
            and deployment_periods.period_grain = change_authors.period_grain
            and deployment_periods.period_start = change_authors.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'deployment_days',
         'value': 'deployment_day_count',
         'sample_size': 'deployment_count'},
        {'kpi_id': 'deployments',
         'value': 'deployment_count',
         'sample_size': 'deployment_count'},
    ]) }}

)

select * from final
