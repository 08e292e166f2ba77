{#
    After-hours support load (flow, support; team level only): the share of
    public agent replies (int_case_agent_replies) sent outside the working
    schedule of the replying agent's team: on a day that is not one of the
    team's working days (weekend, holiday) or before or after the day's
    working hours (int_team_business_days, in the team's time zone). The team
    is the one the agent was on when replying (int_people_team_history), so a
    reply counts for the team whose hours it fell outside. Week choice: the
    week of the reply. A reply whose local date lies outside the business
    calendar's span is left out (of the share and of its sample_size).
    Replies of agents not on the roster have no team and are left out.
    Published as after_hours_reply_share; contributor_count is the distinct
    replying agents. Like every team KPI it is suppressed below the privacy
    threshold and never shown per person.
#}
with agent_replies as (

    select * from {{ ref('int_case_agent_replies') }}

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_business_days as (

    select * from {{ ref('int_team_business_days') }}

),

replies_by_team as (

    select
        agent_replies.case_reply_id,
        agent_replies.author_person_id,
        agent_replies.replied_at,
        team_spells.team_id,
        {{ week_start('agent_replies.replied_at') }} as week_start,
        {{ to_date(utc_to_local('agent_replies.replied_at', 'team_schedules.time_zone')) }}
            as replied_local_date
    from agent_replies
    inner join team_spells
        on agent_replies.author_person_id = team_spells.person_id
            and {{ during_spell('team_spells', 'agent_replies.replied_at') }}
    inner join team_schedules
        on team_spells.team_id = team_schedules.team_id

),

classified as (

    select
        replies_by_team.team_id,
        replies_by_team.week_start,
        replies_by_team.case_reply_id,
        replies_by_team.author_person_id,
        not coalesce(
            team_business_days.is_working_day
            and replies_by_team.replied_at >= team_business_days.work_start_at
            and replies_by_team.replied_at < team_business_days.work_end_at,
            false
        ) as is_after_hours
    from replies_by_team
    inner join team_business_days
        on replies_by_team.team_id = team_business_days.team_id
            and replies_by_team.replied_local_date = team_business_days.work_date

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_after_hours then 1 end) as after_hours_reply_count,
        count(*) as reply_count,
        count(distinct author_person_id) as agent_count
    from {{ kpi_periods('classified') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'after_hours_reply_share',
         'value': 'cast(after_hours_reply_count as float8) / nullif(reply_count, 0)',
         'sample_size': 'reply_count', 'contributor_count': 'agent_count'},
    ]) }}

)

select * from final
