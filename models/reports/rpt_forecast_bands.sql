{#
    The forecast page's confidence bands: per forecast team and coming week,
    the items done by the week's end at 95, 85 and 50% confidence and the
    optimistic side (fct_team_forecast_weekly). A team of fewer than k people
    keeps its weeks with every count empty.
#}
{%- set k = kpi_min_group_size() -%}

with weekly as (

    select * from {{ ref('fct_team_forecast_weekly') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

joined as (

    select
        weekly.*,
        teams.team_name,
        cast(coalesce(teams.member_count, 0) as bigint) as member_count,
        coalesce(teams.member_count, 0) < {{ k }} as is_suppressed
    from weekly
    left join teams
        on weekly.team_id = teams.team_id

),

final as (

    select
        team_id,
        team_name,
        week_number,
        forecast_date,
        case when not is_suppressed then open_item_count end as open_item_count,
        case when not is_suppressed then done_p05 end as done_p05,
        case when not is_suppressed then done_p15 end as done_p15,
        case when not is_suppressed then done_p50 end as done_p50,
        case when not is_suppressed then done_p85 end as done_p85,
        case when not is_suppressed then done_p95 end as done_p95,
        member_count,
        is_suppressed
    from joined

)

select * from final
