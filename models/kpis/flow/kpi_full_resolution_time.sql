{#
    Full resolution time and its two waits (flow, support), per ticket solved
    now, in the week of its FINAL solve (done_at: the last entry into
    solved/closed; a reopened ticket counts once, when finally solved), in
    calendar hours:

    - full resolution = created -> final solve (Zendesk "full resolution
      time");
    - requester wait = the hours of created -> final solve spent in a status
      whose case_wait is requester_wait (new, open, on-hold; Zendesk
      "requester wait time");
    - agent wait = the hours spent in a status whose case_wait is agent_wait
      (pending; Zendesk "agent wait time").

    Time in solved between a solve and a reopen is in neither wait, and time
    before a case's first recorded status (a ServiceNow incident opened before
    its first update) neither. The two waits need status intervals
    (int_case_status_intervals): a case without any is left out of them, and
    their sample_size counts only the cases measured. contributor_count is
    the distinct assignees.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

status_intervals as (

    select * from {{ ref('int_case_status_intervals') }}

),

solved_cases as (

    select
        team_id,
        work_item_id,
        owner_person_id,
        created_at,
        done_at,
        {{ week_start('done_at') }} as week_start,
        {{ elapsed_hours('created_at', 'done_at') }} as full_resolution_hours
    from work_items
    where
        canonical_state = 'done'
        and done_at is not null
        and done_at >= created_at
        and team_id is not null

),

{# Each interval's overlap with created -> final solve, by wait side. #}
waits as (

    select
        solved_cases.work_item_id,
        sum(
            case
                when status_intervals.case_wait = 'requester_wait'
                    then {{ elapsed_hours(
                        'greatest(status_intervals.entered_at, solved_cases.created_at)',
                        'least(coalesce(status_intervals.exited_at, solved_cases.done_at), '
                        ~ 'solved_cases.done_at)') }}
                else 0
            end
        ) as requester_wait_hours,
        sum(
            case
                when status_intervals.case_wait = 'agent_wait'
                    then {{ elapsed_hours(
                        'greatest(status_intervals.entered_at, solved_cases.created_at)',
                        'least(coalesce(status_intervals.exited_at, solved_cases.done_at), '
                        ~ 'solved_cases.done_at)') }}
                else 0
            end
        ) as agent_wait_hours
    from solved_cases
    inner join status_intervals
        on solved_cases.work_item_id = status_intervals.work_item_id
            and solved_cases.done_at > status_intervals.entered_at
            and solved_cases.created_at
            < coalesce(status_intervals.exited_at, solved_cases.done_at)
    group by solved_cases.work_item_id

),

aggregated as (

    select
        solved_cases.team_id,
        solved_cases.period_grain,
        solved_cases.period_start,
        {{ percentile('solved_cases.full_resolution_hours', 0.5) }}
            as full_resolution_p50_hours,
        {{ percentile('solved_cases.full_resolution_hours', 0.85) }}
            as full_resolution_p85_hours,
        {{ percentile('waits.requester_wait_hours', 0.5) }} as requester_wait_p50_hours,
        {{ percentile('waits.requester_wait_hours', 0.85) }} as requester_wait_p85_hours,
        {{ percentile('waits.agent_wait_hours', 0.5) }} as agent_wait_p50_hours,
        {{ percentile('waits.agent_wait_hours', 0.85) }} as agent_wait_p85_hours,
        count(*) as solved_count,
        count(waits.work_item_id) as measured_count,
        count(distinct solved_cases.owner_person_id) as owner_count
    from {{ kpi_periods('solved_cases') }}
    left join waits
        on solved_cases.work_item_id = waits.work_item_id
    group by solved_cases.team_id, solved_cases.period_grain, solved_cases.period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'full_resolution_time_p50', 'value': 'full_resolution_p50_hours',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'full_resolution_time_p85', 'value': 'full_resolution_p85_hours',
         'sample_size': 'solved_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'requester_wait_time_p50', 'value': 'requester_wait_p50_hours',
         'sample_size': 'measured_count', 'contributor_count': 'owner_count',
         'where': 'measured_count > 0'},
        {'kpi_id': 'requester_wait_time_p85', 'value': 'requester_wait_p85_hours',
         'sample_size': 'measured_count', 'contributor_count': 'owner_count',
         'where': 'measured_count > 0'},
        {'kpi_id': 'agent_wait_time_p50', 'value': 'agent_wait_p50_hours',
         'sample_size': 'measured_count', 'contributor_count': 'owner_count',
         'where': 'measured_count > 0'},
        {'kpi_id': 'agent_wait_time_p85', 'value': 'agent_wait_p85_hours',
         'sample_size': 'measured_count', 'contributor_count': 'owner_count',
         'where': 'measured_count > 0'},
    ]) }}

)

select * from final
