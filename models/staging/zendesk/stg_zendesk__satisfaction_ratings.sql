with source as (

    select * from {{ source('raw_zendesk', 'satisfaction_ratings') }}

),

{#
    Good/bad as docs/kpi-definitions.md defines CSAT, from the seed that is the one
    list of scores: the loader quarantines a score not in it (the policy's
    `values`), so the lookup is of the source's vocabulary, not a join of
    entities.
#}
satisfaction_scores as (

    select * from {{ ref('satisfaction_scores') }}
    where source_system = 'zendesk'

),

final as (

    select
        source.rating_id,
        source.ticket_id,
        lower(trim(source.score)) as score,
        satisfaction_scores.rating,
        source.assignee_user_key as assignee_account_id,
        source.has_comment,
        source.created_at,
        source.updated_at,
        source._outcomes_loaded_at as loaded_at
    from source
    left join satisfaction_scores
        on lower(trim(source.score)) = lower(trim(satisfaction_scores.source_score))

)

select * from final
