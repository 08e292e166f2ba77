{#
    Deal stage funnel (docs/kpi-definitions.md#deal-stage-funnel): one row per
    deal and open pipeline stage it entered (var deal_open_stages, in pipeline
    order; a stage not listed there is left out), for the deal owner's team.
    The deal converted from the stage when, after first entering it, it entered
    a later open stage or closedwon; time in stage is exited - entered, summed
    over the deal's visits to the stage, and only once the deal has left it (a
    deal still in the stage has no time in stage yet). The deal counts in the
    week it first entered the stage.
#}
{%- set open_stages = var('deal_open_stages') | map('lower') | list %}
{%- set stage_order = [] %}
{%- for stage in open_stages %}
    {%- do stage_order.append("when '" ~ stage ~ "' then " ~ loop.index) %}
{%- endfor %}
{%- do stage_order.append("when 'closedwon' then " ~ (open_stages | length + 1)) %}

with deals as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'deal' and team_id is not null

),

stage_entries as (

    select
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        deal_stage,
        entered_at,
        case deal_stage {{ stage_order | join(' ') }} end as stage_order,
        lead(entered_at) over (
            partition by deal_id
            order by entered_at, deal_stage_entry_id
        ) as exited_at
    from {{ ref('stg_hubspot__deal_stage_history') }}

),

visits as (

    select
        work_item_id,
        deal_stage,
        stage_order,
        entered_at,
        exited_at
    from stage_entries
    where deal_stage != 'closedwon' and stage_order is not null

),

deal_stages as (

    select
        work_item_id,
        deal_stage,
        stage_order,
        min(entered_at) as first_entered_at,
        sum({{ elapsed_hours('entered_at', 'exited_at') }}) as hours_in_stage,
        count(*) - count(exited_at) as open_visit_count
    from visits
    group by work_item_id, deal_stage, stage_order

),

conversions as (

    select distinct
        deal_stages.work_item_id,
        deal_stages.deal_stage
    from deal_stages
    inner join stage_entries
        on deal_stages.work_item_id = stage_entries.work_item_id
            and deal_stages.first_entered_at < stage_entries.entered_at
            and deal_stages.stage_order < stage_entries.stage_order

),

final as (

    select
        {{ stable_id('deal_stages.work_item_id', 'deal_stages.deal_stage') }} as deal_stage_id,
        deal_stages.work_item_id,
        deals.team_id,
        deals.owner_person_id,
        deal_stages.deal_stage,
        deal_stages.stage_order,
        deal_stages.first_entered_at,
        {{ week_start('deal_stages.first_entered_at') }} as week_start,
        conversions.work_item_id is not null as has_converted,
        case
            when deal_stages.open_visit_count = 0 then deal_stages.hours_in_stage / 24.0
        end as days_in_stage
    from deal_stages
    inner join deals
        on deal_stages.work_item_id = deals.work_item_id
    left join conversions
        on deal_stages.work_item_id = conversions.work_item_id
            and deal_stages.deal_stage = conversions.deal_stage

)

select * from final
