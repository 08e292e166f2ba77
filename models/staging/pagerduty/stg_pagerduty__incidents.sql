with source as (

    select * from {{ source('raw_pagerduty', 'incidents') }}

),

final as (

    select
        incident_id,
        incident_number,
        lower(incident_status) as incident_status,
        lower(urgency) as urgency,
        priority_name,
        service_name,
        first_assignee_user_key as first_assignee_account_id,
        first_acknowledged_at as acknowledged_at,
        related_deployment_id,
        related_commit_sha,
        created_at,
        updated_at,
        resolved_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
