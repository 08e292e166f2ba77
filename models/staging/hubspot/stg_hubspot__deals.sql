with source as (

    select * from {{ source('raw_hubspot', 'deals') }}

),

final as (

    select
        deal_id,
        pipeline_name,
        lower(trim(deal_stage)) as deal_stage,
        amount,
        forecast_category,
        owner_key as owner_account_id,
        close_date as close_at,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source
    {# Deleted (archived) in HubSpot: left out. #}
    where not coalesce(is_archived, false)

)

select * from final
