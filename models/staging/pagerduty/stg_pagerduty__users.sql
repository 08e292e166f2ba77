with source as (

    select * from {{ source('raw_pagerduty', 'users') }}

),

final as (

    select
        user_key as account_id,
        person_key as person_id,
        user_role,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
