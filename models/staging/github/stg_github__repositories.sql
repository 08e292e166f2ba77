with source as (

    select * from {{ source('raw_github', 'repositories') }}

),

final as (

    select
        repository_id,
        repository_name,
        coalesce(is_private, false) as is_private,
        coalesce(is_archived, false) as is_archived,
        default_branch,
        _outcomes_loaded_at as loaded_at
    from source
    {# Deleted in GitHub (found gone by the API loader's sweep): left out. #}
    where not coalesce(is_deleted, false)

)

select * from final
