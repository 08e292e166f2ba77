{#
    Weighted tickets resolved (delivery, support): the sum of complexity
    weights (case_complexity_weights seed, by current priority and type: the
    row of the ticket's priority and type, else its priority's row with no
    type; no or unknown priority weighs as `normal`) of tickets reaching FINAL solved in the week,
    the same convention as weighted_throughput: done_at is the last entry into
    solved/closed and only tickets solved now have one, so a reopened ticket
    counts once, when it is finally solved. contributor_count is the distinct
    assignees.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

tickets as (

    select * from {{ consented(
        ref('stg_zendesk__tickets'),
        ['assignee_account_id', 'submitter_account_id', 'requester_account_id'],
        source_system='zendesk',
        opted_out='accounts_opted_out'
    ) }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

complexity_weights as (

    select * from {{ ref('case_complexity_weights') }}

),

solved_cases as (

    select
        work_items.team_id,
        {{ week_start('work_items.done_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        coalesce(
            type_weights.complexity_weight,
            priority_weights.complexity_weight,
            default_weights.complexity_weight
        ) as complexity_weight
    from work_items
    inner join tickets
        on work_items.source_item_id = cast(tickets.ticket_id as varchar)
    left join complexity_weights as type_weights
        on tickets.priority = type_weights.priority
            and tickets.ticket_type = type_weights.ticket_type
    left join complexity_weights as priority_weights
        on tickets.priority = priority_weights.priority
            and priority_weights.ticket_type is null
    left join complexity_weights as default_weights
        on default_weights.priority = 'normal'
            and default_weights.ticket_type is null
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
        sum(complexity_weight) as weighted_resolved,
        count(*) as solved_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('solved_cases') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'weighted_cases_resolved',
         'value': 'weighted_resolved',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
