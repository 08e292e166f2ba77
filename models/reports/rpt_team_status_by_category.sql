{#
    The executive grid: one row per team and scorecard category, rolled up
    from rpt_team_scorecard. A category's status is its worst judged KPI (off
    track, then at risk, then on track); with no judged KPI, no target, then
    baseline forming, then not enough data. The team's group puts teams with
    a KPI off track first, then at risk, then the rest: an order to read the
    grid by, not a ranking (teams in a group are in name order, never by a
    score).
#}
with scorecard as (

    select * from {{ ref('rpt_team_scorecard') }}

),

counted as (

    select
        team_id,
        team_name,
        function_name,
        category,
        count(*) as kpi_count,
        sum(case when status = 'on_track' then 1 else 0 end) as on_track_count,
        sum(case when status = 'at_risk' then 1 else 0 end) as at_risk_count,
        sum(case when status = 'off_track' then 1 else 0 end) as off_track_count,
        sum(case when status = 'no_target' then 1 else 0 end) as no_target_count,
        sum(case when status = 'baseline_forming' then 1 else 0 end) as forming_count
    from scorecard
    group by team_id, team_name, function_name, category

),

judged as (

    select
        *,
        case
            when off_track_count > 0 then 'off_track'
            when at_risk_count > 0 then 'at_risk'
            when on_track_count > 0 then 'on_track'
            when no_target_count > 0 then 'no_target'
            when forming_count > 0 then 'baseline_forming'
            else 'not_enough_data'
        end as category_status
    from counted

),

teams as (

    select
        team_id,
        sum(off_track_count) as team_off_track_count,
        sum(at_risk_count) as team_at_risk_count,
        sum(on_track_count) as team_on_track_count,
        sum(kpi_count) as team_kpi_count
    from judged
    group by team_id

),

final as (

    select
        cast({{ stable_id('judged.team_id', 'judged.category') }} as varchar)
            as team_category_id,
        cast(judged.team_id as varchar) as team_id,
        cast(judged.team_name as varchar) as team_name,
        cast(judged.function_name as varchar) as function_name,
        cast(judged.category as varchar) as category,
        cast(judged.kpi_count as bigint) as kpi_count,
        cast(judged.on_track_count as bigint) as on_track_count,
        cast(judged.at_risk_count as bigint) as at_risk_count,
        cast(judged.off_track_count as bigint) as off_track_count,
        cast(judged.category_status as varchar) as category_status,
        cast(
            {{ report_status_label('judged.category_status') }}
            || case
                when judged.category_status = 'off_track'
                    then ': ' || cast(judged.off_track_count as varchar)
                        || ' of ' || {{ report_plural('judged.kpi_count', 'KPI', 'KPIs') }}
                when judged.category_status = 'at_risk'
                    then ': ' || cast(judged.at_risk_count as varchar)
                        || ' of ' || {{ report_plural('judged.kpi_count', 'KPI', 'KPIs') }}
                when judged.category_status = 'on_track'
                    then ': ' || cast(judged.on_track_count as varchar)
                        || ' of ' || {{ report_plural('judged.kpi_count', 'KPI', 'KPIs') }}
                else ''
            end as varchar
        ) as status_text,
        cast(
            case
                when teams.team_off_track_count > 0 then 1
                when teams.team_at_risk_count > 0 then 2
                else 3
            end as integer
        ) as team_status_group,
        cast(
            case
                when teams.team_off_track_count = 0 and teams.team_at_risk_count = 0
                    then 'no KPI off track or at risk'
                else {{ report_plural('teams.team_off_track_count', 'KPI', 'KPIs') }}
                    || ' off track, '
                    || cast(teams.team_at_risk_count as varchar) || ' at risk'
            end
            || ' (' || cast(teams.team_on_track_count as varchar) || ' on track of '
            || {{ report_plural('teams.team_kpi_count', 'KPI', 'KPIs') }} || ')' as varchar
        ) as team_status_text,
        cast('/teams/' || judged.team_id as varchar) as team_link
    from judged
    inner join teams
        on judged.team_id = teams.team_id

)

select * from final
