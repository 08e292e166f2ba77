with source as (

    select * from {{ source('raw_github', 'commits') }}

),

{# The pull requests still live: those of a deleted repository leave with their commits. #}
parents as (

    select pull_request_id from {{ ref('stg_github__pull_requests') }}

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
    where pull_request_id in (select parents.pull_request_id from parents)

)

select * from final
