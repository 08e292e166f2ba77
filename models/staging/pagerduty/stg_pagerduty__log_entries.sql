with source as (

    select * from {{ source('raw_pagerduty', 'log_entries') }}

),

final as (

    select
        log_entry_id,
        incident_id,
        lower(log_entry_type) as log_entry_type,
        replace(lower(log_entry_type), '_log_entry', '') as action,
        created_at,
        agent_type,
        case when agent_type = 'user_reference' then agent_key end as agent_account_id,
        lower(channel_type) as channel_type,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
