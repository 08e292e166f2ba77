with source as (

    select * from {{ source('raw_jira', 'issues') }}

),

final as (

    select
        issue_id,
        issue_key,
        project_key,
        issue_type,
        trim(status_name) as status_name,
        priority_name,
        assignee_account_key as assignee_account_id,
        reporter_account_key as reporter_account_id,
        lower(label_names) as label_names,
        story_points,
        upper(trim(size_label)) as size_bucket,
        work_type as work_type_name,
        lower(trim(environment_name)) as environment_name,
        has_description,
        due_date,
        created_at,
        updated_at,
        resolved_at,
        _outcomes_loaded_at as loaded_at
    from source
    {# Deleted in Jira (found gone by the API loader's sweep): left out. #}
    where not coalesce(is_deleted, false)

)

select * from final
