with source as (

    select * from {{ source('raw_zendesk', 'users') }}

),

final as (

    select
        user_key as account_id,
        person_key as person_id,
        lower(user_role) as user_role,
        default_group_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
