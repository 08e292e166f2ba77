with source as (

    select * from {{ source('raw_jira', 'issue_links') }}

),

final as (

    select
        issue_link_id,
        issue_id,
        link_type,
        outward_issue_id,
        inward_issue_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
