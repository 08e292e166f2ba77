{#
    Every published KPI cell with its team's and the catalog's names (the
    scorecard, team and function pages).
#}
with team_kpis as (

    select * from {{ ref('fct_team_kpis_weekly') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

final as (

    select
        team_kpis.team_id,
        teams.team_name,
        teams.function_name,
        team_kpis.week_start,
        team_kpis.kpi_id,
        kpi_catalog.kpi_name,
        team_kpis.category,
        kpi_catalog.unit,
        kpi_catalog.direction,
        team_kpis.value,
        team_kpis.sample_size,
        team_kpis.contributor_count,
        team_kpis.is_suppressed
    from team_kpis
    inner join teams
        on team_kpis.team_id = teams.team_id
    inner join kpi_catalog
        on team_kpis.kpi_id = kpi_catalog.kpi_id

)

select * from final
