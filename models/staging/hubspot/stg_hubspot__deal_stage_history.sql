{# Named after the raw table, already a collective noun; one row per stage entry. #}
with source as (

    select * from {{ source('raw_hubspot', 'deal_stage_history') }}

),

{# The deals still live: a deleted (archived) deal leaves with its stage history. #}
parents as (

    select deal_id from {{ ref('stg_hubspot__deals') }}

),

final as (

    select
        {{ stable_id('deal_id', 'entered_at', 'deal_stage') }} as deal_stage_entry_id,
        deal_id,
        lower(trim(deal_stage)) as deal_stage,
        entered_at,
        change_source,
        _outcomes_loaded_at as loaded_at
    from source
    where deal_id in (select parents.deal_id from parents)

)

select * from final
