with source as (

    select * from {{ source('raw_github', 'commits') }}

),

final as (

    select
        {{ stable_id('pull_request_id', 'commit_sha') }} as pull_request_commit_id,
        pull_request_id,
        commit_sha,
        author_user_key as author_account_id,
        author_person_key as author_person_id,
        authored_at,
        committed_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
