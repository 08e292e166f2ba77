with source as (

    select * from {{ source('raw_github', 'deployment_statuses') }}

),

final as (

    select
        deployment_status_id,
        deployment_id,
        lower(status_state) as status_state,
        created_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
