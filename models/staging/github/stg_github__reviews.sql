with source as (

    select * from {{ source('raw_github', 'reviews') }}

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

)

select * from final
