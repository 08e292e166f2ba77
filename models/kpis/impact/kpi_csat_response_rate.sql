{#
    CSAT response rate (impact, support): of the tickets finally solved in the
    week (done_at, the last entry into solved/closed), the share with a
    satisfaction rating good or bad (any time; an `offered` survey that was
    never answered, `unoffered` or no rating is not a response). The
    denominator of csat's reading: csat says how the raters felt, this says
    how many rated. Only tickets of a source that exports satisfaction
    ratings: Zendesk (ServiceNow's incident export has no survey).
    contributor_count is the distinct assignees.
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
    where work_item_type = 'case' and source_system = 'zendesk'

),

rated_tickets as (

    select distinct cast(ticket_id as varchar) as source_item_id
    from satisfaction_ratings
    where rating in ('good', 'bad')

),

solved_cases as (

    select
        work_items.team_id,
        {{ week_start('work_items.done_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        rated_tickets.source_item_id is not null as is_rated
    from work_items
    left join rated_tickets
        on work_items.source_item_id = rated_tickets.source_item_id
    where
        work_items.canonical_state = 'done'
        and work_items.done_at is not null
        and work_items.team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        count(case when is_rated then 1 end) as rated_count,
        count(*) as solved_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('solved_cases') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'csat_response_rate',
         'value': 'cast(rated_count as float8) / nullif(solved_count, 0)',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
