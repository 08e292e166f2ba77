{#
    Sales cycle (flow, sales): deal created → closed won, in calendar days,
    interpolated median (docs/kpi-definitions.md), in the week the deal was won,
    for the deal owner's team. Like the win rate, a deal counts once, with its
    latest close, and only when that close is a win and the deal is still won
    (a deal reopened since is not closed); lost deals have no sales cycle.
    contributor_count is the distinct deal owners.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'deal'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type in ('deal.won', 'deal.lost')

),

ranked_closes as (

    select
        work_item_id,
        event_type,
        occurred_at,
        row_number() over (
            partition by work_item_id
            order by occurred_at desc, event_id desc
        ) as close_rank
    from work_events

),

won_deals as (

    select
        work_items.team_id,
        {{ week_start('ranked_closes.occurred_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        {{ elapsed_hours('work_items.created_at', 'ranked_closes.occurred_at') }} / 24.0
            as sales_cycle_days
    from work_items
    inner join ranked_closes
        on work_items.work_item_id = ranked_closes.work_item_id
            and ranked_closes.close_rank = 1
            and ranked_closes.event_type = 'deal.won'
    where
        work_items.team_id is not null
        and work_items.canonical_state = 'done'
        and work_items.created_at <= ranked_closes.occurred_at

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('sales_cycle_days', 0.5) }} as sales_cycle_p50_days,
        count(*) as won_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('won_deals') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'sales_cycle_p50',
         'value': 'sales_cycle_p50_days',
         'sample_size': 'won_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
