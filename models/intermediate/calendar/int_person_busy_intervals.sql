{#
    The time each person's calendar holds (docs/kpi-definitions.md, Focus and
    meeting hygiene): one row per person and event that takes their time.
    busy_kind is
      - meeting: a default event with at least 2 people invited (rooms
        excluded), not all-day, shorter than 8 h, shown as busy, that the
        person did not decline;
      - broadcast: the same with more than 25 people invited, counted apart
        from meetings (an all-hands is not collaboration, but it is not free
        time either);
      - out_of_office: the person's own out-of-office blocks, which take
        their time out of the working window (neither meeting nor focus).
    Cancelled events, events shown as free (transparency transparent), the
    person's own focusTime blocks (free time by intent) and working-location
    events are not busy. Titles and descriptions never reach the warehouse.
    Person-level: read only by team-level KPI models and the person's own view.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

calendar_events as (

    select * from {{ ref('stg_calendar__events') }}

),

{# Out-of-office blocks have no attendee rows: they are their organizer's. #}

organized_events as (

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

timed_events as (

    select
        calendar_event_id,
        calendar_event_type,
        transparency,
        start_at,
        end_at
    from calendar_events
    where
        event_status <> 'cancelled'
        and not is_all_day
        and start_at is not null
        and end_at > start_at

),

invited_people as (

    select
        calendar_event_id,
        count(distinct attendee_person_id) as people_invited
    from event_attendees
    where not is_resource
    group by calendar_event_id

),

invitations as (

    select
        event_attendees.attendee_person_id as person_id,
        timed_events.calendar_event_id,
        timed_events.calendar_event_type,
        timed_events.transparency,
        timed_events.start_at,
        timed_events.end_at,
        event_attendees.response_status,
        coalesce(invited_people.people_invited, 0) as people_invited
    from timed_events
    inner join event_attendees
        on timed_events.calendar_event_id = event_attendees.calendar_event_id
    left join invited_people
        on timed_events.calendar_event_id = invited_people.calendar_event_id
    where not event_attendees.is_resource

),

judged as (

    select
        person_id,
        calendar_event_id,
        start_at,
        end_at,
        case
            when
                calendar_event_type = 'default'
                and transparency <> 'transparent'
                and response_status <> 'declined'
                and people_invited >= 2
                and {{ elapsed_hours('start_at', 'end_at') }} < 8
                then case when people_invited > 25 then 'broadcast' else 'meeting' end
        end as busy_kind
    from invitations

    union all

    select
        organizer_person_id as person_id,
        calendar_event_id,
        start_at,
        end_at,
        'out_of_office' as busy_kind
    from organized_events
    where
        calendar_event_type = 'outOfOffice'
        and event_status <> 'cancelled'
        and not is_all_day
        and start_at is not null
        and end_at > start_at
        and organizer_person_id is not null

),

final as (

    select
        {{ stable_id('person_id', 'calendar_event_id') }} as person_busy_interval_id,
        person_id,
        calendar_event_id,
        cast(busy_kind as varchar) as busy_kind,
        start_at,
        end_at
    from judged
    where busy_kind is not null

)

select * from final
