{#
    One row per roster team (dim_teams) and ISO week of the team's active
    range: from the week of the team's first work event to the week of its
    last (fct_work_events, team_id), among the weeks the warehouse holds data
    for. member_count is the size of the team that week: the active roster
    members (dim_people) who were on the team at the end of the week (their
    team spell running at the week's last moment, int_people_team_history:
    someone who moved counts for the old team until the week of the move,
    then for the new one) and had started by the end of the week
    (employment_start_date from the roster; no start date = always). The
    roster keeps no leaving date, so people who left are not counted in any
    week. Used to publish explicit zero rows of count KPIs, whose
    contributor_count is the team's size.
#}
with work_events as (

    select * from {{ ref('fct_work_events') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

people as (

    select * from {{ ref('dim_people') }}

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

roster_users as (

    select * from {{ ref('stg_roster__users') }}

),

team_ranges as (

    select
        teams.team_id,
        min({{ week_start('work_events.occurred_at') }}) as first_week_start,
        max({{ week_start('work_events.occurred_at') }}) as last_week_start
    from teams
    inner join work_events
        on teams.team_id = work_events.team_id
    group by teams.team_id

),

{#
    The weeks the warehouse holds any event in, from any tool. A week with no
    event at all is a gap in the data, not a week without work: it gets no
    zero rows.
#}
data_weeks as (

    select distinct {{ week_start('occurred_at') }} as week_start
    from work_events

),

team_weeks as (

    select
        team_ranges.team_id,
        data_weeks.week_start
    from team_ranges
    inner join data_weeks
        on
            team_ranges.first_week_start <= data_weeks.week_start
            and team_ranges.last_week_start >= data_weeks.week_start

),

start_dates as (

    select
        person_id,
        min(employment_start_date) as employment_start_date
    from roster_users
    group by person_id

),

active_members as (

    select
        team_spells.team_id,
        team_spells.person_id,
        team_spells.valid_from,
        team_spells.valid_to,
        start_dates.employment_start_date
    from people
    inner join team_spells
        on people.person_id = team_spells.person_id
    left join start_dates
        on people.person_id = start_dates.person_id
    where people.is_active

),

team_week_rows as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        count(active_members.person_id) as member_count
    from team_weeks
    left join active_members
        on team_weeks.team_id = active_members.team_id
            and (
                active_members.employment_start_date is null
                or active_members.employment_start_date <= team_weeks.week_start + 6
            )
            {# The spell running at the week's last moment (begun before it ended). #}
            and (
                active_members.valid_from is null
                or active_members.valid_from < cast(team_weeks.week_start + 7 as timestamp)
            )
            and (
                active_members.valid_to is null
                or active_members.valid_to >= cast(team_weeks.week_start + 7 as timestamp)
            )
    group by team_weeks.team_id, team_weeks.week_start

),

final as (

    select
        {{ stable_id('team_id', 'week_start') }} as team_week_id,
        team_id,
        week_start,
        member_count
    from team_week_rows

)

select * from final
