with source as (

    select * from {{ source('raw_github', 'pull_request_events') }}

),

{# The pull requests still live: those of a deleted repository leave with their events. #}
parents as (

    select pull_request_id from {{ ref('stg_github__pull_requests') }}

),

final as (

    select
        pull_request_event_id,
        pull_request_id,
        lower(event_type) as event_type,
        actor_user_key as actor_account_id,
        requested_reviewer_user_key as requested_reviewer_account_id,
        created_at,
        _outcomes_loaded_at as loaded_at
    from source
    where pull_request_id in (select parents.pull_request_id from parents)

)

select * from final
