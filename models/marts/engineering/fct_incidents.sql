{#
    One row per PagerDuty incident with time to restore and the deployment it
    is attributed to. The attribution is int_incident_attribution's (one
    definition, not two): an explicit link (deployment, else commit) wins,
    else the latest successful production deployment of the same service
    that finished at or before the incident started, within
    var('attribution_window_hours'); else none. Only GitHub deployments can
    be attributed: PagerDuty does not name git release tags.
    Durations are calendar hours; negative (clock skew) or unresolved -> null.
#}
with incident_attribution as (

    select * from {{ ref('int_incident_attribution') }}

),

final as (

    select
        cast(incident_id as varchar) as incident_id,
        cast(work_item_id as varchar) as work_item_id,
        cast(service_name as varchar) as service_name,
        cast(team_id as varchar) as team_id,
        cast(incident_status as varchar) as incident_status,
        cast(started_at as timestamp) as started_at,
        cast(resolved_at as timestamp) as resolved_at,
        cast(
            case
                when resolved_at >= started_at
                    then {{ elapsed_hours('started_at', 'resolved_at') }}
            end as float8
        ) as time_to_restore_hours,
        cast(
            case
                when attributed_deployment_id is not null
                    then 'github:' || cast(attributed_deployment_id as varchar)
            end as varchar
        ) as deployment_id,
        cast(attribution_method as varchar) as attribution_method,
        cast(is_attributed as boolean) as is_attributed,
        cast(deployment_finished_at as timestamp) as deployment_finished_at,
        cast(
            case
                when started_at >= deployment_finished_at then hours_since_deployment
            end as float8
        ) as hours_since_deployment,
        cast(
            case
                when resolved_at >= deployment_finished_at
                    then {{ elapsed_hours('deployment_finished_at', 'resolved_at') }}
            end as float8
        ) as failed_deployment_recovery_hours
    from incident_attribution

)

select * from final
