with source as (

    select * from {{ source('raw_git', 'commits') }}

),

final as (

    select
        {{ stable_id('repository_name', 'commit_sha') }} as git_commit_id,
        repository_name,
        commit_sha,
        first_parent_sha,
        parent_count,
        is_merge,
        is_on_main_line,
        author_person_key as author_person_id,
        committer_person_key as committer_person_id,
        authored_at,
        committed_at,
        pull_request_number,
        is_revert,
        reverted_pull_request_number,
        first_release_tag_name,
        case
            when first_release_tag_name is not null
                then {{ stable_id('repository_name', 'first_release_tag_name') }}
        end as first_release_git_tag_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
