with source as (

    select * from {{ source('raw_jira', 'issue_sprints') }}

),

{# The issues still live: a deleted issue leaves its sprints. #}
parents as (

    select issue_id from {{ ref('stg_jira__issues') }}

),

final as (

    select
        {{ stable_id('issue_id', 'sprint_id') }} as issue_sprint_id,
        issue_id,
        sprint_id,
        _outcomes_loaded_at as loaded_at
    from source
    where issue_id in (select parents.issue_id from parents)

)

select * from final
