{#
    The executive weekly digest, one row per team and digest week
    (docs/narrative.md#digest): the team's scorecard statuses over the 4
    weeks ending with the week (fct_team_kpi_status, rolling_4_weeks), its
    movers (fct_team_kpi_movers) and its note for the week
    (fct_team_notes), or the words saying it wrote none. A digest week is a
    week that ends a complete rolling 4-week period of the team;
    is_latest_week marks the newest of them, the week the run's digest file
    is about. Team level only.
#}
with status as (

    select * from {{ ref('fct_team_kpi_status') }}

),

movers as (

    select * from {{ ref('fct_team_kpi_movers') }}

),

notes as (

    select * from {{ ref('fct_team_notes') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

team_weeks as (

    select
        team_id,
        {{ add_days('period_end', -6) }} as week_start,
        count(*) as kpi_count,
        sum(case when status = 'off_track' then 1 else 0 end) as off_track_count,
        sum(case when status = 'at_risk' then 1 else 0 end) as at_risk_count,
        sum(case when status = 'on_track' then 1 else 0 end) as on_track_count
    from status
    where period_grain = 'rolling_4_weeks'
        and is_complete
    group by team_id, {{ add_days('period_end', -6) }}

),

mover_counts as (

    select
        team_id,
        week_start,
        count(*) as mover_count,
        sum(case when is_improvement then 0 else 1 end) as worse_mover_count
    from movers
    group by team_id, week_start

),

latest as (

    select max(week_start) as week_start from team_weeks

),

final as (

    select
        {{ stable_id('team_weeks.team_id', 'team_weeks.week_start') }} as digest_team_week_id,
        cast(team_weeks.week_start as date) as week_start,
        cast(team_weeks.week_start = latest.week_start as boolean) as is_latest_week,
        teams.function_name,
        team_weeks.team_id,
        teams.team_name,
        cast(team_weeks.kpi_count as bigint) as kpi_count,
        cast(team_weeks.off_track_count as bigint) as off_track_count,
        cast(team_weeks.at_risk_count as bigint) as at_risk_count,
        cast(team_weeks.on_track_count as bigint) as on_track_count,
        cast(coalesce(mover_counts.mover_count, 0) as bigint) as mover_count,
        cast(coalesce(mover_counts.worse_mover_count, 0) as bigint) as worse_mover_count,
        notes.note is not null as has_note,
        coalesce(notes.note, 'The team has written no note for this week.') as note
    from team_weeks
    inner join teams
        on team_weeks.team_id = teams.team_id
    cross join latest
    left join mover_counts
        on team_weeks.team_id = mover_counts.team_id
            and team_weeks.week_start = mover_counts.week_start
    left join notes
        on team_weeks.team_id = notes.team_id
            and team_weeks.week_start = notes.week_start

)

select * from final
