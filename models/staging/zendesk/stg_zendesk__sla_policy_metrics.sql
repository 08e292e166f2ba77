with source as (

    select * from {{ source('raw_zendesk', 'sla_policy_metrics') }}

),

final as (

    select
        {{ stable_id('sla_policy_id', 'priority', 'metric') }} as sla_policy_metric_id,
        sla_policy_id,
        lower(trim(priority)) as priority,
        lower(trim(metric)) as metric,
        target_minutes,
        coalesce(in_business_hours, false) as in_business_hours,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
