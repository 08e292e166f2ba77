{#
    The lines of the executive weekly digest (docs/narrative.md#digest), one
    per team, digest week and item, in the order the digest states them:
    section off_track, each KPI of the team's set off track over the 4 weeks
    ending with the week (worse than its baseline; fct_team_kpi_status),
    then section mover, each of the week's movers (fct_team_kpi_movers) with
    its reasons one level down (fct_team_kpi_mover_reasons) or the words
    saying the data one level down is too thin to say why. The digest weeks
    are rpt_digest_teams'. Team level only; a suppressed value is never
    shown (a status of a suppressed cell is not_enough_data, not off_track).
#}
with digest_teams as (

    select * from {{ ref('rpt_digest_teams') }}

),

status as (

    select * from {{ ref('fct_team_kpi_status') }}

),

kpi_sets as (

    select * from {{ ref('dim_team_kpi_sets') }}

),

movers as (

    select * from {{ ref('fct_team_kpi_movers') }}

),

reasons as (

    select * from {{ ref('fct_team_kpi_mover_reasons') }}

),

off_track as (

    select
        status.team_id,
        {{ add_days('status.period_end', -6) }} as week_start,
        'off_track' as section,
        status.kpi_id,
        status.kpi_position as item_position,
        status.kpi_name || ' is off track: '
        || {{ narrative_value('status.value', 'kpi_sets.unit') }}
        || case when status.value_basis = 'per_week' then ' a week' else '' end
        || ' over the last 4 weeks, worse than its baseline of '
        || {{ narrative_value('status.baseline_value', 'kpi_sets.unit') }}
        || case
            when status.target_value is not null
                then ' (target ' || {{ narrative_value('status.target_value', 'kpi_sets.unit') }}
                    || ').'
            else '.'
        end as line
    from status
    inner join kpi_sets
        on status.team_id = kpi_sets.team_id
            and status.kpi_id = kpi_sets.kpi_id
    where status.period_grain = 'rolling_4_weeks'
        and status.is_complete
        and status.status = 'off_track'

),

mover_reasons as (

    select
        team_kpi_mover_id,
        {{ text_list('reason', "' '", 'order by reason_position, reason_kind') }} as reasons
    from reasons
    group by team_kpi_mover_id

),

mover_lines as (

    select
        movers.team_id,
        movers.week_start,
        'mover' as section,
        movers.kpi_id,
        movers.mover_rank as item_position,
        movers.sentence
        || coalesce(
            ' Why: ' || mover_reasons.reasons,
            ' Why: nothing one level down stands out with enough people behind it to show.'
        ) as line
    from movers
    left join mover_reasons
        on movers.team_kpi_mover_id = mover_reasons.team_kpi_mover_id

),

lines as (

    select * from off_track
    union all
    select * from mover_lines

),

final as (

    select
        {{ stable_id('lines.team_id', 'lines.week_start', 'lines.section', 'lines.kpi_id') }}
            as digest_line_id,
        digest_teams.week_start,
        digest_teams.is_latest_week,
        digest_teams.function_name,
        digest_teams.team_id,
        digest_teams.team_name,
        lines.section,
        lines.kpi_id,
        cast(
            case when lines.section = 'off_track' then 0 else 100 end + lines.item_position
            as integer
        ) as line_position,
        lines.line
    from lines
    inner join digest_teams
        on lines.team_id = digest_teams.team_id
            and lines.week_start = digest_teams.week_start

)

select * from final
