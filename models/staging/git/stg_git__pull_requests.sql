with source as (

    select * from {{ source('raw_git', 'pull_requests') }}

),

final as (

    select
        {{ stable_id('repository_name', 'pull_request_number') }} as git_pull_request_id,
        repository_name,
        pull_request_number,
        merge_commit_sha,
        {{ stable_id('repository_name', 'merge_commit_sha') }} as merge_git_commit_id,
        merge_method,
        merged_at,
        is_on_main_line,
        commit_count,
        first_authored_at,
        _outcomes_loaded_at as loaded_at
    from source
    {# A number named by several commits (a squash cherry-picked onto a release
       branch) keeps the canonical one: on the main line, else the earliest. #}
    where is_canonical

)

select * from final
