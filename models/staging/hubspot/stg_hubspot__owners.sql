with source as (

    select * from {{ source('raw_hubspot', 'owners') }}

),

final as (

    select
        owner_key as account_id,
        person_key as person_id,
        coalesce(is_archived, false) as is_archived,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
