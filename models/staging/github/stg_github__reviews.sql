with source as (

    select * from {{ source('raw_github', 'reviews') }}

),

{# The pull requests still live: those of a deleted repository leave with their reviews. #}
parents as (

    select pull_request_id from {{ ref('stg_github__pull_requests') }}

),

final as (

    select
        review_id,
        pull_request_id,
        reviewer_user_key as reviewer_account_id,
        reviewer_account_type,
        lower(review_state) as review_state,
        commit_sha,
        submitted_at,
        _outcomes_loaded_at as loaded_at
    from source
    where pull_request_id in (select parents.pull_request_id from parents)

)

select * from final
