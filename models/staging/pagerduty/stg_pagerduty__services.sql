with source as (

    select * from {{ source('raw_pagerduty', 'services') }}

),

final as (

    select
        service_id,
        service_name,
        lower(trim(service_status)) as service_status,
        created_at,
        updated_at,
        last_incident_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
