{#
    The teams' "what next" notes (seed team_notes, written by the teams;
    docs/narrative.md#notes): one row per team and ISO week that has one.
    Checked when built (narrative_check_team_notes): an unknown team, a
    week_start that is not a Monday, an empty note or two notes for one
    team and week stop the build. A note is the team's words about its
    work, never about a person; it is shown as written.
#}
{{ narrative_check_team_notes(ref('team_notes'), ref('dim_teams')) }}

with notes as (

    select * from {{ ref('team_notes') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

final as (

    select
        {{ stable_id('teams.team_id', 'notes.week_start') }} as team_note_id,
        teams.team_id,
        teams.function_name,
        cast(notes.week_start as date) as week_start,
        trim(notes.note) as note
    from notes
    inner join teams
        on trim(notes.team_id) = teams.team_id

)

select * from final
