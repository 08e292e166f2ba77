with source as (

    select * from {{ source('raw_zendesk', 'ticket_metric_events') }}

),

final as (

    select
        metric_event_id,
        ticket_id,
        lower(trim(metric)) as metric,
        instance_id,
        lower(trim(event_type)) as event_type,
        occurred_at,
        sla_policy_id,
        {# the newer target_in_seconds when given, else the target in minutes #}
        cast(coalesce(sla_target_seconds / 60.0, sla_target_minutes) as float8)
            as sla_target_minutes,
        sla_in_business_hours,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
