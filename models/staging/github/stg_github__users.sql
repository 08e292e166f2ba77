with source as (

    select * from {{ source('raw_github', 'users') }}

),

final as (

    select
        user_key as account_id,
        person_key as person_id,
        account_type,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
