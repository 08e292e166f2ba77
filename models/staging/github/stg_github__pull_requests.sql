with source as (

    select * from {{ source('raw_github', 'pull_requests') }}

),

{# Its repository deleted (macros/staging/deleted_repositories.sql): left out. #}
deleted_repositories as (

    {{ deleted_repositories(
        source('raw_github', 'repositories'), ref('stg_github__repositories')
    ) }}

),

final as (

    select
        pull_request_id,
        pull_request_number,
        repository_name,
        base_branch,
        author_user_key as author_account_id,
        lower(state) as pull_request_state,
        {# One status word for the status_mappings seed. #}
        case
            when merged_at is not null then 'merged'
            when lower(state) = 'closed' then 'closed'
            when coalesce(is_draft, false) then 'draft'
            else 'open'
        end as pull_request_status,
        coalesce(is_draft, false) as is_draft,
        coalesce(is_revert, false) or reverted_pull_request_number is not null as is_revert,
        reverted_pull_request_number,
        merged_at is not null as is_merged,
        lower(label_names) as label_names,
        additions,
        deletions,
        additions + deletions as lines_changed,
        changed_files,
        merge_commit_sha,
        created_at,
        updated_at,
        closed_at,
        merged_at,
        _outcomes_loaded_at as loaded_at
    from source
    where not exists (
            select 1 from deleted_repositories
            where deleted_repositories.repository_name = source.repository_name
        )

)

select * from final
