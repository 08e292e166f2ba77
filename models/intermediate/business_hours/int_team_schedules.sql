{#
    One row per team (roster department): its working schedule
    (docs/kpi-definitions.md, Business hours). The roster holds each person's time
    zone, working days and hours; a team's are the most common among its
    members, active members first, ties to the alphabetically first value, so
    the result is deterministic. A person counts once, as dim_people has them
    (the active, most recently modified roster account; Mon-Fri 09:00-17:00
    when the roster has no schedule). A team without any time zone is on UTC.
#}
with people as (

    {#- One row per person: the roster account dim_people keeps, with the
        default schedule already filled in. -#}
    select
        team_id,
        person_id,
        is_active,
        time_zone,
        work_days,
        work_start_time,
        work_end_time
    from {{ ref('int_people') }}

),

team_time_zones as (

    select
        team_id,
        time_zone,
        row_number() over (
            partition by team_id
            order by
                sum(case when is_active then 1 else 0 end) desc,
                count(*) desc,
                time_zone
        ) as value_rank
    from people
    where time_zone is not null
    group by team_id, time_zone

),

team_work_hours as (

    select
        team_id,
        work_days,
        work_start_time,
        work_end_time,
        row_number() over (
            partition by team_id
            order by
                sum(case when is_active then 1 else 0 end) desc,
                count(*) desc,
                work_days,
                work_start_time asc,
                work_end_time asc
        ) as value_rank
    from people
    group by team_id, work_days, work_start_time, work_end_time

),

teams as (

    select distinct team_id from people

),

final as (

    select
        teams.team_id,
        coalesce(team_time_zones.time_zone, 'UTC') as time_zone,
        team_work_hours.work_days,
        team_work_hours.work_start_time,
        team_work_hours.work_end_time,
        {{ clock_hours('team_work_hours.work_start_time') }} as work_start_hour,
        {{ clock_hours('team_work_hours.work_end_time') }} as work_end_hour
    from teams
    left join team_time_zones
        on teams.team_id = team_time_zones.team_id
            and team_time_zones.value_rank = 1
    left join team_work_hours
        on teams.team_id = team_work_hours.team_id
            and team_work_hours.value_rank = 1

)

select * from final
