with source as (

    select * from {{ source('raw_calendar', 'events') }}

),

final as (

    select
        event_id as calendar_event_id,
        lower(event_status) as event_status,
        recurring_event_id as recurring_series_id,
        organizer_person_key as organizer_person_id,
        coalesce(has_agenda, false) as has_agenda,
        coalesce(has_conference, false) as has_conference,
        coalesce(event_type, 'default') as calendar_event_type,
        coalesce(transparency, 'opaque') as transparency,
        start_at,
        end_at,
        start_date,
        end_date,
        start_time_zone,
        {# All-day events carry a date and no time. #}
        start_at is null and start_date is not null as is_all_day,
        attendee_count,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
