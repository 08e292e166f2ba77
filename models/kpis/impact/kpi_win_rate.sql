{#
    Win rate (impact, sales): won / (won + lost) by count (win_rate) and by
    amount (win_rate_by_amount: won amount / closed amount, labelled as such)
    (docs/kpi-definitions.md), in the week the deal closed, for the deal owner's
    team. A deal counts once, with its latest close (kpi_base_deal_closes: a
    deal reopened since is not closed and not counted). The amount is the one
    the close event carries (the deal's current amount); a deal without one is
    left out of the amount share only, so its sample_size and contributor_count
    count the closed deals with an amount and their owners. contributor_count is the distinct deal owners.
#}
with closed_deals as (

    select * from {{ ref('kpi_base_deal_closes') }}

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_won then 1 end) as won_count,
        count(*) as closed_count,
        sum(case when is_won then amount end) as won_amount,
        sum(amount) as closed_amount,
        count(amount) as closed_with_amount_count,
        count(distinct owner_person_id) as owner_count,
        count(distinct case when amount is not null then owner_person_id end)
            as owner_with_amount_count
    from {{ kpi_periods('closed_deals') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'win_rate',
         'value': 'cast(won_count as float8) / nullif(closed_count, 0)',
         'sample_size': 'closed_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'win_rate_by_amount',
         'value': 'coalesce(won_amount, 0) / closed_amount',
         'sample_size': 'closed_with_amount_count',
         'contributor_count': 'owner_with_amount_count',
         'where': 'closed_amount > 0'},
    ]) }}

)

select * from final
