with source as (

    select * from {{ source('raw_jira', 'issue_links') }}

),

final as (

    select
        {# Jira returns a link on both of its issues with the same id. #}
        {{ stable_id('issue_link_id', 'issue_id') }} as issue_link_side_id,
        issue_link_id,
        issue_id,
        link_type,
        outward_issue_id,
        inward_issue_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
