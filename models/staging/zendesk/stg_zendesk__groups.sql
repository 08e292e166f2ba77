with source as (

    select * from {{ source('raw_zendesk', 'groups') }}

),

final as (

    select
        group_id,
        group_name,
        coalesce(is_default, false) as is_default,
        coalesce(is_public, true) as is_public,
        coalesce(is_deleted, false) as is_deleted,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
