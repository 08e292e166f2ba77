{#
    Sales cycle (flow, sales): deal created → closed won (sales_cycle_p50) and
    quote sent → closed won (quote_to_close_p50), in calendar days, interpolated
    medians (docs/kpi-definitions.md), in the week the deal was won, for the deal
    owner's team. Like the win rate, a deal counts once, with its latest close
    (kpi_base_deal_closes), and only when that close is a win and the deal is
    still won; lost deals have no sales cycle. The quote is sent when the deal
    first enters one of the stages of var quote_sent_deal_stages before its win; a won deal that never did is left out of quote → close only.
    contributor_count is the distinct owners of the deals measured.
#}
{%- set quote_sent_stages =
    "'" ~ (var('quote_sent_deal_stages') | map('lower') | join("', '")) ~ "'" %}

with won_deals as (

    select
        team_id,
        week_start,
        work_item_id,
        owner_person_id,
        closed_at as won_at,
        {{ elapsed_hours('created_at', 'closed_at') }} / 24.0 as sales_cycle_days
    from {{ ref('kpi_base_deal_closes') }}
    where
        is_won
        and canonical_state = 'done'
        and created_at <= closed_at

),

quote_entries as (

    select
        'hubspot:deal:' || cast(deal_id as varchar) as work_item_id,
        entered_at
    from {{ ref('stg_hubspot__deal_stage_history') }}
    where deal_stage in ({{ quote_sent_stages }})

),

first_quotes as (

    select
        won_deals.work_item_id,
        min(quote_entries.entered_at) as quoted_at
    from won_deals
    inner join quote_entries
        on won_deals.work_item_id = quote_entries.work_item_id
            and won_deals.won_at >= quote_entries.entered_at
    group by won_deals.work_item_id

),

measured_deals as (

    select
        won_deals.*,
        {{ elapsed_hours('first_quotes.quoted_at', 'won_deals.won_at') }} / 24.0
            as quote_to_close_days
    from won_deals
    left join first_quotes
        on won_deals.work_item_id = first_quotes.work_item_id

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('sales_cycle_days', 0.5) }} as sales_cycle_p50_days,
        count(*) as won_count,
        count(distinct owner_person_id) as owner_count,
        {{ percentile('quote_to_close_days', 0.5) }} as quote_to_close_p50_days,
        count(quote_to_close_days) as quoted_count,
        count(distinct case when quote_to_close_days is not null then owner_person_id end)
            as quoted_owner_count
    from {{ kpi_periods('measured_deals') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'sales_cycle_p50',
         'value': 'sales_cycle_p50_days',
         'sample_size': 'won_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'quote_to_close_p50',
         'value': 'quote_to_close_p50_days',
         'sample_size': 'quoted_count', 'contributor_count': 'quoted_owner_count',
         'where': 'quoted_count > 0'},
    ]) }}

)

select * from final
