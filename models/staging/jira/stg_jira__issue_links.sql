with source as (

    select * from {{ source('raw_jira', 'issue_links') }}

),

{# The issues still live: a link read from a deleted issue leaves with it. #}
parents as (

    select issue_id from {{ ref('stg_jira__issues') }}

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
    where issue_id in (select parents.issue_id from parents)
        {# The other end may be outside the pulled scope (another project): only
           an issue the sweep found deleted takes the link with it. #}
        and not exists (
            select 1 from {{ source('raw_jira', 'issues') }} as deleted
            where
                coalesce(deleted.is_deleted, false)
                and deleted.issue_id
                = coalesce(source.outward_issue_id, source.inward_issue_id)
        )

)

select * from final
