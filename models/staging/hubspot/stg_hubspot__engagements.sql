with source as (

    select * from {{ source('raw_hubspot', 'engagements') }}

),

final as (

    select
        engagement_id,
        lower(engagement_type) as engagement_type,
        owner_key as owner_account_id,
        occurred_at,
        created_at,
        contact_id,
        deal_id,
        lower(meeting_outcome) as meeting_outcome,
        lower(call_status) as call_status,
        cast(duration_ms as float8) / 3600000.0 as duration_hours,
        _outcomes_loaded_at as loaded_at
    from source
    {# Deleted in HubSpot (no longer active): left out. #}
    where coalesce(is_active, true)

)

select * from final
