with source as (

    select * from {{ source('raw_zendesk', 'satisfaction_ratings') }}

),

final as (

    select
        rating_id,
        ticket_id,
        lower(trim(score)) as score,
        {# Good/bad as KPI_DEFINITIONS.md defines CSAT; on a 1-5 scale 4 and 5 are good. #}
        case
            when lower(trim(score)) in ('good', 'good_with_comment', '4', '5') then 'good'
            when lower(trim(score)) in ('bad', 'bad_with_comment', '1', '2', '3') then 'bad'
        end as rating,
        assignee_user_key as assignee_account_id,
        has_comment,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
