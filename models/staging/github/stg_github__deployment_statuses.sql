with source as (

    select * from {{ source('raw_github', 'deployment_statuses') }}

),

{# The deployments still live: a deleted deployment leaves with its statuses. #}
parents as (

    select deployment_id from {{ ref('stg_github__deployments') }}

),

final as (

    select
        deployment_status_id,
        deployment_id,
        lower(status_state) as status_state,
        created_at,
        _outcomes_loaded_at as loaded_at
    from source
    where deployment_id in (select parents.deployment_id from parents)

)

select * from final
