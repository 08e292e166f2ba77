with source as (

    select * from {{ source('raw_zendesk', 'ticket_audit_events') }}

),

final as (

    select
        audit_event_id,
        audit_id,
        ticket_id,
        author_user_key as audit_author_account_id,
        created_at,
        lower(event_type) as audit_event_type,
        field_name,
        {# Status values use the ticket spelling: 'on-hold' becomes 'hold'. #}
        case
            when field_name = 'status' and lower(trim(new_value)) = 'on-hold' then 'hold'
            when field_name = 'status' then lower(trim(new_value))
            else new_value
        end as new_value,
        case
            when field_name = 'status' and lower(trim(previous_value)) = 'on-hold' then 'hold'
            when field_name = 'status' then lower(trim(previous_value))
            else previous_value
        end as previous_value,
        is_public,
        comment_author_user_key as comment_author_account_id,
        lower(event_type) = 'comment' as is_comment,
        field_name = 'status' and lower(event_type) in ('create', 'change') as is_status_change,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
