{#
    CSAT (impact, support): good / (good + bad) ratings (docs/kpi-definitions.md;
    on a 1-5 scale 4 and 5 are good, mapped in stg_zendesk__satisfaction_ratings).
    Unrated tickets (offered, unoffered, no rating) are excluded. A ticket
    counts once, with its latest rating, in the week that rating was created,
    for the ticket's team. contributor_count is the distinct assignees of the
    rated tickets.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

satisfaction_ratings as (

    select * from {{ consented(
        ref('stg_zendesk__satisfaction_ratings'),
        'assignee_account_id',
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

ranked_ratings as (

    select
        ticket_id,
        rating,
        created_at,
        row_number() over (
            partition by ticket_id
            order by coalesce(updated_at, created_at) desc, created_at desc, rating_id desc
        ) as rating_rank
    from satisfaction_ratings
    where rating in ('good', 'bad')

),

rated_cases as (

    select
        work_items.team_id,
        {{ week_start('ranked_ratings.created_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        ranked_ratings.rating
    from ranked_ratings
    inner join work_items
        on work_items.source_item_id = cast(ranked_ratings.ticket_id as varchar)
    where
        ranked_ratings.rating_rank = 1
        and work_items.team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when rating = 'good' then 1 end) as good_count,
        count(*) as rated_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('rated_cases') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'csat',
         'value': 'cast(good_count as float8) / nullif(rated_count, 0)',
         'sample_size': 'rated_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
