{#
    Pipeline generated (impact, sales): the amount of deals created in the week
    (docs/kpi-definitions.md), for the deal owner's team. The amount is the deal's
    current amount (HubSpot keeps no amount history in the collected data); a
    deal without an amount adds nothing but still counts in sample_size.
    contributor_count is the distinct deal owners.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'deal'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type = 'deal.created'

),

deal_amounts as (

    select
        work_item_id,
        max(amount) as amount
    from work_events
    group by work_item_id

),

created_deals as (

    select
        work_items.team_id,
        {{ week_start('work_items.created_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        coalesce(deal_amounts.amount, 0) as amount
    from work_items
    left join deal_amounts
        on work_items.work_item_id = deal_amounts.work_item_id
    where work_items.team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        sum(amount) as pipeline_amount,
        count(*) as deal_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('created_deals') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'pipeline_generated',
         'value': 'pipeline_amount',
         'sample_size': 'deal_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
