with source as (

    select * from {{ source('raw_git', 'pull_request_commits') }}

),

final as (

    select
        {{ stable_id('repository_name', 'merge_commit_sha', 'commit_sha') }}
            as git_pull_request_commit_id,
        {{ stable_id('repository_name', 'pull_request_number') }} as git_pull_request_id,
        repository_name,
        pull_request_number,
        merge_commit_sha,
        commit_sha,
        {{ stable_id('repository_name', 'commit_sha') }} as git_commit_id,
        {{ stable_id('repository_name', 'merge_commit_sha') }} as merge_git_commit_id,
        authored_at,
        committed_at,
        _outcomes_loaded_at as loaded_at
    from source
    {# Only the commits of the canonical merge of each number, as in
       stg_git__pull_requests. #}
    where is_canonical

)

select * from final
