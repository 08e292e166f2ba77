with source as (

    select * from {{ source('raw_zendesk', 'tickets') }}

),

final as (

    select
        ticket_id,
        {# 'hold' and 'on-hold' are the same state (docs/kpi-definitions.md, Support). #}
        case
            when lower(trim(ticket_status)) = 'on-hold' then 'hold'
            else lower(trim(ticket_status))
        end as ticket_status,
        lower(priority) as priority,
        lower(ticket_type) as ticket_type,
        channel,
        requester_user_key as requester_account_id,
        submitter_user_key as submitter_account_id,
        assignee_user_key as assignee_account_id,
        group_id,
        lower(tag_names) as tag_names,
        due_at,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
