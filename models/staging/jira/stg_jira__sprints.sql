with source as (

    select * from {{ source('raw_jira', 'sprints') }}

),

final as (

    select
        sprint_id,
        board_id,
        lower(trim(sprint_state)) as sprint_state,
        created_at,
        started_at,
        ends_at,
        completed_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
