with source as (

    select * from {{ source('raw_jira', 'users') }}

),

final as (

    select
        account_key as account_id,
        person_key as person_id,
        account_type,
        is_active,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
