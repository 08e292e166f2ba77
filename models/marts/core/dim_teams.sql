{#
    One row per team (roster department). Function is the most common among
    the team's members, active members first; ties go to the alphabetically
    first value so the result is deterministic. Time zone and working
    schedule are the team's business-hours schedule (int_team_schedules,
    same rule; default Mon-Fri 09:00-17:00, UTC).
#}
with roster_users as (

    select * from {{ ref('stg_roster__users') }}

),

people as (

    select * from {{ ref('dim_people') }}

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_names as (

    select
        team_id,
        team_name,
        row_number() over (
            partition by team_id
            order by count(*) desc, team_name
        ) as value_rank
    from roster_users
    group by team_id, team_name

),

team_functions as (

    select
        team_id,
        function_name,
        row_number() over (
            partition by team_id
            order by
                sum(case when is_active then 1 else 0 end) desc,
                count(*) desc,
                function_name
        ) as value_rank
    from people
    where function_name is not null
    group by team_id, function_name

),

team_members as (

    select
        team_id,
        count(case when is_active then person_id end) as member_count
    from people
    group by team_id

),

final as (

    select
        team_members.team_id,
        team_names.team_name,
        team_functions.function_name,
        team_members.member_count,
        coalesce(team_schedules.time_zone, 'UTC') as time_zone,
        team_schedules.work_days,
        team_schedules.work_start_time,
        team_schedules.work_end_time
    from team_members
    left join team_names
        on team_members.team_id = team_names.team_id
            and team_names.value_rank = 1
    left join team_functions
        on team_members.team_id = team_functions.team_id
            and team_functions.value_rank = 1
    left join team_schedules
        on team_members.team_id = team_schedules.team_id

)

select * from final
