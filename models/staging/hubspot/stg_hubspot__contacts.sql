with source as (

    select * from {{ source('raw_hubspot', 'contacts') }}

),

final as (

    select
        contact_id,
        contact_key as contact_email_pseudonym,
        lower(lifecycle_stage) as lifecycle_stage,
        upper(trim(lead_status)) as lead_status,
        lower(lead_source) as lead_source,
        owner_key as owner_account_id,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source
    {# Deleted (archived) in HubSpot: left out. #}
    where not coalesce(is_archived, false)

)

select * from final
