with source as (

    select * from {{ source('raw_jira', 'changelog_items') }}

),

{# The issues still live: a deleted issue leaves with its changelog. #}
parents as (

    select issue_id from {{ ref('stg_jira__issues') }}

),

final as (

    select
        {{ stable_id('history_id', 'item_index') }} as changelog_item_id,
        history_id,
        item_index,
        issue_id,
        author_account_key as author_account_id,
        changed_at,
        field_name,
        field_name = 'status' as is_status_change,
        trim(from_value) as from_value,
        trim(to_value) as to_value,
        from_account_key as from_account_id,
        to_account_key as to_account_id,
        _outcomes_loaded_at as loaded_at
    from source
    where issue_id in (select parents.issue_id from parents)

)

select * from final
