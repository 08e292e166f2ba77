{#
    The closed deals the sales KPIs read (win_rate, win_rate_by_amount,
    sales_cycle_p50, quote_to_close_p50), one row per deal: its LATEST close
    (deal.won / deal.lost) with the amount that close event carries. A deal
    reopened since (its current state is neither done nor canceled) is not
    closed and has no row, nor has a deal without a team. Kept in one model so
    every sales KPI agrees on which deals are closed, when and how.
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
        amount,
        row_number() over (
            partition by work_item_id
            order by occurred_at desc, event_id desc
        ) as close_rank
    from work_events

),

final as (

    select
        work_items.work_item_id,
        work_items.team_id,
        work_items.owner_person_id,
        work_items.created_at,
        work_items.canonical_state,
        ranked_closes.event_type = 'deal.won' as is_won,
        ranked_closes.occurred_at as closed_at,
        {{ week_start('ranked_closes.occurred_at') }} as week_start,
        ranked_closes.amount
    from work_items
    inner join ranked_closes
        on work_items.work_item_id = ranked_closes.work_item_id
            and ranked_closes.close_rank = 1
    where
        work_items.team_id is not null
        and work_items.canonical_state in ('done', 'canceled')

)

select * from final
