{# The teams that publish at least one KPI cell (the team list and the team pages' routes). #}
with teams as (

    select * from {{ ref('dim_teams') }}

),

team_work_types as (

    select * from {{ ref('team_work_types') }}

),

team_kpis as (

    select * from {{ ref('fct_team_kpis_weekly') }}

),

reporting_teams as (

    select distinct team_id from team_kpis

),

final as (

    select
        teams.team_id,
        teams.team_name,
        teams.function_name,
        lower(trim(team_work_types.work_type)) as work_type,
        teams.member_count
    from teams
    inner join reporting_teams
        on teams.team_id = reporting_teams.team_id
    left join team_work_types
        on teams.team_id = trim(team_work_types.team_id)

)

select * from final
