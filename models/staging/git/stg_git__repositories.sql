with source as (

    select * from {{ source('raw_git', 'repositories') }}

),

final as (

    select
        repository_name,
        default_branch,
        default_branch_head_sha,
        is_shallow,
        commit_count,
        release_tag_count,
        release_tag_pattern,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
