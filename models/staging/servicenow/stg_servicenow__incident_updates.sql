{#
    One row per incident update. The update log's `sys_mod_count` is not
    always in time order, so updates are numbered by time, then count.
    `?` is the export's "no value": the loader reads it as null (the
    policy's null_values).
#}
with source as (

    select * from {{ source('raw_servicenow', 'incident_updates') }}

),

final as (

    select
        {{ stable_id('incident_number', 'sys_mod_count', 'sys_updated_at') }} as incident_update_id,
        incident_number,
        sys_mod_count,
        row_number() over (
            partition by incident_number
            order by sys_updated_at, sys_mod_count
        ) as update_number,
        sys_updated_at as updated_at,
        incident_state,
        is_active,
        reassignment_count,
        reopen_count,
        made_sla,
        lower(priority) as priority,
        assignment_group,
        updated_by_user_key as updated_by_account_id,
        assigned_to_user_key as assignee_account_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
