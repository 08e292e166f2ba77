{#
    Calendar events as meeting.held: one per event that is not cancelled, not
    all-day, a regular event (not out-of-office, focus time or working
    location), shorter than 8 h, already started, with at least 2 attendees
    who did not decline (rooms and other resources are not attendees).
    The actor is the organizer.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

calendar_events as (

    select * from {{ consented(
        ref('stg_calendar__events'),
        'organizer_person_id',
        source_system='calendar',
        opted_out='accounts_opted_out'
    ) }}

),

event_attendees as (

    select * from {{ consented(
        ref('stg_calendar__event_attendees'),
        'attendee_person_id',
        source_system='calendar',
        opted_out='accounts_opted_out'
    ) }}

),

people as (

    select * from {{ ref('int_people') }}

),

attendance as (

    select
        calendar_event_id,
        count(*) as attendee_count
    from event_attendees
    where not is_resource and response_status <> 'declined'
    group by calendar_event_id

),

meetings as (

    select
        calendar_events.calendar_event_id,
        calendar_events.start_at,
        calendar_events.organizer_person_id
    from calendar_events
    inner join attendance
        on calendar_events.calendar_event_id = attendance.calendar_event_id
    where
        calendar_events.event_status <> 'cancelled'
        and not calendar_events.is_all_day
        and calendar_events.calendar_event_type = 'default'
        and calendar_events.start_at is not null
        and calendar_events.end_at is not null
        and {{ elapsed_hours('calendar_events.start_at', 'calendar_events.end_at') }} < 8
        and calendar_events.start_at <= {{ utc_now() }}
        and attendance.attendee_count >= 2

),

final as (

    select
        {{ stable_id("'calendar'", "'meeting.held'", 'meetings.calendar_event_id') }}
            as event_id,
        'meeting.held' as event_type,
        meetings.start_at as occurred_at,
        'calendar' as source_system,
        'calendar:meeting:' || meetings.calendar_event_id as work_item_id,
        'meeting' as work_item_type,
        people.person_id as actor_person_id,
        case when people.person_id is not null then 'person' else 'unknown' end
            as actor_type,
        people.person_id as work_item_owner_person_id,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        cast(null as float8) as amount
    from meetings
    left join people
        on meetings.organizer_person_id = people.person_id

)

select * from final
