{#
    Each calendar person's working window, one row per person and LOCAL date
    (docs/kpi-definitions.md, Focus and meeting hygiene): the working hours of
    int_people (their time zone, working days and hours; Mon-Fri 09:00-17:00
    by default; the team's time zone, else UTC, when the roster has none) as
    a UTC interval. A day is not a working day on a weekend of their
    schedule, on a holiday of the seed holidays (their time zone's or their
    team's), or when an all-day out-of-office event of their own covers it.
    team_id is the person's team on that day (int_people_team_history).

    Only people the calendar knows (an invitee or organizer of a timed event)
    are measured, and only on the dates the calendar covers: from its first
    to its last timed event, up to today. A person with no calendar would
    otherwise read as a week of pure focus time.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

people as (

    select * from {{ ref('int_people') }}

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_spells as (

    select * from {{ ref('int_people_team_history') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

calendar_events as (

    select * from {{ consented(
        ref('stg_calendar__events'),
        'organizer_person_id',
        source_system='calendar',
        opted_out='accounts_opted_out'
    ) }}

),

busy_intervals as (

    select * from {{ ref('int_person_busy_intervals') }}

),

bounds as (

    select
        {{ to_date('min(start_at)') }} as first_date,
        least({{ to_date('max(start_at)') }}, {{ to_date(utc_now()) }}) as last_date
    from calendar_events
    where event_status <> 'cancelled' and not is_all_day and start_at is not null

),

dates as (

    select {{ date_series('first_date', 'last_date') }} as work_date
    from bounds

),

calendar_people as (

    select
        people.person_id,
        coalesce(people.time_zone, team_schedules.time_zone, 'UTC') as time_zone,
        people.work_days,
        {{ clock_hours('people.work_start_time') }} as work_start_hour,
        {{ clock_hours('people.work_end_time') }} as work_end_hour
    from people
    left join team_schedules
        on people.team_id = team_schedules.team_id
    where people.person_id in (select busy_intervals.person_id from busy_intervals)

),

person_days as (

    select
        calendar_people.*,
        dates.work_date,
        {{ weekday_name('dates.work_date') }} as weekday_name
    from calendar_people
    cross join dates

),

with_team as (

    select
        person_days.*,
        team_spells.team_id
    from person_days
    left join team_spells
        on person_days.person_id = team_spells.person_id
            and {{ during_spell('team_spells', 'cast(person_days.work_date as timestamp)') }}

),

holidays_off as (

    select distinct
        with_team.person_id,
        with_team.work_date
    from with_team
    inner join holidays
        on with_team.work_date = holidays.holiday_date
            and (
                with_team.team_id = holidays.team_id
                or (holidays.team_id is null and with_team.time_zone = holidays.time_zone)
            )

),

out_of_office_days as (

    select distinct
        calendar_events.organizer_person_id as person_id,
        dates.work_date
    from calendar_events
    inner join dates
        on calendar_events.start_date <= dates.work_date
            and calendar_events.end_date > dates.work_date
    where
        calendar_events.is_all_day
        and calendar_events.calendar_event_type = 'outOfOffice'
        and calendar_events.event_status <> 'cancelled'

),

judged as (

    select
        with_team.*,
        strpos('|' || with_team.work_days || '|', '|' || with_team.weekday_name || '|') > 0
        and holidays_off.work_date is null
        and out_of_office_days.work_date is null
        and with_team.work_end_hour > with_team.work_start_hour as is_working_day
    from with_team
    left join holidays_off
        on with_team.person_id = holidays_off.person_id
            and with_team.work_date = holidays_off.work_date
    left join out_of_office_days
        on with_team.person_id = out_of_office_days.person_id
            and with_team.work_date = out_of_office_days.work_date

),

final as (

    select
        {{ stable_id('person_id', 'work_date') }} as person_work_day_id,
        person_id,
        team_id,
        work_date,
        time_zone,
        is_working_day,
        {{ local_to_utc('cast(work_date as timestamp)', 'time_zone') }} as day_start_at,
        {{ local_to_utc('cast(work_date + 1 as timestamp)', 'time_zone') }} as day_end_at,
        case
            when is_working_day
                then {{ local_to_utc(
                    add_hours('cast(work_date as timestamp)', 'work_start_hour'), 'time_zone'
                ) }}
        end as work_start_at,
        case
            when is_working_day
                then {{ local_to_utc(
                    add_hours('cast(work_date as timestamp)', 'work_end_hour'), 'time_zone'
                ) }}
        end as work_end_at
    from judged

)

select * from final
