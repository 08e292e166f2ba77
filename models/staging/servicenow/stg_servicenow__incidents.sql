{#
    One row per incident, as its newest update left it. Times are UTC; the
    export writes them `dd-mm-YYYY HH:MM`, and `?` for "no value", which the
    loader reads as null (the policy's null_values).
#}
{%- set iso_text = "substring({c}, 7, 4) || '-' || substring({c}, 4, 2) || '-'"
    ~ " || substring({c}, 1, 2) || ' ' || substring({c}, 12, 5) || ':00'" -%}

with source as (

    select * from {{ source('raw_servicenow', 'incidents') }}

),

final as (

    select
        incident_number,
        incident_state,
        is_active,
        reassignment_count,
        reopen_count,
        sys_mod_count,
        made_sla,
        caller_user_key as caller_account_id,
        opened_by_user_key as opened_by_account_id,
        assigned_to_user_key as assignee_account_id,
        resolved_by_user_key as resolved_by_account_id,
        lower(contact_type) as contact_type,
        category,
        lower(impact) as impact,
        lower(urgency) as urgency,
        lower(priority) as priority,
        assignment_group,
        closed_code,
        opened_at,
        case
            when length(resolved_at_text) = 16
                then {{ try_cast(iso_text | replace('{c}', 'resolved_at_text'), 'timestamp') }}
        end as resolved_at,
        case
            when length(closed_at_text) = 16
                then {{ try_cast(iso_text | replace('{c}', 'closed_at_text'), 'timestamp') }}
        end as closed_at,
        sys_updated_at as updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
