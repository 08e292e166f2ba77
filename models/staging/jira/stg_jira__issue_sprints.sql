with source as (

    select * from {{ source('raw_jira', 'issue_sprints') }}

),

final as (

    select
        {{ stable_id('issue_id', 'sprint_id') }} as issue_sprint_id,
        issue_id,
        sprint_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
