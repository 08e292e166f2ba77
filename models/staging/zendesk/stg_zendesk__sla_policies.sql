with source as (

    select * from {{ source('raw_zendesk', 'sla_policies') }}

),

final as (

    select
        sla_policy_id,
        policy_position,
        metric_count,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
