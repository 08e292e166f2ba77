{#
    One-touch resolution (quality, support): the share of tickets finally
    solved in the week (done_at, the last entry into solved/closed) that were
    solved with exactly ONE public agent reply (int_case_agent_replies: the
    first-reply rule, counted for every reply) and never reopened
    (reopen_count = 0). A ticket solved with no public agent reply is in the
    denominator and not one-touch. Only sources that export comments count:
    Zendesk (ServiceNow's export has none, so its incidents would all read as
    zero replies). contributor_count is the distinct assignees.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case' and source_system = 'zendesk'

),

agent_replies as (

    select * from {{ ref('int_case_agent_replies') }}

),

reply_counts as (

    select
        work_item_id,
        count(*) as agent_reply_count
    from agent_replies
    group by work_item_id

),

solved_cases as (

    select
        work_items.team_id,
        {{ week_start('work_items.done_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        coalesce(reply_counts.agent_reply_count, 0) = 1
        and coalesce(work_items.reopen_count, 0) = 0 as is_one_touch
    from work_items
    left join reply_counts
        on work_items.work_item_id = reply_counts.work_item_id
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
        count(case when is_one_touch then 1 end) as one_touch_count,
        count(*) as solved_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('solved_cases') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'one_touch_resolution_rate',
         'value': 'cast(one_touch_count as float8) / nullif(solved_count, 0)',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
