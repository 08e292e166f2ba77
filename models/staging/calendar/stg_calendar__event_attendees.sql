with source as (

    select * from {{ source('raw_calendar', 'event_attendees') }}

),

final as (

    select
        {{ stable_id('event_id', 'attendee_key') }} as event_attendee_id,
        event_id as calendar_event_id,
        attendee_key as attendee_person_id,
        response_status,
        coalesce(is_organizer, false) as is_organizer,
        coalesce(is_resource, false) as is_resource,
        coalesce(is_optional, false) as is_optional,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
